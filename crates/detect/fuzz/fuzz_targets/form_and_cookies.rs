//! Query strings, urlencoded forms, cookies, and the Content-Type and
//! User-Agent headers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_detect::parse::{content_type, cookie, query, user_agent, Collector};
use rampart_detect::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut sink = Collector::new(&limits);
    query::parse(data, query::Origin::Query, &mut sink);
    cookie::parse(data, &mut sink);
    let text = String::from_utf8_lossy(data);
    let _ = content_type::parse(&text);
    let _ = user_agent::is_product_list(&text);
});
