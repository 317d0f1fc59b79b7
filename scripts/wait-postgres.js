#!/usr/bin/env node
// Checks that a Postgres URL answers: connect + `select 1`.
//
//   node scripts/wait-postgres.js <postgres-url> [--create] [--timeout <ms>]
//
// --create   if the server answers but the database does not exist, create it
//            (connects to the `postgres` database on the same server for that)
// --timeout  keep retrying connection failures for this many ms (default 0 = a single attempt)
//
// Exit codes: 0 answers, 1 does not answer (reason on stderr, one line).
'use strict';

const { Client } = require('pg');

function parseArgs(argv) {
  const args = { url: null, create: false, timeout: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--create') args.create = true;
    else if (a === '--timeout') args.timeout = Number(argv[++i]);
    else if (!args.url) args.url = a;
    else throw new Error(`unexpected argument: ${a}`);
  }
  if (!args.url) throw new Error('usage: wait-postgres.js <postgres-url> [--create] [--timeout <ms>]');
  return args;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function selectOne(connectionString) {
  const client = new Client({ connectionString, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabase(url) {
  const dbName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const admin = new URL(url.href);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.href, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(`create database "${dbName.replace(/"/g, '""')}"`);
  } catch (err) {
    if (err.code !== '42P04') throw err; // 42P04 = duplicate_database (created concurrently)
  } finally {
    await client.end().catch(() => {});
  }
}

// Failures worth retrying while a server is starting up.
function transient(err) {
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'ETIMEDOUT', 'EPIPE'].includes(err.code) ||
    err.code === '57P03' || // cannot_connect_now (starting up / shutting down)
    /timeout|terminated unexpectedly/i.test(err.message || '')
  );
}

async function main() {
  const { url, create, timeout } = parseArgs(process.argv.slice(2));
  const parsed = new URL(url);
  const deadline = Date.now() + timeout;
  let created = false;
  for (;;) {
    try {
      await selectOne(url);
      return 0;
    } catch (err) {
      if (err.code === '3D000' && create && !created) {
        // 3D000 = invalid_catalog_name: server answers, database missing.
        await createDatabase(parsed);
        created = true;
        continue;
      }
      if (!transient(err) || Date.now() >= deadline) {
        process.stderr.write(`${err.code ? err.code + ' ' : ''}${err.message || err}\n`);
        return 1;
      }
    }
    await sleep(300);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.code ? err.code + ' ' : ''}${err.message || err}\n`);
    process.exit(1);
  },
);
