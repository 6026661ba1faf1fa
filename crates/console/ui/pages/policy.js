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
  editor.value = policy.text ?? policy.toml ?? '';
  const result = h('div', { id: 'policy-result', role: 'status', class: 'help' });
  const history = h('div', { id: 'policy-history' });
  const replay = h('div', { id: 'policy-replay', role: 'status' });
  view = { policy, modes, editor, result, history, replay, signal };
  main.append(
    section('Monitor or enforce', 'modes-title',
      h('p', { class: 'help' }, 'Monitor records what would have been done and changes nothing; enforce acts.'), modes),
    section('Policy', 'text-title',
      h('label', { for: 'policy-text' }, 'Policy (TOML)'), editor,
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

// One switch per scope and rule: checked means enforce.
function drawModes(policy) {
  const entries = policy.modes || policy.scopes || [];
  if (!entries.length) {
    fill(view.modes, h('p', { class: 'empty' }, 'This policy has no scopes or rules.'));
    return;
  }
  const rows = entries.map((entry) => {
    const id = `mode-${entry.scope}-${entry.name}`.replace(/[^a-zA-Z0-9_-]/g, '_');
    const state = h('span', { class: 'mode-state' }, entry.mode);
    const box = h('input', {
      type: 'checkbox', role: 'switch', id, checked: entry.mode === 'enforce',
      'data-scope': entry.scope, 'data-name': entry.name,
    });
    box.addEventListener('change', async () => {
      const mode = box.checked ? 'enforce' : 'monitor';
      box.disabled = true;
      try {
        await api.call('/api/policy/mode', { method: 'POST', body: { scope: entry.scope, name: entry.name, mode } });
        entry.mode = mode;
        state.textContent = mode;
        toast(`${entry.scope} ${entry.name}: ${mode}.`);
        await loadHistory();
      } catch (error) {
        box.checked = !box.checked;
        toast(`The mode could not be changed: ${error.message}`);
      }
      box.disabled = false;
    });
    return [
      h('span', {}, h('span', { class: 'muted' }, entry.scope), ' ', h('strong', {}, entry.name || 'default')),
      h('label', { class: 'switch', for: id }, box, h('span', { class: 'sr-only' }, `Enforce ${entry.scope} ${entry.name}`), ' Enforce'),
      state,
    ];
  });
  fill(view.modes, table('Modes by scope and rule', ['Scope or rule', 'Switch', 'Now'], rows));
}

function problems(answer) {
  const list = answer?.errors || answer?.problems || [];
  return list.map((p) => (typeof p === 'string' ? p : `${p.key || p.path || ''}: ${p.message || JSON.stringify(p)}`));
}

async function validate() {
  try {
    const answer = await api.call('/api/policy/validate', { method: 'POST', body: { text: view.editor.value } });
    const errors = problems(answer);
    fill(view.result, errors.length
      ? [problem('The policy has errors:'), h('ul', {}, errors.map((e) => h('li', {}, e)))]
      : h('p', { class: 'ok' }, 'The policy is valid.'));
  } catch (error) {
    fill(view.result, problem(`Not valid: ${error.message}`));
  }
}

async function applyText() {
  try {
    const answer = await api.call('/api/policy', { method: 'PUT', body: { text: view.editor.value } });
    fill(view.result, h('p', { class: 'ok' }, 'Applied: new requests use this policy.'));
    if (answer && (answer.modes || answer.scopes)) drawModes(answer);
    await loadHistory();
  } catch (error) {
    fill(view.result, problem(`Not applied: ${error.message}`));
  }
}

async function runReplay() {
  fill(view.replay, h('p', { class: 'loading' }, 'Replaying recorded traffic…'));
  try {
    const answer = await api.call('/api/policy/replay', { method: 'POST', body: { text: view.editor.value } });
    const changes = answer.changes || answer.items || [];
    const rows = changes.slice(0, 100).map((c) => [
      time(c.time), `${c.method || ''} ${c.path || ''}`, c.client || c.client_ip || '–',
      `${c.before ?? c.current ?? '–'} → ${c.after ?? c.proposed ?? '–'}`,
    ]);
    fill(view.replay,
      h('p', {}, `${num(answer.exchanges ?? answer.replayed)} recorded exchanges replayed; ${num(answer.changed ?? changes.length)} decisions would change.`),
      table('Decisions that would change', ['Time', 'Request', 'Client', 'Decision'], rows, 'No decision would change.'));
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
    const items = data.items || [];
    fill(view.history, items.length
      ? h('ol', { class: 'history' }, items.map((item) => h('li', {},
        h('details', {},
          h('summary', {}, `${time(item.time)} · ${item.who || item.actor || 'unknown'} · ${item.what || item.summary || 'change'}`),
          diffView(item.diff)))))
      : h('p', { class: 'empty' }, 'No changes yet.'));
  } catch (error) {
    if (!view.signal.aborted) fill(view.history, problem(`The history could not be loaded: ${error.message}`));
  }
}
