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
      h('label', { for: 'policy-text' }, `Configuration (TOML)${policy.version ? `, version ${policy.version}` : ''}`), editor,
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'quiet', onclick: validate }, 'Validate'),
        h('button', { type: 'button', class: 'quiet', onclick: runReplay }, 'Replay on recorded traffic'),
        h('button', { type: 'button', onclick: applyText }, 'Apply')),
      result),
    section('Replay results', 'replay-title', replay),
    section('History', 'history-title', history));
  drawModes(await modesOf(policy));
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

async function validate() {
  try {
    const answer = await api.call('/api/policy/validate', { method: 'POST', body: { text: view.editor.value } });
    const problems = findings(answer.problems);
    const warnings = findings(answer.warnings);
    fill(view.result,
      problems.length
        ? [problem('The policy has problems:'), h('ul', {}, problems.map((e) => h('li', {}, e)))]
        : h('p', { class: 'ok' }, 'The policy is valid.'),
      warnings.length ? [h('p', {}, 'Warnings:'), h('ul', {}, warnings.map((e) => h('li', {}, e)))] : null);
  } catch (error) {
    fill(view.result, problem(`Not valid: ${error.message}`));
  }
}

async function applyText() {
  try {
    const answer = await api.call('/api/policy', { method: 'PUT', body: { text: view.editor.value } });
    fill(view.result, h('p', { class: 'ok' }, `Applied${answer?.version ? ` as version ${answer.version}` : ''}: new requests use this policy.`),
      answer?.diff ? diffView(answer.diff) : null);
    await Promise.all([loadText(), loadHistory()]);
  } catch (error) {
    fill(view.result, problem(`Not applied: ${error.message}`));
  }
}

// The modes, in the policy's answer or beside it.
async function modesOf(policy) {
  if (policy.modes) return policy;
  if (!(await api.offers('/api/policy/modes'))) return policy;
  return { ...policy, modes: await api.call('/api/policy/modes', { signal: view.signal }) };
}

// Reads the policy again (its text and modes change when a mode is switched).
async function loadText() {
  const policy = await modesOf(await api.call('/api/policy', { signal: view.signal }));
  view.editor.value = policy.text ?? '';
  drawModes(policy);
}

function counts(map) {
  return Object.entries(map || {}).map(([action, n]) => `${action.replace(/_/g, ' ')} ${num(n)}`).join(', ') || 'none';
}

async function runReplay() {
  fill(view.replay, h('p', { class: 'loading' }, 'Replaying recorded traffic…'));
  try {
    const report = await api.call('/api/policy/replay', { method: 'POST', body: { text: view.editor.value } });
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

async function loadHistory() {
  try {
    const data = await api.call('/api/policy/history', { signal: view.signal });
    const items = Array.isArray(data) ? data : data.items || [];
    fill(view.history, items.length
      ? h('ol', { class: 'history' }, items.map((item) => h('li', {},
        h('details', {},
          h('summary', {}, `Version ${item.version} · ${time(item.time)} · ${item.who}`),
          item.diff ? diffView(item.diff) : h('p', { class: 'empty' }, 'No diff recorded (the first version).')))))
      : h('p', { class: 'empty' }, 'No changes yet.'));
  } catch (error) {
    if (!view.signal.aborted) fill(view.history, problem(`The history could not be loaded: ${error.message}`));
  }
}
