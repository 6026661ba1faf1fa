//! One module per subcommand, plus what the long-running ones share.

pub mod check_config;
pub mod demo;
pub mod discover;
mod input;
pub mod inspect;
mod limits;
pub mod replay;
mod runtime;
pub mod scenarios;
pub mod serve;
