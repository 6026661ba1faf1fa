//! Sign-up and one-time-code tallies in a real Redis: two gateways sharing
//! them judge every request of a mixed run (bursts, look-alikes, floods to
//! one number, pumping, ordinary traffic) exactly as one in-memory detector
//! seeing all of it, within the same cap; and nothing a client chose is
//! written as it is.

mod support;

use rampart_behave::ato::shared::AtoSecret;
use rampart_behave::otp::{CodeRequest, OtpConfig, OtpDetector};
use rampart_behave::shared_tally::{judge, SharedTally};
use rampart_behave::signup::{SignUp, SignupConfig, SignupDetector};
use rampart_behave::TallyBounds;
use rampart_core::ManualClock;
use rampart_store::shared::{AtoWindows, FloodKind};
use redis::Commands;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use support::server::RedisServer;
use support::{config, connected, Sequence};

const SECRET: &str = "the secret every gateway is given";

/// Small caps, so that the cap is hit within a few hundred requests.
const BOUNDS: TallyBounds = TallyBounds {
    max_sources: 100_000,
    max_subjects: 100_000,
    max_entries_per_key: 16,
};

fn address(sequence: &mut Sequence) -> IpAddr {
    let network = 100 + sequence.below(2) as u8;
    IpAddr::V4(Ipv4Addr::new(198, 51, network, sequence.below(5) as u8))
}

fn account(sequence: &mut Sequence) -> String {
    match sequence.below(4) {
        0 => format!("promo.user{}@mail.test", sequence.below(40)),
        1 => format!("{}@mail.test", sequence.below(1000)),
        2 => format!("person{}@other.test", sequence.below(3)),
        _ => format!("Ann+{}@Mail.test", sequence.below(9)),
    }
}

#[tokio::test]
async fn two_gateways_sharing_redis_judge_every_request_as_one_local_detector() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (first, _r1) = connected(&config(&server.url())).await;
    let (second, _r2) = connected(&config(&server.url())).await;
    let gateways = [&first, &second];
    let signup = SignupConfig {
        per_source: 6,
        lookalike_accounts: 4,
        bounds: BOUNDS,
        ..SignupConfig::default()
    };
    let otp = OtpConfig {
        per_recipient: 4,
        recipients_per_source: 5,
        bounds: BOUNDS,
        ..OtpConfig::default()
    };
    let windows = |window| AtoWindows {
        window,
        cap: BOUNDS.max_entries_per_key,
    };
    let clock = Arc::new(ManualClock::at(1_000_000));
    let mut local_signup = SignupDetector::new(signup.clone(), clock.clone());
    let mut local_otp = OtpDetector::new(otp.clone(), clock);
    let shared = SharedTally::new(&AtoSecret::new(SECRET.into()).unwrap());
    let mut sequence = Sequence(11);
    let (mut signals_seen, mut dropped) = ([0, 0], [0, 0]);
    for n in 0..400 {
        let gateway = gateways[n % 2];
        let fingerprint = format!("fp-{}", sequence.below(3));
        let named = account(&mut sequence);
        let request = SignUp {
            address: address(&mut sequence),
            fingerprint: &fingerprint,
            account: (sequence.below(10) > 0).then_some(named.as_str()),
        };
        let keys = shared.keys::<SignupConfig>(&request);
        let counted = (gateway.flood_count(FloodKind::SignUp, &keys, windows(signup.window)))
            .await
            .unwrap();
        let expected = local_signup.judge(&request);
        let judged = judge(&signup, &request, &keys, &counted.counts);
        assert_eq!(judged, expected, "sign-up {n}: {request:?}");
        signals_seen[0] += expected.len();
        dropped[0] += counted.dropped;

        let phone = format!("+44 7700 900{:03}", sequence.below(30));
        let request = CodeRequest {
            address: address(&mut sequence),
            fingerprint: &fingerprint,
            recipient: (sequence.below(8) > 0).then_some(phone.as_str()),
        };
        let keys = shared.keys::<OtpConfig>(&request);
        let counted = (gateway.flood_count(FloodKind::Otp, &keys, windows(otp.window)))
            .await
            .unwrap();
        let expected = local_otp.judge(&request);
        let judged = judge(&otp, &request, &keys, &counted.counts);
        assert_eq!(judged, expected, "code request {n}: {request:?}");
        signals_seen[1] += expected.len();
        dropped[1] += counted.dropped;
    }
    assert!(signals_seen.iter().all(|s| *s > 100), "{signals_seen:?}");
    let local_dropped = [
        local_signup.stats().entries_dropped,
        local_otp.stats().entries_dropped,
    ];
    assert_eq!(dropped, local_dropped, "the same cap, hit alike");
    assert!(dropped.iter().all(|d| *d > 0));

    let mut redis = server.connection();
    let stored: Vec<String> = redis.keys("test:*").unwrap();
    assert!(stored
        .iter()
        .any(|key| key.starts_with("test:signup:subject:")));
    assert!(stored.iter().any(|key| key.starts_with("test:otp:source:")));
    for key in &stored {
        let fields: Vec<(String, String)> = redis.hgetall(key).unwrap();
        let text = format!("{key} {fields:?}").to_lowercase();
        // The phone numbers as counted (`+447700900...`), not a fragment
        // a millisecond timestamp in an entry may contain.
        for client_text in ["mail.test", "promo", "198.51", "fp-", "447700900"] {
            assert!(!text.contains(client_text), "{client_text} in {text}");
        }
        let ttl: i64 = redis.pttl(key).unwrap();
        assert!(ttl > 0 && ttl <= 3_600_000, "{key} expires with the window");
    }
}
