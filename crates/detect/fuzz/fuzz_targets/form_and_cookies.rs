//! Query strings, urlencoded forms, cookies, the Content-Type and
//! User-Agent headers, and the text runs of binary wire-format bodies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{content_type, cookie, query, user_agent, wire, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut sink = Collector::new(&limits);
    query::parse(data, query::Origin::Query, &mut sink);
    cookie::parse(data, &mut sink);
    for run in wire::text_runs(data) {
        assert!(run.len() >= wire::MIN_RUN_BYTES && std::str::from_utf8(run).is_ok());
    }
    let text = String::from_utf8_lossy(data);
    let _ = content_type::parse(&text);
    let _ = user_agent::is_product_list(&text);
});
