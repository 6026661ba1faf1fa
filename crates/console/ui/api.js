// The admin API client: the bearer token lives in sessionStorage (pasted
// into the sign-in form, or handed over in the URL fragment `#token=...`,
// which browsers never send to a server); every call carries it in the
// Authorization header, never in a URL.

const KEY = 'rampart.token';

// A refused call: its status, the server's reason, and its problem
// document (which may list `problems` and `warnings`).
class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body || {};
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

// Takes a token handed over as `#token=...` and removes it from the address
// bar and the history.
export function adoptTokenFromFragment() {
  const hash = location.hash;
  if (!hash.startsWith('#token=')) return;
  const value = decodeURIComponent(hash.slice('#token='.length));
  if (value) setToken(value);
  history.replaceState(null, '', `${location.pathname}#/overview`);
}

// Called when the server refuses the token (set by app.js).
let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

function headers(extra) {
  return { authorization: `Bearer ${token() || ''}`, accept: 'application/json', ...extra };
}

async function refusal(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    return new ApiError(response.status, body.detail || body.title || text, body);
  } catch {
    return new ApiError(response.status, text || response.statusText);
  }
}

// One API call: JSON in, JSON out. Throws ApiError with the server's reason
// (the `detail` of its problem+json answer).
export async function call(path, { method = 'GET', body, signal } = {}) {
  const init = { method, headers: headers(), signal, cache: 'no-store' };
  if (body !== undefined) {
    init.headers = headers({ 'content-type': 'application/json' });
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(401, 'The admin token was refused.');
  }
  if (!response.ok) throw await refusal(response);
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.text();
}

// `path` with the query parameters of `params` that are set.
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '') query.set(key, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

let spec = null;
// Whether the gateway's OpenAPI description lists `path` (asked once), so
// that optional parts of the API are not requested where they do not exist.
export async function offers(path) {
  if (!spec) spec = call('/api/openapi.json').catch(() => ({ paths: {} }));
  const paths = (await spec).paths || {};
  return Object.prototype.hasOwnProperty.call(paths, path);
}

// Reads a Server-Sent Events stream with fetch (EventSource cannot send the
// Authorization header): calls `onOpen()` once the server answered, then
// `onEvent(name, data)` for each event until `signal` aborts or the stream
// ends; resolves then, rejects on failure.
export async function stream(path, signal, onOpen, onEvent) {
  const response = await fetch(path, {
    headers: headers({ accept: 'text/event-stream' }),
    signal,
    cache: 'no-store',
  });
  if (response.status === 401) onUnauthorized();
  if (!response.ok || !response.body) throw await refusal(response);
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(name, data.join('\n'));
    }
  }
}
