// Shared helpers: building elements (text only: data is never parsed as
// HTML), calling the API, the token, number formats and intent names.

const SVG = 'http://www.w3.org/2000/svg';

// h builds an element. props: class, text, on<event> handlers, and
// attributes (for, id, type, href, value, ...). Children are nodes or
// strings (added as text), null is skipped, arrays are flattened.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  return build(el, props, children);
}

// s builds an SVG element, as h does.
export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG, tag), props, children);
}

function build(el, props, children) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'class') el.setAttribute('class', v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, children);
  return el;
}

// fill replaces the children of el, as h adds them.
export function fill(el, ...children) {
  el.replaceChildren();
  add(el, children);
  return el;
}

// append adds children to el, as h adds them (null is skipped).
export function append(el, ...children) {
  add(el, children);
  return el;
}

function add(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) add(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// field is a labeled control: <div class="field"><label>..</label>control</div>.
let fieldSeq = 0;
export function field(label, control, help) {
  if (!control.id) control.id = 'f' + (++fieldSeq);
  const hid = help ? control.id + '-help' : null;
  if (hid) control.setAttribute('aria-describedby', hid);
  return h('div', { class: 'field' },
    h('label', { for: control.id, text: label }), control,
    help ? h('small', { id: hid, text: help }) : null);
}

// option builds an <option>.
export function option(value, text, selected) {
  return h('option', { value: String(value), text: text, selected: !!selected });
}

// scroll wraps a wide element (a table, a chart) so that it scrolls on its
// own on a narrow screen, from the keyboard too.
export function scroll(label, el) {
  return h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': label }, el);
}

// ---- the token ----

const TOKEN_KEY = 'intent.token';
const tokenListeners = [];

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
  tokenListeners.forEach((f) => f());
}

export function onToken(f) { tokenListeners.push(f); }

export function canMutate() { return token() !== ''; }

// guard disables a control that changes something when no token is set,
// and points it at the hint saying how to enable it.
export function guard(el) {
  if (!canMutate()) {
    el.disabled = true;
    el.setAttribute('aria-describedby', 'token-hint');
    el.title = 'Enter the API token (Token, at the top) to enable this';
  }
  return el;
}

// tokenHint says, when no token is set, why the controls that change
// something are disabled and how to enable them.
export function tokenHint(what) {
  if (canMutate()) return null;
  return h('p', { class: 'hint', id: 'token-hint' },
    'Read-only: ' + what + ' needs the API token. Open ',
    h('button', { type: 'button', class: 'link', onclick: openToken, text: 'Token' }),
    ' at the top of the page and enter the server\'s API_TOKEN.');
}

export function openToken() {
  const d = document.getElementById('token');
  d.open = true;
  document.getElementById('token-input').focus();
}

// ---- the API ----

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// api calls the JSON API: body is sent as JSON, or as is when it is a
// FormData. It resolves to the decoded answer (null for 204) and rejects
// with an APIError carrying the server's message.
export async function api(method, path, body) {
  const headers = {};
  const t = token();
  if (t && method !== 'GET') headers.Authorization = 'Bearer ' + t;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch (e) {
    throw new APIError(0, 'the server cannot be reached (' + e.message + ')');
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    let msg = (data && data.error) || res.status + ' ' + res.statusText;
    if (res.status === 401) msg += ' (check the API token: Token, at the top)';
    throw new APIError(res.status, msg);
  }
  return data;
}

// ---- messages ----

let statusTimer;

// say shows a short message in the status line (read by screen readers).
export function say(msg, kind) {
  const el = document.getElementById('status');
  el.textContent = msg;
  el.className = kind || '';
  clearTimeout(statusTimer);
  if (kind !== 'error') statusTimer = setTimeout(() => { el.textContent = ''; el.className = ''; }, 6000);
}

// fail shows an error in el (or the status line) and returns null.
export function fail(err, el) {
  let msg = err instanceof Error ? err.message : String(err);
  if (err instanceof APIError && err.status === 404 && msg.startsWith('no such endpoint')) {
    msg = 'This server has no database: examples, training and labeling are off. Start the api with a data folder (--data-dir) or --db.';
  }
  if (el) el.replaceChildren(h('p', { class: 'error', role: 'alert', text: msg }));
  else say(msg, 'error');
  return null;
}

// ---- formats ----

export function pct(x, digits = 1) {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : (100 * x).toFixed(digits) + ' %';
}

export function num(x, digits = 3) {
  return x === null || x === undefined ? '–' : Number(x).toFixed(digits);
}

export function date(s) {
  if (!s) return '–';
  const d = new Date(s);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

// ---- intents and their names ----

const namesCache = new Map();

// names resolves to version n's intent names (label_names of its model's
// metadata, in its report), {} when it has none.
export async function names(n) {
  if (!n) return {};
  if (!namesCache.has(n)) {
    namesCache.set(n, api('GET', '/models/' + n).then(
      (v) => (v.report && v.report.model && v.report.model.label_names) || {},
      () => ({})));
  }
  return namesCache.get(n);
}

// intentText is "26 · grossesse et allaitement", or "26" without a name.
export function intentText(intent, nm) {
  const name = nm && nm[String(intent)];
  return name ? intent + ' · ' + name : String(intent);
}

// models resolves to GET /models.
export function models() { return api('GET', '/models'); }

// datasets resolves to the datasets of the data folder ([] when none).
export async function datasets() {
  try { return (await api('GET', '/datasets')).datasets; } catch (e) { return []; }
}

// sortable makes a table's columns sortable: cols[i].key(row) gives the
// value of column i; header buttons sort (again: reverse), aria-sort says
// how. rows are rendered by row(r) into the tbody.
export function sortable(caption, cols, rows, row, initial) {
  const tbody = h('tbody');
  let by = initial ? initial[0] : -1;
  let desc = initial ? initial[1] : false;
  const ths = cols.map((c, i) => h('th', { scope: 'col', class: c.num ? 'num' : null },
    h('button', { type: 'button', class: 'sort', onclick: () => { desc = by === i ? !desc : !!c.num; by = i; draw(); }, text: c.title })));
  function draw() {
    const sorted = rows.slice();
    if (by >= 0) {
      const k = cols[by].key;
      sorted.sort((a, b) => {
        const x = k(a), y = k(b);
        const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
        return desc ? -r : r;
      });
    }
    ths.forEach((th, i) => th.setAttribute('aria-sort', i === by ? (desc ? 'descending' : 'ascending') : 'none'));
    tbody.replaceChildren(...sorted.map(row));
  }
  draw();
  return h('table', {}, h('caption', { text: caption }), h('thead', {}, h('tr', {}, ths)), tbody);
}
