// Overview: the last hour at a glance: totals, traffic and mitigations over
// time (SVG charts), the top threats by name and the riskiest endpoints.

import { h, num, section, table, method, risk } from '../dom.js';
import * as api from '../api.js';
import { lineChart, seriesOf, MITIGATIONS } from '../charts.js';
import { nameThreat } from '../flows.js';

// [key in a series point, legend name, CSS class]
const TRAFFIC = [['requests', 'Requests', 's0']];

function tile(label, value, kind) {
  return h('div', { class: `tile ${kind}` }, h('span', { class: 'tile-label' }, label),
    h('span', { class: 'tile-value' }, num(value)));
}

export async function render(main, _args, signal) {
  const data = await api.call('/api/overview', { signal });
  const totals = data.totals || {};
  const points = data.series || [];
  main.append(
    h('p', { class: 'lede' }, 'The last hour on this gateway.'),
    h('div', { class: 'tiles' },
      tile('Requests', totals.requests, 's0'),
      tile('Blocked', totals.blocked, 's1'),
      tile('Rate limited', totals.rate_limited, 's2'),
      tile('Banned requests', totals.banned, 's3'),
      tile('Would block (monitor)', totals.would_block, 's4'),
      tile('Deceived', totals.deceived, 's4'),
      tile('Bans in force', data.active_bans, 's3')),
    h('div', { class: 'grid2' },
      section('Traffic', 'traffic-title',
        lineChart({ label: 'Requests over the last hour', series: seriesOf(points, TRAFFIC) })),
      section('Mitigations', 'mitigations-title',
        lineChart({ label: 'Blocks, rate limits and bans over the last hour', series: seriesOf(points, MITIGATIONS) }))),
    h('div', { class: 'grid2' },
      section('Top threats', 'threats-title', topThreats(data.top_threats || [])),
      section('Top endpoints by risk', 'risky-title', topEndpoints(data.top_endpoints || []))),
  );
}

function topThreats(items) {
  const rows = items.map((item) => {
    const names = [item.detector].filter(Boolean);
    const named = nameThreat(names, item.flow);
    return [
      h('a', { href: `#/threats?detector=${encodeURIComponent(names[0] || '')}` }, named.threat),
      h('code', {}, names[0] || '–'),
      num(item.count ?? item.events),
    ];
  });
  return table('Top threats in the last hour', ['Threat', 'Detector or rule', 'Events'], rows,
    'No threats in the last hour.');
}

function topEndpoints(items) {
  const rows = items.map((e) => [
    h('a', { href: `#/inventory/${encodeURIComponent(e.id)}`, class: 'endpoint' },
      method(e.method), e.template),
    risk(e.risk),
    (e.risk?.reasons || []).slice(0, 2).join('; ') || '–',
  ]);
  return table('Top endpoints by risk', ['Endpoint', 'Risk', 'Why'], rows,
    'No endpoints discovered yet: send traffic through the gateway.');
}
