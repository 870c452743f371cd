// vigil dashboard: a multiviewer wall of stream tiles, a per-stream page and the alarm history, live through
// /api/events. No library, no build step; every text from the server goes in through textContent (never as HTML).
// After each render the page dispatches 'vigil:render' on document: other scripts decorate tiles ([data-stream])
// and alarm lines ([data-dedup-key]) then.
'use strict';

const POLL_MS = 3000;            // stream list (state, fps) and pictures
const CHART_SECONDS = 300;       // chart span (the server keeps as much: GET /api/streams/{id}/stats)
const TIMELINE_SECONDS = 900;    // alarm and marker timeline span
const KEEP_SAMPLES = 900;        // stats kept per stream
const KEEP_EVENTS = 500;         // alarm events kept per stream
const KEEP_HISTORY = 20000;      // alarm events kept for the history page
const LIVE_AFTER_ALARM_MS = 1000; // a live picture counts as showing an alarm when made this long after its start
const METER_FLOOR_DB = -60;      // the level meters' scale, dBFS
const METER_MS = 100;            // meter frames come ten a second

const state = {
  streams: new Map(),   // id -> StreamStatus from /api/streams
  order: [],            // ids as the server lists them
  active: new Map(),    // id -> Map(dedupKey -> alarm)
  history: new Map(),   // id -> [{alarm, at(ms, event time), media(s)}]
  allHistory: [],       // every stream's [{alarm, at}] for the history page
  markers: new Map(),   // id -> [marker]
  samples: new Map(),   // id -> [{t(ms), values}]
  levels: new Map(),    // id -> {queue: [frame], shown: frame, at(ms)}
  pictures: new Map(),  // id -> {url, at(ms)} the latest live picture
  tiles: new Map(),     // id -> tile elements
  seen: new Set(),      // dedupKeys of firing alarms already announced (sound, notification)
  view: 'wall',         // 'wall' | 'detail' | 'history'
  selected: null,       // id shown in the detail view
  feedUp: false,
  syncing: null,        // alarm events received while the active snapshot is fetched
  feed: null,           // the EventSource
  sound: false,
  notify: false,
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

// One 'vigil:render' per turn of the event loop, however many parts were drawn in it.
let renderedPending = false;
function rendered() {
  if (renderedPending) return;
  renderedPending = true;
  queueMicrotask(() => { renderedPending = false; document.dispatchEvent(new CustomEvent('vigil:render')); });
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

// ---- severity and status ----

const SEVERE = new Set(['critical', 'error']);
const SEVERITY_RANK = { critical: 4, error: 3, warning: 2, info: 1 };
const rank = (a) => SEVERITY_RANK[a.severity] || 0;

// The alarms that count for a stream's colour: those not suppressed (maintenance, mute).
function counting(id) {
  return [...(state.active.get(id) || new Map()).values()].filter((a) => !a.suppressed);
}

function streamStatus(id) {
  const s = state.streams.get(id);
  // Its analysis failed too often: nothing watches it until it is released (its lastError says how).
  if (s && s.state === 'quarantined') return 'quarantined';
  if (s && s.state === 'reconnecting') return 'reconnecting';
  // A fleet stream no node runs: nobody is watching it.
  if (s && s.state === 'unassigned') return 'unassigned';
  if (s && s.state === 'stopped') return 'stopped';
  const active = counting(id);
  if (active.length) return active.some((a) => SEVERE.has(a.severity)) ? 'alarm' : 'warning';
  if (!s || s.state === 'starting') return 'starting';
  return 'ok';
}

const STATUS_ORDER = { alarm: 0, quarantined: 1, warning: 2, reconnecting: 3, unassigned: 4, stopped: 5,
                       starting: 6, ok: 7 };

function statusLabel(status) {
  return { ok: 'ok', alarm: 'alarm', warning: 'warning', reconnecting: 'no signal', starting: 'starting',
           stopped: 'stopped', unassigned: 'unassigned (no node runs it)',
           quarantined: 'quarantined (not watched)' }[status] || status;
}

// ---- times: the events' own ----

// An alarm's start on the wall clock: its wallStart; a file's alarm has none, then the time it reached this page.
function alarmStartMs(a, fallback) {
  const t = a.wallStart ? Date.parse(a.wallStart) : NaN;
  if (Number.isFinite(t)) return t;
  return a._seenMs !== undefined ? a._seenMs : fallback;
}

// When an alarm event happened: its wallStart when it fires, its wallEnd when it resolves.
function eventMs(a, fallback) {
  const t = Date.parse(a.status === 'firing' ? a.wallStart : a.wallEnd);
  return Number.isFinite(t) ? t : fallback;
}

function hasWallTime(a) {
  return Boolean(a.status === 'firing' ? a.wallStart : a.wallEnd);
}

function seconds(s) {
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
  return Math.floor(s / 3600) + ' h ' + String(Math.floor(s / 60) % 60).padStart(2, '0') + ' min';
}

function ago(ms) {
  return seconds((Date.now() - ms) / 1000);
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

function dateClock(ms) {
  const d = new Date(ms);
  const today = new Date();
  return (d.toDateString() === today.toDateString() ? '' : d.toLocaleDateString([], { month: 'short', day: 'numeric' })
    + ' ') + clock(ms);
}

// Media time (a file's alarms): h:mm:ss.s from the input's start.
function mediaClock(s) {
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s - Math.floor(s / 60) * 60;
  return 'media ' + (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + sec.toFixed(1).padStart(4, '0');
}

// What an alarm says, without the held time the detector wrote at the raise ("picture black for 2.0 s"): next
// to it the page shows how long it has lasted, or its duration once resolved, so the two never disagree.
function alarmText(a) {
  return (a.summary || '').replace(/ for \d+(?:\.\d+)? s\b/, '');
}

function alarmLabel(a) {
  return a.channel !== undefined && a.channel !== null ? a.detector + ' ch' + a.channel : a.detector;
}

// The full text of an alarm for its tooltip: what, since when, and its key.
function alarmTitle(a) {
  const start = alarmStartMs(a, Date.now());
  return alarmLabel(a) + ' (' + a.severity + '): ' + (a.summary || '') + '\nsince ' + dateClock(start)
    + (a.start !== undefined ? ' (' + mediaClock(a.start) + ')' : '') + '\n' + a.dedupKey
    + (a.suppressed ? '\nsuppressed (maintenance or mute): not paged' : '')
    + (a.ack ? '\nacknowledged by ' + (a.ack.by || '?') + (a.ack.note ? ': ' + a.ack.note : '') : '');
}

// The alarm's own evidence in serve: its start picture and its clip (served from /api/evidence, a new tab each).
function evidenceLinks(a) {
  const links = [];
  for (const [field, label] of [['thumbnail', 'picture'], ['clip', 'clip']]) {
    const url = a[field];
    if (!url || !/^\/api\/evidence\/|^https?:/.test(url)) continue;
    const link = el('a', 'evidence', label);
    link.href = url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.addEventListener('click', (e) => e.stopPropagation());
    links.push(link);
  }
  return links;
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
  name.title = id;
  const badge = el('span', 'badge');
  const fps = el('span', 'tile-fps');
  head.append(name, fps);
  const body = el('div', 'tile-body');
  const picture = el('div', 'picture empty-pic');
  const img = el('img');
  img.alt = 'picture of ' + id;
  const picState = el('span', 'pic-state');
  const picTime = el('span', 'pic-time');
  // the status badge sits on the picture: the name line is the name's alone, to be read from across the room
  picture.append(img, el('span', 'nopic', 'no picture yet'), picState, picTime, badge);
  const meters = el('canvas', 'meters');
  meters.width = 40;
  meters.height = 100;
  meters.title = 'audio per channel: bar = momentary loudness (LUFS, 400 ms, the channel alone), tick = peak (dBFS); mark at -23 LUFS';
  body.append(picture, meters);
  const alarms = el('ul', 'alarms');
  root.append(head, body, alarms);
  root.addEventListener('click', () => go('#stream=' + encodeURIComponent(id)));
  root.addEventListener('keydown', (e) => { if (e.key === 'Enter') go('#stream=' + encodeURIComponent(id)); });
  t = { root, badge, fps, picture, img, picState, picTime, meters, alarms, shownUrl: null };
  state.tiles.set(id, t);
  $('wall').append(root);
  return t;
}

// The active alarms of a stream as lines: worst first, then oldest; each with its full text on hover and on a
// click (expanded), its start time and how long it has lasted.
function renderAlarmList(ul, id, max) {
  ul.replaceChildren();
  const active = [...(state.active.get(id) || new Map()).values()];
  active.sort((a, b) => (Boolean(a.suppressed) - Boolean(b.suppressed)) || rank(b) - rank(a)
                        || alarmStartMs(a, 0) - alarmStartMs(b, 0));
  if (!active.length) {
    ul.append(el('li', 'quiet', 'no active alarms'));
    rendered();
    return;
  }
  for (const a of active.slice(0, max)) {
    const li = el('li', 'sev-' + a.severity + (a.suppressed ? ' suppressed' : ''));
    li.dataset.detector = a.detector;
    li.dataset.dedupKey = a.dedupKey;
    li.dataset.stream = a.stream;
    li.title = alarmTitle(a);
    const start = alarmStartMs(a, Date.now());
    li.append(el('span', 'det', alarmLabel(a)), el('span', 'sum', alarmText(a)));
    if (a.suppressed) li.append(el('span', 'tag', 'suppressed'));
    if (a.ack) li.append(el('span', 'tag', 'ack ' + (a.ack.by || '')));
    li.append(el('span', 'since', 'since ' + clock(start)));
    const dur = el('span', 'for', ago(start));
    dur.dataset.since = String(start);
    li.append(dur, ...evidenceLinks(a));
    li.addEventListener('click', (e) => { e.stopPropagation(); li.classList.toggle('expanded'); });
    ul.append(li);
  }
  if (active.length > max) ul.append(el('li', 'quiet', '+ ' + (active.length - max) + ' more'));
  rendered();
}

// Which picture a tile shows, and what its label says. A picture never poses as live: while an alarm is active,
// only a live picture made after the alarm began, else the alarm's own start picture, else none; a stream that
// is not running shows its last picture dimmed under what happened.
function pictureFor(id) {
  const s = state.streams.get(id);
  const status = streamStatus(id);
  const live = state.pictures.get(id);
  if (['stopped', 'reconnecting', 'quarantined', 'unassigned'].includes(status)) {
    const text = { stopped: 'STOPPED', reconnecting: 'NO SIGNAL', quarantined: 'NOT WATCHED',
                   unassigned: 'NOT WATCHED' }[status];
    const since = s && s.since ? ' since ' + clock(Date.parse(s.since)) : '';
    return { url: live ? live.url : null, stale: true, state: text + since,
             label: live ? 'last picture ' + clock(live.at) : '' };
  }
  const active = counting(id);
  if (active.length) {
    const startMs = Math.max(...active.map((a) => alarmStartMs(a, Date.now())));
    if (live && live.at >= startMs + LIVE_AFTER_ALARM_MS) {
      return { url: live.url, label: 'live ' + clock(live.at) };
    }
    const own = active.filter((a) => a.thumbnail && /^\/|^https?:/.test(a.thumbnail))
      .sort((a, b) => alarmStartMs(b, 0) - alarmStartMs(a, 0))[0];
    if (own) return { url: own.thumbnail, label: 'alarm start ' + clock(alarmStartMs(own, Date.now())) };
    // no new frames (stall): none can come, so the last one, dimmed, under what happened
    const stall = active.find((a) => a.detector === 'stall');
    if (stall && live) {
      return { url: live.url, stale: true, state: 'NO NEW FRAMES since ' + clock(alarmStartMs(stall, Date.now())),
               label: 'last picture ' + clock(live.at) };
    }
    return { url: null, state: 'waiting for a picture after ' + clock(startMs), label: '' };
  }
  if (!live) return { url: null, label: '' };
  const old = Date.now() - live.at > 3 * POLL_MS;
  return { url: live.url, label: (old ? 'picture from ' : 'live ') + clock(live.at), old };
}

function showPicture(view, pic) {
  const { picture, img, picState, picTime } = view;
  if (pic.url) {
    if (view.shownUrl !== pic.url) {
      view.shownUrl = pic.url;
      img.src = pic.url;
    }
    picture.classList.remove('empty-pic');
  } else {
    view.shownUrl = null;
    img.removeAttribute('src');
    picture.classList.add('empty-pic');
  }
  picture.classList.toggle('stale', Boolean(pic.stale));
  picture.classList.toggle('old', Boolean(pic.old));
  picState.textContent = pic.state || '';
  picState.hidden = !pic.state;
  picTime.textContent = pic.label || '';
  picTime.hidden = !pic.label;
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
  renderAlarmList(t.alarms, id, state.alarmLines || 2);
  showPicture(t, pictureFor(id));
  rendered();
}

function worstActiveSeverity() {
  let worst = null;
  for (const id of state.streams.keys()) {
    for (const a of counting(id)) if (!worst || rank(a) > SEVERITY_RANK[worst]) worst = a.severity;
  }
  return worst;
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
  // coloured by the worst severity actually active, not red for a warning
  const worst = worstActiveSeverity();
  $('count-alarm').className = 'count count-alarm' + (alarm > 0 ? ' nonzero sev-' + (worst || 'critical') : '');
  $('count-reconnecting').textContent = reconnecting + ' reconnecting';
  $('count-reconnecting').classList.toggle('nonzero', reconnecting > 0);
  $('empty').hidden = n > 0 || state.view !== 'wall';
  applyWallTools();
}

// ---- filter and sort the wall ----

function applyWallTools() {
  const text = $('filter-stream').value.trim().toLowerCase();
  const sev = $('filter-severity').value;
  const det = $('filter-detector').value;
  const sort = $('sort-wall').value;
  const detectors = new Set();
  for (const id of state.streams.keys()) for (const a of state.active.get(id)?.values() || []) detectors.add(a.detector);
  const select = $('filter-detector');
  const have = new Set([...select.options].map((o) => o.value));
  for (const d of [...detectors].sort()) if (!have.has(d)) select.append(new Option(d, d));
  const ids = [...state.order];
  if (sort === 'name') ids.sort();
  if (sort === 'severity') {
    ids.sort((a, b) => (STATUS_ORDER[streamStatus(a)] - STATUS_ORDER[streamStatus(b)])
                       || state.order.indexOf(a) - state.order.indexOf(b));
  }
  ids.forEach((id, i) => {
    const t = state.tiles.get(id);
    if (!t) return;
    const active = counting(id);
    let show = !text || id.toLowerCase().includes(text);
    if (sev === 'alarm') show = show && active.length > 0;
    if (sev === 'critical') show = show && active.some((a) => SEVERE.has(a.severity));
    if (sev === 'warning') show = show && active.some((a) => rank(a) >= SEVERITY_RANK.warning);
    if (det) show = show && active.some((a) => a.detector === det);
    t.root.hidden = !show;
    t.root.style.setProperty('--pos', String(i));
  });
  layoutWall();
}

const TILE_GAP = 8;

// The multiviewer layout: the columns (and rows) that give each of the shown tiles the largest picture within the
// window, every tile on screen (1 stream: the whole window; 64: 8 x 8 at 1080p). The stream's name, the alarm
// lines and the meters scale with the tile. On a narrow screen (a phone) the wall is one column that scrolls,
// tiles in alarm first (style.css).
function layoutWall() {
  const wall = $('wall');
  const n = [...state.tiles.values()].filter((t) => !t.root.hidden).length;
  if (!n || wall.hidden) return;
  const root = document.documentElement.style;
  if (window.innerWidth < 700) {
    root.setProperty('--cols', '1');
    root.setProperty('--tile-h', 'auto');
    root.setProperty('--name-px', '22px');
    state.alarmLines = 2;
    return;
  }
  const width = wall.clientWidth - 2 * TILE_GAP;
  const height = window.innerHeight - wall.getBoundingClientRect().top - 2 * TILE_GAP;
  let best = null;
  for (let c = 1; c <= n; c++) {
    const rows = Math.ceil(n / c);
    const w = (width - (c - 1) * TILE_GAP) / c;
    const h = (height - (rows - 1) * TILE_GAP) / rows;
    const namePx = Math.max(15, Math.min(44, w * 0.065));
    const lines = h > 420 ? 3 : h > 200 ? 2 : 1;
    const alarmPx = Math.max(13, Math.min(22, w * 0.04));
    const chrome = namePx * 1.3 + 10 + lines * alarmPx * 1.4 + 10;
    const meter = Math.max(14, Math.min(48, w * 0.05));
    const pw = Math.min(w - meter - 4, (h - chrome) * 16 / 9);
    if (pw <= 0) continue;
    const area = pw * pw * 9 / 16;
    if (!best || area > best.area + 1) best = { c, h, namePx, lines, alarmPx, meter, area };
  }
  if (!best) best = { c: Math.ceil(Math.sqrt(n)), h: 120, namePx: 15, lines: 1, alarmPx: 13, meter: 14 };
  root.setProperty('--cols', String(best.c));
  root.setProperty('--tile-h', Math.floor(best.h) + 'px');
  root.setProperty('--name-px', best.namePx.toFixed(1) + 'px');
  root.setProperty('--alarm-px', best.alarmPx.toFixed(1) + 'px');
  root.setProperty('--meter-w', Math.round(best.meter) + 'px');
  wall.classList.toggle('compact', best.namePx < 24);
  for (const t of state.tiles.values()) t.meterFrame = undefined;
  if (state.alarmLines !== best.lines) {
    state.alarmLines = best.lines;
    for (const id of state.tiles.keys()) renderAlarmList(state.tiles.get(id).alarms, id, best.lines);
  }
}

function renderAll() {
  for (const id of state.streams.keys()) renderTile(id);
  renderCounts();
  if (state.view === 'detail') renderDetail();
  if (state.view === 'history') renderHistoryPage();
  rendered();
}

// The latest picture with the time it was made (X-Picture-Time); replaces the one shown only once loaded.
async function refreshPicture(id) {
  try {
    const r = await fetch('/api/streams/' + encodeURIComponent(id) + '/thumbnail.jpg', { cache: 'no-store' });
    if (!r.ok) return;
    const madeMs = Date.parse(r.headers.get('X-Picture-Time') || '');
    const old = state.pictures.get(id);
    if (old && Number.isFinite(madeMs) && old.at === madeMs) return; // the same picture
    const url = URL.createObjectURL(await r.blob());
    await new Promise((resolve) => { const i = new Image(); i.onload = i.onerror = resolve; i.src = url; });
    state.pictures.set(id, { url, at: Number.isFinite(madeMs) ? madeMs : Date.now() });
    if (state.tiles.has(id)) renderTile(id);
    if (state.selected === id) renderDetailPicture();
    // the one shown is no longer needed once both the tile and the detail moved on
    if (old) setTimeout(() => URL.revokeObjectURL(old.url), 10000);
  } catch (e) {
    // the server is away: the feed indicator says so
  }
}

async function pollStreams() {
  try {
    const list = await getJson('/api/streams');
    const seen = new Set();
    state.order = list.map((s) => s.id);
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
        if (state.selected === id) go('#');
      }
    }
    renderAll();
    for (const id of state.streams.keys()) refreshPicture(id);
  } catch (e) {
    // the server is away: the feed indicator says so; try again next time
  }
}

// ---- notice: a sound and a browser notification for new critical alarms, off until the operator turns them on ----

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const t = audio.currentTime;
    for (const [i, f] of [[0, 880], [1, 660]]) {
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, t + i * 0.25);
      g.gain.exponentialRampToValueAtTime(0.3, t + i * 0.25 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.25 + 0.22);
      o.connect(g).connect(audio.destination);
      o.start(t + i * 0.25);
      o.stop(t + i * 0.25 + 0.24);
    }
  } catch (e) {
    // no audio output
  }
}

