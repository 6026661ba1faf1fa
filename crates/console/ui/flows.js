// What a threat is called, as security teams name it: by the business flow it
// abuses. ONE table maps detector, signal and rule names (the `source` of an
// event's reasons) and endpoint business functions (from discovery) to those
// names; rows are tried in order, so specific detectors come before the
// endpoint's function and the function before the catch-alls.

const TABLE = [
  { source: /^behave\.ato\.credential_stuffing/, threat: 'Account takeover on login', how: 'credential stuffing' },
  { source: /^behave\.ato\.brute_force/, threat: 'Account takeover on login', how: 'password guessing' },
  { source: /^behave\.ato\./, threat: 'Account takeover on login', how: 'distributed guessing' },
  { source: /^behave\.bola\./, threat: 'Object enumeration on account data', how: 'ids the client was never shown (BOLA)' },
  { source: /scrap/, threat: 'Scraping on search', how: 'bulk reads' },
  { source: /(^|[._])(ai_?crawler|ai_?agent|crawler)/, threat: 'AI crawler', how: 'automated collection' },
  { source: /(^|[._])bot([._]|$)/, threat: 'Bot', how: 'automation' },
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
