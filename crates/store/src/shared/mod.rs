//! Several gateways, one policy: rate limits, bans and behaviour counts
//! (account takeover, sign-ups, one-time codes) shared through Redis.
//!
//! One gateway enforces its limits and bans in memory (`rampart-prevent`).
//! Behind a load balancer, N gateways would each admit the full quota and
//! each ban only what it saw itself. With a `[redis]` section they share the
//! state instead, and a limit of N requests admits N across all of them.
//!
//! # Design
//!
//! - **One script per decision.** A limit check is one `EVALSHA` of a Lua
//!   script (`scripts.rs`) that reads the key's GCRA theoretical arrival time
//!   (TAT), decides and stores the new TAT. Redis runs a script atomically,
//!   so concurrent gateways cannot both take the last slot (a GET then SET
//!   from the gateway could), and the decision costs one round trip. The
//!   arithmetic is [`rampart_prevent::ratelimit::Gcra`]'s, on the same
//!   emission interval and window, so a shared limit answers what the local
//!   one would (same `Retry-After`), and limits that count only some
//!   outcomes peek before the request and charge after the response, exactly
//!   like [`rampart_prevent::RateLimiter`].
//! - **Redis is the clock.** The script reads `TIME` on the server: gateways
//!   whose clocks drift still agree on every TAT. (Redis >= 5 replicates a
//!   script's effects, not the script, so reading the time is allowed.)
//! - **Memory is bounded by expiry.** A TAT key expires when its TAT passes,
//!   which is the moment GCRA forgets it anyway; a ban record expires when
//!   its offences are forgotten (`forget_after_seconds` after the ban ends).
//! - **Bans are announced.** A ban is recorded (strikes, end, reason) and
//!   published on a channel in the same script, so escalation counts the
//!   offences seen by every gateway, and every gateway copies the ban into
//!   its local ban list, where lookups stay in-memory. A gateway that
//!   connects (or reconnects) loads the active bans first, so nothing
//!   announced while it was away is missed.
//! - **Account takeover counts the whole campaign** (`ato.rs`): the login
//!   windows of `rampart_behave::ato`, same semantics, kept by one script
//!   per judgement and one per answer.
//! - **Sign-ups and one-time codes too** (`floods.rs`): the tallies of
//!   `rampart_behave::signup` and `::otp`, same semantics, kept by the same
//!   script, one call per request.
//!
//! # Outage
//!
//! The client never blocks its caller on Redis: it connects in the
//! background (`link.rs`), every call has a short timeout (`timeout_ms`), and
//! while Redis is unreachable calls fail at once with
//! [`SharedError::Unavailable`]. Each limit then applies its
//! [`OnRedisError`] policy: limit locally (each gateway with its own
//! limiter), admit, or refuse. The connection is rebuilt by itself with
//! exponential backoff; every change of [`Health`] is reported to the
//! [`SharedStateListener`] (for metrics and a security event), and
//! [`SharedStats`] counts errors, timeouts, fallbacks and reconnects. Bans
//! already copied stay in the local list during an outage.
//!
//! # Runtimes
//!
//! The gateway runs one current-thread runtime per core, any of which may be
//! busy. The Redis connection's driver task therefore runs on a small
//! runtime on a thread this module owns (`rampart-redis`); callers on any
//! runtime only exchange messages with it. Callers need a runtime with the
//! time driver enabled, for the per-call timeout.

mod ato;
mod bans;
mod config;
mod fallback;
mod floods;
mod health;
mod limits;
mod link;
mod scripts;
mod state;

pub use ato::AtoWindows;
pub use bans::{read_announcement, News, SharedBan};
pub use config::{RedisConfig, RedisConfigError};
pub use fallback::OnRedisError;
pub use floods::{FloodCounted, FloodKind};
pub use health::{Health, SharedStateListener, SharedStats};
pub use limits::SharedLimit;
pub use state::{SharedError, SharedState, StartError};
