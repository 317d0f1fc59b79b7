/**
 * The dashboard's one page: plain HTML and CSS, no build step. Its script
 * (dashboard-script.ts) keeps the tasks live through the SSE stream; the operations panels
 * (dashboard-ops-script.ts) are read again on status changes and every few seconds.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tasklog</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
 h1{font-size:20px;margin:0 0 12px} h2{font-size:15px;margin:22px 0 8px} .muted{color:#6b7280}
 .live{display:inline-block;width:8px;height:8px;border-radius:4px;background:#9ca3af;margin-right:6px}
 .live.on{background:#16a34a}
 .counts{display:flex;gap:12px;margin:12px 0;flex-wrap:wrap}
 .count{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px 14px;min-width:90px}
 .count b{display:block;font-size:20px}
 table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e5e7eb}
 th,td{padding:6px 10px;border-bottom:1px solid #eef0f3;text-align:left;vertical-align:middle}
 th{background:#fafbfc;font-weight:600}
 .bar{width:160px;height:10px;background:#eef0f3;border-radius:5px;overflow:hidden;display:inline-block;vertical-align:middle}
 .bar i{display:block;height:100%;background:#3b82f6;transition:width .15s}
 .s-completed{color:#15803d}.s-failed{color:#b91c1c}.s-running{color:#1d4ed8}.s-queued,.s-scheduled,.s-retrying{color:#6b7280}
 .s-cancelled,.s-expired{color:#92400e}
 button{margin-right:8px;padding:5px 11px;border-radius:6px;border:1px solid #cbd5e1;background:#fff;cursor:pointer}
 button.cancel{border-color:#fca5a5;color:#b91c1c}
 code{font-size:12px;white-space:nowrap} .err{color:#b91c1c} td.actions{white-space:nowrap}
 #keybox{background:#fff7ed;border:1px solid #fed7aa;padding:10px;border-radius:8px;margin:10px 0}
</style></head>
<body>
<h1><span class="live" id="live" title="live stream"></span>Tasklog <span class="muted" id="state">connecting…</span></h1>
<form id="keybox" hidden>API key <input id="key" type="password" autocomplete="off"> <button>Use key</button>
 <span class="muted">kept for this tab only</span></form>
<div>
 <button id="enqueue-sleep">Enqueue demo.sleep (10 s)</button>
 <button id="enqueue-fail">Enqueue demo.fail</button>
 <span id="msg" class="muted"></span>
</div>
<div class="counts" id="counts"></div>
<div>Queue depth by lane: <span id="lanes" class="muted">–</span></div>
<h2>Tasks <span class="muted">(unfinished, and those that finished while this page was open)</span></h2>
<table><thead><tr><th>task</th><th>type</th><th>status</th><th>attempt</th><th>progress</th><th></th></tr></thead>
<tbody id="tasks"></tbody></table>
<h2>Recent failures</h2>
<table><thead><tr><th>task</th><th>type</th><th>attempt</th><th>error</th><th>finished</th></tr></thead>
<tbody id="failures"></tbody></table>
<h2>Dead letters <span class="muted" id="dead-letters-msg"></span></h2>
<table><thead><tr><th>failed</th><th>kind</th><th>task</th><th>attempt</th><th>reason</th><th></th></tr></thead>
<tbody id="dead-letters"></tbody></table>
<h2>Schedules <span class="muted" id="schedules-msg"></span></h2>
<table><thead><tr><th>name</th><th>cron</th><th>time zone</th><th>next run</th><th>last run</th><th>state</th><th></th></tr></thead>
<tbody id="schedules"></tbody></table>
<h2>Workers</h2>
<table><thead><tr><th>worker</th><th>host</th><th>roles</th><th>last heartbeat</th><th>running</th><th>free slots</th><th>task types</th></tr></thead>
<tbody id="workers"></tbody></table>
<h2>By type <span class="muted">(finished, failure rate and run time p50 / p95: last hour)</span></h2>
<table><thead><tr><th>type</th><th>counts by status</th><th>finished</th><th>failed</th><th>p50</th><th>p95</th></tr></thead><tbody id="types"></tbody></table>
<script src="/dashboard/app.js"></script>
<script src="/dashboard/ops.js"></script>
</body></html>`;
