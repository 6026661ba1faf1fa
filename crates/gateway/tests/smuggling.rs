//! Requests with ambiguous framing (the request-smuggling classes) are
//! refused with 400 and never reach the upstream.

mod support;

use support::*;

async fn refused(raw: &str) {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "inspect_body_bytes = \"64KiB\"")).await;
    let answer = raw_exchange(gw.addr(), raw.as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "expected 400 for {raw:?}, got {answer:?}"
    );
    assert_eq!(upstream.request_count(), 0, "forwarded: {raw:?}");
}

#[tokio::test]
async fn content_length_with_transfer_encoding() {
    refused("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").await;
}

#[tokio::test]
async fn conflicting_content_lengths() {
    refused("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde")
        .await;
    refused("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4, 5\r\n\r\nabcde").await;
}

#[tokio::test]
async fn malformed_chunk_sizes() {
    refused(
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    refused(
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    refused("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n").await;
}

#[tokio::test]
async fn missing_or_repeated_host_and_lookalike_framing_names() {
    refused("GET / HTTP/1.1\r\n\r\n").await;
    refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").await;
    refused(
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer_Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc",
    )
    .await;
    refused("POST / HTTP/1.1\r\nHost: t\r\nContent_Length: 3\r\n\r\nabc").await;
}

#[tokio::test]
async fn obsolete_line_folding() {
    refused("GET / HTTP/1.1\r\nHost: t\r\nX-Folded: first\r\n second\r\n\r\n").await;
}

#[tokio::test]
async fn invalid_characters_in_header_names() {
    refused("GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n").await;
    refused("GET / HTTP/1.1\r\nHost: t\r\nBad\u{1}Header: x\r\n\r\n").await;
    refused("GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n").await;
}

#[tokio::test]
async fn unknown_or_stacked_transfer_codings() {
    refused("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n").await;
    refused("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")
        .await;
    refused("POST / HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").await;
}

#[tokio::test]
async fn a_well_formed_request_on_the_same_setup_passes() {
    let upstream = TestUpstream::start().await;
    let gw = TestGateway::start(&config(&[upstream.addr], "")).await;
    let answer = raw_exchange(
        gw.addr(),
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(upstream.request_count(), 1);
}
