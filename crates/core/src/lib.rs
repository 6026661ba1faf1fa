//! The vocabulary every Rampart crate speaks.
//!
//! Discovery, detection and prevention are pure libraries; the gateway and the
//! CLI feed them. What they exchange lives here so that none of them depends on
//! another: the exchange record read from files and mirrored traffic, the
//! exchange view through which every stage reads a request (decoded once; see
//! [`exchange`]), the action a pipeline stage decides, the explained reasons
//! behind it, the security event written for operators, and a clock tests
//! can drive.

pub mod action;
pub mod clock;
pub mod event;
pub mod exchange;
pub mod form;
pub mod hash;
pub mod pairs;
pub mod record;
pub mod redact;

pub use action::{Action, Combined, Reason};
pub use clock::{Clock, ManualClock, SystemClock};
pub use event::{BotIdentity, Repeats, SecurityEvent};
pub use exchange::{Body, RequestView};
pub use record::{ExchangeRecord, RecordError, RecordReader};
