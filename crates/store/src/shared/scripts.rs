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
