// What a threat is called, as security teams name it: by the business flow it
// abuses. ONE table maps detector, signal and rule names (the `source` of an
// event's reasons) and endpoint business functions (from discovery) to those
// names; rows are tried in order, so specific detectors come before the
// endpoint's function and the function before the catch-alls.

import { badge } from './dom.js';

const TABLE = [
  { source: /^behave\.ato\.credential_stuffing/, threat: 'Account takeover on login', how: 'credential stuffing' },
  { source: /^behave\.ato\.brute_force/, threat: 'Account takeover on login', how: 'password guessing' },
  { source: /^behave\.ato\./, threat: 'Account takeover on login', how: 'distributed guessing' },
  { source: /^behave\.bola\./, threat: 'Object enumeration on account data', how: 'ids the client was never shown (BOLA)' },
  { source: /^behave\.signup\./, threat: 'Fake accounts on sign-up', how: 'sign-ups in bulk' },
  { source: /^behave\.otp\.victim/, threat: 'OTP flood', how: 'codes sent to one recipient (SMS bombing)' },
  { source: /^behave\.otp\./, threat: 'OTP flood', how: 'codes sent to many recipients (SMS pumping)' },
  { source: /scrap/, threat: 'Scraping on search', how: 'bulk reads' },
  { source: /(^|[._])(ai_?crawler|ai_?agent|crawler)/, threat: 'AI crawler', how: 'automated collection' },
  { source: /(^|[._])bots?([._]|$)/, threat: 'Bot', how: 'automation' },
  { source: /^detect\.(sqli|nosql|ldap)/, threat: 'Injection', how: 'database query injection' },
  { source: /^detect\.(cmdi|ssti|java|php|upload)/, threat: 'Injection', how: 'code or command injection' },
  { source: /^detect\.xss/, threat: 'Injection', how: 'cross-site scripting' },
  { source: /^detect\.(lfi|traversal|ssrf|xxe)/, threat: 'Injection', how: 'file or server-side request access' },
  { function: 'login', threat: 'Account takeover on login' },
  { function: 'sign_up', threat: 'Fake accounts on sign-up' },
  { function: 'otp', threat: 'OTP flood' },
  { function: 'password_reset', threat: 'Password-reset abuse' },
  { function: 'search', threat: 'Scraping on search' },
  { function: 'checkout', threat: 'Checkout abuse' },
  { function: 'payment', threat: 'Card testing on payment' },
  { function: 'export', threat: 'Data exfiltration on export' },
  { function: 'admin', threat: 'Admin access attempt' },
  { source: /^detect\./, threat: 'Injection', how: 'attack payload' },
  { source: /^contract\./, threat: 'Contract violation', how: 'a request the API does not accept (mass assignment, wrong types)' },
  { source: /^protocol\./, threat: 'Protocol attack', how: 'malformed or smuggled request' },
  { source: /^prevent\.deception/, threat: 'Probing', how: 'caught by a honeypot or decoy' },
  { source: /^identity\.jwt/, threat: 'Forged token', how: 'a token that does not verify' },
  { source: /^prevent\.geo/, threat: 'Geo-fenced access' },
  { source: /^prevent\.ban/, threat: 'Banned client' },
  { source: /^prevent\.rate_limit\./, threat: 'Excessive requests' },
  { source: /^rule:/, threat: 'Policy rule' },
];

// The sources an event's reasons name.
export function sources(event) {
  return (event.reasons || []).map((r) => r.source || r.detector || r.rule || '').filter(Boolean);
}

// The threat an event or signal stands for: {threat, how}. `fn` is the
// business function of its endpoint when known.
export function nameThreat(names, fn) {
  for (const row of TABLE) {
    if (row.source && names.some((n) => row.source.test(n))) return row;
    if (row.function && fn === row.function) return row;
  }
  return { threat: names.length ? 'Suspicious request' : 'Unexplained decision' };
}

// What a declared bot is, as an operator reads it: its class, its name and
// operator, and whether the claim held ({text, kind} for a badge).
const BOT_CLASSES = {
  training_crawler: 'AI training crawler',
  ai_search: 'AI search crawler',
  user_fetcher: 'AI fetcher for a user',
  ai_agent: 'AI agent',
  search_engine: 'Search engine',
  monitoring: 'Monitoring',
  http_library: 'HTTP library or automation tool',
};
const BOT_CLAIMS = {
  verified: ['verified', 'low'],
  failed: ['claim failed', 'high'],
  unverifiable: ['not verifiable', 'medium'],
  pending: ['verification pending', 'medium'],
};

export function botLabel(bot) {
  if (!bot) return null;
  const kind = BOT_CLASSES[bot.class] || 'Bot';
  const who = [bot.name, bot.operator].filter(Boolean).join(', ');
  const [claim, level] = BOT_CLAIMS[bot.verification] || [bot.verification || 'unknown', 'medium'];
  return { text: `${kind}: ${who} (${claim})`, kind: level };
}

// A badge naming a declared bot, or null.
export function botBadge(bot) {
  const label = botLabel(bot);
  return label ? badge(label.text, `${label.kind} bot`) : null;
}
