//! Sample security events shared by the integration tests, including values a
//! hostile client controls (quotes, newlines, NUL, SQL, non-ASCII).

use rampart_core::event::rfc3339_millis;
use rampart_core::{BotIdentity, Reason, Repeats, SecurityEvent};

/// The `n`th sample event; every field differs between events, times grow
/// with `n`, and the client alternates between two addresses.
pub fn sample_event(n: usize) -> SecurityEvent {
    let millis = 1_700_000_000_000 + n as u64 * 1_000;
    SecurityEvent {
        time: rfc3339_millis(millis),
        request_id: format!("req-{n:04}"),
        client_ip: if n.is_multiple_of(2) {
            "192.0.2.10"
        } else {
            "2001:db8::7"
        }
        .to_string(),
        method: "POST".to_string(),
        host: "api.example.com".to_string(),
        path: format!("/login?user=admin'--{n}\n\"x\"\u{0}\u{2028}é"),
        route: if n.is_multiple_of(3) {
            String::new()
        } else {
            "login".to_string()
        },
        action: "block".to_string(),
        status: if n.is_multiple_of(4) { None } else { Some(403) },
        reasons: vec![
            Reason::new("detect.sqli", "query.user", "admin'--", 4.5),
            Reason::new("ip_lists.deny", "client_ip", format!("rule {n}"), 0.25)
                .with_confidence(0.7),
        ],
        score: 4.75,
        // Every fifth event stands for a series of repeats.
        repeats: n.is_multiple_of(5).then(|| Repeats {
            count: n as u64 + 2,
            first_time: rfc3339_millis(millis),
            last_time: rfc3339_millis(millis + 900),
        }),
        // Every third event comes from a declared bot.
        bot: n.is_multiple_of(3).then(|| BotIdentity {
            name: "GPTBot".into(),
            class: "training_crawler".into(),
            operator: "OpenAI".into(),
            verification: "failed".into(),
        }),
        // Every other event comes over TLS Rampart terminated.
        ja4: n
            .is_multiple_of(2)
            .then(|| format!("t13d1516h2_8daaf6152771_{n:012x}")),
    }
}

pub fn sample_events(count: usize) -> Vec<SecurityEvent> {
    sample_events_from(0, count)
}

/// Sample events `first..first + count`: later calls with a growing `first`
/// give later times, as live traffic does.
pub fn sample_events_from(first: usize, count: usize) -> Vec<SecurityEvent> {
    (first..first + count).map(sample_event).collect()
}
