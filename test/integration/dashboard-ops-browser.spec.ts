import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DemoHandlers } from '../../src/examples/demo.handlers';
import { ARTIFACTS, launchChromium, openDashboard } from '../support/browser';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { waitFor } from '../support/wait-for';

const ACME = { 'x-api-key': 'acme-key' };
const GLOBEX = { 'x-api-key': 'globex-key' };

describe('the dashboard operations panels in a real browser (Debian Chromium)', () => {
  let engine: TestEngine;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    engine = await startEngine({
      label: 'dashboard_ops',
      handlers: [DemoHandlers],
      config: { apiKeys: { 'acme-key': 'acme', 'globex-key': 'globex' } },
    });
    browser = await launchChromium();
    page = await openDashboard(browser, engine.url, 'acme-key');
  });
  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const api = (path: string, init: RequestInit & { json?: unknown } = {}, headers = ACME) =>
    http(`${engine.url}${path}`, { ...init, headers: { ...headers, ...(init.headers ?? {}) } });
  const task = async (id: string) => (await api(`/v1/tasks/${id}`)).body;

  it("lists an exhausted task's dead letter; Retry re-opens the task, which runs again and shows its new attempt", async () => {
    const message = `invoice ${Date.now()}: upstream answered 502`;
    const id = (await api('/v1/tasks', { method: 'POST', json: { type: 'demo.fail', payload: { message }, maxAttempts: 1 } })).body.id;
    const letter = page.locator(`#dead-letters tr[data-letter-task="${id}"]`);
    await letter.waitFor();
    expect(await letter.locator('td').allInnerTexts()).toEqual([
      expect.any(String),
      'task-exhausted',
      id.slice(-12),
      '1',
      `Error: ${message} after 1 attempt`,
      'Retry',
    ]);

    await letter.locator('button', { hasText: 'Retry' }).click();
    await page.locator('#dead-letters-msg', { hasText: `task ${id} re-opened` }).waitFor();
    // The task runs (and fails) again: its row in the task table shows the second attempt, live.
    const row = page.locator(`#tasks tr[data-task="${id}"]`);
    await row.locator('td', { hasText: /^2\/2$/ }).waitFor();
    await row.locator('td.status', { hasText: 'failed' }).waitFor();
    expect(await task(id)).toMatchObject({ status: 'failed', attempt: 2 });
    // Its second exhaustion is a second letter, and only the newest letter of the task offers Retry.
    const letters = page.locator(`#dead-letters tr[data-letter-task="${id}"]`);
    await waitFor(async () => (await letters.count()) === 2, { what: 'the second letter' });
    expect(await letters.first().locator('td').nth(3).innerText()).toBe('2');
    expect(await letters.locator('button', { hasText: 'Retry' }).count()).toBe(1);
    expect(await letters.first().locator('button', { hasText: 'Retry' }).count()).toBe(1);
  });

  it("lists the tenant's schedule with its next run; Run now fires a task, Pause shows it paused, Resume brings the next run back", async () => {
    const body = { cron: '0 3 * * *', timezone: 'Europe/Berlin', task: { type: 'demo.sleep', payload: { ms: 200, steps: 4 } } };
    const created = (await api('/v1/schedules', { method: 'POST', json: { name: 'nightly-export', ...body } })).body;
    const theirs = (await api('/v1/schedules', { method: 'POST', json: { name: 'globex-only', ...body } }, GLOBEX)).body;
    const row = page.locator(`#schedules tr[data-schedule="${created.id}"]`);
    await row.waitFor();
    expect(await row.locator('td.next time').getAttribute('datetime')).toBe(created.nextRunAt);
    expect(await row.locator('td.state').innerText()).toBe('active');
    expect(await page.locator(`#schedules tr[data-schedule="${theirs.id}"]`).count()).toBe(0);

    await row.locator('button', { hasText: 'Run now' }).click();
    const fired = await page.locator('#schedules-msg', { hasText: 'fired task' }).innerText();
    const taskId = fired.replace('fired task ', '').trim();
    await page.locator(`#tasks tr[data-task="${taskId}"] td.status`, { hasText: 'completed' }).waitFor();
    await row.locator(`td.last code[title="${taskId}"]`).waitFor();

    await row.locator('button', { hasText: 'Pause' }).click();
    await page.locator(`#schedules tr[data-schedule="${created.id}"][data-paused="true"] td.state`, { hasText: 'paused' }).waitFor();
    expect(await row.locator('td.next time').count()).toBe(0);
    expect((await api(`/v1/schedules/${created.id}`)).body.paused).toBe(true);

    await row.locator('button', { hasText: 'Resume' }).click();
    await page.locator(`#schedules tr[data-schedule="${created.id}"][data-paused="false"] td.next time`).waitFor();
    expect((await api(`/v1/schedules/${created.id}`)).body.paused).toBe(false);
  });

  it('lists the engine worker with its host and task types, and the queue and run times by type', async () => {
    const workers = await waitFor(async () => ((await api('/v1/workers')).body.items as { id: string; host: string }[]).at(0), {
      what: "the engine's worker heartbeat",
    });
    const row = page.locator(`#workers tr[data-worker="${workers.id}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[1]).toContain(workers.host);
    expect(cells[6]).toContain('demo.sleep');
    await page.locator('#lanes [data-lane="normal"]').waitFor();
    // The earlier tests finished demo.sleep and demo.fail tasks: the last hour's run times show.
    await page.waitForFunction(
      `/\\d/.test(document.querySelector('#types tr[data-type="demo.sleep"] td:nth-child(5)')?.textContent ?? '')`,
    );

    // A running task for the picture, then the picture (also the README's).
    const id = (await api('/v1/tasks', { method: 'POST', json: { type: 'demo.sleep', payload: { ms: 3000, steps: 30 } } })).body.id;
    await page.waitForFunction(
      `Number(document.querySelector('tr[data-task="${id}"] [role=progressbar]')?.getAttribute('aria-valuenow')) >= 20`,
    );
    const shot = join(ARTIFACTS, 'dashboard-ops.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(shot, join(__dirname, '../../docs/dashboard.png'));
    await waitFor(async () => (await task(id)).status === 'completed', { what: 'the pictured task to finish' });
  });
});
