//! Path templates: `/users/{id}/orders/{order_id}`, `/Accounts/{Sid}.json`.
//!
//! Templates come from declared specs (hostile text: parsed with bounds and
//! clear errors) and from learning; both end as the same type, rendered the
//! same way and matched by the same router.

use serde::{Deserialize, Serialize};

/// Longest template accepted.
pub const MAX_TEMPLATE_LEN: usize = 4096;
/// Most segments in a template.
pub const MAX_TEMPLATE_SEGMENTS: usize = 64;

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TemplateSegment {
    Literal(String),
    /// A parameter, possibly inside literal text (`{Sid}.json`: suffix `.json`).
    Param {
        name: String,
        prefix: String,
        suffix: String,
    },
}

impl TemplateSegment {
    pub fn is_param(&self) -> bool {
        matches!(self, TemplateSegment::Param { .. })
    }
}

/// A parsed path template.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct PathTemplate {
    pub segments: Vec<TemplateSegment>,
}

/// Why a template could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("template longer than {MAX_TEMPLATE_LEN} bytes")]
    TooLong,
    #[error("template has more than {MAX_TEMPLATE_SEGMENTS} segments")]
    TooManySegments,
    #[error("unbalanced braces in segment `{0}`")]
    UnbalancedBraces(String),
    #[error("empty parameter name in segment `{0}`")]
    EmptyName(String),
}

impl PathTemplate {
    /// Parses `/a/{b}/c{d}.json`. Several parameters in one segment
    /// (`{a}-{b}`) become one parameter spanning them.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        if text.len() > MAX_TEMPLATE_LEN {
            return Err(TemplateError::TooLong);
        }
        let mut segments = Vec::new();
        for raw in text.split('/').filter(|s| !s.is_empty()) {
            if segments.len() == MAX_TEMPLATE_SEGMENTS {
                return Err(TemplateError::TooManySegments);
            }
            segments.push(parse_segment(raw)?);
        }
        Ok(PathTemplate { segments })
    }

    /// `/users/{id}`; the root is `/`.
    pub fn render(&self) -> String {
        if self.segments.is_empty() {
            return "/".into();
        }
        let mut out = String::new();
        for segment in &self.segments {
            out.push('/');
            match segment {
                TemplateSegment::Literal(l) => out.push_str(l),
                TemplateSegment::Param {
                    name,
                    prefix,
                    suffix,
                } => {
                    out.push_str(prefix);
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                    out.push_str(suffix);
                }
            }
        }
        out
    }

    /// The template with parameter names erased (`/users/{}`): two
    /// templates with the same shape route the same requests.
    pub fn shape(&self) -> String {
        let mut erased = self.clone();
        for segment in &mut erased.segments {
            if let TemplateSegment::Param { name, .. } = segment {
                name.clear();
            }
        }
        erased.render()
    }

    /// Names of the parameters in order.
    pub fn param_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            TemplateSegment::Param { name, .. } => Some(name.as_str()),
            TemplateSegment::Literal(_) => None,
        })
    }

    /// The literal segments in order (parameters left out).
    pub fn literals(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            TemplateSegment::Literal(l) => Some(l.as_str()),
            TemplateSegment::Param { .. } => None,
        })
    }

    /// Whether the last segment is a parameter (`/users/{id}`: one item).
    pub fn ends_with_param(&self) -> bool {
        matches!(self.segments.last(), Some(TemplateSegment::Param { .. }))
    }

    /// Prepends a base path (`/api/v3` from a spec's servers).
    pub fn with_base(mut self, base: &PathTemplate) -> Self {
        let mut segments = base.segments.clone();
        segments.append(&mut self.segments);
        PathTemplate { segments }
    }
}

fn parse_segment(raw: &str) -> Result<TemplateSegment, TemplateError> {
    let opens = raw.matches('{').count();
    let closes = raw.matches('}').count();
    if opens != closes {
        return Err(TemplateError::UnbalancedBraces(
            raw.chars().take(80).collect(),
        ));
    }
    if opens == 0 {
        return Ok(TemplateSegment::Literal(raw.to_owned()));
    }
    let (Some(start), Some(end)) = (raw.find('{'), raw.rfind('}')) else {
        return Err(TemplateError::UnbalancedBraces(
            raw.chars().take(80).collect(),
        ));
    };
    if end < start {
        return Err(TemplateError::UnbalancedBraces(
            raw.chars().take(80).collect(),
        ));
    }
    let inner = &raw[start + 1..end];
    let name: String = inner.chars().filter(|c| !matches!(c, '{' | '}')).collect();
    if name.trim().is_empty() {
        return Err(TemplateError::EmptyName(raw.chars().take(80).collect()));
    }
    Ok(TemplateSegment::Param {
        name,
        prefix: raw[..start].to_owned(),
        suffix: raw[end + 1..].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders() {
        for t in [
            "/users/{id}/orders/{order_id}",
            "/2010-04-01/Accounts/{Sid}.json",
            "/",
            "/a/v{n}",
        ] {
            assert_eq!(PathTemplate::parse(t).unwrap().render(), t);
        }
        let t = PathTemplate::parse("/Accounts/{Sid}.json").unwrap();
        assert_eq!(
            t.segments[1],
            TemplateSegment::Param {
                name: "Sid".into(),
                prefix: String::new(),
                suffix: ".json".into()
            }
        );
        assert_eq!(
            PathTemplate::parse("/a/{x}-{y}")
                .unwrap()
                .param_names()
                .collect::<Vec<_>>(),
            ["x}-{y".replace("}-{", "-")]
        );
    }

    #[test]
    fn rejects_bad_templates_with_a_reason() {
        assert_eq!(
            PathTemplate::parse("/a/{b").unwrap_err(),
            TemplateError::UnbalancedBraces("{b".into())
        );
        assert_eq!(
            PathTemplate::parse("/a/{}").unwrap_err(),
            TemplateError::EmptyName("{}".into())
        );
        assert_eq!(
            PathTemplate::parse(&"/a".repeat(100)).unwrap_err(),
            TemplateError::TooManySegments
        );
        assert_eq!(
            PathTemplate::parse(&"a".repeat(5000)).unwrap_err(),
            TemplateError::TooLong
        );
        assert!(PathTemplate::parse("/a/}{").is_err());
    }
}
