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
const DRIFTS = [['', 'Any'], ['documented', 'Documented'], ['shadow', 'Shadow'], ['zombie', 'Zombie'], ['orphan', 'Orphan']];

let view = null;

function select(id, label, options, value) {
  return [h('label', { for: id }, label), h('select', { id, name: id },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)))];
}

export async function render(main, args, signal) {
  const q = h('input', { id: 'inv-q', type: 'search', name: 'q', placeholder: 'path, name or parameter', autocomplete: 'off' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter endpoints' },
    h('div', {}, h('label', { for: 'inv-q' }, 'Search'), q),
    h('div', {}, ...select('inv-method', 'Method', METHODS.map((m) => [m, m || 'Any']), '')),
    h('div', {}, ...select('inv-drift', 'Drift', DRIFTS, '')),
    h('div', {}, ...select('inv-risk', 'Risk at least', [['', 'Any'], ['40', 'Medium'], ['70', 'High']], '')));
  const tree = h('div', { class: 'tree', id: 'inv-tree', 'aria-live': 'polite', 'aria-busy': 'true' });
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

export function update(args) {
  view.selected = args[0];
  markSelected();
  showDetail(args[0]);
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
    fill(view.tree, buildTree(data.items || []));
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
  return h('div', {}, h('p', { class: 'count' }, `${num(items.length)} endpoints`),
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
  const drift = e.drift && e.drift !== 'documented' ? badge(e.drift) : null;
  return h('li', { class: 'leaf' },
    h('a', { href: `#/inventory/${encodeURIComponent(e.id)}`, 'data-id': e.id },
      method(e.method), h('span', { class: 'template' }, e.template)),
    ' ', risk(e.risk), ' ', drift,
    e.auth === 'none' || e.auth === false ? badge('no auth', 'warn') : null,
    (e.sensitive || []).length ? badge('sensitive', 'warn') : null,
    e.function ? h('span', { class: 'fn' }, String(e.function).replace('_', '-')) : null,
    h('span', { class: 'muted' }, ` ${num(e.requests)} req`));
}

async function showDetail(id) {
  if (!id) {
    fill(view.detail, h('p', { class: 'empty hint' }, 'Choose an endpoint to see its schema, parameters, risk and traffic.'));
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

function detailPanel(e) {
  const params = (e.parameters || []).map((p) => [
    h('code', {}, p.name), p.location ?? p.in ?? '–', p.type ?? text(p.types), p.required ? 'yes' : 'no',
    p.sensitive ? badge(text(p.sensitive), 'warn') : '–',
  ]);
  const reasons = e.risk?.reasons || [];
  const findings = (e.findings || []).map((f) => h('li', {},
    badge(f.severity || 'info'), ' ', f.title || f.kind || f.rule, f.evidence ? ` – ${text(f.evidence)}` : ''));
  const series = (e.traffic || e.series || []).map((p) => [new Date(p.time ?? p.t).getTime(), Number(p.requests ?? p.count ?? 0)]);
  return h('section', { class: 'card', 'aria-labelledby': 'detail-title' },
    h('h2', { id: 'detail-title' }, method(e.method), ' ', e.template),
    facts([
      ['Host', e.host || 'any'],
      ['Name', e.name],
      ['Risk', [risk(e.risk)]],
      ['Drift', e.drift || 'documented'],
      ['Authentication', text(e.auth)],
      ['Sensitive data', text(e.sensitive)],
      ['Business function', text(e.function)],
      ['Requests', num(e.requests)],
      ['First seen', time(e.first_seen)],
      ['Last seen', e.last_seen ? `${time(e.last_seen)} (${ago(e.last_seen)})` : undefined],
    ]),
    h('h3', {}, 'Why this risk'),
    reasons.length ? h('ul', {}, reasons.map((r) => h('li', {}, text(r)))) : h('p', { class: 'empty' }, 'No risk factors.'),
    findings.length ? [h('h3', {}, 'Findings'), h('ul', {}, findings)] : null,
    h('h3', {}, 'Traffic'),
    lineChart({ label: `Requests to ${e.method} ${e.template}`, series: [{ name: 'Requests', class: 's0', points: series }] }),
    h('h3', {}, 'Parameters'),
    table(`Parameters of ${e.method} ${e.template}`, ['Name', 'Where', 'Type', 'Required', 'Sensitive'], params, 'No parameters seen.'),
    schemas(e),
    actions(e));
}

function schemas(e) {
  const list = Object.entries(e.schemas || {}).filter(([, v]) => v);
  if (!list.length) return null;
  return [h('h3', {}, 'Schemas'), list.map(([name, schema]) => h('details', {},
    h('summary', {}, name.replace(/_/g, ' ')), h('pre', { class: 'code', tabindex: '0' }, JSON.stringify(schema, null, 2))))];
}

// Operators' decisions on the template: pin a literal path, merge this
// template into another, split it at a parameter.
function actions(e) {
  const result = h('p', { role: 'status', class: 'help' });
  const decide = async (decision, label) => {
    try {
      await api.call('/api/inventory/decisions', { method: 'POST', body: decision });
      result.textContent = `${label}: recorded; discovery applies it at its next publish.`;
      toast(`${label}: recorded.`);
    } catch (error) {
      result.textContent = `${label} failed: ${error.message}`;
    }
  };
  const pin = h('input', { id: 'act-pin', name: 'pin', placeholder: e.template.replace(/\{[^}]+\}/g, 'me'), autocomplete: 'off' });
  const merge = h('input', { id: 'act-merge', name: 'merge', placeholder: '/api/other/{id}', autocomplete: 'off' });
  const split = h('input', { id: 'act-split', name: 'split', placeholder: e.template, autocomplete: 'off' });
  const form = (label, input, button, make) => {
    const node = h('form', { class: 'inline' },
      h('label', { for: input.id }, label), input, h('button', { type: 'submit' }, button));
    node.addEventListener('submit', (event) => {
      event.preventDefault();
      if (input.value.trim()) decide(make(input.value.trim()), button);
      else input.focus();
    });
    return node;
  };
  return h('div', { class: 'actions' }, h('h3', {}, 'Decisions'),
    form('Pin a literal path (kept apart from the template)', pin, 'Pin',
      (v) => ({ kind: 'pin', method: e.method, host: e.host, path: v })),
    form('Merge this template into', merge, 'Merge',
      (v) => ({ kind: 'merge', method: e.method, host: e.host, from: e.template, into: v })),
    form('Force a template (split this one)', split, 'Split',
      (v) => ({ kind: 'force', method: e.method, host: e.host, template: v })),
    result);

}
