// vigil dashboard: a wall of stream tiles and a per-stream detail view, live through /api/events.
// No library, no build step; every text from the server goes in through textContent (never as HTML).
'use strict';

const POLL_MS = 3000;            // stream list (state, fps) and thumbnails
const CHART_SECONDS = 120;       // live charts span
const TIMELINE_SECONDS = 900;    // alarm timeline span
const KEEP_SAMPLES = 600;        // stats kept per stream (about 10 minutes)
const KEEP_EVENTS = 500;         // alarm events kept per stream

const state = {
  streams: new Map(),   // id -> StreamStatus from /api/streams
  active: new Map(),    // id -> Map(dedupKey -> alarm)
  history: new Map(),   // id -> [{alarm, at(ms)}]
  samples: new Map(),   // id -> [{t(ms), values}]
  tiles: new Map(),     // id -> tile elements
  selected: null,       // id shown in the detail view
  feedUp: false,
  syncing: null,        // alarm events received while the active snapshot is fetched
  feed: null,           // the EventSource
};

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (r.status === 401) showSignIn();
  if (!r.ok) throw new Error(path + ': ' + r.status);
  return r.json();
}

// ---- sign-in (a server with a token): the token buys a read-only session cookie, HttpOnly and SameSite=Strict,
// which EventSource and the pictures send by themselves. The token itself is never kept: not in storage, not in
// the page's address (a #token=... link is read once and wiped from the address and the history).

async function signIn(token) {
  const r = await fetch('/api/session', { method: 'POST', cache: 'no-store',
                                          headers: { Authorization: 'Bearer ' + token } });
  return r.ok;
}

function showSignIn(message) {
  $('signin').hidden = false;
  $('signin-error').hidden = !message;
  $('signin-error').textContent = message || '';
  $('signin-token').focus();
}

let signedIn = null;   // resolves the start's wait for a sign-in, while it waits

// The form: sign in, then go on (the start's wait, or a feed that a session's end had closed).
async function submitSignIn(e) {
  e.preventDefault();
  const token = $('signin-token').value;
  $('signin-token').value = '';
  if (!(await signIn(token))) {
    showSignIn('That token was not accepted.');
    return;
  }
  $('signin').hidden = true;
  if (signedIn) {
    signedIn();
    signedIn = null;
    return;
  }
  pollStreams();
  if (state.feed && state.feed.readyState === EventSource.CLOSED) connectFeed();
}

// A #token=... in the address: wiped at once (address and history), then signed in with.
async function tokenFromAddress() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, '', location.pathname);
  if (!(await signIn(decodeURIComponent(m[1])))) {
    showSignIn('That token was not accepted.');
    return false;
  }
  return true;
}

// Resolves once this page may read: at once on a server without a token or with a live session; else after a
// sign-in through a #token=... link or the form.
async function readable() {
  await tokenFromAddress();
  const r = await fetch('/api/streams', { cache: 'no-store' });
  if (r.status !== 401) return;
  showSignIn();
  await new Promise((resolve) => { signedIn = resolve; });
}

// ---- status of a stream, as a tile colour ----

const SEVERE = new Set(['critical', 'error']);

function streamStatus(id) {
  const s = state.streams.get(id);
  const active = state.active.get(id);
  // Its analysis failed too often: nothing watches it until it is released (its lastError says how).
  if (s && s.state === 'quarantined') return 'quarantined';
  if (s && s.state === 'reconnecting') return 'reconnecting';
  // A fleet stream no node runs: nobody is watching it.
  if (s && s.state === 'unassigned') return 'unassigned';
  if (active && active.size) {
    for (const a of active.values()) if (SEVERE.has(a.severity)) return 'alarm';
    return 'warning';
  }
  if (!s || s.state === 'starting' || s.state === 'stopped') return s ? s.state : 'starting';
  return 'ok';
}

function statusLabel(status) {
  return { ok: 'ok', alarm: 'alarm', warning: 'warning', reconnecting: 'reconnecting', starting: 'starting',
           stopped: 'stopped', unassigned: 'unassigned (no node runs it)',
           quarantined: 'quarantined (not watched)' }[status] || status;
}

// ---- time formatting ----

