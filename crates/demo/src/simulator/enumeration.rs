//! Object enumeration (BOLA): an attacker signs up, logs in, and walks
//! `/api/accounts/{id}` upward through everyone's bank accounts with its own
//! token (the demo API checks the login but not the owner). It gives up a
//! walk after a few refusals in a row, and starts over later as a new
//! customer from a new address.

use super::tally::Tally;
use super::{Actor, Stage};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// The first account id the demo generates, and how far one walk goes.
const FIRST_ACCOUNT: u64 = 1001;
const WALK_LENGTH: u64 = 40;
/// Refusals in a row that end a walk.
const GIVE_UP_AFTER: u32 = 5;
const STEP_PAUSE: Duration = Duration::from_millis(300);
const WALK_PAUSE: Duration = Duration::from_secs(15);

pub(super) async fn run(stage: Stage, tally: Arc<Tally>) {
    let mut visitor = stage.visitor(
        Actor::Enumeration.address(10),
        "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
        &tally,
    );
    for walk in 0u64.. {
        visitor.move_to(Actor::Enumeration.address(10 + (walk % 200) as u8));
        let email = format!("kim.walker.{walk}@example.net");
        let password = format!("walker-password-{walk}");
        let sign_up = json!({ "name": "Kim Walker", "email": email, "password": password });
        visitor.post("/api/users", &sign_up, None).await;
        let login = json!({ "email": email, "password": password });
        let token = visitor
            .post("/api/login", &login, None)
            .await
            .and_then(|answer| answer.json["token"].as_str().map(str::to_owned));
        if let Some(token) = token {
            let mut refused_in_a_row = 0;
            for id in FIRST_ACCOUNT..FIRST_ACCOUNT + WALK_LENGTH {
                tokio::time::sleep(stage.pause(STEP_PAUSE)).await;
                let answer = visitor
                    .get(&format!("/api/accounts/{id}"), Some(&token))
                    .await;
                if answer.is_some_and(|a| a.status == 403) {
                    refused_in_a_row += 1;
                    if refused_in_a_row == GIVE_UP_AFTER {
                        break;
                    }
                } else {
                    refused_in_a_row = 0;
                }
            }
        }
        tokio::time::sleep(stage.pause(WALK_PAUSE)).await;
    }
}
