/*
 * The agent panel (docs/agents.md, "In the browser"): the API of
 * docs/api.md, drawn for a person on a call.  Every change comes back as
 * the case, from the request's answer or from the stream, and the page
 * is redrawn from it: the server's checklist is the only truth, so two
 * tabs on one case always agree.  Text from a case is only ever set as
 * text, never as markup.
 */
'use strict';

const $ = (id) => document.getElementById(id);
const state = {
  token: localStorage.getItem('playbook.token') || '',
  id: null,            // the case on screen
  kase: null,          // its last checklist (case is a reserved word)
  events: [],          // its timeline, by index
  principles: null,    // from /v1/principles
  speaker: 'customer',
  selected: null,      // the item ref the keys act on
  skipping: null,      // the item whose skip reason is being typed
  refs: [],            // the items as drawn, for j and k
  stream: null,        // the AbortController of the live stream
  done: null,          // items done when last drawn: the new ones flash
};

/* Requests. */
class ApiError extends Error {
  constructor(status, field, message) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

function headers(json) {
  const h = {};
  if (state.token) h.Authorization = 'Bearer ' + state.token;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

async function api(method, path, body) {
  let r;
  try {
    r = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body !== undefined ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, null, 'the server cannot be reached');
  }
  let data = null;
  try { data = await r.json(); } catch (e) { /* not JSON: said below */ }
  if (r.status === 401) {
    // the server's reason only for a token that was tried
    askToken(state.token && data && data.error ? data.error.message : '');
    throw new ApiError(401, 'Authorization', 'sign in first');
  }
  if (!r.ok) {
    const e = data && data.error ? data.error : {};
    throw new ApiError(r.status, e.field || null,
                       e.message || 'the server answered ' + r.status);
  }
  return data;
}

const casePath = (rest) =>
  '/v1/cases/' + encodeURIComponent(state.id) + (rest ? '/' + rest : '');

/* Live updates: the stream of docs/api.md read with fetch, which can
 * send the token (EventSource cannot).  A dropped stream comes back
 * after a pause that grows to 10 s; its first event is the whole case. */
async function follow(id) {
  if (state.stream) state.stream.abort();
  const ctl = new AbortController();
  state.stream = ctl;
  let pause = 500;
  while (!ctl.signal.aborted && state.id === id) {
    try {
      const r = await fetch(casePath('stream'), {
        headers: headers(false), signal: ctl.signal, cache: 'no-store',
      });
      if (r.status === 401) { askToken(''); return; }
      if (!r.ok) throw new Error('status ' + r.status);
      setConn('live');
      pause = 500;
      await readEvents(r.body, (type, data) => {
        if (type === 'case' && state.id === id) apply(JSON.parse(data));
      });
    } catch (e) {
      if (ctl.signal.aborted) return;
    }
    setConn('down');
    await new Promise((ok) => setTimeout(ok, pause));
    pause = Math.min(pause * 2, 10000);
  }
}

/* Server-Sent Events from a byte stream: blank-line separated blocks of
 * "event:" and "data:" lines; comments (": ping") keep it alive. */
async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(type, data.join('\n'));
    }
  }
}

function setConn(how) {
  const c = $('conn');
  c.hidden = false;
  c.className = how;
  c.title = how === 'live' ? 'Live: changes show as they happen'
                           : 'Reconnecting…';
}

/* Screens. */
function show(which) {
  for (const id of ['token-form', 'start', 'case'])
    $(id).hidden = id !== which;
}

function askToken(message) {
  show('token-form');
  $('token-form').querySelector('.error').textContent = message || '';
  $('token').focus();
}

