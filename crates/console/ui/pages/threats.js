// Threats: the timeline of security events, newest first, each named by the
// business flow it abuses (flows.js), with a drill-down into why the
// decision was made (detector or rule, value, location, score), filters, older
// pages by cursor, and live updates from the event stream.

import { h, fill, num, time, badge, problem, table, section } from '../dom.js';
import { lineChart, seriesOf, MITIGATIONS } from '../charts.js';
import * as api from '../api.js';
import { nameThreat, sources, botBadge } from '../flows.js';

const RANGES = [['900', 'Last 15 minutes'], ['3600', 'Last hour'], ['86400', 'Last 24 hours'], ['604800', 'Last 7 days']];
const ACTIONS = ['', 'block', 'rate_limit', 'ban', 'deceive', 'monitor', 'would_block', 'would_rate_limit', 'would_ban', 'would_deceive'];

let view = null;

function field(id, label, control) {
  return h('div', {}, h('label', { for: id }, label), control);
}

export async function render(main, _args, signal, query) {
  const input = (id, name, placeholder) => h('input', {
    id, name, placeholder, autocomplete: 'off', value: query.get(name) || '',
  });
  const form = h('form', { class: 'filters', 'aria-label': 'Filter events' },
    field('ev-range', 'Period', h('select', { id: 'ev-range', name: 'range' },
      RANGES.map(([v, t]) => h('option', { value: v, selected: v === '3600' }, t)))),
    field('ev-client', 'Client', input('ev-client', 'client', '203.0.113.7')),
    field('ev-endpoint', 'Endpoint', h('select', { id: 'ev-endpoint', name: 'endpoint' },
      h('option', { value: '' }, 'Any'))),
    field('ev-action', 'Action', h('select', { id: 'ev-action', name: 'action' },
      ACTIONS.map((a) => h('option', { value: a, selected: a === (query.get('action') || '') }, a ? a.replace(/_/g, ' ') : 'Any')))),
    field('ev-detector', 'Detector or rule', input('ev-detector', 'detector', 'behave.ato')),
    h('div', {}, h('button', { type: 'submit' }, 'Apply')));
  const live = h('input', { type: 'checkbox', id: 'ev-live', checked: true });
  const list = h('ol', { class: 'timeline', id: 'ev-list', 'aria-label': 'Security events, newest first' });
  const more = h('button', { type: 'button', class: 'quiet', hidden: true }, 'Load older events');
  const status = h('p', { class: 'count', role: 'status' });
  const timeline = h('div', { id: 'ev-timeline' });
  main.append(form, section('Mitigations over the period', 'ev-timeline-title', timeline),
    h('div', { class: 'page-tools' }, status, h('label', { class: 'switch', for: 'ev-live' }, live, ' Live updates')),
    list, more);
  view = { form, list, more, status, timeline, signal, cursor: null, shown: 0, endpoints: [] };
  await loadEndpoints(query.get('endpoint'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load(false);
  });
  more.addEventListener('click', () => load(true));
  live.addEventListener('change', () => {
    view.paused = !live.checked;
  });
  await load(false);
  follow(signal);
}

// A template as a regular expression over paths: "/users/{id}" matches
// "/users/42".
function templatePattern(template) {
  const escape = (part) => part.replace(/[.*+?^$(){}|[\]\\]/g, '\\$&');
  return new RegExp(`^${template.split(/\{[^}]*\}/).map(escape).join('[^/]+')}$`);
}

// The inventory's endpoints: the choices of the endpoint filter, and the
// business function of an event's path (which names its threat).
async function loadEndpoints(selected) {
  try {
    const data = await api.call('/api/endpoints?limit=500', { signal: view.signal });
    view.endpoints = (data.items || []).filter((e) => e.drift !== 'orphan').map((e) => ({
      ...e,
      pattern: templatePattern(e.template),
    }));
  } catch (error) {
    if (error.status !== 409) throw error;
  }
  const select = view.form.elements.endpoint;
  select.append(...view.endpoints.map((e) => h('option', { value: e.id, selected: e.id === selected }, `${e.method} ${e.template}`)));
}

function endpointOf(event) {
  const path = String(event.path || '').split('?')[0];
  return view.endpoints.find((e) => e.method === event.method && e.pattern.test(path));
}

function filters() {
  const f = view.form.elements;
  const now = Date.now();
  return {
    from: new Date(now - Number(f.range.value) * 1000).toISOString(),
    client: f.client.value.trim(),
    endpoint: f.endpoint.value,
    action: f.action.value,
    detector: f.detector.value.trim(),
  };
}

