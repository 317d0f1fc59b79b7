import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { DemoHandlers } from '../../src/examples/demo.handlers';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../artifacts');

describe('the dashboard in a real browser (Debian Chromium)', () => {
  let engine: TestEngine;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    engine = await startEngine({ label: 'dashboard', handlers: [DemoHandlers] });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // The machine has no network beyond loopback; keep Chromium from reaching out at all.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('shows a running demo.sleep advancing live, cancels it with its button and shows cancelled', async () => {
    await page.goto(`${engine.url}/dashboard`);
    await page.locator('#live.on').waitFor();

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
    expect((await http(`${engine.url}/v1/tasks/${id}`)).body.status).toBe('cancelled');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-cancelled.png'), fullPage: true });
  });
});