function alarmStartMs(a, fallback) {
  const t = a.wallStart ? Date.parse(a.wallStart) : NaN;
  return Number.isFinite(t) ? t : fallback;
}

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
  return Math.floor(s / 3600) + ' h ' + String(Math.floor(s / 60) % 60).padStart(2, '0') + ' min';
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

// ---- the wall ----

function tileFor(id) {
  let t = state.tiles.get(id);
  if (t) return t;
  const root = el('article', 'tile');
  root.dataset.stream = id;
  root.tabIndex = 0;
  const head = el('div', 'tile-head');
  const name = el('span', 'tile-id', id);
  const badge = el('span', 'badge');
  const fps = el('span', 'tile-fps');
  head.append(name, badge, fps);
  const picture = el('div', 'picture empty-pic');
  const img = el('img');
  img.alt = 'latest picture of ' + id;
  picture.append(img, el('span', 'nopic', 'no picture yet'));
  const alarms = el('ul', 'alarms');
  root.append(head, picture, alarms);
  root.addEventListener('click', () => select(id));
  root.addEventListener('keydown', (e) => { if (e.key === 'Enter') select(id); });
  t = { root, badge, fps, picture, img, alarms, thumbLoading: false };
  state.tiles.set(id, t);
  $('wall').append(root);
  return t;
}

function renderAlarmList(ul, id, max) {
  ul.replaceChildren();
  const active = [...(state.active.get(id) || new Map()).values()];
  active.sort((a, b) => (SEVERE.has(b.severity) - SEVERE.has(a.severity)) || alarmStartMs(a, 0) - alarmStartMs(b, 0));
  if (!active.length) {
    ul.append(el('li', 'quiet', 'no active alarms'));
    rendered();
    return;
  }
  for (const a of active.slice(0, max)) {
    const li = el('li', 'sev-' + a.severity);
    li.dataset.detector = a.detector;
    // for handling.js (Ack, Mute): which alarm the row is
    li.dataset.dedupKey = a.dedupKey;
    li.dataset.stream = a.stream;
    const label = a.channel !== undefined && a.channel !== null ? a.detector + ' ch' + a.channel : a.detector;
    li.append(el('span', 'det', label), el('span', 'sum', a.summary || ''),
              el('span', 'for', ago(alarmStartMs(a, Date.now()))));
    ul.append(li);
  }
  if (active.length > max) ul.append(el('li', 'quiet', '+ ' + (active.length - max) + ' more'));
  rendered();
}

// Tells handling.js (and any other decorator) that rows were drawn anew.
function rendered() {
  document.dispatchEvent(new CustomEvent('vigil:render'));
}

function renderTile(id) {
  const t = tileFor(id);
  const s = state.streams.get(id);
  const status = streamStatus(id);
  t.root.className = 'tile status-' + status;
  t.root.dataset.status = status;
  t.badge.className = 'badge status-' + status;
  t.badge.textContent = statusLabel(status);
  t.fps.textContent = s && s.state === 'running' ? s.fps.toFixed(1) + ' fps' : (s && s.lastError ? 'down' : '');
  t.root.title = s && s.lastError ? s.lastError : '';
  renderAlarmList(t.alarms, id, 3);
}

function renderCounts() {
  let alarm = 0, reconnecting = 0;
  for (const id of state.streams.keys()) {
    const st = streamStatus(id);
    if (st === 'alarm' || st === 'warning' || st === 'quarantined') alarm++;
    if (st === 'reconnecting' || st === 'unassigned') reconnecting++;
  }
  const n = state.streams.size;
  $('count-streams').textContent = n + (n === 1 ? ' stream' : ' streams');
  $('count-alarm').textContent = alarm + ' in alarm';
  $('count-alarm').classList.toggle('nonzero', alarm > 0);
  $('count-reconnecting').textContent = reconnecting + ' reconnecting';
  $('count-reconnecting').classList.toggle('nonzero', reconnecting > 0);
  $('empty').hidden = n > 0 || state.selected !== null;
  layoutWall();
}

const TILE_GAP = 12, TILE_MIN_WIDTH = 200, TILE_MAX_WIDTH = 560;