function route() {
  const id = decodeURIComponent(location.hash.replace(/^#/, ''));
  if (!id) {
    // the principles, now: a server that needs a token says so here
    if (!state.principles) {
      api('GET', '/v1/principles').then((p) => { state.principles = p; route(); },
                                          () => {});
      return;
    }
    state.id = null;
    if (state.stream) state.stream.abort();
    $('case-id').textContent = 'Playbook';
    $('case-meta').textContent = '';
    for (const b of ['state', 'score', 'conn']) $(b).hidden = true;
    show('start');
    $('signed-in').hidden = !state.token;
    $('open-id').focus();
    return;
  }
  openCase(id);
}

async function openCase(id) {
  state.id = id;
  state.kase = null;
  state.events = [];
  state.selected = null;
  state.done = null;
  try {
    if (!state.principles) state.principles = await api('GET', '/v1/principles');
    apply(await api('GET', casePath()));
  } catch (e) {
    if (e.status === 401) return;
    location.hash = '';
    show('start');
    $('open-form').querySelector('.error').textContent = e.message;
    return;
  }
  show('case');
  follow(id);
  $('line').focus();
}

/* A case from the server: the checklist as it now is, and the events
 * from events_from on. */
function apply(reply) {
  if (reply.id !== state.id) return;
  if (reply.events_from > state.events.length) {
    // a gap: ask for everything rather than show half a timeline
    api('GET', casePath()).then(apply, () => {});
    return;
  }
  // from 0, the whole timeline: nothing kept from before
  if (reply.events_from === 0) state.events = [];
  for (const ev of reply.events) state.events[ev.i] = ev;
  state.kase = reply.case;
  render();
}

/* Drawing. */
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function clock(t) {
  t = Math.max(0, Math.floor(t));
  const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
  const two = (n) => String(n).padStart(2, '0');
  return h ? h + ':' + two(m) + ':' + two(s) : two(m) + ':' + two(s);
}

function itemDef(ref) {
  for (const p of state.principles.principles)
    for (const it of p.items) if (it.ref === ref) return it;
  return null;
}

function principleTitle(id) {
  const p = state.principles.principles.find((x) => x.id === id);
  return p && p.title ? p.title : id;
}

const human = (ref) => ref.replace('.', ' · ').replace(/_/g, ' ');

const MARKS = { done: '✓', open: '○', waiting: '◌', violated: '✕',
                skipped: '–', error: '!' };
const STATES = { in_contact: ['In contact', ''],
                 between_contacts: ['Between contacts', 'between'],
                 closed: ['Closed', 'closed'] };

function render() {
  const k = state.kase;
  $('case-id').textContent = state.id;
  $('case-meta').textContent = [k.topic, k.channel, k.agent].filter(Boolean).join(' · ');
  const [label, cls] = STATES[k.state] || [k.state, ''];
  $('state').textContent = label;
  $('state').className = 'badge ' + cls;
  $('state').hidden = false;
  const o = k.score.overall;
  $('score').textContent = Math.round(o.value * 100) + '%';
  $('score').title = 'Score: ' + o.done + ' of ' + o.musts + ' musts done' +
    (o.violations ? ', ' + o.violations + ' violated' : '');
  $('score').hidden = false;
  renderNext(k);
  renderBanner(k);
  renderViolations(k);
  renderChecklist(k);
  renderFollowups();
  renderEvents();
  $('line').disabled = k.closed;
  $('line').placeholder = k.closed ? 'The case is closed'
                                   : 'What was said · / for a command';
  for (const b of ['speaker', 'undo', 'end', 'close']) $(b).disabled = k.closed;
}

function renderNext(k) {
  const box = $('next');
  const ref = k.closed ? null : k.next[0];
  box.classList.toggle('done', !ref);
  if (!ref) {
    $('next-prompt').textContent = k.closed ? 'The case is closed.'
      : k.state === 'between_contacts' ? 'Nothing to do until the next contact.'
      : 'Nothing left for this contact: every item is done.';
    $('next-ref').textContent = '';
    $('then').textContent = '';
    return;
  }
  const item = k.checklist.find((i) => i.principle + '.' + i.item === ref);
  $('next-prompt').textContent = (item && item.prompt) || human(ref);
  $('next-ref').textContent = human(ref) + (item && item.must ? ' · must' : '');
  $('then').textContent = k.next.length > 1
    ? 'Then: ' + k.next.slice(1, 4).map(human).join(', ') +
      (k.next.length > 4 ? ' +' + (k.next.length - 4) : '')
    : '';
}

function renderBanner(k) {
  const b = $('banner');
  const later = k.checklist.filter((i) => {
    const d = itemDef(i.principle + '.' + i.item);
    return d && d.later && (i.state === 'open' || i.state === 'waiting');
  });
  if (k.state === 'between_contacts') {
    b.textContent = 'The contact ended. The case stays open for: ' +
      (later.map((i) => human(i.principle + '.' + i.item)).join(', ') || 'what is left') +
      '. What you record now starts the next contact.';
  } else if (k.state === 'closed') {
    b.textContent = k.closed_by === 'principles'
      ? 'The case closed itself at ' + clock(k.closed_at) + ': nothing was left to follow up.'
      : 'The case was closed at ' + clock(k.closed_at) + '.';
  }
  b.hidden = k.state === 'in_contact';
}

/* What an event said, for evidence: who, the words, and the detector. */
function evidenceOf(index) {
  const ev = state.events[index];
  const box = el('div', 'evidence');
  if (!ev) return box;
  box.append(clock(ev.t) + ' ');
  if (ev.text) {
    box.append(el('q', null, ev.text));
    box.append(' ');
  }
  const how = ev.evidence
    ? '(' + ev.type + ', found by ' + ev.detected_by + ': ' + ev.evidence.kind +
      (ev.evidence.match ? ' “' + ev.evidence.match + '”' : '') + ')'
    : '(' + ev.type + ')';
  box.append(el('span', 'how', how));
  return box;
}

function renderViolations(k) {
  const ul = $('violations');
  ul.replaceChildren();
  for (const v of k.violations) {
    const li = el('li');
    const d = itemDef(v.ref);
    li.append(el('div', 'what', 'Violated: ' + human(v.ref)));
    if (d && d.prompt) li.append(el('div', null, d.prompt));
    li.append(evidenceOf(v.event));
    ul.append(li);
  }
}

function renderChecklist(k) {
  const box = $('checklist');
  const groups = new Map();
  for (const it of k.checklist) {
    if (!groups.has(it.principle)) groups.set(it.principle, []);
    groups.get(it.principle).push(it);
  }
  const refs = [];
  const frag = document.createDocumentFragment();
  for (const [pid, items] of groups) {
    const sec = el('section', 'principle');
    const head = el('header');
    head.append(el('h3', null, principleTitle(pid)));
    const sc = k.score.principles[pid];
    if (sc) head.append(el('span', 'count', sc.done + '/' + sc.musts));
    sec.append(head);
    if (sc && sc.musts) {
      const meter = el('div', 'meter');
      const fill = el('span');
      fill.style.width = Math.round(100 * sc.done / sc.musts) + '%';
      meter.append(fill);
      sec.append(meter);
    }
    const ul = el('ul', 'items');
    for (const it of items) {
      const ref = it.principle + '.' + it.item;
      refs.push(ref);
      ul.append(itemRow(it, ref));
    }
    sec.append(ul);
    frag.append(sec);
  }
  box.replaceChildren(frag);
  state.refs = refs;
  if (state.selected && !refs.includes(state.selected)) state.selected = null;
  const now = new Set(k.checklist.filter((i) => i.state === 'done')
                                 .map((i) => i.principle + '.' + i.item));
  state.done = now;
}

function itemRow(it, ref) {
  const li = el('li', 'item ' + it.state);
  li.dataset.ref = ref;
  li.setAttribute('aria-label', human(ref) + ': ' + it.state);
  if (ref === state.selected) li.classList.add('selected');
  if (it.state === 'done' && state.done && !state.done.has(ref)) li.classList.add('flash');
  li.append(el('span', 'mark', MARKS[it.state] || '?'));
  const name = el('span', 'name', it.item.replace(/_/g, ' '));
  if (it.must) name.append(el('span', 'must', 'must'));
  li.append(name);
  const at = it.state === 'done' ? it.done_at : it.state === 'violated' ? it.violated_at : null;
  li.append(el('span', 'at', at !== null && at !== undefined ? clock(at) : ''));
  if (it.state === 'open' || it.state === 'waiting') {
    if (it.prompt) li.append(el('span', 'prompt', it.prompt));
  } else if (it.state === 'skipped' && it.reason) {
    li.append(el('span', 'why', 'Skipped: ' + it.reason));
  } else if (it.state === 'error' && it.error) {
    li.append(el('span', 'why', 'The principle failed here: ' + it.error));
  }
  if (ref === state.selected && ref === state.skipping) {
    const row = el('form', 'buttons');
    const reason = el('input');
    reason.placeholder = 'Why can it not be done here?';
    reason.setAttribute('aria-label', 'Reason to skip ' + human(ref));
    row.append(reason);
    const ok = el('button', 'primary', 'Skip');
    ok.type = 'submit';
    row.append(ok);
    row.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!reason.value.trim()) { reason.focus(); return; }
      state.skipping = null;
      act('POST', casePath('items/' + ref + '/skip'), { reason: reason.value.trim() });
    });
    reason.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { state.skipping = null; render(); e.stopPropagation(); }
    });
    li.append(row);
    setTimeout(() => reason.focus(), 0);
  } else if (ref === state.selected && (it.state === 'open' || it.state === 'waiting')) {
    const row = el('div', 'buttons');
    const check = el('button', null, 'Done ');
    check.append(el('kbd', null, 'x'));
    check.addEventListener('click', () => checkItem(ref));
    const skip = el('button', null, 'Skip ');
    skip.append(el('kbd', null, 's'));
    skip.addEventListener('click', () => skipItem(ref));
    row.append(check, skip);
    li.append(row);
  }
  li.addEventListener('click', (e) => {
    if (e.target.closest('.buttons')) return;   // its own buttons and form
    state.selected = ref;
    render();
  });
  return li;
}

