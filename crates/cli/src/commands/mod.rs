//! One module per subcommand.

pub mod discover;
pub mod inspect;
