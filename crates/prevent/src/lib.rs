//! rampart-prevent: how Rampart answers a threat.
//!
//! Pure logic, no I/O: the gateway feeds it [`RequestFacts`] and detection
//! [`Signal`]s and applies what it decides. Time comes from a
//! [`rampart_core::Clock`], so every TTL and limit is tested without sleeping.
//!
//! # What the gateway calls
//!
//! ```text
//! let config: PreventConfig = ...;                    // the [prevent] section
//! let policy = config.compile_policy()?;              // at load and reload
//! let limiter = RateLimiter::new(&config.limits[i], clock.clone())?; // kept across reloads
//! let mut bans = BanList::new(&config.bans, clock.clone())?;         // behind an RwLock
//!
//! // request_headers / request_body:
//! if let Some(ban) = bans.is_banned(&facts.client) { /* 403, record */ }
//! let decision = policy.evaluate(&facts, &signals);
//! // decision.mode == Monitor: record, apply nothing. Otherwise:
//! for limit in &decision.limits {                   // limit.name; limit.named_by is a reason only if it refuses
//!     let key = limiter.key_for(&facts);             // None: the limit does not apply
//!     if let Some(response) = rate_limited_response(&limiter.check(key), &facts.request_id) { /* 429 */ }
//! }
//! match decision.verdict { Allow, Block(response), Ban { on, response }, Deceive(kind) }
//! // add decision.upstream_headers upstream; mask the response if decision.mask_response
//! // response_headers: limiter.record_outcome(key, status) for outcome-only limits
//! ```
//!
//! - [`ratelimit`]: GCRA limits keyed by ip, subnet, API key, user,
//!   fingerprint, endpoint or a composite; bounded memory; outcome-only
//!   counting; limits proposed from a baseline.
//! - [`ban`]: bans with a TTL that escalates on repeat, by address, network,
//!   API key, user or fingerprint.
//! - [`policy`]: scopes, custom CEL rules and actions, compiled and checked
//!   at load, evaluated per request into a [`Decision`]; the precedence is
//!   documented there.
//! - [`geo`]: country and ASN lookup (an embedded country database, or the
//!   user's GeoIP2/GeoLite2 files) and allow/deny lists per route.
//! - [`mask`]: card numbers (Luhn), SSNs and secret tokens masked in response
//!   bodies, same length, chunk by chunk.
//! - [`record_mask`]: credentials, secret fields and the same sensitive
//!   data masked in exchanges the gateway records for replay.
//! - [`deception`]: fake successes shaped like the learned schema, fake
//!   logins handing out decoy tokens that mark whoever presents them, a
//!   capped tarpit, honeypot endpoints and decoy fields.
pub mod ban;
pub mod config;
pub mod deception;
pub mod facts;
pub mod geo;
pub mod mask;
pub mod policy;
pub mod ratelimit;
pub mod record_mask;

pub use ban::{Ban, BanConfig, BanList, BanTarget};
pub use config::PreventConfig;
pub use deception::{
    Deceiver, DeceptionConfig, DeceptionError, DeceptiveAnswer, DecoyHit, DecoyMark, TrapHit,
    TrapRequest, TrapResponse,
};
pub use facts::{BotFacts, ClientFacts, EndpointFacts, RequestFacts, Signal};
pub use geo::{CountryCode, GeoConfig, GeoDenial, GeoFence, GeoLocator, Location};
pub use policy::{
    rate_limited_response, BlockResponse, Decision, NamedLimit, Policy, PolicyConfig, PolicyError,
    Verdict,
};
pub use ratelimit::{LimitConfig, RateDecision, RateLimiter};
