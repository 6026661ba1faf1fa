//! Fake scalars: strings by their `format`, then by their property's name;
//! numbers in the range the name suggests.
//!
//! Dates fall in the three years before an anchor the caller gives (the
//! clock, rounded down to a half year), so they look recent yet stay the same
//! between two requests of one attacker.

use super::hint::Hint;
use super::words::{
    BCRYPT_ALPHABET, CITIES, COMPANY_KINDS, COUNTRIES, CURRENCIES, EMAIL_DOMAINS, FIRST_NAMES, HEX,
    LAST_NAMES, STATUSES, STREETS, STREET_KINDS, TOKEN_ALPHABET, WORDS,
};
use crate::deception::prng::FakeRng;

/// How far back fake dates go.
const DATE_SPAN_SECS: u64 = 3 * 365 * 86_400;
const SECS_PER_YEAR: u64 = 31_556_952;

/// What scalars depend on besides the random generator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScalarContext<'a> {
    /// Fake dates lie before this (seconds since the Unix epoch).
    pub anchor_secs: u64,
    /// The value of every token-like string; a random opaque token if `None`.
    pub token: Option<&'a str>,
    /// The value of `expires_in`-like properties.
    pub token_ttl_secs: u64,
}

/// The person an object describes, so that its name, email and username
/// agree.
#[derive(Debug, Clone, Copy)]
pub(super) struct Persona {
    first: &'static str,
    last: &'static str,
}

impl Persona {
    pub(super) fn draw(rng: &mut FakeRng) -> Self {
        Persona {
            first: rng.pick(FIRST_NAMES),
            last: rng.pick(LAST_NAMES),
        }
    }
}

/// A fake string; names and contact details are `persona`'s.
pub(super) fn string(
    rng: &mut FakeRng,
    context: &ScalarContext<'_>,
    persona: Persona,
    format: Option<&str>,
    hint: Option<Hint>,
) -> String {
    let Persona { first, last } = persona;
    let by_format = match format {
        Some("email") => Some(Hint::Email),
        Some("uuid") => Some(Hint::Id),
        Some("date-time") => Some(Hint::DateTime),
        Some("date") => Some(Hint::Date),
        Some("uri" | "url" | "uri-reference" | "iri") => Some(Hint::Url),
        Some("ipv4") => Some(Hint::Ip),
        Some("ipv6") => return ipv6(rng),
        Some("hostname") => return format!("{}.example.com", rng.pick(WORDS)),
        Some("time") => return datetime(rng, context)[11..19].to_string(),
        _ => None,
    };
    match by_format.or(hint) {
        Some(Hint::Id) => uuid(rng),
        Some(Hint::Email) => format!(
            "{}.{}{}@{}",
            first.to_ascii_lowercase(),
            last.to_ascii_lowercase(),
            rng.below(100),
            rng.pick(EMAIL_DOMAINS)
        ),
        Some(Hint::Phone) => format!("+1-555-01{:02}", rng.below(100)),
        Some(Hint::FirstName) => first.to_string(),
        Some(Hint::LastName) => last.to_string(),
        Some(Hint::FullName) => format!("{first} {last}"),
        Some(Hint::Username) => format!(
            "{}{}{}",
            first[..1].to_ascii_lowercase(),
            last.to_ascii_lowercase(),
            rng.below(100)
        ),
        Some(Hint::Company) => format!("{} {}", rng.pick(LAST_NAMES), rng.pick(COMPANY_KINDS)),
        Some(Hint::City) => rng.pick(CITIES).to_string(),
        Some(Hint::Street) => format!(
            "{} {} {}",
            rng.between(1, 9999),
            rng.pick(STREETS),
            rng.pick(STREET_KINDS)
        ),
        Some(Hint::PostalCode) => format!("{:05}", rng.between(10_000, 99_999)),
        Some(Hint::Country) => rng.pick(COUNTRIES).to_string(),
        Some(Hint::Currency) => rng.pick(CURRENCIES).to_string(),
        Some(Hint::Url) => format!(
            "https://www.example.com/{}/{}",
            rng.pick(WORDS),
            rng.between(1, 99_999)
        ),
        Some(Hint::Ip) => {
            let network = rng.pick(&["192.0.2", "198.51.100", "203.0.113"]);
            format!("{network}.{}", rng.between(1, 254))
        }
        Some(Hint::Date) => datetime(rng, context)[..10].to_string(),
        Some(Hint::DateTime) => datetime(rng, context),
        Some(Hint::Token) => match context.token {
            Some(token) => token.to_string(),
            None => rng.text(TOKEN_ALPHABET, 40),
        },
        Some(Hint::TokenType) => "Bearer".to_string(),
        Some(Hint::PasswordHash) => format!("$2b$12${}", rng.text(BCRYPT_ALPHABET, 53)),
        Some(Hint::Title) => format!("{} {}", capitalised(rng.pick(WORDS)), rng.pick(WORDS)),
        Some(Hint::Text) => sentence(rng),
        Some(Hint::Status) => rng.pick(STATUSES).to_string(),
        Some(
            hint @ (Hint::ExpiresIn
            | Hint::Price
            | Hint::Count
            | Hint::Age
            | Hint::Year
            | Hint::Latitude
            | Hint::Longitude),
        ) => serde_json::Number::from_f64(number(rng, context, Some(hint)))
            .map_or_else(String::new, |n| n.to_string()),
        None => rng.pick(WORDS).to_string(),
    }
}

