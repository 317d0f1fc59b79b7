import { ConsumerConfig, PartitionAssigners } from 'kafkajs';
import { JsonLogger } from '../common/logger';
import { coPartitionedAssigner } from './co-partitioned.assigner';
import { InMessage } from './kafka.types';
import { Semaphore } from './semaphore';

/**
 * A handler may return `durable`: its slot is freed when `handle` resolves, but the offset
 * only counts as finished once `durable` does (e.g. once the outcome is written to Kafka).
 */
export type HandleResult = void | { durable: Promise<void> };

export interface ParallelConsumerOptions {
  groupId: string;
  topics: string[];
  concurrency: number;
  /** Fetched but unfinished messages of one topic above which that topic is paused. */
  maxBuffered: number;
  /**
   * Share of the slots per topic under saturation (priority lanes): waiting messages get a
   * freed slot by weighted round-robin over their topics. Topics not named weigh 1.
   */
  topicWeights?: Record<string, number>;
  /**
   * Offsets one partition may hold above its commit point (finished or not) before it is
   * paused: a message that never finishes must not let its tracker grow without bound.
   */
  maxPendingPerPartition: number;
  sessionTimeoutMs: number;
  logger: JsonLogger;
  handle: (message: InMessage) => Promise<HandleResult>;
  /** Messages with the same key run one after another, in offset order. */
  keyOf?: (message: InMessage) => string | null;
  /**
   * A further limit a message must pass before it takes one of the `concurrency` slots (e.g. a
   * task type's own cap). Taken first, so a message never holds a slot while it waits for it.
   */
  gateOf?: (message: InMessage) => Semaphore | null;
  /** Published in the group's member metadata (the worker id), so others can see who is alive. */
  memberTag?: string;
  /** Tries of `handle` for one message before the consumer restarts from its committed offsets. */
  handleAttempts?: number;
  /**
   * Hands back a message that will not run here because the consumer stops (never started,
   * or its handler gave it back). Resolving means it lives on elsewhere (re-published), so its
   * offset counts as finished; otherwise the offset stays uncommitted and is redelivered.
   */
  release?: (message: InMessage) => Promise<void>;
}

export interface StopOptions {
  /** How long running handlers may take before `onGraceExpired`. */
  graceMs: number;
  /** Called once at the grace deadline with handlers still running (to abort them). */
  onGraceExpired?: () => void;
  /** After the deadline, how long aborted handlers get to return before we leave anyway. */
  abandonMs?: number;
}

/** The kafkajs consumer a ParallelConsumer (re)connects with: offsets are committed by hand. */
export function consumerConfig(o: ParallelConsumerOptions): ConsumerConfig {
  return {
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs,
    heartbeatInterval: Math.floor(o.sessionTimeoutMs / 6),
    rebalanceTimeout: Math.max(60000, o.sessionTimeoutMs),
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
    readUncommitted: false,
    // Round-robin stays second so a group mid rolling-upgrade (old members) can still agree on one.
    partitionAssigners: [coPartitionedAssigner(o.memberTag), PartitionAssigners.roundRobin],
  };
}
