// The console's entry point: sign-in, hash routing (#/overview,
// #/inventory/<id>, ...) and the page frame. Each page module exports
// `render(main, args, signal, query)`; `signal` aborts when the user leaves the page,
// ending its requests and live streams. A page that also exports
// `update(args, query)` handles changes of its own arguments (a selected endpoint)
// without being drawn again, so keyboard focus stays where it was.

import { h, fill, problem } from './dom.js';
import * as api from './api.js';
import * as overview from './pages/overview.js';
import * as inventory from './pages/inventory.js';
import * as threats from './pages/threats.js';
import * as clients from './pages/clients.js';
import * as policy from './pages/policy.js';

const PAGES = { overview, inventory, threats, clients, policy };
const TITLES = {
  overview: 'Overview', inventory: 'Inventory', threats: 'Threats',
  clients: 'Clients', policy: 'Policy',
};

const main = document.getElementById('main');
const signout = document.getElementById('signout');
let leaving = null;

function signIn() {
  signout.hidden = true;
  document.title = 'Sign in · Rampart console';
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', 'aria-describedby': 'token-help',
  });
  const message = h('p', { class: 'problem', role: 'alert', hidden: true });
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to the Rampart console'),
    h('label', { for: 'token' }, 'Admin token'),
    input,
    h('p', { id: 'token-help', class: 'help' },
      'An admin token of the gateway: [admin] token, [[admin.tokens]] or RAMPART_ADMIN_TOKEN ',
      '(rampart demo prints its own). It is kept for this browser tab only.'),
    message,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    api.setToken(input.value.trim());
    try {
      await api.call('/api/overview');
      route();
    } catch (error) {
      api.setToken(null);
      message.hidden = false;
      message.textContent = error.status === 401
        ? 'That token was refused.'
        : `The gateway could not be reached: ${error.message}`;
      input.focus();
    }
  });
  main.dataset.page = 'signin';
  main.setAttribute('aria-busy', 'false');
  fill(main, form);
  input.focus();
}

// The page, its path arguments and its query: "#/threats?client=1.2.3.4".
function current() {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  return {
    name: PAGES[name] ? name : 'overview',
    args: rest.filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search || ''),
  };
}

let shown = null;

async function route() {
  const { name, args, query } = current();
  if (api.token() && shown === name && PAGES[name].update) {
    PAGES[name].update(args, query);
    return;
  }
  shown = name;
  if (leaving) leaving.abort();
  leaving = new AbortController();
  if (!api.token()) {
    shown = null;
    signIn();
    return;
  }
  signout.hidden = false;
  document.title = `${TITLES[name]} · Rampart console`;
  for (const link of document.querySelectorAll('nav a[data-page]')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const signal = leaving.signal;
  main.dataset.page = name;
  main.setAttribute('aria-busy', 'true');
  fill(main, h('h1', {}, TITLES[name]));
  try {
    await PAGES[name].render(main, args, signal, query);
  } catch (error) {
    if (signal.aborted || error.status === 401) return;
    main.append(problem(`This page could not be loaded: ${error.message}`));
  }
  if (!signal.aborted) main.setAttribute('aria-busy', 'false');
}

api.whenUnauthorized(() => {
  // A token tried in the sign-in form: the form says it was refused.
  if (main.dataset.page === 'signin') return;
  if (leaving) leaving.abort();
  api.setToken(null);
  shown = null;
  signIn();
});
api.adoptTokenFromFragment();

signout.addEventListener('click', () => {
  api.setToken(null);
  route();
});
document.getElementById('skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => {
  // Only "#/..." addresses are pages; other fragments change nothing.
  if (!location.hash.startsWith('#/') && location.hash !== '') return;
  const before = shown;
  route();
  if (shown !== before) main.focus();
});
route();