function announce(a) {
  if (a.status !== 'firing' || a.severity !== 'critical' || a.suppressed || state.seen.has(a.dedupKey)) return;
  state.seen.add(a.dedupKey);
  if (state.sound) beep();
  if (state.notify && 'Notification' in window && Notification.permission === 'granted') {
    try {
      new Notification('vigil: ' + a.stream + ' ' + alarmLabel(a), { body: alarmText(a), tag: a.dedupKey });
    } catch (e) {
      // notifications refused by the browser
    }
  }
}

function showToggles() {
  $('toggle-sound').textContent = state.sound ? 'sound on' : 'sound off';
  $('toggle-sound').setAttribute('aria-pressed', String(state.sound));
  $('toggle-notify').textContent = state.notify ? 'notifications on' : 'notifications off';
  $('toggle-notify').setAttribute('aria-pressed', String(state.notify));
}

function setupToggles() {
  state.sound = localStorage.getItem('vigil.sound') === 'on';
  state.notify = localStorage.getItem('vigil.notify') === 'on' && 'Notification' in window
    && Notification.permission === 'granted';
  $('toggle-sound').addEventListener('click', () => {
    state.sound = !state.sound;
    localStorage.setItem('vigil.sound', state.sound ? 'on' : 'off');
    if (state.sound) beep(); // the operator hears what it sounds like (and the browser allows audio from now on)
    showToggles();
  });
  $('toggle-notify').addEventListener('click', async () => {
    if (!state.notify && 'Notification' in window) {
      const p = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      state.notify = p === 'granted';
    } else {
      state.notify = false;
    }
    localStorage.setItem('vigil.notify', state.notify ? 'on' : 'off');
    showToggles();
  });
  showToggles();
}

