//! Legitimate traffic: the demo's customers with known passwords (Alice and
//! the four [`DEMO_SHOPPERS`]), each from an address and a browser of their
//! own, in sessions at a human pace: log in (now and then after a mistyped
//! password), look at their own bank accounts, their orders and one of them,
//! search the catalogue, look at their profile, sometimes ask for a password
//! reset or sign a friend up.

use super::client::Visitor;
use super::tally::Tally;
use super::{Actor, Stage};
use crate::dataset::{Dataset, FIRST_NAMES, LAST_NAMES, PRODUCT_ADJECTIVES, PRODUCT_NOUNS};
use crate::identifiers;
use crate::rng::SeededRng;
use crate::{DEMO_CUSTOMER, DEMO_SHOPPERS};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

const BROWSERS: [&str; 5] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
];

/// One customer: the login and what the API will show them as theirs.
struct Shopper {
    email: &'static str,
    password: &'static str,
    user_id: u64,
    account_ids: Vec<u64>,
}

/// The customers with known passwords in the data of `seed`.
fn cast(seed: u64) -> Vec<Shopper> {
    let dataset = Dataset::generate(seed);
    let logins = std::iter::once(DEMO_CUSTOMER).chain(DEMO_SHOPPERS.map(|(_, login)| login));
    logins
        .filter_map(|login| {
            let user = dataset.users.iter().find(|u| u.email == login.email)?;
            let mut account_ids: Vec<u64> = dataset
                .records
                .accounts
                .values()
                .filter(|a| a.owner_id == user.id)
                .map(|a| a.id)
                .collect();
            account_ids.sort_unstable();
            Some(Shopper {
                email: login.email,
                password: login.password,
                user_id: user.id,
                account_ids,
            })
        })
        .collect()
}

pub(super) async fn run(stage: Stage, tally: Arc<Tally>) {
    let mut shoppers = JoinSet::new();
    for (n, shopper) in cast(stage.seed).into_iter().enumerate() {
        let visitor = stage.visitor(
            Actor::Shoppers.address(10 + n as u8),
            BROWSERS[n % BROWSERS.len()],
            &tally,
        );
        let rng = SeededRng::new(stage.seed_for(Actor::Shoppers) + n as u64);
        // Each starts at another point of the session cycle, so that
        // resets, sign-ups and typos show up early and not all at once.
        shoppers.spawn(shop(stage.clone(), visitor, shopper, rng, n as u64));
    }
    // Dropping the set (when this task is stopped) stops the shoppers.
    while shoppers.join_next().await.is_some() {}
}

async fn shop(stage: Stage, visitor: Visitor, shopper: Shopper, mut rng: SeededRng, first: u64) {
    for session in first.. {
        browse(&stage, &visitor, &shopper, &mut rng, session).await;
        tokio::time::sleep(stage.pause(Duration::from_millis(rng.in_range(5_000, 10_000)))).await;
    }
}

/// A human's pause between two clicks.
async fn think(stage: &Stage, rng: &mut SeededRng) {
    tokio::time::sleep(stage.pause(Duration::from_millis(rng.in_range(1_500, 4_000)))).await;
}

async fn browse(
    stage: &Stage,
    visitor: &Visitor,
    shopper: &Shopper,
    rng: &mut SeededRng,
    session: u64,
) {
    if session % 6 == 5 {
        let typo = json!({ "email": shopper.email, "password": format!("{}!", shopper.password) });
        visitor.post("/api/login", &typo, None).await;
        think(stage, rng).await;
    }
    let login = json!({ "email": shopper.email, "password": shopper.password });
    let Some(answer) = visitor.post("/api/login", &login, None).await else {
        return;
    };
    let Some(token) = answer.json["token"].as_str().map(str::to_owned) else {
        return;
    };
    let token = Some(token.as_str());
    think(stage, rng).await;

    for account in &shopper.account_ids {
        visitor
            .get(&format!("/api/accounts/{account}"), token)
            .await;
        think(stage, rng).await;
    }

    let orders = visitor
        .get(&format!("/api/users/{}/orders", shopper.user_id), token)
        .await;
    think(stage, rng).await;
    let order_ids: Vec<String> = orders
        .and_then(|answer| answer.json["orders"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|order| order["id"].as_str().map(str::to_owned))
        .collect();
    if !order_ids.is_empty() {
        let order = rng.pick(&order_ids);
        visitor.get(&format!("/api/orders/{order}"), token).await;
        think(stage, rng).await;
    }

    let term = if rng.next_u64().is_multiple_of(2) {
        rng.pick(&PRODUCT_NOUNS).0.to_lowercase()
    } else {
        rng.pick(&PRODUCT_ADJECTIVES).to_lowercase()
    };
    for page in 1..=rng.in_range(1, 2) {
        let term = term.replace(' ', "+");
        visitor
            .get(&format!("/api/products?q={term}&page={page}"), None)
            .await;
        think(stage, rng).await;
    }

    visitor
        .get(&format!("/api/users/{}", shopper.user_id), token)
        .await;
    think(stage, rng).await;

    if session % 4 == 3 {
        visitor
            .post(
                "/api/password-reset",
                &json!({ "email": shopper.email }),
                None,
            )
            .await;
        think(stage, rng).await;
    }
    if session % 5 == 2 {
        let first = rng.pick(&FIRST_NAMES);
        let last = rng.pick(&LAST_NAMES);
        let friend = json!({
            "name": format!("{first} {last}"),
            "email": format!(
                "{}.{}.{}{}@example.com",
                first.to_lowercase(),
                last.to_lowercase(),
                shopper.user_id,
                session
            ),
            "password": format!("{}-{}-{}", last.to_lowercase(), rng.in_range(1000, 9999), first.len()),
            "phone": identifiers::phone(rng),
        });
        visitor.post("/api/users", &friend, None).await;
    }
}
