#!/usr/bin/env node
import { Command } from 'commander';
import { eventsCommand } from './commands/events.command';
import { migrateCommand } from './commands/migrate.command';

/**
 * `npx tasklog <command>`: the operational commands. Each command lives in its own file under
 * `commands/` and is registered here; `--help` lists them.
 */
export function buildCli(): Command {
  return new Command('tasklog')
    .description('Tasklog: event-sourced task engine on Kafka (operations)')
    .showHelpAfterError()
    .addCommand(migrateCommand())
    .addCommand(eventsCommand());
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((e: Error) => {
      process.stderr.write(JSON.stringify({ level: 'error', msg: 'command failed', error: e.message }) + '\n');
      process.exit(1);
    });
}
