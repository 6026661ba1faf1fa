//! rampart-demo: a small, realistic JSON API that `rampart demo` serves behind
//! the gateway so that Rampart can be tried with nothing else installed.
//!
//! It has users (list, profile, sign-up), login with HS256 JWTs, bank accounts,
//! orders, product search, password reset and an admin listing, over
//! deterministic fake data generated from a seed: emails, phone numbers,
//! Luhn-valid card numbers, SSN-shaped values and checksum-valid IBANs, so that
//! discovery and masking have something real to find.
//!
//! For the CLI:
//! - [`serve`]`(listener, shutdown)` runs the API until `shutdown` resolves;
//! - [`walkthrough`]`(gateway, admin)` is the "what to try" text;
//! - [`gateway_config`] is the gateway configuration the demo runs with;
//! - [`simulator::run`] sends simulated users and attackers through the
//!   gateway until told to stop;
//! - [`scenarios::write_to`] writes the repository's scenarios, built in,
//!   for `rampart demo --scenarios`.
//!
//! Endpoints (all JSON; bodies at most 16 KiB; 400 on malformed JSON, 404 on
//! unknown paths or ids, 405 with `Allow` on a wrong method):
//!
//! | method | path | auth |
//! |---|---|---|
//! | GET | `/healthz` | - |
//! | GET, POST | `/api/users` (`?page=`; POST is sign-up) | - |
//! | GET | `/api/users/{id}` | - |
//! | GET | `/api/users/{id}/orders` | owner or admin |
//! | POST | `/api/login` | - |
//! | POST | `/api/password-reset`, `/api/password-reset/confirm` | - |
//! | GET | `/api/accounts/{id}` | any user (deliberate BOLA) |
//! | GET | `/api/orders/{uuid}` | owner or admin |
//! | GET | `/api/products?q=&page=` | - |
//! | GET | `/api/admin/users` | admin |

mod api;
mod config;
mod credentials;
mod dataset;
mod directory;
mod identifiers;
mod reset;
mod rng;
pub mod scenarios;
mod server;
pub mod simulator;
#[cfg(test)]
mod testing;
mod walkthrough;

pub use api::{ApiReply, ApiRequest, DemoApi, MAX_BODY_BYTES};
pub use config::gateway_config;
pub use dataset::{KnownLogin, DEMO_ADMIN, DEMO_CUSTOMER, DEMO_SHOPPERS};
pub use server::{serve, serve_api, DEFAULT_SEED, MAX_CONNECTIONS};
pub use walkthrough::walkthrough;
