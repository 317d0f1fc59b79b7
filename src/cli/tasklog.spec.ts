import { buildCli } from './tasklog';

describe('tasklog CLI', () => {
  it('lists its commands in --help and refuses an unknown one', () => {
    const cli = buildCli()
      .exitOverride()
      .configureOutput({ writeOut: () => {}, writeErr: () => {} });
    expect(cli.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['migrate', 'api-key', 'dlq', 'stats']));
    expect(() => cli.parse(['node', 'tasklog', 'no-such-command'])).toThrow(/unknown command/);
  });
});
