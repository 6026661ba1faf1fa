// Clients: the top offenders with the signals they raised (named by the
// threat they stand for), ban and unban behind a confirmation dialog, and
// the list of bans in force.

import { h, fill, num, time, ago, badge, section, table, problem, toast } from '../dom.js';
import * as api from '../api.js';
import { nameThreat, botBadge } from '../flows.js';

let view = null;

export async function render(main, _args, signal, query) {
  const offenders = h('div', { id: 'offenders', 'aria-busy': 'true' });
  const bans = h('div', { id: 'bans', 'aria-busy': 'true' });
  const manual = banForm();
  main.append(
    section('Top offenders', 'offenders-title', offenders),
    h('div', { class: 'grid2' },
      section('Bans in force', 'bans-title', bans), section('Ban by hand', 'manual-title', manual)),
    dialog());
  view = { offenders, bans, signal, focus: query.get('client') };
  await Promise.all([loadOffenders(), loadBans()]);
}

async function loadOffenders() {
  try {
    const data = await api.call('/api/clients', { signal: view.signal });
    const rows = (data.items || []).map((c) => {
      const value = c.client;
      const signals = (c.signals || []).map((sig) => h('li', {},
        nameThreat([sig.detector]).threat, ' ', h('code', {}, sig.detector), ` ×${num(sig.count)}`));
      const button = c.banned
        ? h('button', { type: 'button', class: 'quiet', 'aria-label': `Unban ${value}`, onclick: () => confirmUnban('network', value) }, 'Unban')
        : h('button', { type: 'button', class: 'danger', 'aria-label': `Ban ${value}`, onclick: () => confirmBan('network', value) }, 'Ban');
      const name = h('code', { class: 'client' }, value);
      return [
        h('span', { class: 'client-cell' }, view.focus === value ? h('mark', {}, name) : name,
          botBadge(c.bot)),
        signals.length ? h('ul', { class: 'signals' }, signals) : '–',
        num(c.events),
        num(c.blocked),
        num(c.max_score),
        c.last_seen ? ago(c.last_seen) : '–',
        c.banned ? badge(c.banned_until ? `banned until ${time(c.banned_until)}` : 'banned', 'high') : badge('allowed', 'none'),
        h('span', { class: 'row-actions' }, button, h('a', { href: `#/threats?client=${encodeURIComponent(value)}` }, 'Events')),
      ];
    });
    fill(view.offenders, table('Top offenders', ['Client', 'Signals', 'Events', 'Blocked', 'Top score', 'Last seen', 'State', 'Actions'], rows,
      'No client has raised a signal yet.'));
  } catch (error) {
    if (!view.signal.aborted) fill(view.offenders, problem(`The clients could not be loaded: ${error.message}`));
  }
  view.offenders.setAttribute('aria-busy', 'false');
}

async function loadBans() {
  try {
    const data = await api.call('/api/bans', { signal: view.signal });
    const rows = (data.items || []).map((b) => {
      const { kind, value } = b.target;
      return [
        h('code', {}, value), kind.replace(/_/g, ' '), b.reason || '–',
        time(b.until), num(b.offences),
        h('button', { type: 'button', class: 'quiet', 'aria-label': `Unban ${value}`, onclick: () => confirmUnban(kind, value) }, 'Unban'),
      ];
    });
    fill(view.bans, table('Bans in force', ['Target', 'Kind', 'Reason', 'Until', 'Offences', 'Action'], rows, 'No bans in force.'));
  } catch (error) {
    if (!view.signal.aborted) fill(view.bans, problem(`The bans could not be loaded: ${error.message}`));
  }
  view.bans.setAttribute('aria-busy', 'false');
}

function banForm() {
  const kind = h('select', { id: 'ban-kind', name: 'kind' },
    [['network', 'Address or network'], ['api_key', 'API key'], ['user', 'User'], ['fingerprint', 'Fingerprint']]
      .map(([v, t]) => h('option', { value: v }, t)));
  const value = h('input', { id: 'ban-value', name: 'value', required: true, autocomplete: 'off', placeholder: '203.0.113.0/24' });
  const form = h('form', { class: 'stack' },
    h('label', { for: 'ban-kind' }, 'Kind'), kind,
    h('label', { for: 'ban-value' }, 'Target'), value,
    h('button', { type: 'submit', class: 'danger' }, 'Ban…'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (value.value.trim()) confirmBan(kind.value, value.value.trim());
  });
  return form;
}

function dialog() {
  const box = h('dialog', { id: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
    h('form', { method: 'dialog', class: 'stack' },
      h('h2', { id: 'confirm-title' }),
      h('p', { id: 'confirm-text' }),
      h('div', { id: 'confirm-extra' }),
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', value: 'cancel', class: 'quiet' }, 'Cancel'),
        h('button', { type: 'submit', value: 'ok', id: 'confirm-ok', class: 'danger' }, 'Confirm'))));
  return box;
}

// Asks for confirmation in the modal dialog; resolves with the dialog's form
// when confirmed, null when cancelled.
function ask(title, text, okLabel, extra) {
  const box = document.getElementById('confirm');
  box.querySelector('#confirm-title').textContent = title;
  box.querySelector('#confirm-text').textContent = text;
  box.querySelector('#confirm-ok').textContent = okLabel;
  fill(box.querySelector('#confirm-extra'), extra || []);
  box.returnValue = '';
  box.showModal();
  return new Promise((resolve) => {
    box.addEventListener('close', () => resolve(box.returnValue === 'ok' ? box : null), { once: true });
  });
}

// Draws both lists again, then puts the focus on the button that now
// stands where the user acted (the dialog's opener was replaced), else on
// the heading of `fallback`.
async function refresh(label, fallback) {
  await Promise.all([loadOffenders(), loadBans()]);
  const next = [...document.querySelectorAll('#main button')].find((b) => b.getAttribute('aria-label') === label);
  (next || document.getElementById(fallback)).focus();
}

// A single address as the offenders list names it: "192.0.2.1/32" -> "192.0.2.1".
function address(value) {
  return String(value).replace(/\/(32|128)$/, '');
}

async function confirmBan(kind, value) {
  const reason = h('input', { id: 'ban-reason', name: 'reason', value: 'banned from the console', autocomplete: 'off' });
  const box = await ask(`Ban ${value}?`,
    `Every request from this ${kind.replace('_', ' ')} will be refused until the ban ends or is lifted.`,
    'Ban', [h('label', { for: 'ban-reason' }, 'Reason (recorded in the audit log)'), reason]);
  if (!box) return;
  try {
    await api.call('/api/bans', { method: 'POST', body: { [kind]: value, reason: reason.value } });
    toast(`${value} is banned.`);
  } catch (error) {
    toast(`The ban failed: ${error.message}`);
  }
  await refresh(`Unban ${address(value)}`, 'bans-title');
}

async function confirmUnban(kind, value) {
  const box = await ask(`Lift the ban on ${value}?`, 'Its requests will be let through again.', 'Unban');
  if (!box) return;
  try {
    await api.call('/api/bans', { method: 'DELETE', body: { [kind]: value } });
    toast(`The ban on ${value} is lifted.`);
  } catch (error) {
    toast(`The unban failed: ${error.message}`);
  }
  await refresh(`Ban ${address(value)}`, 'bans-title');
}
