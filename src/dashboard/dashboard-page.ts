/** A single self-contained page: live task table with progress bars, counts, and enqueue buttons. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tasklog</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
 h1{font-size:20px;margin:0 0 16px} .muted{color:#6b7280}
 .counts{display:flex;gap:12px;margin:12px 0 20px;flex-wrap:wrap}
 .count{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px 14px;min-width:90px}
 .count b{display:block;font-size:20px}
 table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e5e7eb}
 th,td{padding:6px 10px;border-bottom:1px solid #eef0f3;text-align:left;vertical-align:top}
 th{background:#fafbfc;font-weight:600}
 .bar{width:140px;height:10px;background:#eef0f3;border-radius:5px;overflow:hidden;display:inline-block;vertical-align:middle}
 .bar i{display:block;height:100%;background:#3b82f6}
 .s-completed{color:#15803d}.s-failed{color:#b91c1c}.s-running{color:#1d4ed8}.s-queued{color:#6b7280}
 button{margin-right:8px;padding:6px 12px;border-radius:6px;border:1px solid #cbd5e1;background:#fff;cursor:pointer}
 code{font-size:12px}
</style></head>
<body>
<h1>Tasklog <span class="muted" id="updated"></span></h1>
<div>
 <button onclick="enqueue('demo.sleep',{ms:5000,steps:20})">Enqueue demo.sleep (5 s)</button>
 <button onclick="enqueue('demo.fail',{message:'on purpose'})">Enqueue demo.fail</button>
 <span id="msg" class="muted"></span>
</div>
<div class="counts" id="counts"></div>
<table><thead><tr><th>task</th><th>type</th><th>status</th><th>progress</th><th>result / error</th><th>created</th></tr></thead>
<tbody id="rows"></tbody></table>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
async function enqueue(type, payload) {
  const r = await fetch('/v1/tasks', {method:'POST', headers:{'content-type':'application/json'}, body: JSON.stringify({type, payload})});
  const b = await r.json();
  document.getElementById('msg').textContent = r.ok ? 'enqueued ' + b.id : (b.title + ': ' + b.detail);
  refresh();
}
async function refresh() {
  try {
    const [list, stats] = await Promise.all([fetch('/v1/tasks?limit=50').then(r => r.json()), fetch('/v1/stats').then(r => r.json())]);
    document.getElementById('counts').innerHTML = Object.entries(stats.byStatus || {}).map(([k, v]) => '<div class="count"><b>' + v + '</b>' + esc(k) + '</div>').join('') || '<span class="muted">no tasks yet</span>';
    document.getElementById('rows').innerHTML = (list.items || []).map(t => {
      const p = t.progress || {}; const pct = p.percent ?? (t.status === 'completed' ? 100 : 0);
      const out = t.error ? '<span class="s-failed">' + esc(t.error.name + ': ' + t.error.message) + '</span>' : '<code>' + esc(t.result == null ? '' : JSON.stringify(t.result)) + '</code>';
      return '<tr><td><code>' + esc(t.id) + '</code></td><td>' + esc(t.type) + '</td><td class="s-' + esc(t.status) + '">' + esc(t.status) + '</td>'
        + '<td><span class="bar"><i style="width:' + pct + '%"></i></span> ' + (p.percent != null ? pct + '%' : '') + ' <span class="muted">' + esc(p.message) + '</span></td>'
        + '<td>' + out + '</td><td class="muted">' + esc(new Date(t.createdAt).toLocaleTimeString()) + '</td></tr>';
    }).join('');
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) { document.getElementById('updated').textContent = 'offline: ' + e.message; }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>`;
