//! Human units in configuration files: durations (`"250ms"`, `"5s"`) and byte
//! sizes (`"64KiB"`, `1048576`). Deserialising them here keeps every error
//! message about a bad unit in one place and one wording.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// A duration written with a unit: `ms`, `s`, `m`, `h` or `d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigDuration(pub Duration);

/// A size in bytes, written as an integer or with a unit (`KiB`, `MiB`, `GiB`,
/// `KB`, `MB`, `GB`, `B`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .ok_or_else(|| format!("a duration with a unit (ms, s, m, h, d), got {text:?}"))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("a duration such as \"5s\" or \"250ms\", got {text:?}"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86_400.0,
        other => {
            return Err(format!(
                "a duration unit of ms, s, m, h or d, got {other:?} in {text:?}"
            ))
        }
    };
    if !seconds.is_finite() || seconds > 86_400.0 * 365.0 {
        return Err(format!("a duration of at most a year, got {text:?}"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("a size such as \"64KiB\" or 65536, got {text:?}"))?;
    let multiplier: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        other => {
            return Err(format!(
                "a size unit of B, KiB, MiB, GiB, TiB, KB, MB, GB or TB, got {other:?} in {text:?}"
            ))
        }
    };
    value
        .checked_mul(multiplier)
        .ok_or_else(|| format!("a size that fits in 64 bits, got {text:?}"))
}

impl<'de> Deserialize<'de> for ConfigDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = ConfigDuration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration string with a unit, such as \"5s\" or \"250ms\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_duration(v)
                    .map(ConfigDuration)
                    .map_err(|expected| E::custom(format!("expected {expected}")))
            }
        }
        deserializer.deserialize_str(DurationVisitor)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a size in bytes, as an integer or a string such as \"64KiB\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                u64::try_from(v)
                    .map(ByteSize)
                    .map_err(|_| E::custom(format!("expected a size of at least 0, got {v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(ByteSize(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_size(v)
                    .map(ByteSize)
                    .map_err(|expected| E::custom(format!("expected {expected}")))
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_known_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("5").unwrap_err().contains("unit"));
        assert!(parse_duration("5 days").unwrap_err().contains("\"days\""));
        assert!(parse_duration("9999999999h").is_err());
    }

    #[test]
    fn sizes_accept_binary_and_decimal_units() {
        assert_eq!(parse_size("64KiB"), Ok(65_536));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("12"), Ok(12));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("99999999999TiB")
            .unwrap_err()
            .contains("64 bits"));
    }
}
