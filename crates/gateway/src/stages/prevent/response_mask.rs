//! Response masking as the `prevent` stage applies it: when the policy asks
//! for it, card numbers, SSNs and secrets are redacted in the response body
//! as it streams to the client (`rampart_prevent::mask`), and the exchange's
//! event says what was masked.
//!
//! The upstream is asked for an unencoded body (`accept-encoding: identity`)
//! so there is plain text to mask; a response that comes back compressed
//! anyway, or that is not text, is passed through unmasked and the event
//! says so. Masking keeps every byte's position, so `content-length` stays
//! true.

use crate::pipeline::ExchangeContext;
use bytes::Bytes;
use http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use rampart_core::Reason;
use rampart_prevent::mask::{BodyKind, StreamMasker};

/// The policy asked for this exchange's response to be masked.
#[derive(Clone)]
struct MaskRequested;

/// The masker of a response being masked.
#[derive(Clone)]
struct Masking(Option<StreamMasker>);

/// Called when the policy's decision asks for masking: the upstream is asked
/// for a body masking can read.
pub fn request(ctx: &mut ExchangeContext) {
    ctx.upstream_headers
        .push(("accept-encoding".to_string(), "identity".to_string()));
    ctx.extensions.insert(MaskRequested);
}

/// The response head: decides whether and how the body is masked.
pub fn on_response_headers(ctx: &mut ExchangeContext, response: &http::response::Parts) {
    if ctx.extensions.remove::<MaskRequested>().is_none() {
        return;
    }
    let encoded = response
        .headers
        .get(CONTENT_ENCODING)
        .is_some_and(|e| !e.as_bytes().eq_ignore_ascii_case(b"identity"));
    let content_type = response
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let kind = match body_kind(&content_type) {
        Some(kind) if !encoded => kind,
        _ => {
            let why = if encoded {
                "an encoded body"
            } else {
                "not a text body"
            };
            ctx.reasons.push(Reason::new(
                "prevent.mask",
                "response",
                format!("masking skipped: {why} ({content_type})"),
                0.0,
            ));
            return;
        }
    };
    ctx.extensions
        .insert(Masking(Some(StreamMasker::new(kind))));
}

/// JSON bodies keep valid numbers; other text is starred. Binary types are
/// not masked (a byte pattern there is not a card number).
fn body_kind(content_type: &str) -> Option<BodyKind> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.is_empty() || essence.starts_with("text/") {
        Some(BodyKind::Text)
    } else if essence == "application/json" || essence.ends_with("+json") {
        Some(BodyKind::Json)
    } else if essence.ends_with("/xml")
        || essence.ends_with("+xml")
        || essence == "application/x-www-form-urlencoded"
        || essence == "application/javascript"
    {
        Some(BodyKind::Text)
    } else {
        None
    }
}

/// One chunk of the response body: replaced by what is ready to send
/// (masking holds back the end of what it has seen until the next chunk).
pub fn on_response_chunk(ctx: &mut ExchangeContext, chunk: &mut Bytes, end_of_stream: bool) {
    let Some(Masking(slot)) = ctx.extensions.get_mut::<Masking>() else {
        return;
    };
    let Some(masker) = slot.as_mut() else {
        return;
    };
    let mut ready = masker.push(chunk);
    if end_of_stream {
        let Some(masker) = slot.take() else { return };
        let (rest, counts) = masker.finish();
        ready.extend_from_slice(&rest);
        let masked = counts.cards + counts.ssns + counts.secrets;
        if masked > 0 {
            ctx.reasons.push(Reason::new(
                "prevent.mask",
                "response.body",
                format!(
                    "masked {} card number(s), {} SSN(s), {} secret(s)",
                    counts.cards, counts.ssns, counts.secrets
                ),
                0.0,
            ));
        }
    }
    *chunk = Bytes::from(ready);
}
