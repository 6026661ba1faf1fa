// DOM helpers for the console: elements are built with `h`, never from HTML
// strings, so that nothing the gateway saw (paths, evidence, client names)
// can become markup; and the formatting every page shares.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Sets attributes, properties and listeners on `node`: `on*` keys are
// listeners, `class`, `for` and `aria-*`/`data-*` are attributes, booleans
// toggle attributes, anything else is an attribute too.
function apply(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked') {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// An HTML element: h('button', {type: 'button', onclick}, 'Ban').
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  apply(node, attrs);
  return append(node, children);
}

// An SVG element, same arguments as `h`.
export function s(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  apply(node, attrs);
  return append(node, children);
}

// Replaces the children of `node`.
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

const numberFormat = new Intl.NumberFormat('en');

export function num(n) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return '–';
  return numberFormat.format(Number(n));
}

// A time (RFC 3339 text or milliseconds) as "14:05:09" today, else with the date.
export function time(t) {
  if (t === undefined || t === null || t === '') return '–';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const today = new Date();
  const clock = d.toLocaleTimeString('en-GB', { hour12: false });
  if (d.toDateString() === today.toDateString()) return clock;
  return `${d.toISOString().slice(0, 10)} ${clock}`;
}

// "3 min ago", for freshness.
export function ago(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '–';
  const seconds = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

// A level badge whose text says the level, so colour is never the only signal.
export function badge(text, kind) {
  return h('span', { class: `badge ${kind || String(text).toLowerCase()}` }, text);
}

export function method(m) {
  return h('span', { class: `method m-${String(m).toLowerCase()}` }, m);
}

// A risk badge from {score (0-100), level}.
export function risk(r) {
  if (!r) return badge('unknown', 'none');
  const level = r.level || 'unknown';
  return h('span', { class: `badge ${level}`, title: `risk score ${r.score ?? '?'}` },
    `${level} ${r.score ?? ''}`.trim());
}

// A section with a heading; `id` names the heading for aria-labelledby
// (and can take the focus from a script, not from Tab).
export function section(title, id, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id, tabindex: '-1' }, title), ...children);
}

// A table from column names and rows of cells; `caption` is its accessible
// name. On narrow screens each row becomes a block whose cells carry their
// column's name (`data-label`, shown by the stylesheet).
export function table(caption, columns, rows, empty) {
  if (!rows.length) return h('p', { class: 'empty' }, empty || 'Nothing yet.');
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((cells) => h('tr', {},
        cells.map((c, i) => h('td', { 'data-label': columns[i] }, h('span', {}, c))))))));
}

// A message in place of content that could not be loaded.
export function problem(text) {
  return h('p', { class: 'problem', role: 'alert' }, text);
}

// Shows a short message in the toast area (announced to screen readers).
export function toast(text) {
  const box = document.getElementById('toast');
  box.textContent = text;
  box.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove('shown'), 4000);
}
