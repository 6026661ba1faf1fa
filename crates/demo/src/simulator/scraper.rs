//! Scraping: a headless browser paging through the product catalogue, the
//! search and the user directory ten times a second from one address, to
//! copy the whole listing.

use super::tally::Tally;
use super::{Actor, Stage};
use std::sync::Arc;
use std::time::Duration;

/// Product pages (120 products, ten a page) and user pages (twenty a page).
const PRODUCT_PAGES: u64 = 12;
const USER_PAGES: u64 = 4;
const PAUSE: Duration = Duration::from_millis(100);

pub(super) async fn run(stage: Stage, tally: Arc<Tally>) {
    let visitor = stage.visitor(
        Actor::Scraper.address(20),
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
        &tally,
    );
    let targets: Vec<String> = (1..=PRODUCT_PAGES)
        .map(|page| format!("/api/products?page={page}"))
        .chain((b'a'..=b'z').map(|letter| format!("/api/products?q={}", char::from(letter))))
        .chain((1..=USER_PAGES).map(|page| format!("/api/users?page={page}")))
        .collect();
    for target in targets.iter().cycle() {
        visitor.get(target, None).await;
        tokio::time::sleep(stage.pause(PAUSE)).await;
    }
}
