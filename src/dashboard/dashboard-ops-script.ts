/**
 * The operations panels, served as /dashboard/ops.js after app.js, whose helpers ($, esc, api,
 * say, track) it shares: dead letters with Retry, schedules with Pause / Resume / Run now, and
 * the live workers. Each is read again when a task changes status (at most once a second) and
 * every 5 s otherwise, while the tab is visible.
 */
export const DASHBOARD_OPS_SCRIPT = `'use strict';
const OPS_EVERY_MS = 5000;
let opsTimer = null;
let opsSoon = null;

const when = (iso) => (iso ? '<time datetime="' + esc(iso) + '" title="' + esc(iso) + '">' + esc(new Date(iso).toLocaleString()) + '</time>' : '<span class="muted">–</span>');
const ago = (iso) => '<time datetime="' + esc(iso) + '" title="' + esc(iso) + '">' + Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)) + ' s ago</time>';
const short = (id) => (id ? '<code title="' + esc(id) + '">' + esc(String(id).slice(-12)) + '</code>' : '<span class="muted">–</span>');
const status = (s) => '<span class="s-' + esc(s) + '">' + esc(s) + '</span>';

/** Retry sits on the newest letter of an exhausted task only: the older ones name the same task. */
function letterRow(l, i, all) {
  const newest = all.findIndex((o) => o.taskId === l.taskId) === i;
  const retry = l.kind === 'task-exhausted' && l.taskId && newest ? '<button data-retry="' + esc(l.taskId) + '">Retry</button>' : '';
  return '<tr data-letter="' + esc(l.id) + '" data-letter-task="' + esc(l.taskId) + '"><td class="muted">' + when(l.failedAt) + '</td>'
    + '<td>' + esc(l.kind) + '</td><td>' + short(l.taskId) + '</td><td>' + esc(l.attempt ?? '–') + '</td>'
    + '<td class="err">' + esc(l.reason) + '</td><td>' + retry + '</td></tr>';
}

function scheduleRow(s) {
  const toggle = s.paused ? '<button data-resume="' + esc(s.id) + '">Resume</button>' : '<button data-pause="' + esc(s.id) + '">Pause</button>';
  const last = s.lastRunAt ? when(s.lastRunAt) + (s.lastRun ? ' ' + short(s.lastRun.taskId) + (s.lastRun.status ? ' ' + status(s.lastRun.status) : '') : '') : when(null);
  return '<tr data-schedule="' + esc(s.id) + '" data-paused="' + s.paused + '"><td>' + esc(s.name) + ' <span class="muted">' + esc(s.task.type) + '</span></td>'
    + '<td><code>' + esc(s.cron) + '</code></td><td>' + esc(s.timezone) + '</td><td class="next">' + when(s.nextRunAt) + '</td>'
    + '<td class="last">' + last + '</td><td class="state">' + (s.paused ? 'paused' : 'active') + '</td>'
    + '<td class="actions">' + toggle + '<button data-trigger="' + esc(s.id) + '">Run now</button></td></tr>';
}

function workerRow(w) {
  return '<tr data-worker="' + esc(w.id) + '"><td><code>' + esc(w.id) + '</code></td><td>' + esc(w.host) + ' <span class="muted">pid ' + esc(w.pid) + '</span></td>'
    + '<td>' + esc(w.roles.join(', ')) + '</td><td class="muted">' + ago(w.lastHeartbeatAt) + '</td>'
    + '<td class="running">' + w.running.length + '</td><td>' + esc(w.freeSlots) + '/' + esc(w.concurrency) + '</td>'
    + '<td>' + esc(w.taskTypes.join(', ')) + '</td></tr>';
}

const PANELS = {
  deadLetters: { path: '/v1/dead-letters?limit=10', body: 'dead-letters', cols: 6, row: letterRow, empty: 'no dead letters' },
  schedules: { path: '/v1/schedules', body: 'schedules', cols: 7, row: scheduleRow, empty: 'no schedules' },
  workers: { path: '/v1/workers', body: 'workers', cols: 7, row: workerRow, empty: 'no live workers' },
};

async function refresh(name) {
  const p = PANELS[name];
  let html;
  try {
    html = (await api(p.path)).items.map(p.row).join('') || '<tr><td colspan="' + p.cols + '" class="muted">' + p.empty + '</td></tr>';
  } catch (e) {
    html = '<tr><td colspan="' + p.cols + '" class="err">' + esc(e.message) + '</td></tr>';
  }
  if (p.html !== html) $(p.body).innerHTML = p.html = html;
}

function refreshAll() {
  if (!document.hidden) for (const name of Object.keys(PANELS)) refresh(name);
}

/** Runs one button's POST, shows its outcome next to the panel's title, then reads the panel again. */
async function act(button, panel, path, outcome) {
  button.disabled = true;
  const msg = $(PANELS[panel].body + '-msg');
  try {
    msg.className = 'muted';
    msg.textContent = outcome(await api(path, { method: 'POST' }));
  } catch (e) {
    msg.className = 'err';
    msg.textContent = e.message;
    button.disabled = false;
  }
  refresh(panel);
}

$('dead-letters').addEventListener('click', (e) => {
  const id = e.target.dataset && e.target.dataset.retry;
  if (!id) return;
  act(e.target, 'deadLetters', '/v1/tasks/' + encodeURIComponent(id) + '/retry', (t) => {
    track(t);
    return 'task ' + t.id + ' re-opened: ' + t.status + ', up to attempt ' + t.maxAttempts;
  });
});
$('schedules').addEventListener('click', (e) => {
  const d = e.target.dataset || {};
  const base = '/v1/schedules/' + encodeURIComponent(d.pause || d.resume || d.trigger || '');
  if (d.pause) act(e.target, 'schedules', base + '/pause', (s) => s.name + ' paused');
  else if (d.resume) act(e.target, 'schedules', base + '/resume', (s) => s.name + ' resumed, next run ' + new Date(s.nextRunAt).toLocaleString());
  else if (d.trigger) act(e.target, 'schedules', base + '/trigger', (r) => 'fired task ' + r.taskId);
});

document.addEventListener('tasklog:ready', () => {
  refreshAll();
  opsTimer = opsTimer || setInterval(refreshAll, OPS_EVERY_MS);
});
// A status change can add a dead letter, finish a schedule's last run or change a worker's load.
document.addEventListener('tasklog:change', (e) => {
  if (e.detail.task.status === e.detail.previous) return;
  opsSoon = opsSoon || setTimeout(() => { opsSoon = null; refreshAll(); }, 1000);
});
`;
