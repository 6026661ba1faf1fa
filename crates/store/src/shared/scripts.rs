//! The Lua scripts Redis runs for us, one per decision so that each is
//! atomic and costs one round trip.
//!
//! Both read the time from Redis (`TIME`), never from a gateway. Lua numbers
//! are doubles: every value here is an integer below 2^53 (microseconds
//! since the epoch are about 2^51), so the arithmetic is exact, and numbers
//! are written with `%.0f` because Lua's default formatting keeps only 14
//! digits. Scripts are sent by hash (`EVALSHA`); a Redis that lost them
//! (restart, `SCRIPT FLUSH`) answers `NOSCRIPT` and the client loads the
//! script again and retries, once.

use redis::Script;
use std::sync::LazyLock;

/// GCRA on one key, the same arithmetic as `rampart_prevent`'s `Gcra`.
///
/// - `KEYS[1]`: the key's TAT, microseconds since the epoch; expires when
///   the TAT passes, as GCRA then treats the key like an unknown one.
/// - `ARGV[1]`: emission interval, µs. `ARGV[2]`: window, µs.
/// - `ARGV[3]`: `check` (admit and charge), `peek` (decide, charge nothing)
///   or `charge` (charge whatever the state, never beyond one window).
///
/// Returns the microseconds by which the request runs past the window:
/// 0 when admitted (always 0 for `charge`).
pub(crate) static GCRA: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local emission = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or 0
local charged = math.max(tat, now) + emission
local horizon = now + window
local function store(new_tat)
  local ttl_ms = math.ceil((new_tat - now) / 1000)
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', string.format('%.0f', ttl_ms))
end
if ARGV[3] == 'charge' then
  store(math.min(charged, horizon))
  return 0
end
if charged > horizon then
  return charged - horizon
end
if ARGV[3] == 'check' then
  store(charged)
end
return 0
"#,
    )
});

/// What the GCRA script does with the request (its `ARGV[3]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GcraMode {
    /// Admit and charge: limits that count every request.
    Check,
    /// Decide, charge nothing: before the request, for outcome-only limits.
    Peek,
    /// Charge whatever the state: a counted outcome, after the response.
    Charge,
}

impl GcraMode {
    pub(crate) fn as_arg(self) -> &'static str {
        match self {
            GcraMode::Check => "check",
            GcraMode::Peek => "peek",
            GcraMode::Charge => "charge",
        }
    }
}

/// Records one offence against a ban target and announces the ban.
///
/// - `KEYS[1]`: the target's record (hash: `strikes`, `until` in ms,
///   `reason`); it expires when the offences are forgotten.
/// - `ARGV[1]`: reason. `ARGV[2]`: forget-after, ms. `ARGV[3]`: the channel
///   announcing bans. `ARGV[4]`: the announcing gateway. `ARGV[5]`: the
///   target, as the record's key ends. `ARGV[6..]`: ban durations in ms for
///   the first, second... offence; the last repeats.
///
/// Returns `{strikes, until}`. The announcement is JSON:
/// `{"origin", "target", "strikes", "until", "reason"}`.
pub(crate) static BAN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local forget = tonumber(ARGV[2])
local strikes = (tonumber(redis.call('HGET', KEYS[1], 'strikes')) or 0) + 1
local steps = #ARGV - 5
local until_ms = now + tonumber(ARGV[5 + math.min(strikes, steps)])
local until_text = string.format('%.0f', until_ms)
redis.call('HSET', KEYS[1], 'strikes', strikes, 'until', until_text, 'reason', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', until_ms + forget))
redis.call('PUBLISH', ARGV[3], cjson.encode({
  origin = ARGV[4], target = ARGV[5], strikes = strikes, ['until'] = until_text, reason = ARGV[1]
}))
return {strikes, until_text}
"#,
    )
});

/// Lifts the ban on a target everywhere: forgets its offences and announces
/// the lift, so every gateway drops the target from its local list (a ban a
/// gateway holds only locally, made while Redis was out, included).
///
/// - `KEYS[1]`: the target's record.
/// - `ARGV[1]`: the channel. `ARGV[2]`: the announcing gateway.
///   `ARGV[3]`: the target, as the record's key ends.
///
/// Returns 1 when a record existed. The announcement is JSON:
/// `{"origin", "target", "lifted": true}`.
pub(crate) static UNBAN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local existed = redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], cjson.encode({origin = ARGV[2], target = ARGV[3], lifted = true}))
return existed
"#,
    )
});

