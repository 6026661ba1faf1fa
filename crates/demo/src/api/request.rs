//! A request as the demo API sees it, with the bounded helpers every handler
//! uses: query parameters, a typed JSON body, the bearer token.

use super::reply::ApiReply;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, Method, StatusCode};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

/// Request bodies larger than this are refused (413).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Query strings longer than this are refused (400).
pub const MAX_QUERY_BYTES: usize = 2048;

pub struct ApiRequest<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl ApiRequest<'_> {
    /// The first value of query parameter `name`, percent- and `+`-decoded.
    pub fn query_param(&self, name: &str) -> Result<Option<String>, ApiReply> {
        let Some(query) = self.query else {
            return Ok(None);
        };
        if query.len() > MAX_QUERY_BYTES {
            return Err(ApiReply::bad_request(format!(
                "query string longer than {MAX_QUERY_BYTES} bytes"
            )));
        }
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if decode_component(key)? == name {
                return decode_component(value).map(Some);
            }
        }
        Ok(None)
    }

    /// A positive page number from `?page=`, 1 when absent.
    pub fn page(&self, max_page: u64) -> Result<u64, ApiReply> {
        match self.query_param("page")? {
            None => Ok(1),
            Some(text) => match text.parse::<u64>() {
                Ok(page)
                    if (1..=max_page).contains(&page)
                        && text.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Ok(page)
                }
                _ => Err(ApiReply::bad_request(format!(
                    "page must be an integer from 1 to {max_page}, got {text:?}"
                ))),
            },
        }
    }

    /// The body parsed as `T`: requires `Content-Type: application/json`, a body
    /// within [`MAX_BODY_BYTES`], and JSON that fits `T` (serde_json bounds nesting).
    pub fn json_body<T: DeserializeOwned>(&self) -> Result<T, ApiReply> {
        let is_json = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiReply::error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "request body must be application/json",
            ));
        }
        if self.body.len() > MAX_BODY_BYTES {
            return Err(ApiReply::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("request body larger than {MAX_BODY_BYTES} bytes"),
            ));
        }
        serde_json::from_slice(self.body).map_err(|e| {
            ApiReply::bad_request(format!(
                "malformed JSON body at line {} column {}: {e}",
                e.line(),
                e.column()
            ))
        })
    }

    /// The token of an `Authorization: Bearer ...` header.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.headers.get(AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }
}

fn decode_component(raw: &str) -> Result<String, ApiReply> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiReply::bad_request("query string is not valid UTF-8 once decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde::Deserialize;

    fn request<'a>(
        query: Option<&'a str>,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> ApiRequest<'a> {
        ApiRequest {
            method: &Method::GET,
            path: "/",
            query,
            headers,
            body,
        }
    }

    #[test]
    fn query_params_are_decoded_and_bounded() {
        let headers = HeaderMap::new();
        let r = request(Some("a=1&q=red+shoes%21&q=second&flag"), &headers, b"");
        assert_eq!(r.query_param("q").unwrap().as_deref(), Some("red shoes!"));
        assert_eq!(r.query_param("flag").unwrap().as_deref(), Some(""));
        assert_eq!(r.query_param("missing").unwrap(), None);
        let bad_utf8 = request(Some("q=%FF"), &headers, b"");
        assert_eq!(
            bad_utf8.query_param("q").unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let long = "q=".to_owned() + &"a".repeat(MAX_QUERY_BYTES);
        let too_long = request(Some(&long), &headers, b"");
        assert_eq!(
            too_long.query_param("q").unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn page_must_be_a_positive_bounded_integer() {
        let headers = HeaderMap::new();
        assert_eq!(request(None, &headers, b"").page(10).unwrap(), 1);
        assert_eq!(request(Some("page=3"), &headers, b"").page(10).unwrap(), 3);
        for bad in ["page=0", "page=11", "page=-1", "page=%2B2", "page=abc"] {
            assert!(request(Some(bad), &headers, b"").page(10).is_err(), "{bad}");
        }
    }

    #[derive(Deserialize, Debug)]
    struct Login {
        email: String,
    }

    #[test]
    fn json_body_checks_type_size_and_syntax() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            request(None, &headers, b"{}")
                .json_body::<Login>()
                .unwrap_err()
                .status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        let ok: Login = request(None, &headers, br#"{"email":"a@b.c"}"#)
            .json_body()
            .unwrap();
        assert_eq!(ok.email, "a@b.c");
        let malformed = request(None, &headers, b"{\"email\":")
            .json_body::<Login>()
            .unwrap_err();
        assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
        assert!(malformed.body["message"]
            .as_str()
            .unwrap()
            .contains("line 1 column"));
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            request(None, &headers, &big)
                .json_body::<Login>()
                .unwrap_err()
                .status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let deep = "[".repeat(1000);
        assert_eq!(
            request(None, &headers, deep.as_bytes())
                .json_body::<serde_json::Value>()
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn bearer_token_is_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        assert_eq!(request(None, &headers, b"").bearer_token(), None);
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("bearer abc.def.ghi"),
        );
        assert_eq!(
            request(None, &headers, b"").bearer_token(),
            Some("abc.def.ghi")
        );
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic dXNlcg=="));
        assert_eq!(request(None, &headers, b"").bearer_token(), None);
    }
}