function followupEvents() {
  const undone = undoneSet();
  return state.events.filter((e) => e && !e.detected_by && !undone.has(e.recorded) &&
    (e.type === 'followup.scheduled' || e.type === 'agent.committed' || e.type === 'followup.done'));
}

function renderFollowups() {
  const ul = $('fu-list');
  ul.replaceChildren();
  let planned = 0;
  for (const e of followupEvents()) {
    if (e.type === 'followup.done') {
      planned = 0;
      ul.append(el('li', null, 'Followed up at ' + clock(e.t) + ': ' +
                    (e.attrs.outcome === 'fixed' ? 'fixed' : 'not fixed')));
      continue;
    }
    planned += e.type === 'followup.scheduled';
    ul.append(el('li', null, (e.type === 'agent.committed' ? 'Promised' : 'Follow-up') +
                  ' due ' + (e.attrs.due || '?') + (e.text ? ': ' + e.text : '')));
  }
  $('fu-done').hidden = planned === 0 || state.kase.closed;
  $('followup-form').hidden = state.kase.closed;
}

function undoneSet() {
  const s = new Set();
  for (const e of state.events)
    if (e && e.type === 'event.undone') s.add(Number(e.attrs.ref));
  return s;
}

/* Who an event is from, and what it did beyond speaking: agent.asked
 * is "You" and "asked". */
