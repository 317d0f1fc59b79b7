#!/usr/bin/env node
// Waits until a Kafka broker answers: admin connect + describeCluster (creates/deletes nothing).
//
//   node scripts/wait-kafka.js <host:port[,host:port]> [--timeout <ms>] [--pid <pid>[,<pid>]] [--min-brokers <n>]
//
// --timeout      give up after this many ms (default 60000; 0 = a single attempt)
// --pid          the broker's process id(s): stop waiting as soon as one of them is gone
// --min-brokers  wait until at least this many brokers are registered (default 1)
//
// Exit codes: 0 ready (prints "<clusterId> <brokerCount>" on stdout), 1 timed out, 2 process died.
'use strict';

const { Kafka, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const args = { brokers: null, timeout: 60000, pids: [], minBrokers: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--timeout') args.timeout = Number(argv[++i]);
    else if (a === '--pid') args.pids = String(argv[++i]).split(',').map(Number);
    else if (a === '--min-brokers') args.minBrokers = Number(argv[++i]);
    else if (!args.brokers) args.brokers = a;
    else throw new Error(`unexpected argument: ${a}`);
  }
  if (!args.brokers) args.brokers = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
  return args;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function attempt(brokers, minBrokers) {
  const kafka = new Kafka({
    clientId: 'tasklog-wait-kafka',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers || cluster.brokers.length === 0) throw new Error('no brokers registered yet');
    if (cluster.brokers.length < minBrokers) throw new Error(`${cluster.brokers.length} of ${minBrokers} brokers registered`);
    return cluster;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function main() {
  const { brokers, timeout, pids, minBrokers } = parseArgs(process.argv.slice(2));
  const list = brokers.split(',').map((s) => s.trim()).filter(Boolean);
  const deadline = Date.now() + timeout;
  let lastError = null;
  for (;;) {
    const gone = pids.find((pid) => pid && !alive(pid));
    if (gone) {
      process.stderr.write(`broker process ${gone} exited\n`);
      return 2;
    }
    try {
      const cluster = await attempt(list, minBrokers);
      process.stdout.write(`${cluster.clusterId} ${cluster.brokers.length}\n`);
      return 0;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(500);
  }
  process.stderr.write(`kafka at ${brokers} not answering: ${lastError && lastError.message}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
