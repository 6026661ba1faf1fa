//! The upstream response head parser never panics, and gives the same head,
//! framing and leftover bytes whether the input arrives at once or in two
//! reads (a first read that ends inside the head consumes nothing).
#![no_main]

use bytes::BytesMut;
use http::Method;
use libfuzzer_sys::fuzz_target;
use rampart_gateway::h1::response::parse_head;

/// The parse of `buf` as comparable text, and what is left of `buf`.
fn parse(buf: &mut BytesMut, method: &Method) -> String {
    match parse_head(buf, method) {
        Ok(Some(head)) => format!(
            "{:?} {:?} {:?} {:?} {}",
            head.parts.status, head.parts.headers, head.framing, head.keep_alive, buf.len()
        ),
        Ok(None) => "partial".to_owned(),
        Err(e) => format!("error {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&[cut_low, cut_high, head_request], bytes)) = data.split_first_chunk::<3>() else {
        return;
    };
    let method = if head_request & 1 == 1 { Method::HEAD } else { Method::GET };
    let cut = usize::from(u16::from_le_bytes([cut_low, cut_high])).min(bytes.len());
    let whole = parse(&mut BytesMut::from(bytes), &method);

    let mut buf = BytesMut::from(&bytes[..cut]);
    let first = parse(&mut buf, &method);
    if first == "partial" {
        assert_eq!(buf.len(), cut, "an incomplete head consumes nothing");
        buf.extend_from_slice(&bytes[cut..]);
        assert_eq!(parse(&mut buf, &method), whole);
    } else if !first.starts_with("error") {
        // The head was complete within the first read: the rest only adds body bytes.
        let rest = bytes.len() - cut;
        let (head_part, left) = first.rsplit_once(' ').unwrap();
        let (whole_head, whole_left) = whole.rsplit_once(' ').unwrap();
        assert_eq!(head_part, whole_head);
        assert_eq!(left.parse::<usize>().unwrap() + rest, whole_left.parse::<usize>().unwrap());
    }
});
