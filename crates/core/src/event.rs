//! The security event: one line an operator reads to learn what Rampart did
//! to one exchange (or to a series of identical ones) and why. Written to
//! JSON lines and to the embedded store.

use crate::action::Reason;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityEvent {
    /// RFC 3339 time, UTC.
    pub time: String,
    pub request_id: String,
    pub client_ip: String,
    pub method: String,
    pub host: String,
    pub path: String,
    /// The route name, or empty when no route matched.
    pub route: String,
    /// `allow`, `monitor`, `block`, ... (see [`crate::Action::name`]).
    pub action: String,
    /// HTTP status sent to the client, when one was sent.
    pub status: Option<u16>,
    pub reasons: Vec<Reason>,
    /// Sum of the reasons' scores.
    pub score: f64,
    /// Set when the event stands for several identical exchanges (same
    /// client, action, route, method, path and reason sources) folded into
    /// one; the fields above are the first one's.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<Repeats>,
    /// The bot the client declared itself to be (the `bots` stage), so an
    /// operator reading the event knows an AI crawler from a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotIdentity>,
    /// The JA4 fingerprint of the TLS client, when Rampart terminated TLS:
    /// the same for every connection of one client program, whatever
    /// address it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ja4: Option<String>,
}

/// A declared bot identity and whether the claim held.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct BotIdentity {
    /// The user-agent token or pattern that matched, e.g. `GPTBot`.
    pub name: String,
    /// `training_crawler`, `ai_search`, `user_fetcher`, `ai_agent`,
    /// `search_engine`, `monitoring`, `http_library` or `unknown_bot`.
    pub class: String,
    /// Who runs it, when known (empty otherwise).
    pub operator: String,
    /// `verified`, `failed` (the claim came from elsewhere), `pending`
    /// (its reverse DNS lookup is not known yet) or `unverifiable`
    /// (nothing to check it against).
    pub verification: String,
}

/// A series of identical events written as one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repeats {
    /// How many exchanges the event stands for.
    pub count: u64,
    /// RFC 3339 times of the first and the last of them.
    pub first_time: String,
    pub last_time: String,
}

/// Formats milliseconds since the epoch as RFC 3339 UTC with milliseconds.
pub fn rfc3339_millis(millis: u64) -> String {
    let nanos = i128::from(millis) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_string())
}

/// Milliseconds since the epoch of an RFC 3339 time (any offset); `None`
/// when the text is not one or is before the epoch.
pub fn parse_rfc3339_millis(text: &str) -> Option<u64> {
    let time =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(time.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_with_any_offset_and_refuses_the_rest() {
        assert_eq!(
            parse_rfc3339_millis("2023-11-14T22:13:20.123Z"),
            Some(1_700_000_000_123)
        );
        assert_eq!(
            parse_rfc3339_millis("2023-11-14T23:13:20.123+01:00"),
            Some(1_700_000_000_123)
        );
        assert_eq!(parse_rfc3339_millis("yesterday"), None);
        assert_eq!(parse_rfc3339_millis("1969-12-31T23:59:59Z"), None);
    }

    #[test]
    fn formats_epoch_millis_as_rfc3339() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(1_700_000_000_123),
            "2023-11-14T22:13:20.123Z"
        );
    }
}
