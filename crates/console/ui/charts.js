// Time-series charts drawn as SVG, sized to their container (redrawn when it
// resizes, so that labels keep their size at 390 px as at 1280 px). Each
// series has its own colour, dash pattern and legend entry with its total,
// so colour is never the only way to tell them apart.

import { h, s, num } from './dom.js';

const HEIGHT = 180;
const MIN_SPAN = 10 * 60 * 1000;
const SPARSE = 12;
const PAD = { top: 10, right: 12, bottom: 24, left: 44 };

// Round tick steps (1, 2, 5 x 10^n, at least 1: these are counts) for a
// maximum of `max`.
function ticks(max) {
  if (max <= 0) return [0, 1];
  const raw = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((c) => c >= raw);
  const out = [];
  for (let v = 0; v <= max + step / 2; v += step) out.push(v);
  if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

function clock(ms, span) {
  const d = new Date(ms);
  if (span > 2 * 86400e3) return d.toISOString().slice(5, 10);
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
}

function draw(box, spec) {
  const width = Math.max(260, Math.floor(box.clientWidth));
  const series = spec.series.filter((x) => x.points.length);
  const all = series.flatMap((x) => x.points);
  const times = all.map((p) => p[0]);
  const t1 = Math.max(...times);
  // At least ten minutes wide, so that a few points still read as a series.
  const t0 = Math.min(...times, t1 - MIN_SPAN);
  const top = ticks(Math.max(1, ...all.map((p) => p[1])));
  const vmax = top[top.length - 1];
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (width - PAD.left - PAD.right);
  const y = (v) => PAD.top + (1 - v / vmax) * (HEIGHT - PAD.top - PAD.bottom);
  const grid = top.map((v) => s('g', { class: 'tick' },
    s('line', { x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v) }),
    s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, num(v))));
  const labels = Math.max(2, Math.min(6, Math.floor(width / 110)));
  const xlabels = [];
  for (let i = 0; i < labels; i += 1) {
    const t = t0 + ((t1 - t0) * i) / (labels - 1);
    const anchor = i === 0 ? 'start' : i === labels - 1 ? 'end' : 'middle';
    xlabels.push(s('text', { x: x(t), y: HEIGHT - 6, 'text-anchor': anchor }, clock(t, t1 - t0)));
  }
  const lines = series.map((serie) => {
    const d = serie.points
      .map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
      .join('');
    // Sparse series get a dot at each point (a single point has no line).
    const dots = serie.points.length > SPARSE ? [] : serie.points
      .map((p) => s('circle', { class: `dot ${serie.class}`, cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 3 }));
    return s('g', {}, s('path', { class: `line ${serie.class}`, d }), dots);
  });
  const svg = s('svg', {
    width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img',
    'aria-label': spec.label,
  }, s('g', { class: 'axis' }, grid, xlabels), lines);
  box.replaceChildren(svg);
}

// The mitigation counts of a statistics bucket, as chart series:
// [key in a bucket, legend name, CSS class].
export const MITIGATIONS = [
  ['blocked', 'Blocked', 's1'],
  ['rate_limited', 'Rate limited', 's2'],
  ['banned', 'Banned', 's3'],
  ['would_block', 'Would block', 's4'],
];

// Series of `keys` from statistics buckets ({time, requests, blocked...}).
export function seriesOf(buckets, keys) {
  return keys.map(([key, name, cls]) => ({
    name,
    class: cls,
    points: buckets.map((b) => [new Date(b.time).getTime(), Number(b[key] ?? 0)])
      .filter((p) => Number.isFinite(p[0])),
  }));
}

// A line chart of `spec.series` ([{name, class, points: [[ms, value]...]}])
// with a legend; `spec.label` is its accessible name.
export function lineChart(spec) {
  const totals = spec.series.map((serie) => serie.points.reduce((sum, p) => sum + p[1], 0));
  const legend = h('ul', { class: 'legend' }, spec.series.map((serie, i) => h('li', {},
    s('svg', { width: 26, height: 10, 'aria-hidden': 'true' },
      s('path', { class: `line ${serie.class}`, d: 'M1,5L25,5' })),
    `${serie.name}: ${num(totals[i])}`)));
  const box = h('div', { class: 'chart' });
  const figure = h('figure', { class: 'chart-figure' }, box, h('figcaption', {}, legend));
  if (!spec.series.some((serie) => serie.points.length)) {
    box.append(h('p', { class: 'empty' }, 'No traffic in this period yet.'));
    return figure;
  }
  const observer = new ResizeObserver(() => draw(box, spec));
  observer.observe(box);
  return figure;
}
