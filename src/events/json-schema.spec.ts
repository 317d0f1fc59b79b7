import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventType } from './event-types';
import { eventJsonSchemas } from './json-schema';

describe('generated JSON Schemas', () => {
  it('has one schema per event type, each pinned to its own type', () => {
    const schemas = eventJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(Object.values(EventType).sort());
    for (const [type, schema] of Object.entries(schemas)) {
      expect((schema as { properties: { type: { const: string } } }).properties.type.const).toBe(type);
    }
  });

  it('matches the committed docs (run `npm run schemas` after changing an event)', () => {
    const root = join(__dirname, '..', '..');
    for (const [type, schema] of Object.entries(eventJsonSchemas())) {
      const committed = JSON.parse(readFileSync(join(root, 'docs', 'schemas', `${type}.schema.json`), 'utf8'));
      expect(committed).toEqual(schema);
    }
  });
});
