// Policy: monitor or enforce per scope and per rule (switches), the policy
// text with validation and hot apply, the history of changes with their
// diffs, and a replay of a proposed policy on recorded traffic. The policy
// API is optional: where the gateway does not offer it, the page says so.

import { h, fill, num, time, section, table, problem, toast } from '../dom.js';
import * as api from '../api.js';

let view = null;

export async function render(main, _args, signal) {
  if (!(await api.offers('/api/policy'))) {
    main.append(unavailable());
    return;
  }
  let policy;
  try {
    policy = await api.call('/api/policy', { signal });
  } catch (error) {
    if (error.status === 404) {
      main.append(unavailable());
      return;
    }
    throw error;
  }
  const modes = h('div', { id: 'policy-modes' });
  const editor = h('textarea', {
    id: 'policy-text', name: 'policy', rows: 18, spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': 'policy-result',
  });
  editor.value = policy.text ?? '';
  const result = h('div', { id: 'policy-result', role: 'status', class: 'help' });
  const history = h('div', { id: 'policy-history' });
  const replay = h('div', { id: 'policy-replay', role: 'status' });
  view = { policy, modes, editor, result, history, replay, signal };
  main.append(
    section('Monitor or enforce', 'modes-title',
      h('p', { class: 'help' }, 'Monitor records what would have been done and changes nothing; enforce acts.'), modes),
    section('Policy', 'text-title',
      h('label', { for: 'policy-text', id: 'policy-text-label' }, textLabel(policy)), editor,
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'quiet', onclick: validate }, 'Validate'),
        h('button', { type: 'button', class: 'quiet', onclick: runReplay }, 'Replay on recorded traffic'),
        h('button', { type: 'button', onclick: applyText }, 'Apply')),
      result),
    section('Replay results', 'replay-title', replay),
    section('History', 'history-title', history));
  drawModes(policy);
  fill(replay, h('p', { class: 'empty' }, 'Replay the policy above to see what it would change on recorded traffic.'));
  await loadHistory();
}

function unavailable() {
  return section('Not available', 'na-title',
    h('p', {}, 'Policy management is not available on this gateway: it does not serve /api/policy.'),
    h('p', { class: 'help' }, 'Policies are still read from the configuration file, which the gateway reloads when it changes.'));
}

// The modes of a policy answer as rows: routes and functions (scopes the
// API can switch), endpoints (shown, set in the text), rules.
function modeRows(modes) {
  const scoped = (scope, list, settable) => (list || []).map((m) => ({ scope, settable, ...m }));
  return [
    ...scoped('route', modes.routes, true),
    ...scoped('function', modes.functions, true),
    ...scoped('endpoint', modes.endpoints, false),
    ...scoped('rule', modes.rules, true),
  ];
}

// One switch per route, function and rule: checked means enforce.
function drawModes(policy) {
  const modes = policy.modes || {};
  const entries = modeRows(modes);
  const defaults = h('p', {}, 'Default for everything not set below: ', h('strong', {}, modes.defaults || 'enforce'), '.');
  if (!entries.length) {
    fill(view.modes, defaults, h('p', { class: 'empty' }, 'No routes, functions or rules to set.'));
    return;
  }
  const rows = entries.map((entry) => {
    const id = `mode-${entry.scope}-${entry.name}`.replace(/[^a-zA-Z0-9_-]/g, '_');
    const state = h('span', { class: `badge ${entry.mode === 'enforce' ? 'act-block' : 'none'}` }, entry.mode);
    const box = h('input', {
      type: 'checkbox', role: 'switch', id, checked: entry.mode === 'enforce', disabled: !entry.settable,
      'data-scope': entry.scope, 'data-name': entry.name,
    });
    box.addEventListener('change', async () => {
      const mode = box.checked ? 'enforce' : 'monitor';
      box.disabled = true;
      try {
        await api.call('/api/policy/mode', { method: 'POST', body: { scope: entry.scope, name: entry.name, mode } });
        entry.mode = mode;
        state.textContent = mode;
        state.className = `badge ${mode === 'enforce' ? 'act-block' : 'none'}`;
        toast(`${entry.scope} ${entry.name}: ${mode}.`);
        await Promise.all([loadText(), loadHistory()]);
      } catch (error) {
        box.checked = !box.checked;
        toast(`The mode could not be changed: ${error.message}`);
      }
      box.disabled = false;
      // The table was drawn again from the gateway's answer: focus stays on
      // this switch.
      document.getElementById(id)?.focus();
    });
    const what = entry.scope === 'rule' ? h('span', { class: 'help' }, ` ${entry.action} when `, h('code', {}, entry.when)) : null;
    return [
      h('span', {}, h('span', { class: 'muted' }, `${entry.scope} `), h('strong', {}, entry.name), what),
      h('label', { class: 'switch', for: id }, box, ` Enforce ${entry.scope} ${entry.name}`),
      [state, entry.explicit ? '' : h('span', { class: 'muted' }, ' (default)')],
    ];
  });
  fill(view.modes, defaults, table('Modes by route, function and rule', ['Scope', 'Switch', 'Now'], rows));
}

