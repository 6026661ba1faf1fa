//! The registered claims a verified signature does not vouch for by itself:
//! the token's validity window (`exp`, `nbf`, with a leeway for clock
//! skew), who issued it (`iss`), whom it is for (`aud`) and the claims an
//! API requires to be present.

use super::{Check, Failure};
use serde_json::{Map, Value};

/// What the claims must say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimRules {
    /// Accepted issuers; any when empty.
    pub issuers: Vec<String>,
    /// Accepted audiences (one shared with `aud` is enough); any when empty.
    pub audiences: Vec<String>,
    /// Clock skew forgiven on `exp` and `nbf`, in seconds.
    pub leeway_seconds: u64,
    /// Claims that must be present.
    pub required: Vec<String>,
}

impl ClaimRules {
    /// Checks `claims` at `now_millis`.
    pub fn check(&self, claims: &Map<String, Value>, now_millis: u64) -> Result<(), Failure> {
        if let Some(missing) = self
            .required
            .iter()
            .find(|name| !claims.contains_key(*name))
        {
            return Err(Failure::new(
                Check::MissingClaim,
                format!("no {missing:?} claim"),
            ));
        }
        let now = now_millis / 1000;
        if let Some(exp) = seconds(claims, "exp")? {
            if now >= exp.saturating_add(self.leeway_seconds) {
                return Err(Failure::new(
                    Check::Expired,
                    format!(
                        "expired {}s ago (leeway {}s)",
                        now - exp,
                        self.leeway_seconds
                    ),
                ));
            }
        }
        if let Some(nbf) = seconds(claims, "nbf")? {
            if now.saturating_add(self.leeway_seconds) < nbf {
                return Err(Failure::new(
                    Check::NotYetValid,
                    format!("valid in {}s (leeway {}s)", nbf - now, self.leeway_seconds),
                ));
            }
        }
        if !self.issuers.is_empty() {
            let issuer = claims.get("iss").and_then(Value::as_str);
            if !issuer.is_some_and(|iss| self.issuers.iter().any(|i| i == iss)) {
                return Err(Failure::new(
                    Check::Issuer,
                    format!("issuer {} is not accepted", excerpt(issuer)),
                ));
            }
        }
        if !self.audiences.is_empty() {
            let audiences: Vec<&str> = match claims.get("aud") {
                Some(Value::String(one)) => vec![one],
                Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !audiences
                .iter()
                .any(|aud| self.audiences.iter().any(|a| a == aud))
            {
                return Err(Failure::new(
                    Check::Audience,
                    format!(
                        "audience {} is not accepted",
                        excerpt(audiences.first().copied())
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A NumericDate claim, in whole seconds (fractions are cut).
fn seconds(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>, Failure> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }) {
            Some(value) => Ok(Some(value)),
            None => Err(Failure::new(
                Check::Malformed,
                format!("{name:?} is not a date"),
            )),
        },
        Some(_) => Err(Failure::new(
            Check::Malformed,
            format!("{name:?} is not a number"),
        )),
    }
}

/// A claim value as explanations show it: quoted, at most 40 characters.
fn excerpt(value: Option<&str>) -> String {
    match value {
        None => "(none)".into(),
        Some(text) => format!("{:?}", text.chars().take(40).collect::<String>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn failed(rules: &ClaimRules, value: Value, now_secs: u64) -> Option<Check> {
        rules
            .check(&claims(value), now_secs * 1000)
            .err()
            .map(|f| f.check)
    }

    #[test]
    fn the_validity_window_with_its_leeway() {
        let rules = ClaimRules {
            leeway_seconds: 30,
            ..ClaimRules::default()
        };
        let window = json!({"nbf": 1000, "exp": 2000});
        assert_eq!(
            failed(&rules, window.clone(), 969),
            Some(Check::NotYetValid)
        );
        assert_eq!(failed(&rules, window.clone(), 970), None);
        assert_eq!(failed(&rules, window.clone(), 2029), None);
        assert_eq!(failed(&rules, window.clone(), 2030), Some(Check::Expired));
        assert_eq!(
            failed(&rules, json!({"exp": "tomorrow"}), 0),
            Some(Check::Malformed)
        );
        assert_eq!(
            failed(&rules, json!({"exp": -5}), 0),
            Some(Check::Malformed)
        );
        assert_eq!(failed(&rules, json!({"exp": 1e300}), 0), None);
    }

    #[test]
    fn issuer_audience_and_required_claims() {
        let rules = ClaimRules {
            issuers: vec!["https://id.example".into()],
            audiences: vec!["orders".into()],
            required: vec!["exp".into()],
            ..ClaimRules::default()
        };
        let good = json!({"iss": "https://id.example", "aud": ["billing", "orders"], "exp": 99});
        assert_eq!(failed(&rules, good, 10), None);
        let other_issuer = json!({"iss": "https://evil.example", "aud": "orders", "exp": 99});
        assert_eq!(failed(&rules, other_issuer, 10), Some(Check::Issuer));
        let no_issuer = json!({"aud": "orders", "exp": 99});
        assert_eq!(failed(&rules, no_issuer, 10), Some(Check::Issuer));
        let other_audience = json!({"iss": "https://id.example", "aud": "billing", "exp": 99});
        assert_eq!(failed(&rules, other_audience, 10), Some(Check::Audience));
        let no_exp = json!({"iss": "https://id.example", "aud": "orders"});
        assert_eq!(failed(&rules, no_exp, 10), Some(Check::MissingClaim));
    }
}