// ---- live feed ----

function historyEntry(a, fallbackMs) {
  return { alarm: a, at: eventMs(a, fallbackMs), media: a.status === 'firing' ? a.start : (a.end ?? a.start) };
}

// Newest last by event time; an event older than the last goes to its place (a back-dated start).
function insertByTime(list, entry, keep) {
  let i = list.length;
  while (i > 0 && list[i - 1].at > entry.at) i--;
  list.splice(i, 0, entry);
  if (list.length > keep) list.splice(0, list.length - keep);
}

function applyAlarm(a, receivedMs) {
  let m = state.active.get(a.stream);
  if (!m) state.active.set(a.stream, m = new Map());
  if (a.status === 'firing') {
    if (a._seenMs === undefined) a._seenMs = receivedMs !== undefined ? receivedMs : Date.now();
    m.set(a.dedupKey, a);
  } else {
    m.delete(a.dedupKey);
    state.seen.delete(a.dedupKey);
  }
  if (receivedMs !== undefined) {
    let h = state.history.get(a.stream);
    if (!h) state.history.set(a.stream, h = []);
    const entry = historyEntry(a, receivedMs);
    insertByTime(h, entry, KEEP_EVENTS);
    insertByTime(state.allHistory, entry, KEEP_HISTORY);
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
    for (const a of active) { applyAlarm(a); state.seen.add(a.dedupKey); }
    for (const a of replay) applyAlarm(a);
    if (!state.allHistory.length) await loadHistory();
  } catch (e) {
    // try again at the next reconnect
  } finally {
    state.syncing = null;
  }
  renderAll();
}

