//! The whole engine on an arbitrary request: the input is split into
//! method, path, query, one header per line and a body.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::{Body, DetectConfig, Engine, RequestView};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(DetectConfig::default()).expect("default config is valid"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let method = lines.next().unwrap_or("GET");
    let path = lines.next().unwrap_or("/");
    let query = lines.next().unwrap_or("");
    let headers: Vec<(&str, &[u8])> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n, v.trim().as_bytes()))
        .collect();
    let body = Some(Body { bytes: body.as_bytes(), truncated: data.first() == Some(&0) });
    let view = RequestView::new(method, path, query, headers, body);
    let _ = engine().inspect(&view);
});
