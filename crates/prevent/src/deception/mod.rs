//! Deception: answers that cost an attacker effort and teach them nothing.
//!
//! Blocking tells an attacker they were seen, and they change tactics.
//! Deception answers instead, plausibly, and marks them:
//!
//! - **Fake success** ([`Deceiver::fake_success`]): a 200 whose JSON body is
//!   shaped like the endpoint's real responses (the schema the inventory
//!   learned), made only of invented values. Fakes are a keyed function of
//!   the attacker and the object asked for, so `/users/42` asked twice by one
//!   attacker is the same fake user (whose id is 42), and differs between
//!   attackers. Of a schema only types, formats and names are read, never
//!   `examples`, `default` or `const`, and `enum` only when it is vocabulary
//!   (the `fake` module states the rule).
//! - **Fake login** ([`Deceiver::fake_login`]): a token response whose token
//!   is a decoy, a JWT-shaped token the upstream never issued. Any request
//!   that presents one later ([`Deceiver::find_decoy`], in any header) comes
//!   from whoever went through the fake login, or from whom they gave it to;
//!   the [`DecoyMark`] says who it was minted for and when.
//! - **Tarpit** ([`Deceiver::tarpit`]): the answer (a fake success) is held
//!   for a delay, with a cap on answers held at once; past the cap the
//!   gateway answers with its fallback at once.
//! - **Traps** ([`Deceiver::check_traps`]): honeypot endpoints and decoy
//!   fields. Touching one marks the client (ban or tag, per `on_trap`) and is
//!   answered with a fake success.
//!
//! Real data never leaves in a deceptive answer: no upstream response is
//! read, fakes come from the schema's shape and an invented vocabulary
//! (contact details in reserved documentation ranges), and the only request
//! values echoed are the plain ids named in the path.
//!
//! One secret keys it all ([`DeceptionKey`]): configured, every gateway of
//! a cluster recognises the others' decoys and shows the same fakes; absent,
//! a random one is drawn at start. Keep one [`Deceiver`] across reloads
//! that leave `[prevent.deception]` unchanged: a new one with a random
//! secret no longer recognises the decoys already handed out, and its
//! tarpit count starts again.
//!
//! # What the gateway calls
//!
//! ```text
//! let deceiver = Deceiver::new(&config.deception, clock.clone())?;   // at load
//!
//! // request_headers: a decoy presented marks the client.
//! if let Some(hit) = deceiver.find_decoy(&parts.headers) {
//!     // ban (or tag) with reason format!("decoy token in {}", hit.header),
//!     // noting hit.mark.minted_for != deceiver.fingerprint(&facts.client)
//! }
//! // request_body: the same for the query string and the body.
//! if let Some(mark) = deceiver.find_decoy_in(body_bytes) { /* as above */ }
//! // request_body: traps first, then the policy.
//! let mut trap = TrapRequest::new(&facts.method, &facts.path);
//! trap.query = uri.query();
//! trap.form = form_body;                  // urlencoded bytes, if that is the body
//! trap.json = parsed_json.as_ref();
//! if let Some(hit) = deceiver.check_traps(&trap) {
//!     // deceiver.on_trap(): Ban -> ban with hit.reason(); Tag -> record it
//!     // answer deceiver.fake_success(&facts, None)
//! }
//! // Verdict::Deceive(kind):
//! match deceiver.answer(kind, &facts, learned_response_schema) {
//!     DeceptiveAnswer::Now(response) => /* send it */,
//!     DeceptiveAnswer::Held { permit, response } => /* sleep permit.delay(), send, drop permit */,
//!     DeceptiveAnswer::TarpitFull => /* the configured block, at once */,
//! }
//! ```
//! Deceptive answers are the gateway's own: they must not go through
//! response masking (which would mask the decoy token) nor feed schema
//! learning.

mod config;
mod fake;
mod key;
mod prng;
mod subject;
mod tarpit;
mod token;
mod traps;

pub use config::{
    DeceptionConfig, DeceptionError, DeceptionSecret, HoneypotConfig, TarpitConfig, TrapResponse,
};
pub use fake::{MAX_DEPTH, MAX_ENUM_VALUES, MAX_FAKE_BYTES, MAX_ITEMS, MAX_PROPERTIES};
pub use key::{DeceptionKey, NoRandomness, MIN_SECRET_BYTES};
pub use subject::attacker_key;
pub use tarpit::{Tarpit, TarpitPermit};
pub use token::{
    ClientFingerprint, DecoyHit, DecoyMark, MAX_CANDIDATES, MAX_HEADERS_SCANNED,
    MAX_TEXT_BYTES_SCANNED, MAX_TOKEN_BYTES, MAX_VALUE_BYTES_SCANNED,
};
pub use traps::{
    TrapHit, TrapRequest, MAX_EXCERPT_BYTES, MAX_JSON_DEPTH, MAX_JSON_NODES, MAX_PAIRS,
};

