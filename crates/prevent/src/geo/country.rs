//! ISO 3166-1 alpha-2 country codes, validated once so fences compare two bytes.

use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// A two-letter country code, stored upper case (`"us"` and `"US"` are equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct CountryCode([u8; 2]);

/// A string that is not two ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an ISO 3166-1 alpha-2 country code (two letters, e.g. \"US\")")]
pub struct InvalidCountryCode(pub String);

impl CountryCode {
    /// The code, upper case.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for CountryCode {
    type Err = InvalidCountryCode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.as_bytes() {
            [first, second] if first.is_ascii_alphabetic() && second.is_ascii_alphabetic() => {
                Ok(CountryCode([
                    first.to_ascii_uppercase(),
                    second.to_ascii_uppercase(),
                ]))
            }
            _ => Err(InvalidCountryCode(text.to_owned())),
        }
    }
}

impl TryFrom<String> for CountryCode {
    type Error = InvalidCountryCode;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_two_letters_stored_upper_case() {
        assert_eq!("fr".parse::<CountryCode>().unwrap().as_str(), "FR");
        assert_eq!("FR".parse::<CountryCode>(), "fr".parse::<CountryCode>());
        for bad in ["", "F", "USA", "1A", "É", "f-"] {
            assert_eq!(
                bad.parse::<CountryCode>(),
                Err(InvalidCountryCode(bad.to_owned()))
            );
        }
    }
}
