#!/usr/bin/env node
import { Command } from 'commander';
import { apiKeyCommand } from './commands/api-key.command';
import { dlqCommand } from './commands/dlq.command';
import { eventsCommand } from './commands/events.command';
import { migrateCommand } from './commands/migrate.command';
import { projectionCommand } from './commands/projection.command';
import { statsCommand } from './commands/stats.command';

/**
 * `npx tasklog <command>`: the operational commands. Each command lives in its own file under
 * `commands/` and is registered here; `--help` lists them.
 */
export function buildCli(): Command {
  return new Command('tasklog')
    .description('Tasklog: event-sourced task engine on Kafka (operations)')
    .showHelpAfterError()
    .addCommand(migrateCommand())
    .addCommand(apiKeyCommand())
    .addCommand(dlqCommand())
    .addCommand(statsCommand())
    .addCommand(eventsCommand())
    .addCommand(projectionCommand());
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((e: Error) => {
      process.stderr.write(`tasklog: ${e.message}\n`);
      process.exit(1);
    });
}
