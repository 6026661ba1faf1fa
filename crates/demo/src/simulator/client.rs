//! The simulator's HTTP client: hyper's pooled client on loopback to the
//! gateway, and a [`Visitor`], one simulated client (an address it claims
//! through `X-Forwarded-For`, a User-Agent) that waits for its turn under
//! the total rate cap, counts every answer and keeps a bounded prefix of the
//! body for the actor to read (a token, ids).

use super::pace::Pacer;
use super::tally::Tally;
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, USER_AGENT};
use http::{Method, Request};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Idle keep-alive connections kept to the gateway.
const MAX_IDLE_CONNECTIONS: usize = 8;
/// A request gets this long for its whole answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Bodies are read up to this; a longer one is read as no body.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The pooled client, cheap to clone.
#[derive(Clone)]
pub(super) struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    gateway: SocketAddr,
}

impl Http {
    pub(super) fn new(gateway: SocketAddr) -> Self {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(MAX_IDLE_CONNECTIONS)
            .build_http();
        Http { client, gateway }
    }
}

/// An answer: its status and its body as JSON (`Null` when it was not JSON
/// or too long).
pub(super) struct Answer {
    pub status: u16,
    pub json: Value,
}

/// One simulated client.
pub(super) struct Visitor {
    http: Http,
    pacer: Arc<Pacer>,
    forwarded_for: String,
    user_agent: &'static str,
    tally: Arc<Tally>,
}

/// A request a [`Visitor`] sends: a target, a bearer token, extra headers,
/// a JSON body.
#[derive(Default)]
pub(super) struct Call<'a> {
    pub method: Method,
    pub target: &'a str,
    pub token: Option<&'a str>,
    pub headers: &'a [(&'static str, &'a str)],
    pub json: Option<&'a Value>,
}

impl Visitor {
    pub(super) fn new(
        http: Http,
        pacer: Arc<Pacer>,
        address: Ipv4Addr,
        user_agent: &'static str,
        tally: Arc<Tally>,
    ) -> Self {
        Visitor {
            http,
            pacer,
            forwarded_for: address.to_string(),
            user_agent,
            tally,
        }
    }

    /// Moves to another address.
    pub(super) fn move_to(&mut self, address: Ipv4Addr) {
        self.forwarded_for = address.to_string();
    }

    pub(super) async fn get(&self, target: &str, token: Option<&str>) -> Option<Answer> {
        self.send(Call {
            target,
            token,
            ..Call::default()
        })
        .await
    }

    pub(super) async fn post(
        &self,
        target: &str,
        json: &Value,
        token: Option<&str>,
    ) -> Option<Answer> {
        self.send(Call {
            method: Method::POST,
            target,
            token,
            json: Some(json),
            ..Call::default()
        })
        .await
    }

    /// Sends `call` once its turn comes; `None` when no answer came (the
    /// tally counts it either way).
    pub(super) async fn send(&self, call: Call<'_>) -> Option<Answer> {
        self.pacer.turn().await;
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(&call))
            .await
            .ok()
            .flatten();
        match &answer {
            Some(answer) => self.tally.answered(answer.status),
            None => self.tally.failed(),
        }
        answer
    }

    async fn exchange(&self, call: &Call<'_>) -> Option<Answer> {
        let uri = format!("http://{}{}", self.http.gateway, call.target);
        let mut request = Request::builder()
            .method(call.method.clone())
            .uri(uri)
            .header(HOST, format!("{}", self.http.gateway))
            .header(USER_AGENT, self.user_agent)
            .header("accept", "application/json")
            .header("x-forwarded-for", &self.forwarded_for);
        if let Some(token) = call.token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in call.headers {
            request = request.header(*name, *value);
        }
        let body = match call.json {
            Some(json) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Bytes::from(json.to_string())
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(body)).ok()?;
        let response = match self.http.client.request(request).await {
            Ok(response) => response,
            Err(error) => {
                tracing::debug!(%error, "traffic simulator: request failed");
                return None;
            }
        };
        let status = response.status().as_u16();
        let json = match Limited::new(response.into_body(), MAX_BODY_BYTES)
            .collect()
            .await
        {
            Ok(body) => serde_json::from_slice(&body.to_bytes()).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        Some(Answer { status, json })
    }
}
