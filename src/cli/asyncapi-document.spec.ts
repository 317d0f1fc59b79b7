import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncApiDocument } from './asyncapi-document';

const ERROR = 0;

describe('the AsyncAPI document', () => {
  it('matches the committed docs/asyncapi.json (run `npm run schemas` after changing an event)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.json'), 'utf8'));
    expect(committed).toEqual(asyncApiDocument());
  });

  it('passes @asyncapi/parser without errors, and describes the requests topic', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(asyncApiDocument('billing')));
    expect(diagnostics.filter((d) => d.severity === ERROR).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    expect(addresses).toEqual(expect.arrayContaining(['billing.events', 'billing.requests', 'billing.requests.reply', 'billing.dlq']));
    const request = document!.channels().get('requests')!.messages().all()[0];
    expect(request.payload()!.required()).toEqual(['type']);
    const reply = document!.operations().get('receiveRequests')!.reply()!;
    expect(reply.channel()!.address()).toBe('billing.requests.reply');
  });
});
