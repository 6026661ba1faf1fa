//! An AI crawler: GPTBot's User-Agent (the token comes from the
//! ai.robots.txt list of AI crawlers, MIT licence, that Rampart's shared
//! data keeps with its notice) walking the catalogue page by page, each
//! category, the user directory and every public profile, three pages a
//! second, over and over, as training crawlers do.

use super::tally::Tally;
use super::{Actor, Stage};
use crate::dataset::PRODUCT_NOUNS;
use std::sync::Arc;
use std::time::Duration;

/// GPTBot's User-Agent as OpenAI documents it.
const USER_AGENT: &str =
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot";
const PRODUCT_PAGES: u64 = 12;
const USER_PAGES: u64 = 4;
/// Profiles walked: the generated users and the shoppers.
const PROFILES: u64 = 64;
const PAUSE: Duration = Duration::from_millis(333);

pub(super) async fn run(stage: Stage, tally: Arc<Tally>) {
    let visitor = stage.visitor(Actor::AiCrawler.address(30), USER_AGENT, &tally);
    let mut categories: Vec<&str> = PRODUCT_NOUNS
        .iter()
        .map(|(_, category)| *category)
        .collect();
    categories.dedup();
    let targets: Vec<String> = (1..=PRODUCT_PAGES)
        .map(|page| format!("/api/products?page={page}"))
        .chain(categories.iter().map(|c| format!("/api/products?q={c}")))
        .chain((1..=USER_PAGES).map(|page| format!("/api/users?page={page}")))
        .chain((1..=PROFILES).map(|id| format!("/api/users/{id}")))
        .collect();
    for target in targets.iter().cycle() {
        visitor.get(target, None).await;
        tokio::time::sleep(stage.pause(PAUSE)).await;
    }
}
