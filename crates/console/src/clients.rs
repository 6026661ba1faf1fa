//! Top offenders: `GET /api/clients` sums the stored events by client
//! address since `from` (default: the last 24 hours), most events first,
//! with how many were refused, the highest score, the detectors behind
//! them, the bot it last declared itself to be (an AI crawler, a search
//! engine, an HTTP library; verified or not) and whether the address is
//! banned now. Events record the address only: users and API keys are
//! banned by hand (`/api/bans`).

use crate::bans::prevention;
use crate::page::{self, Page};
use crate::problem::Problem;
use crate::state::ApiState;
use axum::extract::{Query, State};
use axum::Json;
use rampart_core::event::rfc3339_millis;
use rampart_core::BotIdentity;
use rampart_prevent::ClientFacts;
use serde::{Deserialize, Serialize};

/// The window when `from` is not given.
const DEFAULT_WINDOW_MILLIS: u64 = 24 * 3600 * 1000;
/// Detectors listed per client.
const SIGNALS_PER_CLIENT: usize = 5;

#[derive(Debug, Default, Deserialize)]
pub struct ClientQuery {
    pub from: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// A detector (reason source) and the exchanges it fired on.
#[derive(Debug, Serialize)]
pub struct Signal {
    pub detector: String,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct ClientItem {
    /// The client address.
    pub client: String,
    pub events: u64,
    /// Exchanges refused (block, ban, rate limit, deception).
    pub blocked: u64,
    pub max_score: f64,
    pub last_seen: String,
    pub signals: Vec<Signal>,
    /// The bot the client last declared itself to be in its events.
    pub bot: Option<BotIdentity>,
    /// Banned now (an address or network ban covering it).
    pub banned: bool,
    /// When that ban ends.
    pub banned_until: Option<String>,
}

pub async fn list(
    State(state): State<ApiState>,
    Query(query): Query<ClientQuery>,
) -> Result<Json<Page<ClientItem>>, Problem> {
    let limit = page::limit(query.limit)?;
    let offset = page::offset_cursor(query.cursor.as_deref())?;
    let from = page::time("from", query.from.as_deref())?
        .unwrap_or_else(|| page::now_millis().saturating_sub(DEFAULT_WINDOW_MILLIS));
    let from = rfc3339_millis(from);
    let rows = state
        .with_store(move |store| {
            let clients = store.top_clients(&from, offset, limit + 1)?;
            clients
                .into_iter()
                .map(|client| {
                    let signals =
                        store.top_sources(&from, Some(&client.client_ip), SIGNALS_PER_CLIENT)?;
                    let bot = store.latest_bot(&from, &client.client_ip)?;
                    Ok((client, signals, bot))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let bans = prevention(&state).ok().map(|p| {
        let current = p.bans.current();
        std::sync::Arc::clone(&current)
    });
    let items = rows.into_iter().map(|(client, signals, bot)| {
        let ban = client
            .client_ip
            .parse()
            .ok()
            .zip(bans.as_ref())
            .and_then(|(ip, bans)| bans.is_banned(&ClientFacts::from_ip(ip)));
        ClientItem {
            banned: ban.is_some(),
            banned_until: ban.map(|b| rfc3339_millis(b.until_millis)),
            client: client.client_ip,
            events: client.events,
            blocked: client.blocked,
            max_score: client.max_score,
            last_seen: client.last_time,
            signals: signals
                .into_iter()
                .map(|(detector, count)| Signal { detector, count })
                .collect(),
            bot,
        }
    });
    // The store already skipped `offset`: page from 0 over what it returned.
    let mut page = page::by_offset(items, 0, limit);
    page.next_cursor = page.next_cursor.map(|_| (offset + limit).to_string());
    Ok(Json(page))
}
