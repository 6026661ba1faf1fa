//! Bans: by address, network, API key, user or fingerprint, for a time that
//! grows with repeat offences.

mod ladder;
mod list;
mod prefix;
mod shards;

pub use ladder::{BanConfig, BanConfigError, BanLadder};
pub use list::{ActiveBan, Ban, BanKind, BanList, BanListFull, BanTarget};
