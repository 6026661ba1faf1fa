//! Attacks on application runtimes that fit no larger family: JavaScript
//! prototype pollution, Node.js serialized functions, Ruby process calls,
//! unbounded JS loops, session fixation through cookies set from a value,
//! and HTTP response splitting or request smuggling inside a value.

use super::Hit;

/// Whether the value is an argument name, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgumentName {
    No,
    /// A query argument name: session identifiers there are fixation.
    Query,
    Form,
    /// A JSON object key.
    Key,
}

/// Looks at a folded value (`is_name`: it is an argument or key name).
pub fn detect(folded: &str, text: &str, name: ArgumentName, hits: &mut Vec<Hit>) {
    let compact: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    // `process["env"]` is `process.env`.
    let compact = compact
        .replace("[\"", ".")
        .replace("\"]", "")
        .replace("['", ".")
        .replace("']", "");
    if compact.contains("__proto__")
        || compact.contains("constructor[prototype]")
        || compact.contains("[constructor][prototype]")
        || compact.contains("constructor.prototype")
    {
        hits.push(Hit::new("generic.prototype_pollution", 5.0, 0.9, 1));
    } else if compact.contains("@{[") {
        hits.push(Hit::new("generic.perl_interpolation", 5.0, 0.85, 1));
    } else if compact.contains("_$$nd_func$$_")
        || compact.contains("__js_function")
        || compact.contains("newfunction(")
        || compact.contains("process[")
        || compact.contains("require[")
        || compact.contains("mainmodule")
        || compact.contains("module.exports=")
        || compact.starts_with("process.env")
        || compact.starts_with("console.") && compact.contains('(')
        || compact.contains("constructor.constructor")
        || compact.contains("child_process")
        || compact.contains("process.mainmodule")
        || compact.contains("global.process")
    {
        hits.push(Hit::new("generic.node_serialized_function", 5.0, 0.9, 1));
    } else if [
        "process.spawn",
        "process.exec",
        "kernel.exec",
        "kernel.system",
        "kernel.spawn",
        "io.popen",
        "open3.",
        "%x(",
        "kernel.open",
    ]
    .iter()
    .any(|p| compact.contains(p))
    {
        hits.push(Hit::new("generic.ruby_process", 5.0, 0.85, 1));
    } else if compact.starts_with("while(")
        && compact.contains(')')
        && !compact.contains(['<', '>', '='])
    {
        hits.push(Hit::new("generic.js_infinite_loop", 5.0, 0.8, 1));
    } else if compact.contains(".cookie=")
        || compact.contains(".cookie;expires=")
        || compact.contains("http-equiv=set-cookie")
        || compact.contains("http-equiv=\"set-cookie")
    {
        hits.push(Hit::new("session_fixation.cookie_set", 5.0, 0.8, 1));
    } else if name == ArgumentName::Query && folded.contains("sess")
        || name != ArgumentName::No
            && [
                "jsessionid",
                "phpsessid",
                "aspsessionid",
                "cfid",
                "cftoken",
                "asp.net_sessionid",
                "laravel_session",
                "connect.sid",
                "ci_session",
                "rack.session",
                "next-auth.session-token",
                "__secure-next-auth.session-token",
                "meteor_login_token",
                "_flask_session",
                "express.sid",
                "sails.sid",
                "koa.sess",
                "play_session",
                "_rails_session",
                "symfony",
                "jsession",
                "cakephp",
                "koa:sess",
                "koa.sess.sig",
            ]
            .contains(&folded)
        || folded.ends_with("sessid")
    {
        hits.push(Hit::new("session_fixation.session_parameter", 5.0, 0.75, 1));
    }
    let request_line = [
        "get ", "post ", "put ", "head ", "delete ", "options ", "connect ", "trace ",
    ]
    .iter()
    .any(|m| folded.contains(m))
        && [" http/1.", " http/2", " http/3", " http/0."]
            .iter()
            .any(|v| folded.contains(v));
    if request_line {
        hits.push(Hit::new("protocol.request_smuggling", 5.0, 0.8, 1));
    }
    // Response splitting and smuggling: a line break followed by a header or
    // a request/status line.
    if text.contains('\n') || text.contains('\r') {
        let mut lines = text.split(['\r', '\n']).skip(1).filter(|l| !l.is_empty());
        let injects = lines.any(|line| {
            let l = line.trim_start().to_ascii_lowercase();
            let header = l.split_once(':').is_some_and(|(n, _)| {
                !n.is_empty()
                    && n.len() < 40
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && n.contains('-')
                    || [
                        "location",
                        "host",
                        "cookie",
                        "set-cookie",
                        "referer",
                        "refresh",
                        "remote-addr",
                        "content-type",
                        "content-length",
                    ]
                    .contains(&n)
            });
            let request_line = ["get ", "post ", "put ", "head ", "delete ", "options "]
                .iter()
                .any(|m| l.starts_with(m))
                && l.contains(" http/");
            header || request_line || l.starts_with("http/1.") || l.starts_with("<html")
        });
        if injects {
            hits.push(Hit::new("protocol.response_splitting", 5.0, 0.85, 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str, name: bool) -> bool {
        let mut h = Vec::new();
        detect(
            &crate::decode::fold::fold(s),
            s,
            if name {
                ArgumentName::Query
            } else {
                ArgumentName::No
            },
            &mut h,
        );
        !h.is_empty()
    }

    #[test]
    fn catches_runtime_attacks_and_splitting() {
        assert!(fires("__proto__[test]", true));
        assert!(fires("a[constructor][prototype][onerror]", true));
        assert!(fires("@{   [   system   \"id\"   ]   }", false));
        assert!(fires("_$$ND_FUNC$$_function(){}", false));
        assert!(fires("Process.spawn(\"id\")", false));
        assert!(fires("while(!false)", false));
        assert!(fires(
            "foobar\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK",
            false
        ));
        assert!(fires("aaa\nGET / HTTP/1.1", false));
        assert!(fires("jsessionid", true));
        assert!(!fires("line one\nline two: details", false));
        assert!(!fires("proto", true));
    }

    #[test]
    fn session_identifiers_as_json_keys_are_fixation() {
        let as_key = |s: &str| {
            let mut h = Vec::new();
            detect(s, s, ArgumentName::Key, &mut h);
            h.iter()
                .any(|h| h.rule == "session_fixation.session_parameter")
        };
        assert!(as_key("jsessionid"));
        assert!(!as_key("session_length"));
        assert!(!fires("jsessionid", false));
    }
}