// The fewest columns with which every tile fits the window without scrolling, tiles at least TILE_MIN_WIDTH wide
// (past that the wall scrolls) and at most TILE_MAX_WIDTH (a few streams do not fill the screen with one tile).
function layoutWall() {
  const wall = $('wall');
  const n = state.tiles.size;
  if (!n || wall.hidden) return;
  const width = wall.clientWidth - 2 * TILE_GAP;
  const height = window.innerHeight - (wall.getBoundingClientRect().top + window.scrollY) - 2 * TILE_GAP;
  const tile = wall.querySelector('.tile');
  // a tile's height besides its picture (name line, alarm list); measured, within sane bounds
  const measured = tile ? tile.offsetHeight - tile.querySelector('.picture').offsetHeight : 80;
  const chrome = Math.min(160, Math.max(60, measured || 80));
  const most = Math.max(1, Math.floor((width + TILE_GAP) / (TILE_MIN_WIDTH + TILE_GAP)));
  let cols = most;
  for (let c = 1; c <= most; c++) {
    const w = (width - (c - 1) * TILE_GAP) / c;
    const rows = Math.ceil(n / c);
    if (rows * (w * 9 / 16 + chrome) + (rows - 1) * TILE_GAP <= height) { cols = c; break; }
  }
  cols = Math.max(cols, Math.ceil((width + TILE_GAP) / (TILE_MAX_WIDTH + TILE_GAP)));
  document.documentElement.style.setProperty('--cols', String(cols));
}

function renderAll() {
  for (const id of state.streams.keys()) renderTile(id);
  renderCounts();
  if (state.selected) renderDetail();
}

// A new picture replaces the old one only once loaded: no flicker, and a 404 (none yet) keeps the placeholder.
function refreshThumb(id, img, picture) {
  const next = new Image();
  next.onload = () => { img.src = next.src; picture.classList.remove('empty-pic'); };
  next.onerror = () => { if (!img.src) picture.classList.add('empty-pic'); };
  next.src = '/api/streams/' + encodeURIComponent(id) + '/thumbnail.jpg?t=' + Date.now();
}

async function pollStreams() {
  try {
    const list = await getJson('/api/streams');
    const seen = new Set();
    for (const s of list) {
      seen.add(s.id);
      state.streams.set(s.id, s);
      if (!state.active.has(s.id)) {
        state.active.set(s.id, new Map((s.activeAlarms || []).map((a) => [a.dedupKey, a])));
      }
    }
    for (const id of [...state.streams.keys()]) {
      if (!seen.has(id)) {
        state.streams.delete(id);
        state.active.delete(id);
        const t = state.tiles.get(id);
        if (t) t.root.remove();
        state.tiles.delete(id);
        if (state.selected === id) select(null);
      }
    }
    renderAll();
    for (const [id, t] of state.tiles) refreshThumb(id, t.img, t.picture);
    if (state.selected) refreshThumb(state.selected, $('detail-thumb'), $('detail-thumb').parentElement);
  } catch (e) {
    // the server is away: the feed indicator says so; try again next time
  }
}

// ---- live feed ----

function applyAlarm(a, receivedMs) {
  let m = state.active.get(a.stream);
  if (!m) state.active.set(a.stream, m = new Map());
  if (a.status === 'firing') m.set(a.dedupKey, a); else m.delete(a.dedupKey);
  if (receivedMs !== undefined) {
    let h = state.history.get(a.stream);
    if (!h) state.history.set(a.stream, h = []);
    h.push({ alarm: a, at: receivedMs });
    if (h.length > KEEP_EVENTS) h.splice(0, h.length - KEEP_EVENTS);
  }
}

// The active set comes from a snapshot taken after the feed opened, with the events that arrived meanwhile
// replayed on top (firing sets, resolved clears: replaying twice changes nothing).
async function syncActive() {
  state.syncing = [];
  try {
    const active = await getJson('/api/alarms?active=true&limit=10000');
    const replay = state.syncing;
    state.active = new Map([...state.streams.keys()].map((id) => [id, new Map()]));
    for (const a of active) applyAlarm(a);
    for (const a of replay) applyAlarm(a);
    const recent = await getJson('/api/alarms?limit=2000');
    if (!state.history.size) {
      for (const a of recent) {
        const at = a.status === 'firing' ? alarmStartMs(a, Date.now())
          : (a.wallEnd ? Date.parse(a.wallEnd) : Date.now());
        let h = state.history.get(a.stream);
        if (!h) state.history.set(a.stream, h = []);
        h.push({ alarm: a, at });
      }
    }
  } catch (e) {
    // try again at the next reconnect
  } finally {
    state.syncing = null;
  }
  renderAll();
}