// The server's last day of alarm events, by event time (GET /api/alarms/history).
async function loadHistory() {
  const all = await getJson('/api/alarms/history?hours=24');
  const now = Date.now();
  state.allHistory = all.map((a) => historyEntry(a, now)).slice(-KEEP_HISTORY);
  state.history = new Map();
  for (const e of state.allHistory) {
    let h = state.history.get(e.alarm.stream);
    if (!h) state.history.set(e.alarm.stream, h = []);
    h.push(e);
  }
  for (const h of state.history.values()) if (h.length > KEEP_EVENTS) h.splice(0, h.length - KEEP_EVENTS);
}

function setFeed(up) {
  state.feedUp = up;
  const f = $('feed');
  f.textContent = up ? 'live' : 'reconnecting';
  f.className = 'feed ' + (up ? 'feed-up' : 'feed-down');
}

function addSamples(id, list) {
  let arr = state.samples.get(id);
  if (!arr) state.samples.set(id, arr = []);
  for (const s of list) {
    const t = Date.parse(s.wall);
    const sample = { t: Number.isFinite(t) ? t : Date.now(), values: s.values || {} };
    if (arr.length && arr[arr.length - 1].t >= sample.t) continue; // already have it (history and feed overlap)
    arr.push(sample);
  }
  if (arr.length > KEEP_SAMPLES) arr.splice(0, arr.length - KEEP_SAMPLES);
}

