// The live page: one self-contained HTML document (inline CSS and JS, no build step, nothing loaded from
// outside this server). It reads /events (Server-Sent Events, twice a second) and, per stream, polls
// /stream/<N>/frame.jpg at most twice a second while the pipeline offers a picture.
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ds-kafka live</title>
<style>
  :root { --bg:#f4f5f7; --card:#fff; --ink:#111827; --mute:#6b7280; --line:#e5e7eb; --ok:#15803d; --bad:#b91c1c; --warn:#b45309; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; flex-wrap:wrap; align-items:center; gap:10px 18px; padding:12px 20px; background:#111827; color:#f9fafb; }
  header h1 { font-size:17px; margin:0; font-weight:650; letter-spacing:.2px; }
  header .facts { display:flex; flex-wrap:wrap; gap:6px 16px; color:#d1d5db; font-variant-numeric:tabular-nums; }
  header .facts b { color:#fff; font-weight:600; }
  .pill { display:inline-block; padding:1px 9px; border-radius:999px; font-size:12px; font-weight:600; background:#374151; color:#fff; }
  .pill.ok { background:var(--ok); } .pill.bad { background:var(--bad); } .pill.warn { background:var(--warn); } .pill.idle { background:#4b5563; }
  main { padding:16px 20px; display:grid; gap:16px; grid-template-columns:repeat(auto-fit,minmax(520px,1fr)); }
  .card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
  .card h2 { margin:0; font-size:16px; display:flex; align-items:center; gap:8px; flex-wrap:wrap; }
  .card .sub { color:var(--mute); font-size:12px; margin:2px 0 10px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  .card .rate { margin-left:auto; font-weight:500; color:var(--mute); font-size:13px; font-variant-numeric:tabular-nums; }
  .body { display:flex; gap:14px; flex-wrap:wrap; }
  .pic { flex:1 1 300px; max-width:480px; }
  .pic img { width:100%; border-radius:6px; display:block; background:#000; }
  .right { flex:1 1 300px; min-width:0; }
  .counters { display:grid; grid-template-columns:repeat(auto-fill,minmax(150px,1fr)); gap:10px; }
  .counter { border:1px solid var(--line); border-left:5px solid var(--c); border-radius:8px; padding:6px 10px; transition:background .6s; }
  .counter.flash { background:#fef9c3; transition:none; }
  .counter .l { font-size:13px; font-weight:600; color:var(--mute); overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  .counter .v { font-size:40px; font-weight:700; line-height:1.1; font-variant-numeric:tabular-nums; }
  .none { color:var(--mute); font-size:13px; }
  svg.chart { width:100%; height:150px; margin-top:4px; display:block; }
  .cap { margin-top:12px; font-size:12px; color:var(--mute); }
  svg.chart text { font-size:10px; fill:var(--mute); }
  .err { color:var(--bad); font-size:12px; margin-top:6px; }
  footer { padding:0 20px 16px; color:var(--mute); font-size:12px; }
</style>
</head>
<body>
<header>
  <h1>ds-kafka · live</h1>
  <span id="run" class="pill idle">connecting…</span>
  <div class="facts" id="facts"></div>
</header>
<main id="streams"></main>
<footer>Counts are lc_cum per line label (crossings since the stream started). Read-only: <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></footer>
<script>
"use strict";
const COLORS = ["#2563eb","#dc2626","#16a34a","#d97706","#7c3aed","#0891b2","#db2777","#4b5563"];
const NS = "http://www.w3.org/2000/svg";
const cards = new Map();
const hist = new Map();
let pictures = false;
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
const stateClass = { running:"ok", eos:"idle", stopped:"idle", connecting:"warn", reconnecting:"warn", error:"bad" };
const stateText = { running:"running", eos:"ended", stopped:"stopped", connecting:"connecting", reconnecting:"reconnecting", error:"error" };
function mmss(t) { t = Math.max(0, Math.round(t)); return Math.floor(t / 60) + ":" + String(t % 60).padStart(2, "0"); }

function card(s) {
  let c = cards.get(s.id);
  if (c) return c;
  const el = document.createElement("section");
  el.className = "card";
  el.innerHTML = '<h2><span class="t"></span><span class="pill st"></span><span class="rate"></span></h2>' +
    '<div class="sub"></div><div class="body"><div class="pic" hidden><img alt="annotated picture"></div>' +
    '<div class="right"><div class="counters"></div><div class="cap">crossings since start (lc_cum), over time</div><svg class="chart" role="img" aria-label="crossings over time"></svg><div class="err"></div></div></div>';
  $("streams").appendChild(el);
  c = { el, labels: "", values: {} };
  c.el.querySelector(".t").textContent = "Stream " + s.id + " · " + s.device;
  c.el.querySelector(".sub").textContent = s.input;
  cards.set(s.id, c);
  if (pictures) picture(s.id, c.el.querySelector(".pic"));
  return c;
}

// The annotated picture: refreshed at most twice a second while the server has one; hidden otherwise.
function picture(id, box) {
  const img = box.querySelector("img");
  const next = (ms) => setTimeout(() => { img.src = "/stream/" + id + "/frame.jpg?t=" + Date.now(); }, ms);
  img.onload = () => { box.hidden = false; next(500); };
  img.onerror = () => { box.hidden = true; next(5000); };
  next(0);
}

function counters(c, s) {
  const box = c.el.querySelector(".counters");
  const key = s.labels.join("\\u0000");
  if (key !== c.labels) {
    c.labels = key;
    box.innerHTML = s.labels.length ? s.labels.map((l, i) =>
      '<div class="counter" style="--c:' + COLORS[i % COLORS.length] + '"><div class="l">' + esc(l) + '</div><div class="v">0</div></div>').join("")
      : '<div class="none">no line-crossing rules for this stream</div>';
  }
  s.labels.forEach((l, i) => {
    const el = box.children[i];
    const v = s.lcCum[l] ?? 0;
    el.querySelector(".v").textContent = v;
    if (c.values[l] !== undefined && v !== c.values[l]) { el.classList.add("flash"); setTimeout(() => el.classList.remove("flash"), 50); }
    c.values[l] = v;
  });
}

function chart(c, s, h) {
  const svg = c.el.querySelector("svg");
  const W = svg.clientWidth || 500, H = 150, L = 30, R = 8, T = 8, B = 18;
  const t0 = h.length ? h[0][0] : 0, t1 = Math.max(t0 + 10, h.length ? h[h.length - 1][0] : 10);
  let ymax = 1;
  for (const [, v] of h) for (const n of v) ymax = Math.max(ymax, n);
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const y = (n) => T + (1 - n / ymax) * (H - T - B);
  const parts = [];
  const step = Math.max(1, Math.ceil(ymax / 4));
  for (let n = 0; n <= ymax; n += step) {
    parts.push('<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y(n) + '" y2="' + y(n) + '" stroke="#eef0f3"/>');
    parts.push('<text x="' + (L - 5) + '" y="' + (y(n) + 3) + '" text-anchor="end">' + n + '</text>');
  }
  parts.push('<text x="' + L + '" y="' + (H - 4) + '">' + mmss(t0) + '</text><text x="' + (W - R) + '" y="' + (H - 4) + '" text-anchor="end">' + mmss(t1) + '</text>');
  s.labels.forEach((l, i) => {
    let d = "", prev = null;
    for (const [t, v] of h) {
      const n = v[i] ?? 0, yy = (y(n) - i * 2).toFixed(1); // lines at the same count stay visible side by side
      d += prev === null ? "M" + x(t).toFixed(1) + "," + yy : "H" + x(t).toFixed(1) + "V" + yy;
      prev = n;
    }
    if (d) parts.push('<path d="' + d + '" fill="none" stroke="' + COLORS[i % COLORS.length] + '" stroke-width="2"/>');
  });
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.innerHTML = parts.join("");
}

function render(m) {
  const run = $("run");
  const running = !m.ended;
  run.className = "pill " + (running ? "ok" : "idle");
  run.textContent = running ? "running" : (m.stopped ? "stopped" : "ended");
  const f = ["up <b>" + mmss(m.t) + "</b>"];
  if (m.kafka) {
    const k = m.kafka.reachable === true ? '<span class="pill ok">reachable</span>' : m.kafka.reachable === false ? '<span class="pill bad">unreachable</span>' : '<span class="pill warn">checking</span>';
    f.push("kafka " + esc(m.kafka.servers) + " → " + esc(m.kafka.topic) + " " + k);
    f.push("messages <b>" + m.messages.built + "</b> built · <b>" + m.messages.delivered + "</b> delivered" +
      (m.messages.failed ? " · <b>" + m.messages.failed + "</b> failed" : "") + (m.messages.inFlight ? " · " + m.messages.inFlight + " in flight" : ""));
  } else {
    f.push("messages <b>" + m.messages.built + "</b> built (no Kafka: not published)");
  }
  $("facts").innerHTML = f.map((x) => "<span>" + x + "</span>").join("");
  pictures = !!m.pictures;
  for (const s of m.streams) {
    const c = card(s);
    let h = hist.get(s.id);
    if (m.history) { h = m.history[s.id] || []; hist.set(s.id, h); }
    const now = [m.t, s.labels.map((l) => s.lcCum[l] ?? 0)];
    // One sample a second; the newest one follows the live values until the next second starts.
    if (h.length && h[h.length - 1].live) h.pop();
    if (h.length && m.t - h[h.length - 1][0] < 1) now.live = true;
    h.push(now);
    if (h.length > 600) h.splice(0, h.length - 600);
    const st = c.el.querySelector(".st");
    st.className = "pill st " + (stateClass[s.state] || "idle");
    st.textContent = stateText[s.state] || s.state;
    c.el.querySelector(".rate").textContent = s.fps.toFixed(1) + " fps · " + s.frames + " frames · " + s.messages + " messages";
    c.el.querySelector(".err").textContent = s.error || "";
    counters(c, s);
    chart(c, s, h);
  }
}

const es = new EventSource("/events");
es.onmessage = (e) => render(JSON.parse(e.data));
es.onerror = () => { const r = $("run"); r.className = "pill bad"; r.textContent = "disconnected (retrying)"; };
</script>
</body>
</html>
`;