// The gateway's mitigations over the chosen period, about 120 buckets.
async function drawTimeline() {
  const seconds = Number(view.form.elements.range.value);
  const step = Math.max(60, Math.ceil(seconds / 120 / 60) * 60);
  const from = new Date(Date.now() - seconds * 1000).toISOString();
  try {
    const stats = await api.call(api.withQuery('/api/stats', { from, step }), { signal: view.signal });
    fill(view.timeline, lineChart({
      label: 'Blocks, rate limits, bans and monitor-mode decisions over the period',
      series: seriesOf(stats.series || [], MITIGATIONS),
    }));
  } catch (error) {
    if (!view.signal.aborted) fill(view.timeline, problem(`The statistics could not be loaded: ${error.message}`));
  }
}

async function load(older) {
  const drawing = older ? null : drawTimeline();
  const params = { ...filters(), limit: 50, cursor: older ? view.cursor : undefined };
  try {
    const data = await api.call(api.withQuery('/api/events', params), { signal: view.signal });
    const items = data.items || [];
    if (!older) {
      view.shown = 0;
      fill(view.list);
    }
    view.list.append(...items.map(row));
    view.shown += items.length;
    view.cursor = data.next_cursor || null;
    view.more.hidden = !view.cursor;
    view.status.textContent = shownText();
  } catch (error) {
    if (!view.signal.aborted) fill(view.list, h('li', {}, problem(`The events could not be loaded: ${error.message}`)));
  }
  await drawing;
}

function shownText() {
  if (!view.shown) return 'No security events match in this period.';
  return view.shown === 1 ? '1 event shown' : `${num(view.shown)} events shown`;
}

// Whether a live event passes the filters the user set.
function matches(event) {
  const f = filters();
  return (!f.client || event.client_ip === f.client)
    && (!f.endpoint || endpointOf(event)?.id === f.endpoint)
    && (!f.action || event.action === f.action)
    && (!f.detector || sources(event).some((s) => s.includes(f.detector)));
}

async function follow(signal) {
  const indicator = document.getElementById('live');
  for (let attempt = 0; attempt < 20 && !signal.aborted; attempt += 1) {
    try {
      await api.stream('/api/events/stream', signal, () => {
        indicator.textContent = 'Live';
        indicator.className = 'live on';
      }, (name, data) => {
        if (name === 'lost') {
          view.status.textContent = `${shownText()} (the stream fell behind and skipped ${data}: Apply to reload)`;
          return;
        }
        if (name !== 'security' || view.paused) return;
        const event = JSON.parse(data);
        if (!matches(event)) return;
        view.list.prepend(row(event));
        view.shown += 1;
        view.status.textContent = shownText();
      });
    } catch (error) {
      if (error.status === 401) break;
    }
    if (signal.aborted) break;
    indicator.textContent = 'Reconnecting…';
    indicator.className = 'live off';
    await new Promise((resolve) => { setTimeout(resolve, 2000); });
  }
  indicator.textContent = '';
  indicator.className = 'live';
}

function row(event) {
  const names = sources(event);
  const named = nameThreat(names, endpointOf(event)?.function);
  const action = event.action || 'signal';
  const repeats = event.count > 1 ? ` ×${num(event.count)}` : '';
  const client = event.client_ip;
  const reasons = (event.reasons || []).map((r) => [
    h('code', {}, r.source ?? r.detector ?? '–'),
    r.location ?? '–',
    h('code', { class: 'evidence' }, r.evidence ?? r.value ?? '–'),
    num(r.score),
    r.rule ?? (String(r.source || '').startsWith('rule:') ? r.source.slice(5) : '–'),
  ]);
  return h('li', { class: `event a-${action}` },
    h('details', {},
      h('summary', {},
        h('span', { class: 'when' }, time(event.time)),
        h('span', { class: 'what' }, h('strong', {}, named.threat), named.how ? h('span', { class: 'muted' }, ` · ${named.how}`) : null),
        badge(action.replace(/_/g, ' '), `act-${action}`),
        h('span', { class: 'where' }, `${event.method || ''} ${event.path || ''}`),
        h('span', { class: 'who' }, client ? `from ${client}` : '', repeats),
        botBadge(event.bot)),
      h('div', { class: 'why' },
        h('p', {}, `Score ${num(event.score)}`, event.status ? `, answered ${event.status}` : '',
          event.request_id ? `, request ${event.request_id}` : '', event.route ? `, route ${event.route}` : ''),
        h('h3', {}, 'Why this decision'),
        table('Why this decision', ['Detector or signal', 'Location', 'Value', 'Score', 'Rule'], reasons,
          'No reasons were recorded.'),
        client ? h('p', {}, h('a', { href: `#/clients?client=${encodeURIComponent(client)}` }, `See client ${client}`)) : null)));
}