function who(type) {
  const [side, what] = type.split('.');
  if (side === 'customer') return ['customer', 'Customer', what === 'said' ? '' : what];
  if (side === 'agent') return ['agent', 'You', what === 'said' ? '' : what];
  return ['', '', type];
}

function renderEvents() {
  const ol = $('events');
  const undone = undoneSet();
  const frag = document.createDocumentFragment();
  for (const ev of state.events) {
    if (!ev || ev.type === 'event.undone') continue;
    if (ev.detected_by) {
      const li = el('li', 'detected', '~ ' + ev.type + ' ');
      const how = ev.evidence && ev.evidence.match ? '“' + ev.evidence.match + '”' : '';
      li.append(el('span', 'how', '(' + ev.detected_by + (how ? ': ' + how : '') + ')'));
      frag.append(li);
      continue;
    }
    const [cls, name, what] = who(ev.type);
    const li = el('li', cls + (undone.has(ev.recorded) ? ' undone' : ''));
    li.append(el('span', 't', clock(ev.t)));
    if (name) li.append(el('span', 'who', name));
    if (ev.type === 'fact') {
      li.append(el('span', 'what', 'fact'));
      li.append((ev.attrs.name || '?') + ' = ' + (ev.text || ''));
    } else {
      const attrs = Object.entries(ev.attrs).map(([n, v]) => n + '=' + v).join(' ');
      if (what || attrs) li.append(el('span', 'what', [what, attrs].filter(Boolean).join(' ')));
      if (ev.text) li.append(ev.text);
    }
    frag.append(li);
  }
  const atEnd = ol.scrollTop + ol.clientHeight >= ol.scrollHeight - 4;
  ol.replaceChildren(frag);
  if (atEnd) ol.scrollTop = ol.scrollHeight;
}

/* Actions: each answers with the case, drawn at once; the stream brings
 * the same change to every other tab. */
async function act(method, path, body, errorBox) {
  const box = errorBox || $('say-error');
  box.textContent = '';
  try {
    apply(await api(method, path, body));
    return true;
  } catch (e) {
    if (e.status !== 401) box.textContent = e.message;
    return false;
  }
}

async function say(text) {
  const line = $('line');
  const ok = text.startsWith('/')
    ? await act('POST', casePath('command'), { line: text.slice(1) })
    : await act('POST', casePath('events'),
                { type: state.speaker + '.said', text });
  if (ok) line.value = '';
  line.focus();
}

function setSpeaker(who) {
  state.speaker = who;
  const b = $('speaker');
  b.textContent = who === 'customer' ? 'Customer' : 'You';
  b.className = who;
}

