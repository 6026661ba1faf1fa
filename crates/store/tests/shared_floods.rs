//! Sign-up and one-time-code tallies in a real Redis: two gateways sharing
//! them judge every request of a mixed run (bursts, look-alikes, floods to
//! one number, pumping, ordinary traffic) exactly as one in-memory detector
//! seeing all of it, within the same cap; and nothing a client chose is
//! written as it is.

mod support;

use rampart_behave::otp::{CodeRequest, OtpConfig, OtpDetector, Sent};
use rampart_behave::shared_tally::{judge_otp, judge_signup, SharedTally};
use rampart_behave::signup::{Asked, SignUp, SignupConfig, SignupDetector};
use rampart_behave::TallyBounds;
use rampart_core::ManualClock;
use rampart_store::shared::{AtoWindows, FloodKind};
use redis::Commands;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use support::server::RedisServer;
use support::{config, connected};

const SECRET: &str = "the secret every gateway is given";

/// A small deterministic generator (no dependency for a test sequence).
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (self.0 >> 33) % n
    }

    fn address(&mut self) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(
            198,
            51,
            100 + self.below(2) as u8,
            self.below(5) as u8,
        ))
    }
}

/// Small caps, so that the cap is hit within a few hundred requests.
const BOUNDS: TallyBounds = TallyBounds {
    max_sources: 100_000,
    max_subjects: 100_000,
    max_entries_per_key: 16,
};

#[tokio::test]
async fn two_gateways_sharing_redis_judge_every_sign_up_as_one_local_detector() {
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
    let windows = AtoWindows {
        window: signup.window,
        cap: BOUNDS.max_entries_per_key,
    };
    let mut local = SignupDetector::new(signup.clone(), Arc::new(ManualClock::at(1_000_000)));
    let shared =
        SharedTally::new(&rampart_behave::ato::shared::AtoSecret::new(SECRET.into()).unwrap());
    let mut sequence = Sequence(11);
    let (mut signals_seen, mut dropped) = (0, 0);
    for n in 0..400 {
        let address = sequence.address();
        let fingerprint = format!("fp-{}", sequence.below(3));
        let account = match sequence.below(4) {
            0 => format!("promo.user{}@mail.test", sequence.below(40)),
            1 => format!("{}@mail.test", sequence.below(1000)),
            2 => format!("person{}@other.test", sequence.below(3)),
            _ => format!("Ann+{}@Mail.test", sequence.below(9)),
        };
        let request = SignUp {
            address,
            fingerprint: &fingerprint,
            account: (sequence.below(10) > 0).then_some(account.as_str()),
        };
        let asked = Asked::of(&request);
        let keys = shared.signup_keys(&request, &asked);
        let counted = gateways[n % 2]
            .flood_count(FloodKind::SignUp, &keys, windows)
            .await
            .unwrap();
        let expected = local.judge(&request);
        assert_eq!(
            judge_signup(&signup, &asked, &keys, &counted.counts),
            expected,
            "sign-up {n}: {request:?}"
        );
        signals_seen += expected.len();
        dropped += counted.dropped;
    }
    assert!(signals_seen > 100, "the run raised signals: {signals_seen}");
    assert_eq!(
        dropped,
        local.stats().entries_dropped,
        "the same cap, hit alike"
    );
    assert!(dropped > 0);
    let mut redis = server.connection();
    let stored: Vec<String> = redis.keys("test:signup:*").unwrap();
    assert!(!stored.is_empty());
    for key in &stored {
        let fields: Vec<(String, String)> = redis.hgetall(key).unwrap();
        let text = format!("{key} {fields:?}").to_lowercase();
        for client_text in ["mail.test", "promo", "198.51", "fp-"] {
            assert!(!text.contains(client_text), "{client_text} in {text}");
        }
        let ttl: i64 = redis.pttl(key).unwrap();
        assert!(ttl > 0 && ttl <= 3_600_000, "{key} expires with the window");
    }
}

#[tokio::test]
async fn two_gateways_sharing_redis_judge_every_code_request_as_one_local_detector() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (first, _r1) = connected(&config(&server.url())).await;
    let (second, _r2) = connected(&config(&server.url())).await;
    let gateways = [&first, &second];
    let otp = OtpConfig {
        per_recipient: 4,
        recipients_per_source: 5,
        bounds: BOUNDS,
        ..OtpConfig::default()
    };
    let windows = AtoWindows {
        window: otp.window,
        cap: BOUNDS.max_entries_per_key,
    };
    let mut local = OtpDetector::new(otp.clone(), Arc::new(ManualClock::at(1_000_000)));
    let shared =
        SharedTally::new(&rampart_behave::ato::shared::AtoSecret::new(SECRET.into()).unwrap());
    let mut sequence = Sequence(5);
    let (mut signals_seen, mut dropped) = (0, 0);
    for n in 0..400 {
        let address = sequence.address();
        let fingerprint = format!("fp-{}", sequence.below(3));
        let phone = format!("+44 7700 900{:03}", sequence.below(30));
        let request = CodeRequest {
            address,
            fingerprint: &fingerprint,
            recipient: (sequence.below(8) > 0).then_some(phone.as_str()),
        };
        let sent = Sent::of(&request);
        let keys = shared.otp_keys(&request, &sent);
        let counted = gateways[n % 2]
            .flood_count(FloodKind::Otp, &keys, windows)
            .await
            .unwrap();
        let expected = local.judge(&request);
        assert_eq!(
            judge_otp(&otp, &sent, &keys, &counted.counts),
            expected,
            "code request {n}: {request:?}"
        );
        signals_seen += expected.len();
        dropped += counted.dropped;
    }
    assert!(signals_seen > 100, "the run raised signals: {signals_seen}");
    assert_eq!(
        dropped,
        local.stats().entries_dropped,
        "the same cap, hit alike"
    );
    assert!(dropped > 0);
    let stored: Vec<String> = server.connection().keys("test:otp:*").unwrap();
    assert!(stored.iter().all(|key| !key.contains("7700")));
}