function setFeed(up) {
  state.feedUp = up;
  const f = $('feed');
  f.textContent = up ? 'live' : 'reconnecting';
  f.className = 'feed ' + (up ? 'feed-up' : 'feed-down');
}

function connectFeed() {
  const es = new EventSource('/api/events');
  state.feed = es;
  es.onopen = () => { setFeed(true); syncActive(); pollStreams(); };
  es.addEventListener('alarm', (e) => {
    const a = JSON.parse(e.data);
    if (state.syncing) state.syncing.push(a);
    applyAlarm(a, Date.now());
    if (state.streams.has(a.stream)) renderTile(a.stream);
    renderCounts();
    if (state.selected === a.stream) renderDetail();
  });
  es.addEventListener('stats', (e) => {
    const s = JSON.parse(e.data);
    let arr = state.samples.get(s.stream);
    if (!arr) state.samples.set(s.stream, arr = []);
    const t = Date.parse(s.wall);
    arr.push({ t: Number.isFinite(t) ? t : Date.now(), values: s.values || {} });
    if (arr.length > KEEP_SAMPLES) arr.splice(0, arr.length - KEEP_SAMPLES);
    if (state.selected === s.stream) scheduleCharts();
  });
  // 'error' is both the contract's error object (with data) and EventSource's own connection error (without).
  es.addEventListener('error', (e) => {
    if (e.data !== undefined) {
      const err = JSON.parse(e.data);
      const s = state.streams.get(err.stream);
      if (s) { s.lastError = err.message; renderTile(err.stream); }
      return;
    }
    setFeed(false); // EventSource reconnects by itself (retry: 3 s), except after an answer other than 200
    if (es.readyState === EventSource.CLOSED && $('signin').hidden) setTimeout(connectFeed, 3000);
  });
}

// ---- detail view ----

function select(id) {
  state.selected = id;
  const detail = id !== null;
  $('detail').hidden = !detail;
  $('wall').hidden = detail;
  const hash = detail ? '#stream=' + encodeURIComponent(id) : '';
  if (location.hash !== hash) history.replaceState(null, '', hash || location.pathname);
  if (detail) {
    $('detail-thumb').removeAttribute('src');
    $('detail-thumb').parentElement.classList.add('empty-pic');
    refreshThumb(id, $('detail-thumb'), $('detail-thumb').parentElement);
    renderDetail();
  }
  renderCounts();
}

function fact(dl, name, value) {
  dl.append(el('dt', null, name), el('dd', null, value));
}

function renderDetail() {
  const id = state.selected;
  const s = state.streams.get(id);
  $('detail-id').textContent = id;
  const status = streamStatus(id);
  $('detail-state').className = 'badge status-' + status;
  $('detail-state').textContent = statusLabel(status);
  $('detail-url').textContent = s ? s.url : '';
  const dl = $('detail-facts');
  dl.replaceChildren();
  if (s) {
    fact(dl, 'state', s.state + ' since ' + clock(Date.parse(s.since)));
    fact(dl, 'frames per second', s.fps.toFixed(2));
    fact(dl, 'frames', s.frames.toLocaleString());
    fact(dl, 'backend / decoder', (s.backend || '-') + ' / ' + (s.decoder || '-'));
    fact(dl, 'decode errors', s.decodeErrors);
    fact(dl, 'dropped frames', s.droppedFrames);
    fact(dl, 'reconnects', s.reconnects);
    if (s.lastError) fact(dl, 'last error', s.lastError);
    // In a fleet: the node that runs it for each role.
    for (const p of s.placements || []) {
      fact(dl, 'node (' + p.role + ')', p.node + ', ' + p.state);
    }
  }
  renderAlarmList($('detail-active'), id, 50);
  const ol = $('detail-history');
  ol.replaceChildren();
  const h = state.history.get(id) || [];
  for (const { alarm: a, at } of h.slice(-100).reverse()) {
    const li = el('li', a.status);
    const what = a.status === 'firing' ? 'FIRING' : 'resolved';
    const dur = a.duration !== undefined && a.duration !== null ? ' after ' + a.duration.toFixed(1) + ' s' : '';
    li.textContent = clock(at) + '  ' + what + '  ' + a.detector + (a.channel != null ? ' ch' + a.channel : '')
      + dur + (a.summary ? ' - ' + a.summary : '');
    ol.append(li);
  }
  scheduleCharts();
}

