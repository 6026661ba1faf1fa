//! Security events from the embedded store: `GET /api/events`, filtered by
//! time, client, endpoint, action and detector and paged newest first, and
//! `GET /api/events/stream`, each event as it is written (Server-Sent
//! Events `event: security`, a keep-alive comment every 15 s). A stream
//! that falls behind the sink loses the oldest events (counted, and told to
//! the client as an `event: lost` and in `rampart_console_stream_lost_total`);
//! the sink never waits for it. At most
//! [`MAX_STREAMS`](crate::state::MAX_STREAMS) streams are open at once.

use crate::inventory::discovery;
use crate::page::{self, Page};
use crate::problem::Problem;
use crate::state::ApiState;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream;
use http::StatusCode;
use rampart_core::event::rfc3339_millis;
use rampart_store::EventQuery;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The counter of events streams fell too far behind to receive.
pub const STREAM_LOST: &str = "rampart_console_stream_lost_total";

/// How often an idle stream sends a comment so that proxies keep it open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The filters of `GET /api/events`.
#[derive(Debug, Default, Deserialize)]
pub struct EventFilter {
    /// Events at or after this time (RFC 3339 or Unix milliseconds).
    pub from: Option<String>,
    /// Events before this time.
    pub to: Option<String>,
    /// The client address.
    pub client: Option<String>,
    /// An endpoint id from `/api/endpoints`: events on its method and template.
    pub endpoint: Option<String>,
    /// `block`, `monitor`, `would_block`, `rate_limit`, `ban`, `deceive`, ...
    pub action: Option<String>,
    /// A reason source (`sqli.union`) or a family of them (`sqli`).
    pub detector: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// One event of a list: the stored event and its id.
#[derive(Debug, Serialize)]
pub struct EventItem {
    pub id: i64,
    #[serde(flatten)]
    pub event: Value,
}

pub async fn list(
    State(state): State<ApiState>,
    Query(filter): Query<EventFilter>,
) -> Result<Json<Page<EventItem>>, Problem> {
    let limit = page::limit(filter.limit)?;
    let endpoint = match &filter.endpoint {
        Some(id) => {
            let report = discovery(&state)?.report();
            let endpoint = report
                .endpoints
                .iter()
                .find(|e| &e.id == id)
                .ok_or_else(|| {
                    Problem::bad_request(format!("endpoint: no endpoint has the id {id:?}"))
                })?;
            Some((endpoint.method.clone(), endpoint.template.clone()))
        }
        None => None,
    };
    let query = EventQuery {
        from: page::time("from", filter.from.as_deref())?.map(rfc3339_millis),
        to: page::time("to", filter.to.as_deref())?.map(rfc3339_millis),
        client_ip: filter.client,
        action: filter.action,
        detector: filter.detector,
        endpoint,
        before_id: page::id_cursor(filter.cursor.as_deref())?,
        limit: limit + 1,
    };
    let rows = state
        .with_store(move |store| store.query_events(&query))
        .await?;
    let rows = rows
        .into_iter()
        .map(|(id, event)| {
            let event = serde_json::to_value(&event).unwrap_or(Value::Null);
            (id, EventItem { id, event })
        })
        .collect();
    Ok(Json(page::by_id(rows, limit)))
}

/// `GET /api/events/stream`.
pub async fn stream(State(state): State<ApiState>) -> Response {
    let Some(sender) = state.admin.shared.events.clone() else {
        return no_sink().into_response();
    };
    let Ok(permit) = state.streams.clone().try_acquire_owned() else {
        return Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many event streams",
            format!(
                "at most {} event streams are open at once: close one and retry",
                crate::state::MAX_STREAMS
            ),
        )
        .into_response();
    };
    let receiver = sender.subscribe();
    let stopping = state.admin.stopping.clone();
    let events = stream::unfold(
        (receiver, stopping, permit),
        |(mut receiver, mut stopping, permit)| async move {
            let next = tokio::select! {
                next = receiver.recv() => next,
                _ = stopping.wait_for(|stopped| *stopped) => return None,
            };
            let event = match next {
                Ok(event) => Event::default()
                    .event("security")
                    .json_data(&*event)
                    .unwrap_or_else(|_| Event::default().comment("unserializable event")),
                Err(RecvError::Lagged(lost)) => {
                    metrics::counter!(STREAM_LOST).increment(lost);
                    Event::default().event("lost").data(lost.to_string())
                }
                Err(RecvError::Closed) => return None,
            };
            Some((Ok::<_, Infallible>(event), (receiver, stopping, permit)))
        },
    );
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response()
}

fn no_sink() -> Problem {
    Problem::conflict(
        "no event sink: set [events] sqlite (or jsonl) in the configuration to stream events",
    )
}
