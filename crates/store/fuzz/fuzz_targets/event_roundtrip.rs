//! Client-controlled event fields (paths, hosts, evidence: any UTF-8,
//! including NUL, quotes and SQL) must be stored and read back byte for byte,
//! whatever they hold, and never break the store.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_core::{Reason, SecurityEvent};
use rampart_store::Store;
use std::cell::RefCell;

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(open_store());
}

fn open_store() -> Store {
    let path = std::env::temp_dir().join(format!("rampart-store-fuzz-{}.db", std::process::id()));
    // A leftover file from an earlier run with the same pid is fine: each
    // input empties the table first.
    Store::open(path).expect("fuzz store opens")
}

/// Splits the input into text fields at 0xFF (never valid UTF-8 itself).
fn fields(data: &[u8]) -> impl Iterator<Item = String> + '_ {
    data.split(|&b| b == 0xFF)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .chain(std::iter::repeat_with(String::new))
}

fn score(text: &str) -> f64 {
    let bytes = text.as_bytes();
    let mut raw = [0u8; 8];
    let n = bytes.len().min(8);
    raw[..n].copy_from_slice(&bytes[..n]);
    f64::from_le_bytes(raw)
}

/// What the store promises to return: scores that are not numbers read back
/// as NaN (event score) or as NaN when not finite (reason scores, via JSON).
fn same(stored: &SecurityEvent, sent: &SecurityEvent) -> bool {
    let same_score = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
    let reason_score = |s: f64| if s.is_finite() { s } else { f64::NAN };
    stored.time == sent.time
        && stored.request_id == sent.request_id
        && stored.client_ip == sent.client_ip
        && stored.method == sent.method
        && stored.host == sent.host
        && stored.path == sent.path
        && stored.route == sent.route
        && stored.action == sent.action
        && stored.status == sent.status
        && same_score(stored.score, sent.score)
        && stored.ja4 == sent.ja4
        && stored.reasons.len() == sent.reasons.len()
        && stored.reasons.iter().zip(&sent.reasons).all(|(a, b)| {
            a.source == b.source
                && a.location == b.location
                && a.evidence == b.evidence
                && same_score(a.score, reason_score(b.score))
        })
}

fuzz_target!(|data: &[u8]| {
    let mut text = fields(data);
    let mut next = || text.next().unwrap_or_default();
    let status_text = next();
    let event = SecurityEvent {
        time: next(),
        request_id: next(),
        client_ip: next(),
        method: next(),
        host: next(),
        path: next(),
        route: next(),
        action: next(),
        status: status_text.parse().ok(),
        score: score(&next()),
        reasons: (0..data.len() % 4)
            .map(|_| Reason::new(next(), next(), next(), score(&next())))
            .collect(),
        repeats: None,
        bot: None,
        ja4: data.len().is_multiple_of(3).then(&mut next),
    };
    STORE.with(|store| {
        let mut store = store.borrow_mut();
        store.prune_events(0).expect("empty the table");
        store
            .insert_events(std::slice::from_ref(&event))
            .expect("insert");
        let stored = store.events_from_client(&event.client_ip, 2).expect("read");
        assert_eq!(stored.len(), 1);
        assert!(same(&stored[0], &event), "{:?} != {event:?}", stored[0]);
    });
});
