//! The vocabulary fake values are drawn from.
//!
//! Invented for fakes, never learned from traffic. Contact details use the
//! ranges reserved for documentation and fiction (`example.com` addresses,
//! `555-01xx` numbers, the `192.0.2.0/24` family of networks) so that a fake
//! never points an attacker at a real person or host.

pub(super) const FIRST_NAMES: &[&str] = &[
    "Alice", "Bruno", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kira", "Liam", "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Samir", "Tara", "Umar",
    "Vera", "Wen", "Yusuf",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Adams", "Bauer", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ibrahim",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi",
    "Schmidt", "Tanaka", "Ueda", "Varga", "Walsh", "Zhang",
];

pub(super) const CITIES: &[&str] = &[
    "Springfield",
    "Riverton",
    "Lakeside",
    "Fairview",
    "Greenville",
    "Ashford",
    "Milton",
    "Oakridge",
    "Bristol",
    "Clayton",
    "Kingsport",
    "Westbury",
];

pub(super) const STREETS: &[&str] = &[
    "Maple",
    "Oak",
    "Cedar",
    "Elm",
    "Hillcrest",
    "Park",
    "Lake",
    "Sunset",
    "Mill",
    "River",
];

pub(super) const STREET_KINDS: &[&str] = &["Street", "Avenue", "Road", "Lane", "Drive"];

pub(super) const COMPANY_KINDS: &[&str] = &["Labs", "Systems", "Group", "Partners", "Works"];

pub(super) const COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "ES", "IT", "NL", "CA", "JP", "BR"];

pub(super) const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY", "CAD"];

pub(super) const STATUSES: &[&str] = &["active", "pending", "completed"];

pub(super) const EMAIL_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];

/// Plain English words for titles, sentences and unnamed strings.
pub(super) const WORDS: &[&str] = &[
    "account", "amber", "annual", "basic", "blue", "bright", "budget", "canvas", "classic",
    "cloud", "compact", "core", "daily", "delta", "direct", "early", "echo", "field", "final",
    "focus", "global", "green", "harbor", "input", "linear", "local", "market", "modern", "north",
    "open", "orbit", "prime", "quiet", "rapid", "ridge", "silver", "simple", "smart", "solid",
    "summit", "swift", "urban", "vector", "vivid",
];

/// The alphabet of opaque tokens (base64url).
pub(super) const TOKEN_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The alphabet of bcrypt hashes.
pub(super) const BCRYPT_ALPHABET: &[u8] =
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub(super) const HEX: &[u8] = b"0123456789abcdef";
