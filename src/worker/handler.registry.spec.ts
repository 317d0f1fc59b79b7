import { HandlerRegistry } from './handler.registry';

describe('HandlerRegistry', () => {
  it('refuses a second handler for one task type, naming both', () => {
    const r = new HandlerRegistry();
    r.register('report.build', () => 1, 'Reports.build');
    expect(() => r.register('report.build', () => 2, 'Other.build')).toThrow(
      /two handlers for task type "report.build": Reports.build and Other.build/,
    );
  });
});
