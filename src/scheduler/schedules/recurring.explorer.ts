import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ErrorCode, TasklogError } from '../../common/errors';
import { TASKLOG_CONFIG, TasklogConfig } from '../../config';
import { HandlerExplorer } from '../../worker/handler.explorer';
import { HandlerRegistry } from '../../worker/handler.registry';
import { TASK_HANDLER, TaskHandlerMetadata } from '../../worker/task-handler.decorator';
import { RECURRING, RecurringMetadata } from './recurring.decorator';
import { parseSchedule, ScheduleDefinition } from './schedule-definition';

/**
 * Collects schedules defined in code: `@Recurring` on handler methods and `schedules` in the
 * module options. Each is checked at startup, and one naming a task type no handler serves
 * stops the app with a message naming both (Celery beat finds those months later).
 */
@Injectable()
export class RecurringExplorer implements OnModuleInit {
  private readonly found: { def: ScheduleDefinition; where: string }[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly handlers: HandlerRegistry,
    private readonly handlerExplorer: HandlerExplorer,
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
  ) {}

  /** The code schedules, validated; the scheduler upserts them by name. */
  get definitions(): ScheduleDefinition[] {
    return this.found.map((f) => f.def);
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method] as () => unknown;
        const recurring = this.reflector.get<RecurringMetadata[] | undefined>(RECURRING, fn);
        if (!recurring) continue;
        const where = `${proto.constructor.name}.${method}`;
        const handler = this.reflector.get<TaskHandlerMetadata | undefined>(TASK_HANDLER, fn);
        if (!handler) {
          throw new TasklogError(ErrorCode.ORPHANED_SCHEDULE, `@Recurring on ${where} needs @TaskHandler on the same method`);
        }
        for (const r of recurring) this.add(toDefinition(r, handler.taskType), where);
      }
    }
    (this.config.schedules ?? []).forEach((s, i) => this.add(s, `module options schedules[${i}]`));
    this.check();
  }

  /** Fails before any role starts; the handler registry is completed first, whatever the hook order. */
  private check(): void {
    this.handlerExplorer.explore();
    for (const { def, where } of this.found) {
      if (!this.handlers.has(def.task.type)) {
        throw new TasklogError(
          ErrorCode.ORPHANED_SCHEDULE,
          `schedule "${def.name}" (${where}) names task type "${def.task.type}", which no @TaskHandler in this app handles`,
          { schedule: def.name, taskType: def.task.type },
        );
      }
    }
  }

  private add(input: unknown, where: string): void {
    const { def } = parseSchedule(input, `schedule in ${where}`);
    const twin = this.found.find((f) => f.def.name === def.name);
    if (twin) throw new TasklogError(ErrorCode.INVALID_SCHEDULE, `two schedules named "${def.name}": ${twin.where} and ${where}`);
    this.found.push({ def, where });
  }
}

function toDefinition(r: RecurringMetadata, taskType: string): unknown {
  const o = r.options;
  return {
    name: o.name ?? taskType,
    cron: r.cron,
    ...(o.timezone ? { timezone: o.timezone } : {}),
    task: { type: taskType, payload: o.payload, options: o.options ?? {} },
    ...(o.misfire ? { misfire: o.misfire } : {}),
    ...(o.overlap ? { overlap: o.overlap } : {}),
  };
}
