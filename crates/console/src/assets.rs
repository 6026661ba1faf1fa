//! The web console's static files (`crates/console/ui/`), embedded in the
//! binary at build time so that a user runs no build step and no page loads
//! anything from elsewhere: `GET /` is the page, `GET /ui/<file>` its
//! scripts (ES modules), stylesheet and icon.
//!
//! The files are public (the token is asked for by the page and only sent to
//! `/api/`). Every answer carries a strict Content-Security-Policy (nothing
//! but this origin, no inline script or style, no framing), `nosniff` and no
//! referrer; caches revalidate with an `ETag` (a hash of the file), answered
//! `304` when unchanged, since the file names carry no version.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

/// What every console file is served with.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// One embedded file: its name under `ui/`, its media type, its bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!("../ui/", $name)),
        }
    };
}

/// The media type of the ES modules.
const JS: &str = "text/javascript; charset=utf-8";

/// Every file of `ui/` (a test checks that none is missing).
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("charts.js", JS),
    asset!("flows.js", JS),
    asset!("pages/overview.js", JS),
    asset!("pages/inventory.js", JS),
    asset!("pages/threats.js", JS),
    asset!("pages/clients.js", JS),
    asset!("pages/policy.js", JS),
];

/// Each asset's strong `ETag`, computed once.
static ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            asset.bytes.hash(&mut hasher);
            HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
                .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
        })
        .collect()
});

/// The console's routes: `/` and `/ui/{file}`, open to anyone who can reach
/// the admin listener (they hold no data).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(|headers: HeaderMap| async move { serve("index.html", &headers) }))
        .route(
            "/ui/{*file}",
            get(|Path(file): Path<String>, headers: HeaderMap| async move {
                serve(&file, &headers)
            }),
        )
}

/// The answer for `ui/<name>`: the file, `304` when the caller's copy is
/// current, or `404`.
fn serve(name: &str, request: &HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|asset| asset.name == name) else {
        return (StatusCode::NOT_FOUND, "no such console file\n").into_response();
    };
    let asset = &ASSETS[index];
    let etag = ETAGS[index].clone();
    let current = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| {
            sent.split(',')
                .any(|tag| tag.trim().as_bytes() == etag.as_bytes())
        });
    let mut response = if current {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = asset.bytes.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get(path: &str, if_none_match: Option<&HeaderValue>) -> Response {
        let mut request = Request::get(path);
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        router::<()>()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    /// Every file under `ui/` on disk, as `pages/x.js`.
    fn files_on_disk() -> Vec<String> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    let name = path.strip_prefix(base).unwrap().to_string_lossy();
                    out.push(name.replace('\\', "/"));
                }
            }
        }
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
        let mut out = Vec::new();
        walk(&base, &base, &mut out);
        out.sort();
        out
    }

    #[test]
    fn every_file_of_the_ui_directory_is_embedded() {
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.name.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, files_on_disk());
    }

    /// What a page or module loads: `src="/ui/x"`, `href="/ui/x"` and
    /// `from './x.js'` (relative to the importing module).
    fn references(asset: &Asset) -> Vec<String> {
        let text = std::str::from_utf8(asset.bytes).unwrap();
        let dir = asset.name.rsplit_once('/').map_or("", |(d, _)| d);
        let mut out = Vec::new();
        for part in text.split("\"/ui/").skip(1) {
            out.push(part.split('"').next().unwrap().to_string());
        }
        for part in text.split(" from '").skip(1) {
            let target = part.split('\'').next().unwrap();
            let mut segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
            for segment in target.split('/') {
                match segment {
                    "." => {}
                    ".." => {
                        segments.pop();
                    }
                    other => segments.push(other),
                }
            }
            out.push(segments.join("/"));
        }
        out
    }

    #[test]
    fn everything_a_file_loads_is_embedded_and_nothing_comes_from_elsewhere() {
        for asset in ASSETS {
            for target in references(asset) {
                assert!(
                    ASSETS.iter().any(|a| a.name == target),
                    "{} loads {target}, which is not embedded",
                    asset.name
                );
            }
            let text = std::str::from_utf8(asset.bytes).unwrap();
            let outside = text
                .replace("http://www.w3.org/2000/svg", "")
                .contains("://");
            assert!(!outside, "{} names another origin", asset.name);
        }
    }

    #[test]
    fn the_page_has_no_inline_script_or_style() {
        let page = std::str::from_utf8(ASSETS[0].bytes).unwrap();
        assert_eq!(ASSETS[0].name, "index.html");
        for script in page.split("<script").skip(1) {
            let tag = script.split('>').next().unwrap();
            assert!(
                tag.contains("src=\"/ui/"),
                "an inline script: <script{tag}>"
            );
            assert!(script.split('>').nth(1).unwrap().starts_with("</script"));
        }
        assert!(!page.contains("<style") && !page.contains(" style="));
        let handler = page
            .split_whitespace()
            .any(|word| word.starts_with("on") && word.contains('='));
        assert!(!handler, "an inline event handler");
    }

    #[tokio::test]
    async fn files_are_served_with_their_type_a_strict_policy_and_revalidation() {
        for (path, kind) in [
            ("/", "text/html"),
            ("/ui/app.js", "text/javascript"),
            ("/ui/pages/policy.js", "text/javascript"),
            ("/ui/style.css", "text/css"),
            ("/ui/icon.svg", "image/svg+xml"),
        ] {
            let response = get(path, None).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let headers = response.headers().clone();
            assert!(headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(kind));
            let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.starts_with("default-src 'self'") && !csp.contains("unsafe"));
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
            let etag = headers[header::ETAG].clone();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert!(!body.is_empty());

            let again = get(path, Some(&etag)).await;
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
            assert_eq!(again.headers()[header::ETAG], etag);
            let body = again.into_body().collect().await.unwrap().to_bytes();
            assert!(body.is_empty());
        }
        let stale = HeaderValue::from_static("\"0000000000000000\"");
        assert_eq!(
            get("/ui/app.js", Some(&stale)).await.status(),
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn unknown_files_are_not_found() {
        for path in ["/ui/nope.js", "/ui/../Cargo.toml", "/ui/", "/ui/pages"] {
            assert_eq!(
                get(path, None).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
}