function findings(list) {
  return (list || []).map((p) => (typeof p === 'string' ? p : `${p.key ? `${p.key}: ` : ''}${p.message}`));
}

// The loader's problems and warnings, from an answer or a refusal.
function findingsView(answer, okText) {
  const problems = findings(answer.problems);
  const warnings = findings(answer.warnings);
  return [
    problems.length
      ? [problem('The configuration has problems:'), h('ul', {}, problems.map((e) => h('li', {}, e)))]
      : h('p', { class: 'ok' }, okText),
    warnings.length ? [h('p', {}, 'Warnings:'), h('ul', {}, warnings.map((e) => h('li', {}, e)))] : null,
  ];
}

async function validate() {
  try {
    const answer = await api.call('/api/policy/validate', { method: 'POST', body: { policy: view.editor.value } });
    fill(view.result, findingsView(answer, 'The configuration is valid.'));
  } catch (error) {
    fill(view.result, error.body.problems ? findingsView(error.body) : problem(`Not valid: ${error.message}`));
  }
}

async function applyText() {
  try {
    const answer = await api.call('/api/policy', { method: 'PUT', body: { policy: view.editor.value } });
    fill(view.result,
      findingsView(answer, `Applied${answer?.version ? ` as version ${answer.version}` : ''}: new requests use this configuration.`),
      answer?.diff ? diffView(answer.diff) : null);
    await Promise.all([loadText(), loadHistory()]);
  } catch (error) {
    fill(view.result, problem(`Not applied: ${error.message}`),
      error.body.problems ? findingsView(error.body) : null);
  }
}

function textLabel(policy) {
  return `Configuration (TOML)${policy.version ? `, version ${policy.version}` : ''}`;
}

// Reads the policy again (its text, version and modes change when a mode
// is switched).
async function loadText() {
  const policy = await api.call('/api/policy', { signal: view.signal });
  view.editor.value = policy.text ?? '';
  document.getElementById('policy-text-label').textContent = textLabel(policy);
  drawModes(policy);
}

function counts(map) {
  return Object.entries(map || {}).map(([action, n]) => `${action.replace(/_/g, ' ')} ${num(n)}`).join(', ') || 'none';
}

async function runReplay() {
  fill(view.replay, h('p', { class: 'loading' }, 'Replaying recorded traffic…'));
  try {
    const report = await api.call('/api/policy/replay', { method: 'POST', body: { policy: view.editor.value } });
    const transitions = (report.transitions || []).map((tr) => [
      `${tr.from.replace(/_/g, ' ')} → ${tr.to.replace(/_/g, ' ')}`, num(tr.count),
      Object.entries(tr.causes || {}).map(([cause, n]) => `${cause} (${num(n)})`).join(', ') || '–',
    ]);
    const changes = (report.changes || []).slice(0, 100).map((c) => [
      h('code', {}, `${c.method} ${c.path}`),
      `${c.before?.action ?? '–'} → ${c.after?.action ?? '–'}`,
      c.responsible || c.after?.cause || '–',
    ]);
    fill(view.replay,
      h('p', {}, `${num(report.records)} recorded exchanges replayed${report.truncated ? ' (the most recent ones)' : ''}; `,
        h('strong', {}, `${num(report.changed)} decisions would change`), '.'),
      h('p', { class: 'help' }, `Now: ${counts(report.current)}. Proposed: ${counts(report.proposed)}.`),
      table('How decisions would change', ['Change', 'Exchanges', 'Because of'], transitions, 'No decision would change.'),
      changes.length ? [h('h3', {}, 'Exchanges that would change'),
        table('Exchanges that would change', ['Request', 'Decision', 'Responsible'], changes)] : null);
  } catch (error) {
    fill(view.replay, problem(`The replay failed: ${error.message}`));
  }
}

function diffView(text) {
  return h('pre', { class: 'code diff', tabindex: '0' }, String(text || '').split('\n').map((line) => {
    const kind = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'same';
    return h('span', { class: kind }, `${line}\n`);
  }));
}

// One version in the history: its diff is fetched when it is opened.
function historyItem(item) {
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading the diff…'));
  const details = h('details', {},
    h('summary', {}, `Version ${item.version} · ${time(item.time)} · ${item.who}`), body);
  details.addEventListener('toggle', async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = 'yes';
    try {
      const version = await api.call(`/api/policy/history/${encodeURIComponent(item.version)}`, { signal: view.signal });
      fill(body, version.diff ? diffView(version.diff) : h('p', { class: 'empty' }, 'The first version: nothing to compare with.'));
    } catch (error) {
      delete details.dataset.loaded;
      fill(body, problem(`The diff could not be loaded: ${error.message}`));
    }
  });
  return h('li', {}, details);
}

async function loadHistory() {
  try {
    const data = await api.call('/api/policy/history', { signal: view.signal });
    const items = data.items || [];
    fill(view.history, items.length
      ? h('ol', { class: 'history', 'aria-label': 'Versions, newest first' }, items.map(historyItem))
      : h('p', { class: 'empty' }, 'No changes yet.'));
  } catch (error) {
    if (!view.signal.aborted) fill(view.history, problem(`The history could not be loaded: ${error.message}`));
  }
}
