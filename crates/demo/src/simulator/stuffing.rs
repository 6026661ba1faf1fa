//! Credential stuffing: a combo list of many email addresses tried with a
//! few passwords that leak everywhere, four attempts a second, from
//! addresses that rotate every few attempts inside one /24 (as a small
//! botnet or a proxy pool would), with a scripting library's User-Agent.

use super::tally::Tally;
use super::{Actor, Stage};
use crate::dataset::{EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES};
use crate::rng::SeededRng;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const PASSWORDS: [&str; 5] = ["123456", "password1", "qwerty123", "Summer2024!", "letmein"];
/// Addresses used, and attempts made from each before moving on.
const ADDRESSES: u8 = 64;
const ATTEMPTS_PER_ADDRESS: u64 = 3;
const PAUSE: Duration = Duration::from_millis(250);

pub(super) async fn run(stage: Stage, tally: Arc<Tally>) {
    let mut rng = SeededRng::new(stage.seed_for(Actor::CredentialStuffing));
    let mut visitor = stage.visitor(
        Actor::CredentialStuffing.address(10),
        "python-requests/2.32.3",
        &tally,
    );
    for attempt in 0u64.. {
        if attempt.is_multiple_of(ATTEMPTS_PER_ADDRESS) {
            let host = 10 + ((attempt / ATTEMPTS_PER_ADDRESS) % u64::from(ADDRESSES)) as u8;
            visitor.move_to(Actor::CredentialStuffing.address(host));
        }
        let email = format!(
            "{}.{}{}@{}",
            rng.pick(&FIRST_NAMES).to_lowercase(),
            rng.pick(&LAST_NAMES).to_lowercase(),
            rng.in_range(1, 99),
            rng.pick(&EMAIL_DOMAINS)
        );
        let password = rng.pick(&PASSWORDS);
        visitor
            .post(
                "/api/login",
                &json!({ "email": email, "password": password }),
                None,
            )
            .await;
        tokio::time::sleep(stage.pause(PAUSE)).await;
    }
}