/// The behaviour windows of one request, exactly as `rampart_behave` keeps
/// them in memory: per key (a source, an account, a sign-up's skeleton, a
/// recipient) the entries of the last `window`, in arrival order, at most
/// `cap` (the oldest go first), with the counts detectors judge by kept up
/// to date as entries come and go, so a judgement reads a few fields.
/// Account takeover tallies a login before its answer and records it after
/// (`tally`, `record`); the sign-up and one-time-code tallies count every
/// request as it comes, recorded as a failure so that every entry is in
/// the per-subject indices (`count`).
///
/// Each key is one hash: `h` and `t`, the first and next attempt numbers;
/// `e<n>`, attempt `n` as `<ms> <user> <address> <0|1 failed>` (ids in hex);
/// `x`, the failures; `s<user>`, failures per username, `ns` their number;
/// `a<address>`, attempts per address, `na` their number; `f<address>`,
/// failures per address, `nf` their number. It expires `window` after its
/// last attempt, as the local window is forgotten.
///
/// - `KEYS`: the sources (address, network, fingerprint), then the
///   account's key when the attempt names a username.
/// - `ARGV[1]`: `tally` (slide, count), `record` (slide, add the attempt) or
///   `count` (slide, add, count).
///   `ARGV[2]`: window, ms. `ARGV[3]`: cap. `ARGV[4]`: how many of `KEYS`
///   are sources. `ARGV[5]`: the username's id (empty without). `ARGV[6]`:
///   the address's id. `ARGV[7]` (`record`): `1` failed, `0` succeeded.
///
/// `tally` returns, per source, `{failed usernames, attempts, failures,
/// addresses}`, then the failures for the username from the address (first
/// source) and the addresses that failed for the username (0 without one).
/// `record` returns how many attempts left to keep the cap; `count`, for
/// every key, `{subjects, entries, failures, addresses}`, then how many
/// entries left to keep the cap.
pub(crate) static ATO: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local source_count = tonumber(ARGV[4])
local user = ARGV[5]
local function count(key, total, field, by)
  local n = redis.call('HINCRBY', key, field, by)
  if by > 0 and n == by then
    redis.call('HINCRBY', key, total, 1)
  elseif n <= 0 then
    redis.call('HDEL', key, field)
    redis.call('HINCRBY', key, total, -1)
  end
end
local function index(key, entry, by)
  local _, subject, address, failed = string.match(entry, '^(%d+) (%x+) (%x+) ([01])$')
  count(key, 'na', 'a' .. address, by)
  if failed == '1' then
    redis.call('HINCRBY', key, 'x', by)
    count(key, 'ns', 's' .. subject, by)
    count(key, 'nf', 'f' .. address, by)
  end
end
local function forget(key, head)
  local field = 'e' .. string.format('%.0f', head)
  local entry = redis.call('HGET', key, field)
  redis.call('HDEL', key, field)
  if entry then index(key, entry, -1) end
end
local function slide(key)
  local head = tonumber(redis.call('HGET', key, 'h')) or 0
  local tail = tonumber(redis.call('HGET', key, 't')) or 0
  local first = head
  while head < tail do
    local entry = redis.call('HGET', key, 'e' .. string.format('%.0f', head))
    local at = tonumber(entry and string.match(entry, '^%d+') or 0)
    if at + window > now then break end
    forget(key, head)
    head = head + 1
  end
  if head ~= first then redis.call('HSET', key, 'h', string.format('%.0f', head)) end
  return head, tail
end
local function number(value)
  return tonumber(value) or 0
end
local function read(key, head, tail, counts)
  local found = redis.call('HMGET', key, 'ns', 'x', 'na')
  table.insert(counts, number(found[1]))
  table.insert(counts, tail - head)
  table.insert(counts, number(found[2]))
  table.insert(counts, number(found[3]))
end
if ARGV[1] == 'tally' then
  local counts = {}
  for i = 1, source_count do
    local head, tail = slide(KEYS[i])
    read(KEYS[i], head, tail, counts)
  end
  local brute = 0
  local failing = 0
  if user ~= '' then
    brute = number(redis.call('HGET', KEYS[1], 's' .. user))
    local account = KEYS[source_count + 1]
    slide(account)
    failing = number(redis.call('HGET', account, 'nf'))
  end
  table.insert(counts, brute)
  table.insert(counts, failing)
  return counts
end
local entry = string.format('%.0f', now) .. ' ' .. user .. ' ' .. ARGV[6] .. ' ' .. ARGV[7]
local dropped = 0
local counts = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local head, tail = slide(key)
  redis.call('HSET', key, 'e' .. string.format('%.0f', tail), entry, 't', string.format('%.0f', tail + 1))
  index(key, entry, 1)
  tail = tail + 1
  while tail - head > cap do
    forget(key, head)
    head = head + 1
    dropped = dropped + 1
  end
  redis.call('HSET', key, 'h', string.format('%.0f', head))
  redis.call('PEXPIRE', key, ARGV[2])
  if ARGV[1] == 'count' then read(key, head, tail, counts) end
end
if ARGV[1] == 'count' then
  table.insert(counts, dropped)
  return counts
end
return dropped
"#,
    )
});
