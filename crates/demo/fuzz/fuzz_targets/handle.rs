//! Feeds arbitrary requests to the demo API: any method, path, query, headers
//! and body must get an answer, never a panic.
#![no_main]

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use libfuzzer_sys::fuzz_target;
use rampart_core::ManualClock;
use rampart_demo::{ApiRequest, DemoApi};
use std::sync::{Arc, OnceLock};

fn api() -> &'static DemoApi {
    static API: OnceLock<DemoApi> = OnceLock::new();
    API.get_or_init(|| DemoApi::new(1, Arc::new(ManualClock::at(1_735_689_600_000))))
}

// Input layout: method \n path \n query \n header-name: value \n ... \n\n body
fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n');
    let Ok(method) = Method::from_bytes(lines.next().unwrap_or("GET").as_bytes()) else {
        return;
    };
    let path = lines.next().unwrap_or("/");
    let query = lines.next().filter(|q| !q.is_empty());
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.trim().as_bytes()),
                HeaderValue::from_str(value.trim()),
            ) {
                headers.append(name, value);
            }
        }
    }
    let reply = api().handle(&ApiRequest {
        method: &method,
        path,
        query,
        headers: &headers,
        body,
    });
    assert!(!reply.body_bytes().is_empty());
});