function connectFeed() {
  const es = new EventSource('/api/events');
  state.feed = es;
  es.onopen = () => { setFeed(true); syncActive(); pollStreams(); };
  es.addEventListener('alarm', (e) => {
    const a = JSON.parse(e.data);
    if (state.syncing) state.syncing.push(a);
    applyAlarm(a, Date.now());
    announce(a);
    if (state.streams.has(a.stream)) renderTile(a.stream);
    renderCounts();
    if (state.selected === a.stream) renderDetail();
    if (state.view === 'history') renderHistoryPage();
  });
  es.addEventListener('marker', (e) => {
    const m = JSON.parse(e.data);
    m._seenMs = Date.now();
    let arr = state.markers.get(m.stream);
    if (!arr) state.markers.set(m.stream, arr = []);
    arr.push(m);
    if (arr.length > KEEP_EVENTS) arr.splice(0, arr.length - KEEP_EVENTS);
    if (state.selected === m.stream) scheduleCharts();
  });
  es.addEventListener('stats', (e) => {
    const s = JSON.parse(e.data);
    addSamples(s.stream, [s]);
    if (s.levels && s.levels.length) {
      let l = state.levels.get(s.stream);
      if (!l) state.levels.set(s.stream, l = { queue: [], shown: null, at: 0 });
      l.queue.push(...s.levels);
      if (l.queue.length > 20) l.queue.splice(0, l.queue.length - 10); // fell behind: catch up
      l.lufs = s.values ? s.values.momentaryLufs : undefined;
    }
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

// ---- level meters: per channel, its momentary loudness (LUFS) as a bar and its peak (dBFS) as a tick, ten
// frames a second; without loudness (the loudness detector off) the bar is the RMS level (dBFS) ----

const METER_COLOURS = [[-18, '#3fb950'], [-6, '#e3b341'], [0, '#f85149']];
// A channel's momentary loudness: green up to R 128's -23 LUFS target + 5 LU, yellow up to +14 LU, red above.
const LOUDNESS_COLOURS = [[-18, '#3fb950'], [-9, '#e3b341'], [0, '#f85149']];
const LOUDNESS_TARGET = -23;

function meterColour(db, colours = METER_COLOURS) {
  for (const [limit, colour] of colours) if (db <= limit) return colour;
  return '#f85149';
}

function drawMeters(canvas, frame) {
  // 5.1 and more: a wider meter, so that six bars stay readable on a small tile
  const n = frame ? frame.peakDbfs.length : 0;
  const widen = n > 2 ? 'calc(var(--meter-w, 20px) * ' + Math.min(2, n / 3).toFixed(2) + ')' : '';
  if (canvas.style.width !== widen) canvas.style.width = widen;
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(8, Math.round(canvas.clientWidth * ratio)), h = Math.max(8, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, w, h);
  g.fillStyle = '#0b0f13';
  g.fillRect(0, 0, w, h);
  if (!frame) return;
  const loudness = Array.isArray(frame.momentaryLufs) && frame.momentaryLufs.length === n;
  canvas.dataset.bars = loudness ? 'lufs' : 'rms';
  const gap = Math.max(1, Math.round(w * 0.06));
  const bw = (w - gap * (n + 1)) / n;
  const y = (db) => h - Math.max(0, Math.min(1, (db - METER_FLOOR_DB) / -METER_FLOOR_DB)) * h;
  // marks: the -23 LUFS target under loudness bars; -18 and -6 dBFS under RMS bars
  g.fillStyle = '#2f3b47';
  for (const db of loudness ? [LOUDNESS_TARGET] : [-18, -6]) g.fillRect(0, Math.round(y(db)), w, Math.max(1, ratio));
  for (let c = 0; c < n; c++) {
    const x = gap + c * (bw + gap);
    const bar = loudness ? frame.momentaryLufs[c] : frame.levelDbfs[c], peak = frame.peakDbfs[c];
    g.fillStyle = meterColour(bar, loudness ? LOUDNESS_COLOURS : METER_COLOURS);
    g.fillRect(x, y(bar), bw, h - y(bar));
    if (peak > METER_FLOOR_DB) {
      g.fillStyle = meterColour(peak);
      g.fillRect(x, Math.max(0, y(peak) - 2 * ratio), bw, 2 * ratio);
    }
  }
}

function tickMeters() {
  const now = Date.now();
  for (const [id, t] of state.tiles) {
    const l = state.levels.get(id);
    if (l && l.queue.length) { l.shown = l.queue.shift(); l.at = now; }
    const frame = l && now - l.at < 2000 ? l.shown : null; // no audio for 2 s: an empty meter, not a frozen one
    if (t.root.hidden) continue;
    if (t.meterFrame === frame) continue; // unchanged (undefined after a new layout: drawn again)
    t.meterFrame = frame;
    drawMeters(t.meters, frame);
  }
}

// ---- views: wall, stream page, history page (the address's #...) ----

function go(hash) {
  if (location.hash !== hash && !(hash === '#' && !location.hash)) location.hash = hash;
  else fromHash();
}

function show(view, id) {
  state.view = view;
  state.selected = view === 'detail' ? id : null;
  $('detail').hidden = view !== 'detail';
  $('wall').hidden = view !== 'wall';
  $('wall-tools').hidden = view !== 'wall';
  $('history-page').hidden = view !== 'history';
  $('nav-wall').classList.toggle('current', view === 'wall');
  $('nav-history').classList.toggle('current', view === 'history');
  if (view === 'detail') {
    $('detail-thumb').removeAttribute('src');
    detailView.shownUrl = null;
    renderDetail();
    loadStreamHistory(id);
  }
  if (view === 'history') renderHistoryPage();
  renderCounts();
  if (view === 'wall') renderAll();
}

async function fromHash() {
  if (await tokenFromAddress()) {
    $('signin').hidden = true;
    pollStreams();
    return;
  }
  const m = /^#stream=(.+)$/.exec(location.hash);
  if (m) show('detail', decodeURIComponent(m[1]));
  else if (location.hash === '#history') show('history');
  else show('wall');
}

// ---- the stream page ----

const detailView = { shownUrl: null };

function renderDetailPicture() {
  const img = $('detail-thumb');
  Object.assign(detailView, { picture: img.parentElement, img, picState: img.parentElement.querySelector('.pic-state'),
                              picTime: img.parentElement.querySelector('.pic-time') });
  showPicture(detailView, pictureFor(state.selected));
}

// What the server kept: the last minutes of statistics and the markers of the timeline's span.
async function loadStreamHistory(id) {
  try {
    const [stats, markers] = await Promise.all([
      getJson('/api/streams/' + encodeURIComponent(id) + '/stats?seconds=' + CHART_SECONDS),
      getJson('/api/streams/' + encodeURIComponent(id) + '/markers?seconds=' + TIMELINE_SECONDS)]);
    const live = state.samples.get(id) || [];
    state.samples.set(id, []);
    addSamples(id, stats);
    const arr = state.samples.get(id);
    const last = arr.length ? arr[arr.length - 1].t : -Infinity;
    for (const s of live) if (s.t > last) arr.push(s);
    const now = Date.now();
    const known = new Set((state.markers.get(id) || []).map((m) => m.pts + '/' + m.kind + '/' + m.start));
    const list = markers.filter((m) => !known.has(m.pts + '/' + m.kind + '/' + m.start))
      .map((m) => Object.assign(m, { _seenMs: now }));
    state.markers.set(id, list.concat(state.markers.get(id) || []));
    if (state.selected === id) scheduleCharts();
  } catch (e) {
    // the charts fill from the feed
  }
}

function fact(dl, name, value) {
  dl.append(el('dt', null, name), el('dd', null, value));
}

// One history line: event time (a file's: media time), what, and for a resolution how long it lasted.
function historyLine(li, e) {
  const a = e.alarm;
  const when = hasWallTime(a) ? dateClock(e.at) : (Number.isFinite(e.media) ? mediaClock(e.media) : dateClock(e.at));
  const what = a.status === 'firing' ? 'FIRING' : 'resolved';
  const dur = a.status !== 'firing' && a.duration !== undefined && a.duration !== null
    ? ' after ' + seconds(a.duration) : '';
  li.dataset.dedupKey = a.dedupKey;
  li.dataset.stream = a.stream;
  li.dataset.at = String(e.at);
  li.title = alarmTitle(a);
  li.append(el('time', 'when', when), el('span', 'what', what), el('span', 'det', alarmLabel(a)),
            el('span', 'sum', alarmText(a) + dur));
  if (a.suppressed) li.append(el('span', 'tag', 'suppressed'));
}

function renderDetail() {
  const id = state.selected;
  if (id === null) return;
  const s = state.streams.get(id);
  $('detail-id').textContent = id;
  $('detail').dataset.stream = id;
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
  for (const e of h.slice(-100).reverse()) {
    const li = el('li', e.alarm.status);
    historyLine(li, e);
    ol.append(li);
  }
  renderDetailPicture();
  scheduleCharts();
  rendered();
}

let chartsPending = false;
function scheduleCharts() {
  if (chartsPending || state.view !== 'detail') return;
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
const PLOT = { left: 52, right: 10, top: 8, bottom: 20 };

// The time axis under a chart: a label each minute, "now" at the right; left of the plot only the y labels.
function timeAxis(g, w, h, x, now, spanSeconds, stepSeconds) {
  g.textBaseline = 'alphabetic';
  g.strokeStyle = GRID;
  for (let s = 0; s <= spanSeconds; s += stepSeconds) {
    const xx = Math.round(x(now - s * 1000)) + 0.5;
    g.beginPath(); g.moveTo(xx, PLOT.top); g.lineTo(xx, h - PLOT.bottom); g.stroke();
    g.fillStyle = AXIS;
    g.textAlign = s === 0 ? 'right' : s === spanSeconds ? 'left' : 'center';
    g.fillText(s === 0 ? 'now' : '-' + (s >= 60 ? s / 60 + ' min' : s + ' s'), xx, h - 5);
  }
  g.textAlign = 'left';
}

// One chart over the last CHART_SECONDS with a fixed y scale: ticks given as values (a log scale maps them);
// gaps where a value is absent or not a finite number (silence has no loudness).
function lineChart(canvas, samples, series, scale) {
  const { g, w, h } = fitCanvas(canvas);
  g.clearRect(0, 0, w, h);
  const now = Date.now(), t0 = now - CHART_SECONDS * 1000;
  const { left, right, top, bottom } = PLOT;
  const map = scale.log ? (v) => Math.log10(Math.max(v, scale.min)) : (v) => v;
  const lo = map(scale.min), hi = map(scale.max);
  const x = (t) => left + (t - t0) / (now - t0) * (w - left - right);
  const y = (v) => top + (hi - map(Math.max(scale.min, Math.min(scale.max, v)))) / (hi - lo) * (h - top - bottom);
  g.font = '12px system-ui, sans-serif';
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const v of scale.ticks) {
    const yy = Math.round(y(v)) + 0.5;
    g.strokeStyle = GRID; g.beginPath(); g.moveTo(left, yy); g.lineTo(w - right, yy); g.stroke();
    g.fillStyle = AXIS; g.fillText(String(v), left - 6, Math.min(h - bottom - 6, Math.max(top + 6, yy)));
  }
  if (scale.reference !== undefined) {
    const yy = Math.round(y(scale.reference)) + 0.5;
    g.setLineDash([4, 4]); g.strokeStyle = AXIS; g.beginPath(); g.moveTo(left, yy); g.lineTo(w - right, yy);
    g.stroke(); g.setLineDash([]);
  }
  timeAxis(g, w, h, x, now, CHART_SECONDS, 60);
  let drawn = 0;
  for (const { key, color } of series) {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    let pen = false, prevT = 0;
    for (const s of samples) {
      if (s.t < t0) continue;
      const v = s.values[key];
      // a gap of more than 5 s (the stream was down) is not bridged
      if (typeof v !== 'number' || !Number.isFinite(v) || s.t - prevT > 5000) pen = false;
      prevT = s.t;
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (pen) g.lineTo(x(s.t), y(v)); else g.moveTo(x(s.t), y(v));
      pen = true;
      drawn++;
    }
    g.stroke();
  }
  if (!drawn) {
    g.fillStyle = AXIS; g.textBaseline = 'alphabetic'; g.fillText('no figures in the last 5 minutes', left + 10, top + 20);
  }
}

const SEVERITY_COLOURS = { critical: '#f85149', error: '#f85149', warning: '#e3b341', info: '#58a6ff' };
const MARKER_OUT = '#d2a8ff', MARKER_IN = '#56d4dd';

function markerMs(m) {
  const t = m.wallStart ? Date.parse(m.wallStart) : NaN;
  return Number.isFinite(t) ? t : m._seenMs;
}

// The timeline: one row per detector that fired in the span, a bar from start to end (or now); SCTE-35 markers
// in a row of their own: an out with its duration (or up to its in) as a band, an in as a line.
function drawTimeline() {
  const canvas = $('timeline');
  const { g, w, h } = fitCanvas(canvas);
  g.clearRect(0, 0, w, h);
  const now = Date.now(), t0 = now - TIMELINE_SECONDS * 1000;
  const bars = new Map(); // dedupKey@start -> {label, start, end, severity, key}
  for (const { alarm: a, at } of state.history.get(state.selected) || []) {
    const key = a.dedupKey;
    if (a.status === 'firing') {
      bars.set(key + '@' + alarmStartMs(a, at), { label: alarmLabel(a), start: alarmStartMs(a, at), end: null,
        severity: a.severity, key });
    } else {
      let open = null;
      for (const b of bars.values()) if (b.key === key && b.end === null) open = b;
      if (open) open.end = at;
      else {
        const start = a.wallStart ? Date.parse(a.wallStart) : at - (a.duration || 0) * 1000;
        bars.set(key + '@r' + at, { label: alarmLabel(a), start, end: at, severity: a.severity, key });
      }
    }
  }
  for (const a of (state.active.get(state.selected) || new Map()).values()) {
    let has = false;
    for (const b of bars.values()) if (b.key === a.dedupKey && b.end === null) has = true;
    if (!has) bars.set(a.dedupKey + '@a', { label: alarmLabel(a), start: alarmStartMs(a, now), end: null,
      severity: a.severity, key: a.dedupKey });
  }
  // an alarm still open in the list but no longer active (its resolution came before the page): ends now
  const active = state.active.get(state.selected) || new Map();
  for (const b of bars.values()) if (b.end === null && !active.has(b.key)) b.end = now;
  const visible = [...bars.values()].filter((b) => (b.end === null || b.end >= t0));
  const markers = (state.markers.get(state.selected) || []).filter((m) => markerMs(m) >= t0 - 3600e3);
  const rows = [...new Set(visible.map((b) => b.label))].sort();
  if (markers.length) rows.push('SCTE-35');
  const { right, top, bottom } = PLOT;
  const left = 120;
  const rowH = Math.min(26, (h - top - bottom) / Math.max(1, rows.length));
  const x = (t) => left + (Math.max(t, t0) - t0) / (now - t0) * (w - left - right);
  g.font = '13px system-ui, sans-serif';
  timeAxis(g, w, h, x, now, TIMELINE_SECONDS, 300);
  if (!rows.length) {
    g.fillStyle = AXIS; g.fillText('no alarms or markers in the last 15 minutes', left + 10, top + 20);
  }
  rows.forEach((label, i) => {
    const yy = top + i * rowH;
    g.fillStyle = AXIS; g.textAlign = 'left'; g.fillText(label, 4, yy + rowH * 0.7);
    if (label === 'SCTE-35') {
      drawMarkers(g, markers, x, yy, rowH, now, t0);
      return;
    }
    for (const b of visible) {
      if (b.label !== label) continue;
      const x0 = x(b.start), x1 = Math.max(x0 + 3, x(b.end === null ? now : b.end));
      g.fillStyle = SEVERITY_COLOURS[b.severity] || '#58a6ff';
      g.globalAlpha = b.end === null ? 1 : 0.55;
      g.fillRect(x0, yy + 3, x1 - x0, rowH - 6);
      g.globalAlpha = 1;
    }
  });
}

function drawMarkers(g, markers, x, yy, rowH, now, t0) {
  const sorted = [...markers].sort((a, b) => markerMs(a) - markerMs(b));
  g.font = '11px system-ui, sans-serif';
  const mid = yy + rowH * 0.68;
  sorted.forEach((m, i) => {
    const at = markerMs(m);
    if (m.kind === 'out') {
      const back = sorted.slice(i + 1).find((n) => n.kind === 'in');
      const end = back ? markerMs(back) : m.duration ? at + m.duration * 1000 : now;
      if (end < t0) return;
      const x0 = x(at), x1 = Math.max(x0 + 3, x(Math.min(end, now)));
      g.fillStyle = MARKER_OUT; g.globalAlpha = 0.5;
      g.fillRect(x0, yy + 3, x1 - x0, rowH - 6);
      g.globalAlpha = 1;
      g.fillRect(x0, yy + 1, 2, rowH - 2);
      const text = 'OUT' + (m.duration ? ' ' + m.duration.toFixed(m.duration % 1 ? 1 : 0) + ' s' : '');
      // inside the band when it is wide enough, else before it
      if (x1 - x0 > g.measureText(text).width + 8) { g.fillStyle = '#0f1419'; g.textAlign = 'left'; g.fillText(text, x0 + 4, mid); }
      else { g.fillStyle = MARKER_OUT; g.textAlign = 'right'; g.fillText(text, x0 - 3, mid); }
    } else if (at >= t0) {
      g.fillStyle = MARKER_IN;
      g.fillRect(x(at) - 1, yy + 1, 2, rowH - 2);
      // "IN" after the line, or before it when the line is at the right edge
      const room = x(now) - x(at) > 18;
      g.textAlign = room ? 'left' : 'right';
      g.fillText('IN', room ? x(at) + 3 : x(at) - 3, mid);
    }
  });
  g.textAlign = 'left';
  g.font = '13px system-ui, sans-serif';
}

function drawCharts() {
  if (!state.selected) return;
  const samples = state.samples.get(state.selected) || [];
  lineChart($('chart-luma'), samples, [{ key: 'lumaMean', color: '#e6edf3' }],
            { min: 0, max: 255, ticks: [0, 64, 128, 192, 255] });
  lineChart($('chart-mafd'), samples, [{ key: 'mafd', color: '#3fb950' }],
            { min: 0.01, max: 100, log: true, ticks: [0.01, 0.1, 1, 10, 100] });
  // Loudness is measured when the loudness detector runs; without it the audio level (dBFS) stands in.
  lineChart($('chart-lufs'), samples, [{ key: 'momentaryLufs', color: '#58a6ff' },
                                        { key: 'shortTermLufs', color: '#d2a8ff' },
                                        { key: 'rmsDbfs', color: '#56d4dd' }],
            { min: -60, max: 0, ticks: [-60, -48, -36, -23, -12, 0], reference: -23 });
  drawTimeline();
}

// ---- the alarm history page ----

function fillSelect(select, values) {
  const have = new Set([...select.options].map((o) => o.value));
  for (const v of [...values].sort()) if (!have.has(v)) select.append(new Option(v, v));
}

let historyPending = false;
function renderHistoryPage() {
  if (historyPending) return;
  historyPending = true;
  requestAnimationFrame(() => { historyPending = false; drawHistoryPage(); });
}

function drawHistoryPage() {
  const all = state.allHistory;
  fillSelect($('hist-stream'), new Set(all.map((e) => e.alarm.stream)));
  fillSelect($('hist-detector'), new Set(all.map((e) => e.alarm.detector)));
  const stream = $('hist-stream').value, det = $('hist-detector').value, sev = $('hist-severity').value;
  const sort = $('hist-sort').value;
  const from = Date.now() - 24 * 3600e3;
  let rows = all.filter((e) => e.at >= from && (!stream || e.alarm.stream === stream)
    && (!det || e.alarm.detector === det) && (!sev || e.alarm.severity === sev));
  const byTime = (a, b) => a.at - b.at;
  if (sort === 'old') rows.sort(byTime);
  else if (sort === 'severity') rows.sort((a, b) => rank(b.alarm) - rank(a.alarm) || b.at - a.at);
  else if (sort === 'stream') rows.sort((a, b) => a.alarm.stream.localeCompare(b.alarm.stream) || b.at - a.at);
  else if (sort === 'detector') rows.sort((a, b) => a.alarm.detector.localeCompare(b.alarm.detector) || b.at - a.at);
  else rows.sort((a, b) => b.at - a.at);
  const q = new URLSearchParams();
  if (stream) q.set('stream', stream);
  if (det) q.set('detector', det);
  if (sev) q.set('severity', sev);
  $('hist-csv').href = '/api/alarms/history.csv' + (q.toString() ? '?' + q : '');
  $('hist-count').textContent = rows.length + (rows.length === 1 ? ' event' : ' events');
  const body = $('hist-rows');
  body.replaceChildren();
  for (const e of rows.slice(0, 2000)) {
    const a = e.alarm;
    const tr = el('tr', a.status + ' sev-' + a.severity + (a.suppressed ? ' suppressed' : ''));
    tr.dataset.dedupKey = a.dedupKey;
    tr.dataset.stream = a.stream;
    tr.dataset.at = String(e.at);
    tr.title = alarmTitle(a);
    const when = hasWallTime(a) ? dateClock(e.at) : (Number.isFinite(e.media) ? mediaClock(e.media) : dateClock(e.at));
    const dur = a.status === 'firing' ? '' : a.duration !== undefined && a.duration !== null ? seconds(a.duration) : '';
    const streamCell = el('td', 'stream');
    const link = el('a', null, a.stream);
    link.href = '#stream=' + encodeURIComponent(a.stream);
    streamCell.append(link);
    const what = el('td', 'what', alarmText(a));
    if (a.suppressed) what.append(el('span', 'tag', 'suppressed'));
    what.append(...evidenceLinks(a));
    tr.append(el('td', 'when', when), streamCell, el('td', 'severity', a.severity), el('td', 'det', alarmLabel(a)),
              el('td', 'event', a.status === 'firing' ? 'FIRING' : 'resolved'), el('td', 'dur', dur), what);
    body.append(tr);
  }
  rendered();
}

// ---- start ----

function tick() {
  $('clock').textContent = clock(Date.now());
  // "for N s" counters move on even when nothing arrives
  for (const span of document.querySelectorAll('.alarms .for[data-since]')) span.textContent = ago(Number(span.dataset.since));
  if (state.view === 'detail') scheduleCharts();
}

document.addEventListener('DOMContentLoaded', () => {
  $('back').addEventListener('click', () => go('#'));
  $('home').addEventListener('click', (e) => { e.preventDefault(); go('#'); });
  $('nav-wall').addEventListener('click', (e) => { e.preventDefault(); go('#'); });
  $('signin-form').addEventListener('submit', submitSignIn);
  $('wall-tools').addEventListener('submit', (e) => e.preventDefault());
  for (const id of ['filter-stream', 'filter-severity', 'filter-detector', 'sort-wall']) {
    $(id).addEventListener('input', applyWallTools);
  }
  for (const id of ['hist-stream', 'hist-detector', 'hist-severity', 'hist-sort']) {
    $(id).addEventListener('input', renderHistoryPage);
  }
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.view !== 'wall') go('#'); });
  window.addEventListener('resize', () => { scheduleCharts(); layoutWall(); });
  window.addEventListener('hashchange', fromHash);
  setupToggles();
  setInterval(tick, 1000);
  setInterval(tickMeters, METER_MS);
  tick();
  readable().then(() => {
    pollStreams().then(fromHash);
    connectFeed();
    setInterval(pollStreams, POLL_MS);
  });
});
