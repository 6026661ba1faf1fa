// Inventory: the endpoints discovery learned, as a tree by host and path
// with method badges, risk and drift from the declared spec (shadow: seen but
// not declared; zombie: declared as deprecated yet answering; orphan: declared
// but never seen); filters; and a detail panel for one endpoint with its
// schema, parameters, auth, sensitive data, business function, risk reasons
// and traffic, where an operator pins, merges or splits templates.

import { h, fill, num, time, ago, badge, method, risk, section, table, problem, toast } from '../dom.js';
import * as api from '../api.js';
import { lineChart } from '../charts.js';

const METHODS = ['', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const DRIFTS = [['', 'Any'], ['shadow', 'Shadow'], ['zombie', 'Zombie'], ['orphan', 'Orphan'], ['declared', 'Declared'], ['learned', 'Learned (no spec)']];
// Drift values that deserve a badge in the tree.
const DRIFTING = new Set(['shadow', 'zombie', 'orphan']);

let view = null;

function select(id, label, options, value) {
  return [h('label', { for: id }, label), h('select', { id, name: id },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)))];
}

export async function render(main, args, signal) {
  const q = h('input', { id: 'inv-q', type: 'search', name: 'q', placeholder: 'path, name or function', autocomplete: 'off' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter endpoints' },
    h('div', {}, h('label', { for: 'inv-q' }, 'Search'), q),
    h('div', {}, ...select('inv-method', 'Method', METHODS.map((m) => [m, m || 'Any']), '')),
    h('div', {}, ...select('inv-drift', 'Drift', DRIFTS, '')),
    h('div', {}, ...select('inv-risk', 'Risk at least', [['', 'Any'], ['25', 'Medium (25+)'], ['50', 'High (50+)'], ['75', 'Critical (75+)']], '')));
  const tree = h('div', { class: 'tree', id: 'inv-tree', 'aria-busy': 'true' });
  const detail = h('div', { class: 'detail', id: 'inv-detail' });
  const exportLink = h('button', { type: 'button', class: 'quiet', onclick: downloadSpec }, 'Export OpenAPI');
  main.append(h('div', { class: 'page-tools' }, exportLink), form,
    h('div', { class: 'split' }, section('Endpoints', 'inv-list-title', tree), detail));
  view = { tree, detail, form, signal, selected: args[0] };
  let typing;
  form.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => list(), 250);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    list();
  });
  await list();
  await showDetail(args[0]);
}

// Another endpoint chosen: its detail replaces the panel's, and focus moves
// to its heading (below the tree on a narrow screen).
export async function update(args) {
  view.selected = args[0];
  markSelected();
  await showDetail(args[0]);
  document.getElementById('detail-title')?.focus();
}

async function downloadSpec() {
  try {
    const spec = await api.call('/api/inventory/openapi');
    const blob = new Blob([JSON.stringify(spec, null, 2)], { type: 'application/json' });
    const link = h('a', { href: URL.createObjectURL(blob), download: 'rampart-inventory.openapi.json' });
    link.click();
    URL.revokeObjectURL(link.href);
  } catch (error) {
    toast(`The OpenAPI export failed: ${error.message}`);
  }
}

async function list() {
  const f = view.form.elements;
  const path = api.withQuery('/api/endpoints', {
    q: f.q.value.trim(), method: f['inv-method'].value, drift: f['inv-drift'].value,
    risk_min: f['inv-risk'].value, limit: 500,
  });
  view.tree.setAttribute('aria-busy', 'true');
  try {
    const data = await api.call(path, { signal: view.signal });
    view.items = data.items || [];
    fill(view.tree, buildTree(view.items));
    if (!view.selected) fill(view.detail, summary(view.items));
  } catch (error) {
    if (!view.signal.aborted) fill(view.tree, problem(`The inventory could not be loaded: ${error.message}`));
  }
  view.tree.setAttribute('aria-busy', 'false');
  markSelected();
}