/// A fake integer.
pub(super) fn integer(rng: &mut FakeRng, context: &ScalarContext<'_>, hint: Option<Hint>) -> i64 {
    let anchor_year = 1970 + context.anchor_secs / SECS_PER_YEAR;
    let value = match hint {
        Some(Hint::Id) => rng.between(1, 999_999),
        Some(Hint::Count) => rng.between(0, 50),
        Some(Hint::Age) => rng.between(18, 79),
        Some(Hint::Year) => rng.between(anchor_year.saturating_sub(10), anchor_year),
        Some(Hint::Price) => rng.between(100, 99_999),
        Some(Hint::ExpiresIn) => context.token_ttl_secs,
        Some(Hint::Date | Hint::DateTime) => past_secs(rng, context),
        _ => rng.between(1, 1000),
    };
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A fake number with a fractional part.
pub(super) fn number(rng: &mut FakeRng, context: &ScalarContext<'_>, hint: Option<Hint>) -> f64 {
    let scaled = |rng: &mut FakeRng, low: i64, high: i64, scale: f64| {
        let span = high.abs_diff(low);
        (low + rng.below(span + 1) as i64) as f64 / scale
    };
    match hint {
        Some(Hint::Price) => scaled(rng, 100, 99_999, 100.0),
        Some(Hint::Latitude) => scaled(rng, -600_000, 700_000, 10_000.0),
        Some(Hint::Longitude) => scaled(rng, -1_800_000, 1_800_000, 10_000.0),
        Some(Hint::Count | Hint::Age | Hint::Year | Hint::ExpiresIn | Hint::Id) => {
            integer(rng, context, hint) as f64
        }
        _ => scaled(rng, 0, 100_000, 100.0),
    }
}

fn past_secs(rng: &mut FakeRng, context: &ScalarContext<'_>) -> u64 {
    context
        .anchor_secs
        .saturating_sub(rng.between(86_400, DATE_SPAN_SECS))
}

/// RFC 3339 in UTC with milliseconds, as the gateway writes times.
fn datetime(rng: &mut FakeRng, context: &ScalarContext<'_>) -> String {
    let millis = past_secs(rng, context) * 1000 + rng.below(1000);
    rampart_core::event::rfc3339_millis(millis)
}

/// A random (version 4) UUID.
fn uuid(rng: &mut FakeRng) -> String {
    let high = rng.next_u64();
    let low = rng.next_u64();
    let version = (high & !0xF000) | 0x4000;
    let variant = (low & !(0b11 << 62)) | (0b10 << 62);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        version >> 32,
        (version >> 16) & 0xFFFF,
        version & 0xFFFF,
        variant >> 48,
        variant & 0xFFFF_FFFF_FFFF
    )
}

/// An address in the documentation prefix `2001:db8::/32`.
fn ipv6(rng: &mut FakeRng) -> String {
    format!(
        "2001:db8:{}:{}::{}",
        rng.text(HEX, 4),
        rng.text(HEX, 4),
        rng.text(HEX, 3)
    )
}

fn sentence(rng: &mut FakeRng) -> String {
    let count = rng.between(5, 9);
    let mut text = capitalised(rng.pick(WORDS));
    for _ in 1..count {
        text.push(' ');
        text.push_str(rng.pick(WORDS));
    }
    text.push('.');
    text
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ScalarContext<'static> {
        ScalarContext {
            anchor_secs: 1_700_000_000,
            token: None,
            token_ttl_secs: 900,
        }
    }

    #[test]
    fn formats_give_values_of_that_format() {
        let mut rng = FakeRng::new(9);
        let context = context();
        let persona = Persona::draw(&mut rng);
        let mut string = |format| string(&mut rng, &context, persona, Some(format), None);
        let uuid = string("uuid");
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4", "{uuid}");
        assert!(string("email").contains("@example."));
        let when = string("date-time");
        let millis = rampart_core::event::parse_rfc3339_millis(&when).unwrap();
        assert!(
            millis < 1_700_000_000_000 && millis > 1_600_000_000_000,
            "{when}"
        );
        assert_eq!(string("date").len(), 10);
        assert!(string("uri").starts_with("https://www.example.com/"));
        assert!(string("ipv4").parse::<std::net::Ipv4Addr>().is_ok());
        assert!(string("ipv6").parse::<std::net::Ipv6Addr>().is_ok());
        assert_eq!(string("time").len(), 8);
    }

    #[test]
    fn hints_give_plausible_values_and_one_persona_agrees_with_itself() {
        let mut rng = FakeRng::new(3);
        let mut context = context();
        let persona = Persona::draw(&mut rng);
        let hinted = |rng: &mut FakeRng, context: &ScalarContext<'_>, hint| {
            string(rng, context, persona, None, Some(hint))
        };
        let email = hinted(&mut rng, &context, Hint::Email);
        let first = hinted(&mut rng, &context, Hint::FirstName).to_ascii_lowercase();
        let last = hinted(&mut rng, &context, Hint::LastName).to_ascii_lowercase();
        assert!(email.starts_with(&format!("{first}.{last}")), "{email}");
        assert!(email.contains("@example."), "{email}");
        assert!(hinted(&mut rng, &context, Hint::Phone).starts_with("+1-555-01"));
        assert_eq!(hinted(&mut rng, &context, Hint::TokenType), "Bearer");
        assert_eq!(
            integer(&mut rng, &context, Some(Hint::ExpiresIn)),
            900,
            "expires_in is the configured token lifetime"
        );
        let price = number(&mut rng, &context, Some(Hint::Price));
        assert!((1.0..=999.99).contains(&price), "{price}");
        let age = integer(&mut rng, &context, Some(Hint::Age));
        assert!((18..=79).contains(&age));
        context.token = Some("decoy");
        assert_eq!(hinted(&mut rng, &context, Hint::Token), "decoy");
    }
}
