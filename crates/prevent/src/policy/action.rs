//! Actions checked once at load: statuses in range, header names and values
//! that HTTP accepts, limits that exist.

use super::config::{ActionConfig, BanOn, Deception};
use super::response::{problem_response, with_request_id, BlockResponse};
use http::{HeaderName, HeaderValue};
use std::sync::Arc;

/// A validated action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Block(BlockTemplate),
    RateLimit(Arc<str>),
    Ban(BanOn),
    Deceive(Deception),
    Mask,
    Tag(Vec<(String, String)>),
    Monitor,
}

/// A block response as configured; `body: None` means the problem document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockTemplate {
    status: u16,
    body: Option<(String, Vec<u8>)>,
    headers: Vec<(String, String)>,
}

impl BlockTemplate {
    /// 403 with the problem document.
    pub(crate) fn forbidden() -> Self {
        BlockTemplate {
            status: 403,
            body: None,
            headers: Vec::new(),
        }
    }

    /// The response for one request; `why` explains it in the problem document.
    pub(crate) fn render(&self, request_id: &str, why: &str) -> BlockResponse {
        let mut response = match &self.body {
            None => problem_response(self.status, why, request_id),
            Some((content_type, body)) => BlockResponse {
                status: self.status,
                headers: with_request_id(
                    vec![("content-type".into(), content_type.clone())],
                    request_id,
                ),
                body: body.clone(),
            },
        };
        for (name, value) in &self.headers {
            response
                .headers
                .retain(|(present, _)| !present.eq_ignore_ascii_case(name));
            response.headers.push((name.clone(), value.clone()));
        }
        response
    }
}

impl Action {
    /// Validates a configured action; `limit_exists` tells known limit names.
    pub(crate) fn compile(
        config: &ActionConfig,
        limit_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Action, String> {
        Ok(match config {
            ActionConfig::Block {
                status,
                body,
                content_type,
                headers,
            } => {
                let status = status.unwrap_or(403);
                if !(400..=599).contains(&status) {
                    return Err(format!("block status {status} is not a 4xx or 5xx"));
                }
                if content_type.is_some() && body.is_none() {
                    return Err("content_type is set but there is no body".into());
                }
                let body = body.as_ref().map(|body| {
                    let content_type = content_type
                        .clone()
                        .unwrap_or_else(|| "text/plain; charset=utf-8".into());
                    (content_type, body.clone().into_bytes())
                });
                let mut headers = checked_headers(headers)?;
                if let Some((content_type, _)) = &body {
                    checked_header("content-type", content_type)?;
                }
                headers.retain(|(name, _)| name != "content-length");
                Action::Block(BlockTemplate {
                    status,
                    body,
                    headers,
                })
            }
            ActionConfig::RateLimit { limit } => {
                if !limit_exists(limit) {
                    return Err(format!("no limit named `{limit}` in [[prevent.limits]]"));
                }
                Action::RateLimit(Arc::from(limit.as_str()))
            }
            ActionConfig::Ban { on } => Action::Ban(*on),
            ActionConfig::Deceive { with } => Action::Deceive(*with),
            ActionConfig::Mask {} => Action::Mask,
            ActionConfig::Tag { headers } => {
                if headers.is_empty() {
                    return Err("tag needs at least one header".into());
                }
                Action::Tag(checked_headers(headers)?)
            }
            ActionConfig::Monitor {} => Action::Monitor,
        })
    }

    /// The lower-case name used in reasons and events.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Block(_) => "block",
            Action::RateLimit(_) => "rate_limit",
            Action::Ban(_) => "ban",
            Action::Deceive(_) => "deceive",
            Action::Mask => "mask",
            Action::Tag(_) => "tag",
            Action::Monitor => "monitor",
        }
    }

    /// Among terminal actions (those that replace the upstream's answer),
    /// how severe: ban > block > deceive. `None` for the others.
    pub(crate) fn severity(&self) -> Option<u8> {
        match self {
            Action::Ban(_) => Some(3),
            Action::Block(_) => Some(2),
            Action::Deceive(_) => Some(1),
            _ => None,
        }
    }
}

/// Header names lower-cased; names and values HTTP would accept.
fn checked_headers(
    headers: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, String> {
    headers
        .iter()
        .map(|(name, value)| checked_header(name, value))
        .collect()
}

fn checked_header(name: &str, value: &str) -> Result<(String, String), String> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))?;
    HeaderValue::from_str(value).map_err(|_| format!("header `{name}` has an invalid value"))?;
    Ok((name.as_str().to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(toml_action: &str) -> Result<Action, String> {
        #[derive(serde::Deserialize)]
        struct Wrapper {
            action: ActionConfig,
        }
        let wrapper: Wrapper = toml::from_str(toml_action).map_err(|e| e.to_string())?;
        Action::compile(&wrapper.action, &|name| name == "login")
    }

    #[test]
    fn a_custom_block_keeps_its_body_and_headers() {
        let action = compile(
            r#"action = { type = "block", status = 451, body = "gone", headers = { "X-Reason" = "geo" } }"#,
        )
        .unwrap();
        let Action::Block(template) = action else {
            panic!("not a block: {action:?}")
        };
        let response = template.render("r-1", "ignored");
        assert_eq!(response.status, 451);
        assert_eq!(response.body, b"gone");
        assert!(response
            .headers
            .contains(&("x-reason".into(), "geo".into())));
        assert!(response
            .headers
            .contains(&("content-type".into(), "text/plain; charset=utf-8".into())));
        assert!(response
            .headers
            .contains(&("x-request-id".into(), "r-1".into())));
    }

    #[test]
    fn invalid_actions_are_refused_with_the_reason() {
        let error = |text| compile(text).unwrap_err();
        assert!(error(r#"action = { type = "block", status = 200 }"#).contains("not a 4xx or 5xx"));
        assert!(
            error(r#"action = { type = "block", headers = { "bad name" = "x" } }"#)
                .contains("not a valid header name")
        );
        assert!(
            error(r#"action = { type = "tag", headers = { "x-risk" = "a\nb" } }"#)
                .contains("invalid value")
        );
        assert!(error(r#"action = { type = "rate_limit", limit = "nope" }"#)
            .contains("no limit named `nope`"));
        assert!(error(r#"action = { type = "ban", on = "planet" }"#).contains("unknown variant"));
        assert!(error(r#"action = { type = "mask", extra = 1 }"#).contains("unknown field"));
        assert!(compile(r#"action = { type = "rate_limit", limit = "login" }"#).is_ok());
    }

    #[test]
    fn severity_orders_terminal_actions_only() {
        let ban = Action::Ban(BanOn::Ip);
        let block = Action::Block(BlockTemplate::forbidden());
        let deceive = Action::Deceive(Deception::Tarpit);
        assert!(ban.severity() > block.severity());
        assert!(block.severity() > deceive.severity());
        assert_eq!(Action::Mask.severity(), None);
        assert_eq!(Action::Monitor.severity(), None);
    }
}