use crate::facts::{ClientFacts, RequestFacts};
use crate::policy::response::with_request_id;
use crate::policy::{BlockResponse, Deception};
use fake::{fake_body, login_success_schema, FakeSpec, ScalarContext};
use prng::FakeRng;
use rampart_core::Clock;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use token::{DecoyTokens, Minting};
use traps::Traps;

/// Fake dates lie before the clock rounded down to this (about half a year),
/// so they stay the same between two requests of one attacker.
const DATE_ANCHOR_SECS: u64 = 182 * 86_400;

/// Deception, built from `[prevent.deception]`; shared by every worker.
pub struct Deceiver {
    key: DeceptionKey,
    tokens: DecoyTokens,
    tarpit: Tarpit,
    traps: Traps,
    on_trap: TrapResponse,
    token_ttl_secs: u64,
    clock: Arc<dyn Clock>,
    /// Counts minted decoys, so that each gets its own `jti`.
    minted: AtomicU64,
}

/// How to answer a request policy decided to deceive.
#[derive(Debug)]
pub enum DeceptiveAnswer {
    /// Send this now.
    Now(BlockResponse),
    /// Hold for [`TarpitPermit::delay`], then send; drop the permit after.
    Held {
        permit: TarpitPermit,
        response: BlockResponse,
    },
    /// The tarpit holds all it may: answer with the fallback (the
    /// configured block) at once.
    TarpitFull,
}

impl Deceiver {
    /// Checks the configuration and builds everything it names.
    pub fn new(config: &DeceptionConfig, clock: Arc<dyn Clock>) -> Result<Self, DeceptionError> {
        config.validate()?;
        let key = match &config.secret {
            Some(secret) => DeceptionKey::from_secret(secret.0.as_bytes()),
            None => DeceptionKey::generate()?,
        };
        let started = clock.now_millis().to_be_bytes();
        Ok(Deceiver {
            tokens: DecoyTokens::new(&key),
            minted: AtomicU64::new(key.derive_u64("jti", &[&started])),
            key,
            tarpit: Tarpit::new(
                Duration::from_secs(config.tarpit.delay_seconds),
                config.tarpit.max_held,
            ),
            traps: Traps::compile(config),
            on_trap: config.on_trap,
            token_ttl_secs: config.token_ttl_seconds,
            clock,
        })
    }

    /// The answer for [`Verdict::Deceive`](crate::Verdict::Deceive).
    /// `schema` is the endpoint's learned response schema, if any.
    pub fn answer(
        &self,
        with: Deception,
        facts: &RequestFacts,
        schema: Option<&Value>,
    ) -> DeceptiveAnswer {
        match with {
            Deception::FakeSuccess => DeceptiveAnswer::Now(self.fake_success(facts, schema)),
            Deception::FakeLogin => DeceptiveAnswer::Now(self.fake_login(facts, schema)),
            Deception::Tarpit => match self.tarpit.try_hold() {
                Some(permit) => DeceptiveAnswer::Held {
                    permit,
                    response: self.fake_success(facts, schema),
                },
                None => DeceptiveAnswer::TarpitFull,
            },
        }
    }

    /// A 200 with a fake body shaped like `schema` (a generic success object
    /// when `None`), the same for the same attacker and object.
    pub fn fake_success(&self, facts: &RequestFacts, schema: Option<&Value>) -> BlockResponse {
        let subject = Subject::of(&self.key, facts);
        let pins = subject::id_pins(&subject.params);
        let spec = FakeSpec {
            seed: subject.seed,
            scalars: self.scalars(None),
            pins: &pins,
            reserve: 0,
        };
        let body = fake_body(schema.unwrap_or(&Value::Null), &spec);
        json_response(&body, &facts.request_id)
    }

