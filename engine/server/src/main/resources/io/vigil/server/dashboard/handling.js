// vigil dashboard, alarm handling: Ack and Mute buttons on alarm rows, acknowledged / muted / suppressed marks, and
// an Unmute button on a muted tile; each asks who (and a note, and for a mute what and how long) in a dialog. It only decorates what app.js draws: rows carry data-dedup-key and data-stream,
// tiles data-stream, and app.js dispatches the document event 'vigil:render' after each render. Its own data comes
// from GET /api/alarms?active=true (acks, suppressed) and GET /api/mutes, every few seconds and after each change.
// Changes need the server's token (a session only reads): asked for in the dialog when the server answers 401,
// and then kept in this page's memory only (never in storage, gone with the tab).
'use strict';

(() => {
  const POLL_MS = 3000;
  const handled = {
    alarms: new Map(),   // dedupKey -> active alarm (with ack and suppressed)
    mutes: [],           // active mutes
    token: null,         // the server's token, once given, for this page's life
  };

  const byId = (id) => document.getElementById(id);

  function make(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function hhmm(iso) {
    const d = new Date(iso);
    return Number.isFinite(d.getTime()) ? d.toLocaleTimeString([], { hour12: false, hour: '2-digit', minute: '2-digit' }) : '';
  }

  async function refresh() {
    try {
      const [alarms, mutes] = await Promise.all([
        fetch('/api/alarms?active=true&limit=10000', { cache: 'no-store' }),
        fetch('/api/mutes', { cache: 'no-store' })]);
      if (!alarms.ok || !mutes.ok) return;
      handled.alarms = new Map((await alarms.json()).map((a) => [a.dedupKey, a]));
      handled.mutes = await mutes.json();
      decorate();
    } catch (e) {
      // the next poll tries again
    }
  }

  function mutesOf(stream, detector) {
    return handled.mutes.filter((m) => m.stream === stream && (!m.detector || detector === undefined
      || m.detector === detector));
  }

  // ---- decoration (idempotent: each render redraws the rows, each call redraws the marks) ----

  function decorate() {
    for (const row of document.querySelectorAll('[data-dedup-key]')) decorateRow(row);
    for (const tile of document.querySelectorAll('article[data-stream]')) decorateTile(tile);
  }

  function decorateRow(row) {
    const key = row.dataset.dedupKey;
    const stream = row.dataset.stream;
    const alarm = handled.alarms.get(key);
    const detector = alarm ? alarm.detector : row.dataset.detector;
    let box = row.querySelector(':scope > .handling');
    if (!box) {
      box = make('span', 'handling');
      row.append(box);
    }
    box.replaceChildren();
    row.classList.toggle('acked', !!(alarm && alarm.ack));
    row.classList.toggle('suppressed', !!(alarm && alarm.suppressed));
    if (alarm && alarm.suppressed) box.append(make('span', 'mark mark-suppressed', 'suppressed'));
    if (alarm && alarm.ack) {
      const mark = make('span', 'mark mark-acked', 'ack ' + alarm.ack.by);
      mark.title = 'acknowledged by ' + alarm.ack.by + ' at ' + hhmm(alarm.ack.wall)
        + (alarm.ack.note ? ': ' + alarm.ack.note : '');
      box.append(mark);
    } else {
      box.append(button('Ack', 'acknowledge ' + key, () => openDialog('ack', { key, stream, detector })));
    }
    if (!mutesOf(stream, detector).length) {
      box.append(button('Mute', 'mute ' + stream, () => openDialog('mute', { key, stream, detector })));
    }
  }

  function decorateTile(tile) {
    const stream = tile.dataset.stream;
    const mutes = mutesOf(stream);
    let box = tile.querySelector(':scope > .tile-mutes');
    if (!mutes.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = make('div', 'tile-mutes');
      tile.append(box);
    }
    box.replaceChildren();
    for (const m of mutes) {
      const line = make('span', 'mark mark-muted', 'muted ' + (m.detector || 'stream') + ' until ' + hhmm(m.until));
      line.title = 'by ' + m.by + (m.note ? ': ' + m.note : '');
      box.append(line, button('Unmute', 'unmute ' + (m.detector || stream), () => openDialog('unmute', { mute: m, stream })));
    }
  }

  function button(text, label, action) {
    const b = make('button', 'handling-button', text);
    b.type = 'button';
    b.setAttribute('aria-label', label);
    // the tile under it opens the stream's detail on a click: this click is the button's alone
    b.addEventListener('click', (e) => { e.stopPropagation(); action(); });
    b.addEventListener('keydown', (e) => e.stopPropagation());
    return b;
  }

  // ---- the dialog: who, a note, and for a mute how long and what ----

  let dialog = null;

  function buildDialog() {
    const d = make('dialog', 'handling-dialog');
    d.id = 'handling-dialog';
    const form = make('form');
    form.method = 'dialog';
    const title = make('h2');
    const field = (label, input) => {
      const l = make('label', null, label);
      l.append(input);
      return l;
    };
    const by = make('input');
    by.id = 'handling-by';
    by.required = true;
    by.maxLength = 64;
    by.autocomplete = 'name';
    const note = make('input');
    note.id = 'handling-note';
    note.maxLength = 500;
    const minutes = make('input');
    minutes.id = 'handling-minutes';
    minutes.type = 'number';
    minutes.min = '1';
    minutes.max = '10080';
    minutes.value = '30';
    const scope = make('select');
    scope.id = 'handling-scope';
    const token = make('input');
    token.id = 'handling-token';
    token.type = 'password';
    token.autocomplete = 'off';
    const error = make('p', 'handling-error');
    error.id = 'handling-error';
    const ok = make('button', null, 'OK');
    ok.id = 'handling-ok';
    ok.type = 'submit';
    ok.value = 'ok';
    const cancel = make('button', null, 'Cancel');
    cancel.type = 'button';
    cancel.addEventListener('click', () => d.close());
    const muteFields = make('div', 'handling-mute');
    muteFields.append(field('mute', scope), field('minutes', minutes));
    const tokenField = field('token (server.token)', token);
    tokenField.id = 'handling-token-field';
    const buttons = make('div', 'handling-buttons');
    buttons.append(ok, cancel);
    form.append(title, field('who', by), field('note', note), muteFields, tokenField, error, buttons);
    d.append(form);
    form.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
    d.addEventListener('click', (e) => e.stopPropagation());
    document.body.append(d);
    return { d, title, by, note, minutes, scope, token, tokenField, muteFields, error, ok, subject: null, kind: null };
  }

  function openDialog(kind, subject) {
    if (!dialog) dialog = buildDialog();
    dialog.kind = kind;
    dialog.subject = subject;
    dialog.title.textContent = kind === 'ack' ? 'Acknowledge ' + subject.key
      : kind === 'mute' ? 'Mute on ' + subject.stream
        : 'Unmute ' + (subject.mute.detector || 'the whole stream') + ' on ' + subject.stream;
    dialog.muteFields.hidden = kind !== 'mute';
    dialog.scope.replaceChildren();
    if (kind === 'mute' && subject.detector) dialog.scope.append(option('detector', 'only ' + subject.detector));
    dialog.scope.append(option('stream', 'the whole stream ' + subject.stream));
    dialog.tokenField.hidden = handled.token === null && !dialog.needsToken;
    dialog.error.hidden = true;
    dialog.by.value = sessionStorage.getItem('vigil.by') || '';
    dialog.note.value = '';
    dialog.d.showModal();
    (dialog.by.value ? dialog.note : dialog.by).focus();
  }

  function option(value, text) {
    const o = make('option', null, text);
    o.value = value;
    return o;
  }

  async function submit() {
    const { kind, subject } = dialog;
    const by = dialog.by.value.trim();
    if (!by) return;
    sessionStorage.setItem('vigil.by', by);   // who is no secret; the token never goes to storage
    if (!dialog.tokenField.hidden && dialog.token.value) handled.token = dialog.token.value;
    let r;
    if (kind === 'unmute') {
      r = await change('DELETE', '/api/mutes/' + encodeURIComponent(subject.mute.id) + '?by=' + encodeURIComponent(by));
    } else if (kind === 'ack') {
      r = await change('POST', '/api/acks', { dedupKey: subject.key, by, note: dialog.note.value || null });
    } else {
      r = await change('POST', '/api/mutes', { stream: subject.stream, minutes: Number(dialog.minutes.value),
        detector: dialog.scope.value === 'detector' ? subject.detector : null, by, note: dialog.note.value || null });
    }
    if (r.ok) {
      dialog.d.close();
      refresh();
      return;
    }
    if (r.status === 401 || r.status === 403) {
      handled.token = null;
      dialog.needsToken = true;
      dialog.tokenField.hidden = false;
      dialog.token.focus();
    }
    dialog.error.textContent = r.message;
    dialog.error.hidden = false;
  }

  async function change(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (handled.token) headers.Authorization = 'Bearer ' + handled.token;
    try {
      const r = await fetch(path, { method, headers, cache: 'no-store',
                                    body: body === undefined ? undefined : JSON.stringify(body) });
      if (r.ok) return { ok: true, status: r.status };
      let message = 'The server answered ' + r.status + '.';
      try { message = (await r.json()).error || message; } catch (e) { /* not JSON */ }
      return { ok: false, status: r.status, message };
    } catch (e) {
      return { ok: false, status: 0, message: 'The server cannot be reached.' };
    }
  }

  // Many lists are drawn in one go (every tile each second): decorate once after them all.
  let pending = false;
  document.addEventListener('vigil:render', () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => { pending = false; decorate(); });
  });
  document.addEventListener('DOMContentLoaded', () => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/dashboard/handling.css';
    document.head.append(css);
    refresh();
    setInterval(refresh, POLL_MS);
  });
})();