function markSelected() {
  for (const link of view.tree.querySelectorAll('a[data-id]')) {
    if (link.dataset.id === view.selected) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
}

// What the listed endpoints add up to, shown while none is chosen.
function summary(items) {
  const count = (keep) => num(items.filter(keep).length);
  return section('Summary', 'inv-summary-title',
    facts([
      ['Endpoints', num(items.length)],
      ['Shadow (not in the spec)', count((e) => e.drift === 'shadow')],
      ['Zombie (deprecated, still called)', count((e) => e.drift === 'zombie')],
      ['Orphan (declared, never seen)', count((e) => e.drift === 'orphan')],
      ['Answering without credentials', count((e) => e.auth_required === false)],
      ['Carrying sensitive data', count((e) => (e.sensitive || []).length > 0)],
      ['High or critical risk', count((e) => ['high', 'critical'].includes(e.risk?.level))],
    ]),
    h('p', { class: 'help' }, 'Choose an endpoint to see its schema, parameters, risk and traffic.'));
}

// Hosts, then path segments, then the endpoints at each path.
function buildTree(items) {
  if (!items.length) {
    return h('p', { class: 'empty' }, 'No endpoint matches. Discovery learns endpoints from the traffic the gateway sees.');
  }
  const hosts = new Map();
  for (const e of items) {
    const host = e.host || '(any host)';
    if (!hosts.has(host)) hosts.set(host, { children: new Map(), endpoints: [] });
    let node = hosts.get(host);
    for (const segment of String(e.template).split('/').filter(Boolean)) {
      if (!node.children.has(segment)) node.children.set(segment, { children: new Map(), endpoints: [] });
      node = node.children.get(segment);
    }
    node.endpoints.push(e);
  }
  return h('div', {}, h('p', { class: 'count', role: 'status' }, `${num(items.length)} endpoints`),
    [...hosts].map(([host, node]) => h('div', { class: 'host' },
      h('h3', {}, host), h('ul', { class: 'paths' }, branch(node, '')))));
}

function branch(node, prefix) {
  const out = [];
  if (node.endpoints.length) out.push(...node.endpoints.map(leaf));
  for (const [segment, child] of [...node.children].sort(([a], [b]) => a.localeCompare(b))) {
    const path = `${prefix}/${segment}`;
    // A chain of single segments collapses into one row: /api/users/{id}.
    let label = `/${segment}`;
    let next = child;
    while (!next.endpoints.length && next.children.size === 1) {
      const [[s, c]] = [...next.children];
      label += `/${s}`;
      next = c;
    }
    out.push(h('li', { class: 'branch' }, h('span', { class: 'segment' }, label),
      h('ul', {}, branch(next, path))));
  }
  return out;
}

function leaf(e) {
  const drift = DRIFTING.has(e.drift) ? badge(e.drift) : null;
  return h('li', { class: 'leaf' },
    h('a', { href: `#/inventory/${encodeURIComponent(e.id)}`, 'data-id': e.id },
      method(e.method), h('span', { class: 'template' }, e.template),
      e.name ? h('span', { class: 'muted' }, e.name) : null),
    ' ', risk(e.risk), ' ', drift,
    e.auth_required === false ? badge('no auth', 'warn') : null,
    (e.sensitive || []).length ? badge('sensitive', 'warn') : null,
    e.function && e.function !== 'other' ? h('span', { class: 'fn' }, e.function.replace(/_/g, '-')) : null,
    h('span', { class: 'muted' }, ` ${num(e.requests)} req`));
}

async function showDetail(id) {
  if (!id) {
    fill(view.detail, summary(view.items || []));
    return;
  }
  fill(view.detail, h('p', { class: 'loading' }, 'Loading the endpoint…'));
  let e;
  try {
    e = await api.call(`/api/endpoints/${encodeURIComponent(id)}`, { signal: view.signal });
  } catch (error) {
    if (!view.signal.aborted) fill(view.detail, problem(`This endpoint could not be loaded: ${error.message}`));
    return;
  }
  if (view.selected !== id) return;
  fill(view.detail, detailPanel(e));
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function text(value) {
  if (value === undefined || value === null) return '–';
  if (Array.isArray(value)) return value.length ? value.map(text).join(', ') : 'none';
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}: ${text(v)}`).join('; ');
  return String(value);
}

// "PHONE_NUMBER" -> "Phone number", "unauthenticated_admin" ->
// "Unauthenticated admin"; short words stay as they are (JWT, SSN, IP).
function humanize(kind) {
  const words = String(kind || '').split('_')
    .map((word) => (word.length <= 3 ? word : word.toLowerCase()));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Drift in words: what the declared spec says about this endpoint.
function driftText(e) {
  switch (e.drift) {
    case 'shadow': return 'shadow: served but not in the declared spec';
    case 'zombie': return 'zombie: deprecated, still called';
    case 'orphan': return 'orphan: declared, never seen in traffic';
    case 'declared': return 'declared in the spec';
    default: return 'learned from traffic (no spec declared)';
  }
}

function authText(e) {
  const kinds = e.auth_kinds || e.auth || [];
  if (e.auth_required === false) return `not required: answered without credentials${kinds.length ? ` (also seen: ${kinds.join(', ')})` : ''}`;
  if (e.auth_required === true) return `required${kinds.length ? `: ${kinds.join(', ')}` : ''}`;
  return kinds.length ? kinds.join(', ') : 'no evidence yet';
}

function detailPanel(e) {
  const params = (e.params || []).map((p) => [h('code', {}, p.name), 'path', p.format ? `${p.type} (${p.format})` : p.type]);
  for (const [where, schema] of [['query', e.query_params], ['body', e.request_body]]) {
    for (const [name, property] of Object.entries(schema?.properties || {})) {
      params.push([h('code', {}, name), where, text(property.type ?? property.oneOf?.map((o) => o.type) ?? '–')]);
    }
  }
  const sensitive = (e.sensitive || []).map((s) => typeof s === 'string' ? [s, '–', '–', '–']
    : [humanize(s.kind), text(s.location), h('code', {}, s.path), num(s.count)]);
  const reasons = e.risk?.reasons || [];
  const findings = (e.findings || []).map((f) => {
    const { kind, ...evidence } = f;
    return h('li', {}, h('strong', {}, humanize(kind)), Object.keys(evidence).length ? `: ${text(evidence)}` : '');
  });
  const series = (e.traffic || []).map((p) => (Array.isArray(p) ? p : [p.minute ?? p.time, p.requests]))
    .map(([t, n]) => [typeof t === 'number' ? t : new Date(t).getTime(), Number(n)])
    .filter(([t]) => Number.isFinite(t));
  const statuses = Object.entries(e.statuses || {}).map(([code, n]) => `${code}: ${num(n)}`).join(', ');
  return h('section', { class: 'card', 'aria-labelledby': 'detail-title' },
    h('h2', { id: 'detail-title', tabindex: '-1' }, method(e.method), ' ', e.template),
    facts([
      ['Hosts', (e.hosts || [e.host]).filter(Boolean).join(', ') || 'any'],
      ['Name', e.name],
      ['Risk', [risk(e.risk)]],
      ['Drift', driftText(e)],
      ['Authentication', authText(e)],
      ['Business function', e.function ? `${e.function.replace(/_/g, '-')}${e.function_reason ? ` (${e.function_reason})` : ''}` : undefined],
      ['Requests', num(e.requests)],
      ['Statuses', statuses || undefined],
      ['Request types', (e.request_content_types || []).join(', ') || undefined],
      ['Response types', (e.response_content_types || []).join(', ') || undefined],
      ['First seen', e.first_seen ? time(e.first_seen) : undefined],
      ['Last seen', e.last_seen ? `${time(e.last_seen)} (${ago(e.last_seen)})` : undefined],
    ]),
    h('h3', {}, 'Why this risk'),
    reasons.length ? h('ul', {}, reasons.map((r) => h('li', {}, text(r)))) : h('p', { class: 'empty' }, 'No risk factors.'),
    findings.length ? [h('h3', {}, 'Findings'), h('ul', {}, findings)] : null,
    h('h3', {}, 'Sensitive data'),
    table(`Sensitive data of ${e.method} ${e.template}`, ['Kind', 'Where', 'Field', 'Seen'], sensitive, 'None seen.'),
    h('h3', {}, 'Traffic'),
    lineChart({ label: `Requests to ${e.method} ${e.template}`, series: [{ name: 'Requests', class: 's0', points: series }] }),
    h('h3', {}, 'Parameters'),
    table(`Parameters of ${e.method} ${e.template}`, ['Name', 'Where', 'Type'], params, 'No parameters seen.'),
    schemas(e),
    e.drift === 'orphan' ? null : actions(e));
}

function schemas(e) {
  const list = [['Request body', e.request_body], ['Response body', e.response_body], ['Request headers', e.request_headers]]
    .filter(([, v]) => v && Object.keys(v).length);
  if (!list.length) return null;
  return [h('h3', {}, 'Schemas'), list.map(([name, schema]) => h('details', {},
    h('summary', {}, name), h('pre', { class: 'code', tabindex: '0', 'aria-label': `${name} schema` }, JSON.stringify(schema, null, 2))))];
}

// The template's parent path: "/api/users/{id}" -> "/api/users".
function parentOf(template) {
  return template.replace(/\/[^/]*$/, '') || '/';
}

// Operators' decisions on the template (discovery applies them at its next
// publish and keeps them): rename, pin a literal path as its own endpoint,
// merge into another template, force a parameter under a parent.
function actions(e) {
  const result = h('p', { role: 'status', class: 'help' });
  const field = (id, label, placeholder) => {
    const input = h('input', { id, name: id, placeholder, autocomplete: 'off' });
    return { input, label };
  };
  const form = ({ input, label }, button, make) => {
    const node = h('form', { class: 'inline' },
      h('label', { for: input.id }, label), input, h('button', { type: 'submit' }, button));
    node.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) {
        input.focus();
        return;
      }
      try {
        await api.call('/api/inventory/decisions', { method: 'POST', body: make(value) });
        result.textContent = `${button}: recorded; discovery applies it at its next publish.`;
        toast(`${button}: recorded.`);
      } catch (error) {
        result.textContent = `${button} failed: ${error.message}`;
      }
    });
    return node;
  };
  const literal = `${parentOf(e.template)}/me`;
  return h('div', { class: 'actions' }, h('h3', {}, 'Decisions'),
    form(field('act-rename', 'Name this endpoint', e.name || 'List orders'), 'Rename',
      (v) => ({ decision: 'rename', method: e.method, template: e.template, name: v })),
    form(field('act-pin', 'Pin a literal path as its own endpoint (split)', literal), 'Pin',
      (v) => ({ decision: 'split', parent: parentOf(v), value: v.split('/').pop() })),
    form(field('act-merge', 'Merge this template into', '/api/other/{id}'), 'Merge',
      (v) => ({ decision: 'merge', method: e.method, from: e.template, into: v })),
    form(field('act-param', 'Treat every value under this path as a parameter', parentOf(e.template)), 'Force parameter',
      (v) => ({ decision: 'parameter', parent: v })),
    result);
}