    /// A 200 login success carrying a fresh decoy token, minted for this
    /// client: an OAuth-style token response, or shaped like `schema` with
    /// the decoy in every token-like property (`access_token` is added when
    /// the schema has none).
    pub fn fake_login(&self, facts: &RequestFacts, schema: Option<&Value>) -> BlockResponse {
        let subject = Subject::of(&self.key, facts);
        let token = self.tokens.mint(&Minting {
            minted_for: self.fingerprint(&facts.client),
            subject: FakeRng::new(subject.seed).between(1000, 999_999),
            nonce: FakeRng::new(self.minted.fetch_add(1, Ordering::Relaxed)).next_u64(),
            now_secs: self.clock.now_millis() / 1000,
            ttl_secs: self.token_ttl_secs,
        });
        let schema = schema
            .filter(|schema| schema.is_object())
            .unwrap_or(login_success_schema());
        let spec = FakeSpec {
            seed: subject.seed,
            scalars: self.scalars(Some(&token)),
            pins: &[],
            reserve: token.len() + r#","access_token":"""#.len(),
        };
        let body = match fake_body(schema, &spec) {
            body if holds(&body, &token) => body,
            Value::Object(mut object) => {
                object.insert("access_token".into(), Value::String(token));
                Value::Object(object)
            }
            _ => fake_body(login_success_schema(), &spec),
        };
        json_response(&body, &facts.request_id)
    }

    /// The tarpit, for callers that hold answers of their own.
    pub fn tarpit(&self) -> &Tarpit {
        &self.tarpit
    }

    /// Whether decoy fields are configured: only then is a request's body
    /// worth parsing for [`Deceiver::check_traps`].
    pub fn watches_fields(&self) -> bool {
        self.traps.watches_fields()
    }

    /// The first honeypot or decoy field the request touched.
    pub fn check_traps(&self, request: &TrapRequest<'_>) -> Option<TrapHit> {
        self.traps.check(request)
    }

    /// What to do to a client that touched a trap.
    pub fn on_trap(&self) -> TrapResponse {
        self.on_trap
    }

    /// A decoy token in any of the request's headers.
    pub fn find_decoy(&self, headers: &http::HeaderMap) -> Option<DecoyHit> {
        self.tokens.find_in_headers(headers)
    }

    /// A decoy token in a query string or a body, e.g. a refresh token
    /// posted back.
    pub fn find_decoy_in(&self, text: &[u8]) -> Option<DecoyMark> {
        self.tokens.find_in_text(text)
    }

    /// What a token says if it is a decoy of this secret.
    pub fn recognise(&self, token: &str) -> Option<DecoyMark> {
        self.tokens.recognise(token)
    }

    /// The fingerprint decoys minted for this client carry.
    pub fn fingerprint(&self, client: &ClientFacts) -> ClientFingerprint {
        let attacker = attacker_key(client);
        let bytes = self.key.derive("client", &[attacker.as_bytes()]);
        let mut fingerprint = [0u8; 8];
        fingerprint.copy_from_slice(&bytes[..8]);
        ClientFingerprint(fingerprint)
    }

    fn scalars<'a>(&self, token: Option<&'a str>) -> ScalarContext<'a> {
        let now_secs = self.clock.now_millis() / 1000;
        ScalarContext {
            anchor_secs: now_secs - now_secs % DATE_ANCHOR_SECS,
            token,
            token_ttl_secs: self.token_ttl_secs,
        }
    }
}

/// The attacker and object a fake stands for.
struct Subject<'a> {
    seed: u64,
    /// The ids the path names, by the endpoint's template.
    params: Vec<(&'a str, &'a str)>,
}

impl<'a> Subject<'a> {
    /// Keyed by the attacker, the endpoint (its template, else the path) and
    /// the ids in the path.
    fn of(key: &DeceptionKey, facts: &'a RequestFacts) -> Self {
        let attacker = attacker_key(&facts.client);
        let path = facts.path.split('?').next().unwrap_or(&facts.path);
        let (endpoint, params) = match &facts.endpoint.template {
            Some(template) => (template.as_str(), subject::path_params(template, path)),
            None => (path, Vec::new()),
        };
        let mut parts: Vec<&[u8]> = vec![attacker.as_bytes(), endpoint.as_bytes()];
        parts.extend(params.iter().map(|(_, value)| value.as_bytes()));
        Subject {
            seed: key.derive_u64("fake", &parts),
            params,
        }
    }
}

/// Whether any string in `value` is `token` (a fake body is small).
fn holds(value: &Value, token: &str) -> bool {
    match value {
        Value::String(text) => text == token,
        Value::Array(items) => items.iter().any(|item| holds(item, token)),
        Value::Object(object) => object.values().any(|item| holds(item, token)),
        _ => false,
    }
}

fn json_response(body: &Value, request_id: &str) -> BlockResponse {
    BlockResponse {
        status: 200,
        headers: with_request_id(
            vec![
                ("content-type".into(), "application/json".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            request_id,
        ),
        // Serializing a `Value` with string keys cannot fail.
        body: serde_json::to_vec(body).unwrap_or_default(),
    }
}
