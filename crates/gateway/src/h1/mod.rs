//! Rampart's own HTTP/1.1 client for upstream connections.
//!
//! A general-purpose client runs each connection as a task of its own and
//! passes every request, response and body chunk through channels. Here the
//! exchange runs in the client's task: the request head is written with the
//! body in one system call when it fits, the response head is parsed in place
//! and the body is read straight off the socket as the client takes it. The
//! framing rules are strict: an upstream connection is reused, and a
//! response read wrongly would corrupt the next one.

pub mod body;
pub mod chunked;
pub mod connection;
pub mod request;
pub mod response;

pub use body::{UpstreamBody, UpstreamBodyError};
pub use connection::{Connection, ExchangeError};
pub use response::{ResponseFraming, ResponseHead};
