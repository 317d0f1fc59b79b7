/**
 * The dashboard's script, served as /dashboard/app.js. One EventSource on /v1/stream feeds the
 * task table and the failures; it reconnects by itself with Last-Event-ID, so the page misses
 * nothing while the connection drops. Lists and counts are read once, and counts again at most once a
 * second while changes come in, never on a timer. It tells the operations panels (ops.js) through
 * two document events: `tasklog:ready` once the stream is up and `tasklog:change` with each task change.
 */
export const DASHBOARD_SCRIPT = `'use strict';
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const ACTIVE = ['scheduled', 'queued', 'running', 'retrying'];
const MAX_FINISHED = 50;
const tasks = new Map();
let failures = [];
let key = sessionStorage.getItem('tasklog-key') || '';
let source = null;
let statsTimer = null;
let drawPending = false;

async function api(path, init = {}) {
  const headers = Object.assign({}, init.headers, key ? { 'x-api-key': key } : {});
  const r = await fetch(path, Object.assign({}, init, { headers }));
  if (r.status === 401) { $('keybox').hidden = false; throw new Error('this service needs an API key'); }
  const body = r.status === 204 ? null : await r.json();
  if (!r.ok) throw new Error((body && (body.detail || body.title)) || r.statusText);
  return body;
}

function connect() {
  if (source) source.close();
  source = new EventSource('/v1/stream');
  source.addEventListener('ready', () => { live(true); load(); });
  source.onopen = () => live(true);
  source.onmessage = (m) => changed(JSON.parse(m.data));
  source.onerror = () => {
    live(false);
    // CLOSED: refused (e.g. 401), so no automatic reconnect; ask whether a key helps.
    if (source.readyState === EventSource.CLOSED) api('/v1/stats').then(() => setTimeout(connect, 2000), (e) => say(e.message));
  };
}

function live(on) {
  $('live').className = on ? 'live on' : 'live';
  $('state').textContent = on ? 'live' : 'reconnecting…';
}

async function load() {
  try {
    const [open, failed] = await Promise.all([
      api('/v1/tasks?status=' + ACTIVE.join(',') + '&limit=100'),
      api('/v1/tasks?status=failed&limit=10'),
    ]);
    for (const t of open.items) if (!tasks.has(t.id)) tasks.set(t.id, t);
    for (const t of failed.items) if (!failures.some((f) => f.id === t.id)) failures.push(t);
    draw();
    stats();
    document.dispatchEvent(new CustomEvent('tasklog:ready'));
  } catch (e) { say(e.message); }
}

function changed(m) {
  const t = m.task;
  if (!t) return;
  const previous = tasks.has(t.id) ? tasks.get(t.id).status : null;
  tasks.set(t.id, Object.assign(tasks.get(t.id) || {}, t));
  // A task that failed again (after a retry) moves to the top with its latest attempt.
  if (t.status === 'failed') failures = [Object.assign({}, tasks.get(t.id)), ...failures.filter((f) => f.id !== t.id)].slice(0, 10);
  draw();
  document.dispatchEvent(new CustomEvent('tasklog:change', { detail: { task: t, previous } }));
  // At most once a second while changes keep coming (a debounce would never fire under progress).
  statsTimer = statsTimer || setTimeout(() => { statsTimer = null; stats(); }, 1000);
}

async function stats() {
  try {
    const s = await api('/v1/stats');
    const card = (v, label) => '<div class="count"><b>' + esc(v) + '</b>' + esc(label) + '</div>';
    $('counts').innerHTML = (Object.entries(s.byStatus || {}).map(([k, v]) => card(v, k)).join('')
      + (s.failureRate != null ? card(pct(s.failureRate), 'failure rate') : '')) || '<span class="muted">no tasks yet</span>';
    $('lanes').innerHTML = Object.entries(s.lanes || {}).map(([lane, d]) => '<span data-lane="' + esc(lane) + '"><b>' + esc(lane) + '</b> '
      + d.depth + ' queued' + (d.kafkaLag != null ? ' <span class="muted">(lag ' + d.kafkaLag + ')</span>' : '') + '</span>').join(' · ');
    const hour = (s.windows && s.windows['1h'] && s.windows['1h'].byType) || {};
    $('types').innerHTML = Object.entries(s.byType || {}).map(([type, by]) => {
      const w = hour[type] || {};
      return '<tr data-type="' + esc(type) + '"><td>' + esc(type) + '</td><td>'
        + Object.entries(by).map(([st, n]) => '<span class="s-' + esc(st) + '">' + esc(st) + ' ' + n + '</span>').join(' · ') + '</td>'
        + '<td>' + (w.finished || 0) + '</td><td>' + (w.finished ? pct(w.failed / w.finished) : '–') + '</td>'
        + '<td>' + ms(w.p50Ms) + '</td><td>' + ms(w.p95Ms) + '</td></tr>';
    }).join('');
  } catch (e) { say(e.message); }
}

const pct = (share) => Math.round(share * 1000) / 10 + '%';
const ms = (n) => (n == null ? '–' : n < 1000 ? Math.round(n) + ' ms' : (n / 1000).toFixed(1) + ' s');

function draw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawTasks(); drawFailures(); });
}

function drawTasks() {
  const all = [...tasks.values()];
  const open = all.filter((t) => ACTIVE.includes(t.status)).sort((a, b) => (a.id < b.id ? 1 : -1));
  const done = all.filter((t) => !ACTIVE.includes(t.status)).sort((a, b) => String(b.finishedAt).localeCompare(String(a.finishedAt)));
  for (const t of done.slice(MAX_FINISHED)) tasks.delete(t.id);
  $('tasks').innerHTML = [...open, ...done.slice(0, MAX_FINISHED)].map(row).join('') || '<tr><td colspan="6" class="muted">nothing running</td></tr>';
}

function row(t) {
  const p = t.progress || {};
  const pct = p.percent ?? (t.status === 'completed' ? 100 : 0);
  const cancel = ACTIVE.includes(t.status) ? '<button class="cancel" data-cancel="' + esc(t.id) + '">Cancel</button>' : '';
  return '<tr data-task="' + esc(t.id) + '" data-status="' + esc(t.status) + '"><td><code title="' + esc(t.id) + '">' + esc(t.id.slice(-12)) + '</code></td>'
    + '<td>' + esc(t.type) + '</td><td class="status s-' + esc(t.status) + '">' + esc(t.status) + '</td>'
    + '<td>' + esc(t.attempt) + '/' + esc(t.maxAttempts) + '</td>'
    + '<td><span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="' + pct + '"><i style="width:' + pct + '%"></i></span> '
    + (p.percent != null ? pct + '% ' : '') + '<span class="muted">' + esc(p.message) + '</span></td><td>' + cancel + '</td></tr>';
}

function drawFailures() {
  $('failures').innerHTML = failures.map((t) => '<tr><td><code title="' + esc(t.id) + '">' + esc(t.id.slice(-12)) + '</code></td><td>' + esc(t.type) + '</td>'
    + '<td>' + esc(t.attempt) + '/' + esc(t.maxAttempts) + '</td><td class="err">' + esc(t.error ? t.error.name + ': ' + t.error.message : '') + '</td>'
    + '<td class="muted">' + esc(t.finishedAt ? new Date(t.finishedAt).toLocaleTimeString() : '') + '</td></tr>').join('')
    || '<tr><td colspan="5" class="muted">no failures</td></tr>';
}

function say(text) { $('msg').textContent = text; }

/** Shows a task the page started (enqueue, retry) before its first event arrives. */
function track(t) {
  if (!tasks.has(t.id)) tasks.set(t.id, t);
  draw();
}

async function enqueue(type, payload) {
  try {
    const t = await api('/v1/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type, payload }) });
    track(t);
    say('enqueued ' + t.id);
  } catch (e) { say(e.message); }
}

$('tasks').addEventListener('click', async (e) => {
  const id = e.target.dataset && e.target.dataset.cancel;
  if (!id) return;
  e.target.disabled = true;
  try { await api('/v1/tasks/' + id + '/cancel', { method: 'POST' }); say('cancel requested for ' + id); }
  catch (err) { say(err.message); e.target.disabled = false; }
});
$('enqueue-sleep').onclick = () => enqueue('demo.sleep', { ms: 10000, steps: 50 });
$('enqueue-fail').onclick = () => enqueue('demo.fail', { message: 'on purpose' });
$('keybox').onsubmit = (e) => {
  e.preventDefault();
  key = $('key').value.trim();
  sessionStorage.setItem('tasklog-key', key);
  // EventSource cannot send headers; the API reads this cookie for GET requests only.
  document.cookie = 'tasklog_key=' + encodeURIComponent(key) + '; path=/v1; SameSite=Strict';
  $('keybox').hidden = true;
  say('');
  connect();
};
connect();
`;