function checkItem(ref) {
  act('POST', casePath('items/' + ref + '/check'));
}

function skipItem(ref) {
  state.selected = ref;
  state.skipping = ref;
  render();
}

let confirming = null;
function confirmThen(text, action) {
  $('confirm-text').textContent = text;
  $('confirm').hidden = false;
  confirming = action;
  $('confirm-yes').focus();
}
function confirmDone(yes) {
  $('confirm').hidden = true;
  const action = confirming;
  confirming = null;
  if (yes && action) action();
}

/* Keys: the panel is used while talking, so everything has one. */
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (confirming) {
    if (e.key === 'Escape') { confirmDone(false); e.preventDefault(); }
    return;
  }
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
  if (typing) {
    if (e.key === 'Escape') document.activeElement.blur();
    return;
  }
  if (e.key === '?') { $('help').hidden = !$('help').hidden; return; }
  if (e.key === 'Escape') { $('help').hidden = true; return; }
  if ($('case').hidden || !state.kase) return;
  const refs = state.refs;
  const target = state.selected || state.kase.next[0];
  const keys = {
    '/': () => $('line').focus(),
    i: () => $('line').focus(),
    j: () => move(refs, 1),
    ArrowDown: () => move(refs, 1),
    k: () => move(refs, -1),
    ArrowUp: () => move(refs, -1),
    x: () => target && checkItem(target),
    s: () => target && skipItem(target),
    u: () => $('undo').click(),
    e: () => $('end').click(),
    f: () => { $('followup').open = true; $('fu-due').focus(); },
    g: () => { location.hash = ''; },
  };
  if (keys[e.key]) {
    e.preventDefault();
    keys[e.key]();
  }
}

function move(refs, by) {
  if (!refs.length) return;
  const at = refs.indexOf(state.selected);
  const next = at < 0 ? (by > 0 ? 0 : refs.length - 1)
                      : Math.min(refs.length - 1, Math.max(0, at + by));
  state.selected = refs[next];
  render();
  const row = document.querySelector('.item.selected');
  if (row) row.scrollIntoView({ block: 'nearest' });
}

function wire() {
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.token = $('token').value.trim();
    localStorage.setItem('playbook.token', state.token);
    state.principles = null;
    route();
  });
  $('sign-out').addEventListener('click', () => {
    localStorage.removeItem('playbook.token');
    state.token = '';
    state.principles = null;
    askToken('');
  });
  $('open-form').addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = encodeURIComponent($('open-id').value.trim());
  });
  $('new-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { topic: $('new-topic').value.trim(), channel: $('new-channel').value };
    if ($('new-id').value.trim()) body.id = $('new-id').value.trim();
    try {
      const r = await api('POST', '/v1/cases', body);
      location.hash = encodeURIComponent(r.id);
    } catch (err) {
      if (err.status !== 401)
        $('new-form').querySelector('.error').textContent = err.message;
    }
  });
  $('say').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('line').value.trim();
    if (text) say(text);
  });
  $('line').addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey) {
      e.preventDefault();
      setSpeaker(state.speaker === 'customer' ? 'agent' : 'customer');
    }
  });
  $('speaker').addEventListener('click', () => {
    setSpeaker(state.speaker === 'customer' ? 'agent' : 'customer');
    $('line').focus();
  });
  $('followup-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    // as the terminal's followup command: a due time that does not read
    // is refused, with examples
    const line = ['followup', $('fu-due').value.trim(), $('fu-text').value.trim()];
    if (await act('POST', casePath('command'), { line: line.join(' ').trim() },
                  $('followup').querySelector('.error'))) {
      $('fu-due').value = '';
      $('fu-text').value = '';
    }
  });
  for (const b of $('fu-done').querySelectorAll('button'))
    b.addEventListener('click', () => act('POST', casePath('events'),
      { type: 'followup.done', attrs: { outcome: b.dataset.outcome } },
      $('followup').querySelector('.error')));
  $('undo').addEventListener('click', () => act('POST', casePath('undo')));
  $('end').addEventListener('click', () =>
    confirmThen('End this contact? The case stays open for what is left for later.',
                () => act('POST', casePath('end'))));
  $('close').addEventListener('click', () =>
    confirmThen('Close the case for good? Nothing can be added after.',
                () => act('POST', casePath('close'))));
  $('confirm-yes').addEventListener('click', () => confirmDone(true));
  $('confirm-no').addEventListener('click', () => confirmDone(false));
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', route);
  setSpeaker('customer');
  route();
}

wire();
