//! Rate limiting: GCRA per key, with bounded memory and a clock tests drive.
//!
//! Written here rather than with `governor`: a limiter must be keyed by an
//! arbitrary composite of request facts with a hard bound on tracked keys
//! (governor's keyed store grows until `retain_recent` is called), must read
//! time from `rampart_core::Clock`, and must be able to check without charging
//! (for limits on outcomes such as failed logins), which governor does not
//! offer. GCRA itself is a dozen lines in [`gcra`].

pub mod baseline;
pub mod gcra;
pub mod key;
pub mod limiter;
mod store;

pub use baseline::{propose_limit, LimitProposal};
pub use gcra::{Gcra, Quota, RateDecision};
pub use key::{KeyPart, KeySpec, LimitKey};
pub use limiter::{LimitConfig, LimitError, RateLimiter};
