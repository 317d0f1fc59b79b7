import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DemoHandlers } from '../../src/examples/demo.handlers';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { waitFor } from '../support/wait-for';

const ACME = { 'x-api-key': 'acme-key' };
const GLOBEX = { 'x-api-key': 'globex-key' };

describe('the dashboard in a real browser (Debian Chromium)', () => {
  let engine: TestEngine;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    engine = await startEngine({
      label: 'dashboard',
      handlers: [DemoHandlers],
      config: { apiKeys: { 'acme-key': 'acme', 'globex-key': 'globex' } },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it("asks for a key, then shows a running demo.sleep advancing live, cancels it and shows cancelled; never another tenant's task", async () => {
    await page.goto(`${engine.url}/dashboard`);
    await page.locator('#keybox').waitFor();
    await page.fill('#key', 'acme-key');
    await page.click('#keybox button');
    await page.locator('#live.on').waitFor();
    const other = (
      await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'demo.sleep', payload: { ms: 300 } }, headers: GLOBEX })
    ).body.id;

    await page.click('#enqueue-sleep');
    await page.locator('#msg', { hasText: 'enqueued' }).waitFor();
    const id = (await page.textContent('#msg'))!.replace('enqueued ', '').trim();
    const row = page.locator(`tr[data-task="${id}"]`);
    const bar = row.locator('[role=progressbar]');

    await row.locator('td.status', { hasText: 'running' }).waitFor();
    const percent = async () => Number(await bar.getAttribute('aria-valuenow'));
    // Runs in the page: the bar's value has gone past `before` (fed by the SSE stream).
    const past = (before: number) =>
      page.waitForFunction(
        `Number(document.querySelector('tr[data-task="${id}"] [role=progressbar]')?.getAttribute('aria-valuenow')) > ${before}`,
      );
    await past(0);
    const first = await percent();
    await past(first);
    expect(await percent()).toBeGreaterThan(first);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-running.png'), fullPage: true });

    await row.locator('button.cancel').click();
    await row.locator('td.status', { hasText: 'cancelled' }).waitFor();
    expect(await row.locator('button.cancel').count()).toBe(0);
    expect((await http(`${engine.url}/v1/tasks/${id}`, { headers: ACME })).body.status).toBe('cancelled');
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${other}`, { headers: GLOBEX })).body.status === 'completed', {
      what: "the other tenant's task to complete",
    });
    expect(await page.locator(`tr[data-task="${other}"]`).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-cancelled.png'), fullPage: true });
  });
});