let chartsPending = false;
function scheduleCharts() {
  if (chartsPending) return;
  chartsPending = true;
  requestAnimationFrame(() => { chartsPending = false; drawCharts(); });
}

function fitCanvas(c) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(100, Math.round(c.clientWidth * ratio));
  const h = Math.round(Number(c.getAttribute('height')) * ratio);
  if (c.width !== w) c.width = w;
  if (c.height !== h) { c.height = h; c.style.height = c.getAttribute('height') + 'px'; }
  const g = c.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { g, w: w / ratio, h: h / ratio };
}

const AXIS = '#8b98a5', GRID = '#2f3b47';

// One chart: lines over the last CHART_SECONDS; y range from the data unless fixed; gaps where a value is absent
// or not a finite number (silence has no loudness).
function lineChart(canvas, samples, series, fixed) {
  const { g, w, h } = fitCanvas(canvas);
  g.clearRect(0, 0, w, h);
  const now = Date.now(), t0 = now - CHART_SECONDS * 1000;
  const left = 44, right = 8, top = 8, bottom = 18;
  let lo = Infinity, hi = -Infinity;
  for (const s of samples) {
    if (s.t < t0) continue;
    for (const k of series.map((x) => x.key)) {
      const v = s.values[k];
      if (typeof v === 'number' && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  if (fixed) { lo = fixed[0]; hi = fixed[1]; }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-6) { hi = lo + 1; }
  if (!fixed) {
    const pad = (hi - lo) * 0.08;
    lo = lo >= 0 ? Math.max(0, lo - pad) : lo - pad; // figures that cannot be negative keep a zero floor
    hi += pad;
  }
  const x = (t) => left + (t - t0) / (now - t0) * (w - left - right);
  const y = (v) => top + (hi - v) / (hi - lo) * (h - top - bottom);
  // enough decimals that the five grid labels differ
  const decimals = Math.max(0, Math.min(4, Math.ceil(-Math.log10((hi - lo) / 4))));
  g.font = '12px system-ui, sans-serif';
  g.fillStyle = AXIS; g.strokeStyle = GRID; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = lo + (hi - lo) * i / 4, yy = Math.round(y(v)) + 0.5;
    g.beginPath(); g.moveTo(left, yy); g.lineTo(w - right, yy); g.stroke();
    g.fillText(v.toFixed(decimals), 2, yy + 4);
  }
  g.fillText('-' + CHART_SECONDS + ' s', left, h - 4);
  g.fillText('now', w - right - 24, h - 4);
  for (const { key, color } of series) {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    let pen = false;
    for (const s of samples) {
      if (s.t < t0) continue;
      const v = s.values[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) { pen = false; continue; }
      const vv = Math.max(lo, Math.min(hi, v));
      if (pen) g.lineTo(x(s.t), y(vv)); else g.moveTo(x(s.t), y(vv));
      pen = true;
    }
    g.stroke();
  }
  if (!samples.some((s) => s.t >= t0)) {
    g.fillStyle = AXIS; g.fillText('waiting for statistics...', left + 10, top + 20);
  }
}

const DETECTOR_COLOURS = { critical: '#f85149', error: '#f85149', warning: '#e3b341', info: '#58a6ff' };

// The alarm timeline: one row per detector that fired in the span, a bar from start to end (or now).
function drawTimeline() {
  const canvas = $('timeline');
  const { g, w, h } = fitCanvas(canvas);
  g.clearRect(0, 0, w, h);
  const now = Date.now(), t0 = now - TIMELINE_SECONDS * 1000;
  const bars = new Map(); // dedupKey -> {row label, start, end, severity}
  for (const { alarm: a, at } of state.history.get(state.selected) || []) {
    const key = a.dedupKey;
    if (a.status === 'firing') {
      bars.set(key + '@' + alarmStartMs(a, at), { label: a.detector + (a.channel != null ? ' ch' + a.channel : ''),
        start: alarmStartMs(a, at), end: null, severity: a.severity, key });
    } else {
      const end = a.wallEnd ? Date.parse(a.wallEnd) : at;
      let open = null;
      for (const b of bars.values()) if (b.key === key && b.end === null) open = b;
      if (open) open.end = end;
      else bars.set(key + '@r' + at, { label: a.detector, start: alarmStartMs(a, at), end, severity: a.severity, key });
    }
  }
  for (const a of (state.active.get(state.selected) || new Map()).values()) {
    let has = false;
    for (const b of bars.values()) if (b.key === a.dedupKey && b.end === null) has = true;
    if (!has) bars.set(a.dedupKey + '@a', { label: a.detector, start: alarmStartMs(a, now), end: null,
      severity: a.severity, key: a.dedupKey });
  }
  const visible = [...bars.values()].filter((b) => (b.end === null || b.end >= t0));
  const rows = [...new Set(visible.map((b) => b.label))].sort();
  const left = 110, right = 8, top = 6, bottom = 18;
  const rowH = Math.min(26, (h - top - bottom) / Math.max(1, rows.length));
  const x = (t) => left + (Math.max(t, t0) - t0) / (now - t0) * (w - left - right);
  g.font = '13px system-ui, sans-serif';
  g.strokeStyle = GRID;
  for (let m = 0; m <= TIMELINE_SECONDS / 60; m += 5) {
    const xx = Math.round(x(now - m * 60000)) + 0.5;
    g.beginPath(); g.moveTo(xx, top); g.lineTo(xx, h - bottom); g.stroke();
    g.fillStyle = AXIS; g.fillText(m === 0 ? 'now' : '-' + m + ' min', xx - (m === 0 ? 24 : 18), h - 4);
  }
  if (!rows.length) { g.fillStyle = AXIS; g.fillText('no alarms in the last 15 minutes', left + 10, top + 20); }
  rows.forEach((label, i) => {
    const yy = top + i * rowH;
    g.fillStyle = AXIS; g.fillText(label, 4, yy + rowH * 0.7);
    for (const b of visible) {
      if (b.label !== label) continue;
      const x0 = x(b.start), x1 = Math.max(x0 + 3, x(b.end === null ? now : b.end));
      g.fillStyle = DETECTOR_COLOURS[b.severity] || '#58a6ff';
      g.globalAlpha = b.end === null ? 1 : 0.55;
      g.fillRect(x0, yy + 3, x1 - x0, rowH - 6);
      g.globalAlpha = 1;
    }
  });
}

function drawCharts() {
  if (!state.selected) return;
  const samples = state.samples.get(state.selected) || [];
  lineChart($('chart-luma'), samples, [{ key: 'lumaMean', color: '#e6edf3' }]);
  lineChart($('chart-mafd'), samples, [{ key: 'mafd', color: '#3fb950' }]);
  // Loudness is measured when the loudness detector runs; without it the audio level (dBFS) stands in.
  lineChart($('chart-lufs'), samples, [{ key: 'momentaryLufs', color: '#58a6ff' },
                                        { key: 'shortTermLufs', color: '#d2a8ff' },
                                        { key: 'rmsDbfs', color: '#56d4dd' }], [-60, 0]);
  drawTimeline();
}

// ---- start ----

function tick() {
  $('clock').textContent = clock(Date.now());
  // "for N s" counters and the timeline move on even when nothing arrives
  for (const [id, t] of state.tiles) if (state.active.get(id)?.size) renderAlarmList(t.alarms, id, 3);
  if (state.selected) scheduleCharts();
}

document.addEventListener('DOMContentLoaded', () => {
  $('back').addEventListener('click', () => select(null));
  $('signin-form').addEventListener('submit', submitSignIn);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.selected) select(null); });
  window.addEventListener('resize', () => { scheduleCharts(); layoutWall(); });
  const fromHash = async () => {
    if (await tokenFromAddress()) {
      $('signin').hidden = true;
      pollStreams();
      return;
    }
    const m = /^#stream=(.+)$/.exec(location.hash);
    const id = m ? decodeURIComponent(m[1]) : null;
    if (id !== state.selected) select(id);
  };
  window.addEventListener('hashchange', fromHash);
  setInterval(tick, 1000);
  tick();
  readable().then(() => {
    pollStreams().then(fromHash);
    connectFeed();
    setInterval(pollStreams, POLL_MS);
  });
});
