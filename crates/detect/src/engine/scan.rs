//! A request body read as a stream, judged as it arrives.
//!
//! The gateway forwards a body larger than its buffer while the client is
//! still sending it; before this scan the engine read only the buffered
//! prefix (and a JSON prefix that did not parse, not at all). Now every
//! body is read the same way, whether it is all in memory (`inspect`,
//! `rampart inspect`) or streams through the gateway chunk by chunk:
//!
//! - [`Engine::begin`] judges the head and picks a reader by content type
//!   (sniffed from the first non-blank byte when none is declared);
//! - [`Engine::feed`] hands each chunk to the reader. JSON is tokenized
//!   (`parse::json_stream`), forms are split into pairs, and each key,
//!   string leaf or argument reaches the value detectors with its location
//!   as soon as it is complete, then is dropped: memory depends on the
//!   limits (depth, the string limit, one form pair), never on the body.
//!   GraphQL documents in JSON `query` members are read as GraphQL when
//!   their object closes; aliases, operations and batch size add up as
//!   they stream;
//! - a binary API wire format (protobuf, gRPC, MessagePack) is kept the
//!   same way and read for its runs of text;
//! - XML, multipart, `application/graphql` and text bodies have parsers
//!   that need the whole document: they are kept up to
//!   `limits.max_body_bytes`, parsed at the end, and a larger one is
//!   *uninspectable*;
//! - [`Engine::finish`] (the body ended) or [`Engine::stop`] (the caller
//!   stops reading, e.g. after a block) adds up the detections into the
//!   verdict.
//!
//! Structural limits (depth, element count, string length) hit while
//! reading are findings that block by default and name the limit and the
//! place; the reader stops there. A body the engine cannot read (a binary
//! type, a whole-read body past its bound) gets the configured
//! `uninspectable` decision, recorded in the verdict with its reason.
//!
//! Values are judged in document order and nothing depends on where chunks
//! begin and end, so a body gets the same verdict in any chunking (tested
//! below over the development corpora with random cuts).

use super::graphql_documents::GraphqlDocuments;
use super::{header_kind, sniff, Engine, Policy, PolicyKey};
use crate::config::{BodyDecision, DetectConfig, Limits, Mode};
use crate::decode::content_encoding::{BodyDecoder, InflateError};
use crate::decode::Transport;
use crate::detectors::protocol::{self, Finding};
use crate::detectors::{graphql as graphql_abuse, Detection, FieldContext, Hit};
use crate::evidence;
use crate::location::Location;
use crate::parse::content_type::{BodyKind, ContentType};
use crate::parse::graphql::GraphqlStats;
use crate::parse::json_stream::{JsonError, JsonEvents, JsonLimits, JsonStream};
use crate::parse::query::{Arguments, Origin};
use crate::parse::{graphql, multipart, wire, xml, Anomaly, Collector, Value};
use crate::verdict::{Uninspected, Verdict};

/// Detections kept per request. Past it the request has long crossed any
/// threshold (the cap only stops a hostile body from growing the list).
const MAX_DETECTIONS: usize = 512;

/// What a caller feeding a body should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Keep feeding.
    Continue,
    /// The request is blocked already (enforce mode): stop reading and ask
    /// [`Engine::stop`] for the verdict.
    Block,
}

/// The state of one request's inspection between chunks: owned, so the
/// gateway can keep it with the body it forwards.
#[derive(Debug)]
pub struct BodyScan {
    key: PolicyKey,
    reader: Reader,
    /// The declared media type, for findings about the body.
    declared: String,
    graphql_path: bool,
    /// A `query` argument of a GraphQL endpoint (GET), read as GraphQL
    /// when the body holds no document.
    query_document: Option<Value>,
    documents: GraphqlDocuments,
    found: Found,
    /// Undoes the body's `Content-Encoding` before the reader reads it.
    decoder: Option<BodyDecoder>,
    /// Body bytes fed (as sent).
    bytes: u64,
    /// Body bytes read (decoded).
    read: u64,
}

/// What has been found so far.
#[derive(Debug, Default)]
struct Found {
    detections: Vec<Detection>,
    anomalies: Vec<Anomaly>,
    /// Argument names seen (query and form).
    args: usize,
    uninspected: Option<(String, BodyDecision)>,
    /// The body is of a binary type, which no detector reads.
    binary: bool,
    /// Something was added since the last look at the score.
    changed: bool,
}

#[derive(Debug)]
enum Reader {
    /// No content type: the first non-blank byte decides.
    Sniff,
    Json(Box<JsonStream>),
    Form {
        args: Arguments,
        pair: Vec<u8>,
        over: bool,
    },
    /// Kept to be parsed whole at the end.
    Whole {
        kind: BodyKind,
        boundary: Option<String>,
        bytes: Vec<u8>,
        over: bool,
    },
    /// Nothing to read in it (binary), or reading stopped at a limit.
    Skip,
    /// In a `Content-Encoding` that cannot be undone: the decision, taken
    /// once a body byte arrives.
    Undecodable((String, BodyDecision)),
}

impl BodyScan {
    pub(super) fn new(
        key: PolicyKey,
        ct: Option<ContentType>,
        content_encoding: Option<&str>,
        graphql_path: bool,
        config: &DetectConfig,
    ) -> Self {
        let limits = &config.limits;
        let structured = ct.as_ref().is_some_and(|c| {
            !matches!(
                c.kind,
                BodyKind::Text | BodyKind::Other | BodyKind::Binary | BodyKind::Wire
            )
        });
        let (decoder, coding_error) =
            match content_encoding.map(|h| BodyDecoder::new(h, limits.inflate())) {
                None | Some(Ok(None)) => (None, None),
                Some(Ok(Some(decoder))) => (Some(decoder), None),
                Some(Err(e)) => {
                    let decisions = &config.uninspectable;
                    let decision = if structured {
                        decisions.structured
                    } else {
                        decisions.other
                    };
                    (None, Some((format!("Content-Encoding: {e}"), decision)))
                }
            };
        let declared = ct
            .as_ref()
            .map_or_else(|| "(none)".to_owned(), |c| c.media_type.clone());
        let mut found = Found::default();
        let reader = match (coding_error, ct) {
            (Some(why), _) => Reader::Undecodable(why),
            (None, None) => Reader::Sniff,
            (None, Some(ct)) => {
                if ct.kind == BodyKind::Binary {
                    found.binary = true;
                    found.uninspected = Some((
                        format!("`{}` bodies are not inspected", ct.media_type),
                        config.uninspectable.other,
                    ));
                }
                Reader::of(ct.kind, ct.boundary, limits)
            }
        };
        BodyScan {
            key,
            reader,
            declared,
            graphql_path,
            query_document: None,
            documents: GraphqlDocuments::default(),
            found,
            decoder,
            bytes: 0,
            read: 0,
        }
    }

    /// Takes a GraphQL-looking `query` argument out of the head's values,
    /// to be read as GraphQL at the end unless the body holds documents.
    pub(super) fn hold_query_document(&mut self, values: &mut Vec<Value>) {
        let at = values.iter().position(|v| {
            v.location == Location::Query("query".into())
                && graphql::looks_like_graphql(&v.decoded.text)
        });
        if let Some(at) = at {
            self.query_document = Some(values.remove(at));
        }
    }

    /// Body bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Reader {
    fn of(kind: BodyKind, boundary: Option<String>, limits: &Limits) -> Reader {
        match kind {
            BodyKind::Json => Reader::Json(Box::new(JsonStream::new(JsonLimits {
                max_depth: limits.max_depth,
                max_string_bytes: limits.max_value_bytes,
                max_elements: limits.max_elements,
            }))),
            BodyKind::Form => Reader::Form {
                args: Arguments::new(Origin::Form),
                pair: Vec::new(),
                over: false,
            },
            BodyKind::Binary => Reader::Skip,
            kind => Reader::Whole {
                kind,
                boundary,
                bytes: Vec::new(),
                over: false,
            },
        }
    }
}

/// Values judged against one request's policy.
pub(super) struct Judge<'a, 'e> {
    engine: &'e Engine,
    policy: &'a Policy<'e>,
    found: &'a mut Found,
    hits: Vec<Hit>,
    shape: Vec<Finding>,
}

impl BodyScan {
    /// Judges values and findings against `policy` into this scan.
    pub(super) fn judge<'a, 'e>(
        &'a mut self,
        engine: &'e Engine,
        policy: &'a Policy<'e>,
    ) -> Judge<'a, 'e> {
        Judge::new(engine, policy, &mut self.found)
    }
}

impl<'a, 'e> Judge<'a, 'e> {
    fn new(engine: &'e Engine, policy: &'a Policy<'e>, found: &'a mut Found) -> Self {
        Judge {
            engine,
            policy,
            found,
            hits: Vec::new(),
            shape: Vec::new(),
        }
    }
}

impl Engine {
    /// Reads the next chunk of the body.
    pub fn feed(&self, scan: &mut BodyScan, chunk: &[u8]) -> Progress {
        if chunk.is_empty() {
            return Progress::Continue;
        }
        scan.bytes += chunk.len() as u64;
        let policy = self.policy_of(scan.key);
        match scan.decoder.take() {
            None => self.read(&policy, scan, chunk),
            Some(mut decoder) => {
                match decoder.feed(chunk, &mut |piece| self.read(&policy, scan, piece)) {
                    Ok(()) => scan.decoder = Some(decoder),
                    Err(e) => self.undecodable(&policy, scan, &e),
                }
            }
        }
        self.progress(&policy, scan)
    }

    /// Reads decoded body bytes.
    fn read(&self, policy: &Policy<'_>, scan: &mut BodyScan, chunk: &[u8]) {
        let limits = &self.config.limits;
        scan.read += chunk.len() as u64;
        let mut chunk = chunk;
        if matches!(scan.reader, Reader::Sniff) {
            let blank = chunk.iter().take_while(|b| b.is_ascii_whitespace()).count();
            chunk = &chunk[blank..];
            match chunk.first() {
                None => return,
                Some(_) => scan.reader = Reader::of(sniff(chunk), None, limits),
            }
        }
        let BodyScan {
            reader,
            declared,
            graphql_path,
            documents,
            found,
            ..
        } = scan;
        let mut judge = Judge::new(self, policy, found);
        match reader {
            Reader::Sniff | Reader::Skip => {}
            Reader::Json(stream) => {
                let mut events = JsonValues {
                    judge: &mut judge,
                    sink: Collector::new(limits),
                    documents,
                    graphql_path: *graphql_path,
                };
                if let Err(e) = stream.feed(chunk, &mut events) {
                    judge.anomaly(json_anomaly(e, declared));
                    *reader = Reader::Skip;
                }
            }
            Reader::Form { args, pair, over } => {
                let mut sink = Collector::new(limits);
                let mut rest = chunk;
                while let Some(end) = rest.iter().position(|&b| b == b'&') {
                    keep_bounded(pair, &rest[..end], 2 * limits.max_value_bytes, over);
                    form_pair(args, pair, over, &mut sink, &mut judge);
                    rest = &rest[end + 1..];
                }
                keep_bounded(pair, rest, 2 * limits.max_value_bytes, over);
            }
            Reader::Whole {
                kind, bytes, over, ..
            } => {
                keep_bounded(bytes, chunk, limits.max_body_bytes, over);
                if *over {
                    let decision = self.too_large_to_read(*kind, declared);
                    judge.uninspected(decision);
                }
            }
            Reader::Undecodable(why) => {
                judge.uninspected(why.clone());
                *reader = Reader::Skip;
            }
        }
    }

    /// A body whose `Content-Encoding` does not decode: a bomb is refused
    /// (413), corrupt data is a malformed body; the rest is not read.
    fn undecodable(&self, policy: &Policy<'_>, scan: &mut BodyScan, error: &InflateError) {
        scan.reader = Reader::Skip;
        let mut judge = scan.judge(self, policy);
        if error.is_bomb() {
            judge.uninspected((
                format!("Content-Encoding: {error} (detect.limits.max_inflated_bytes, max_inflate_ratio)"),
                BodyDecision::Refuse,
            ));
        } else {
            judge.anomaly(Anomaly::MalformedBody {
                declared: "content-encoding".into(),
                reason: error.to_string(),
            });
        }
    }

    /// The body ended: what it all adds up to.
    pub fn finish(&self, mut scan: BodyScan) -> Verdict {
        let policy = self.policy_of(scan.key);
        let limits = &self.config.limits;
        if let Some(mut decoder) = scan.decoder.take() {
            if scan.bytes > 0 {
                if let Err(e) = decoder.finish(&mut |piece| self.read(&policy, &mut scan, piece)) {
                    self.undecodable(&policy, &mut scan, &e);
                }
            }
        }
        let reader = std::mem::replace(&mut scan.reader, Reader::Skip);
        let mut sink = Collector::new(limits);
        let mut judge = Judge::new(self, &policy, &mut scan.found);
        match reader {
            _ if scan.read == 0 => {}
            Reader::Json(mut stream) => {
                if let Err(e) = stream.finish() {
                    judge.anomaly(json_anomaly(e, &scan.declared));
                }
            }
            Reader::Form {
                mut args,
                mut pair,
                mut over,
            } => form_pair(&mut args, &mut pair, &mut over, &mut sink, &mut judge),
            Reader::Whole {
                kind,
                boundary,
                bytes,
                over,
            } => {
                let stats = read_whole(
                    kind,
                    boundary.as_deref(),
                    &bytes,
                    over,
                    &scan.declared,
                    &mut sink,
                );
                if let Some(stats) = stats {
                    scan.documents.add(&stats);
                }
                judge.values(&mut sink.values);
                judge.anomalies(&mut sink.anomalies);
            }
            Reader::Sniff | Reader::Skip | Reader::Undecodable(_) => {}
        }
        drop(judge);
        self.read_query_document(&policy, &mut scan);
        self.conclude(&policy, scan)
    }

    /// The verdict on what was read, when the caller stops reading before
    /// the body ended (after [`Progress::Block`]).
    pub fn stop(&self, scan: BodyScan) -> Verdict {
        let policy = self.policy_of(scan.key);
        self.conclude(&policy, scan)
    }

    /// The decision for a body past what is read whole, and why.
    fn too_large_to_read(&self, kind: BodyKind, declared: &str) -> (String, BodyDecision) {
        let structured = !matches!(kind, BodyKind::Text | BodyKind::Other | BodyKind::Wire);
        let decisions = &self.config.uninspectable;
        let reason = format!(
            "a `{declared}` body larger than detect.limits.max_body_bytes ({} bytes) is read only in part",
            self.config.limits.max_body_bytes
        );
        let decision = if structured {
            decisions.structured
        } else {
            decisions.other
        };
        (reason, decision)
    }

    /// Whether what was found so far already blocks.
    fn progress(&self, policy: &Policy<'_>, scan: &mut BodyScan) -> Progress {
        let found = &mut scan.found;
        if !std::mem::take(&mut found.changed) || policy.mode != Mode::Enforce {
            return Progress::Continue;
        }
        if found
            .uninspected
            .as_ref()
            .is_some_and(|(_, d)| *d == BodyDecision::Refuse)
        {
            return Progress::Block;
        }
        let mut totals = Vec::new();
        protocol::inspect_totals(found.args, &found.anomalies, &self.config, &mut totals);
        let mut detections = found.detections.clone();
        admit(policy, totals, None, &mut detections);
        if Verdict::decide(detections, policy.threshold, true).blocked {
            Progress::Block
        } else {
            Progress::Continue
        }
    }

    /// A GraphQL `query` argument is read as GraphQL when no body document
    /// was, else as the value it is.
    fn read_query_document(&self, policy: &Policy<'_>, scan: &mut BodyScan) {
        let Some(value) = scan.query_document.take() else {
            return;
        };
        let mut sink = Collector::new(&self.config.limits);
        if scan.documents.count == 0 {
            match graphql::parse(&value.decoded.text, &mut sink) {
                Ok(stats) => scan.documents.add(&stats),
                Err((e, stats)) => {
                    sink.anomaly(malformed_graphql(e));
                    scan.documents.add(&stats);
                    sink.values.push(value);
                }
            }
        } else {
            sink.values.push(value);
        }
        let mut judge = scan.judge(self, policy);
        judge.values(&mut sink.values);
        judge.anomalies(&mut sink.anomalies);
    }

    /// Adds everything up into the verdict.
    fn conclude(&self, policy: &Policy<'_>, mut scan: BodyScan) -> Verdict {
        let mut findings = Vec::new();
        if scan.documents.count > 0 {
            graphql_abuse::inspect(
                &scan.documents.stats,
                scan.documents.count,
                policy.graphql,
                &mut findings,
            );
        }
        let found = &mut scan.found;
        protocol::inspect_totals(found.args, &found.anomalies, &self.config, &mut findings);
        admit(policy, findings, None, &mut found.detections);
        let found = std::mem::take(&mut scan.found);
        let enforce = policy.mode == Mode::Enforce;
        let verdict = Verdict::decide(found.detections, policy.threshold, enforce);
        match found.uninspected {
            Some((reason, decision)) => verdict.uninspected(
                Uninspected {
                    reason,
                    refused: decision == BodyDecision::Refuse,
                    binary: found.binary,
                },
                enforce,
            ),
            None => verdict,
        }
    }
}

impl Judge<'_, '_> {
    /// Runs the value detectors on `values` (then drops them).
    pub(super) fn values(&mut self, values: &mut Vec<Value>) {
        for value in values.drain(..) {
            self.value(&value);
        }
    }

    fn value(&mut self, value: &Value) {
        let engine = self.engine;
        let policy = self.policy;
        protocol::inspect_value_shape(value, &engine.config, &mut self.found.args, &mut self.shape);
        let shape = std::mem::take(&mut self.shape);
        self.findings(shape, None);
        self.hits.clear();
        let mut context = policy
            .contract
            .map_or_else(FieldContext::default, |c| c.field_context(&value.location));
        context.kind = context
            .kind
            .or_else(|| header_kind(&value.location, &value.decoded.text));
        engine.detectors.inspect(value, context, &mut self.hits);
        for hit in &self.hits {
            if hit.paranoia <= policy.paranoia && policy.rule_enabled(hit.rule) {
                let excerpt = evidence::excerpt(&value.location, &value.decoded.text);
                push_detection(self.found, Detection::new(hit, &value.location, excerpt));
            }
        }
    }

    /// Request-level findings; `endpoint` labels contract breaches.
    pub(super) fn findings(&mut self, findings: Vec<Finding>, endpoint: Option<&str>) {
        let before = self.found.detections.len();
        admit(self.policy, findings, endpoint, &mut self.found.detections);
        self.found.changed |= self.found.detections.len() != before;
    }

    pub(super) fn anomalies(&mut self, anomalies: &mut Vec<Anomaly>) {
        for anomaly in anomalies.drain(..) {
            self.anomaly(anomaly);
        }
    }

    fn anomaly(&mut self, anomaly: Anomaly) {
        if !self.found.anomalies.contains(&anomaly) && self.found.anomalies.len() < MAX_DETECTIONS {
            self.found.anomalies.push(anomaly);
            self.found.changed = true;
        }
    }

    fn uninspected(&mut self, why: (String, BodyDecision)) {
        if self.found.uninspected.is_none() {
            self.found.uninspected = Some(why);
            self.found.changed = true;
        }
    }
}

/// The findings the policy counts (paranoia, disabled rules), explained.
fn admit(
    policy: &Policy<'_>,
    findings: Vec<Finding>,
    endpoint: Option<&str>,
    out: &mut Vec<Detection>,
) {
    for (hit, location, text) in findings {
        if out.len() < MAX_DETECTIONS
            && hit.paranoia <= policy.paranoia
            && policy.rule_enabled(hit.rule)
        {
            let excerpt = evidence::excerpt(&location, &text);
            let evidence = match endpoint {
                Some(endpoint) => format!("{endpoint}: {excerpt}"),
                None => excerpt,
            };
            out.push(Detection::new(&hit, &location, evidence));
        }
    }
}

fn push_detection(found: &mut Found, detection: Detection) {
    if found.detections.len() < MAX_DETECTIONS {
        found.detections.push(detection);
        found.changed = true;
    }
}

/// The JSON reader's events, turned into values and judged at once.
struct JsonValues<'j, 'a, 'e> {
    judge: &'j mut Judge<'a, 'e>,
    sink: Collector<'e>,
    documents: &'j mut GraphqlDocuments,
    graphql_path: bool,
}

impl JsonValues<'_, '_, '_> {
    fn push(&mut self, location: Location, text: &str) {
        self.sink.push(location, text.as_bytes(), Transport::Plain);
        self.flush();
    }

    fn flush(&mut self) {
        self.judge.values(&mut self.sink.values);
        self.judge.anomalies(&mut self.sink.anomalies);
    }

    fn too_long(&mut self, location: &Location, truncated: bool) {
        if truncated {
            self.judge.anomaly(Anomaly::ValueTooLong {
                location: location.to_string(),
                limit: self.sink.limits().max_value_bytes,
            });
        }
    }
}

impl JsonEvents for JsonValues<'_, '_, '_> {
    fn key(&mut self, object_path: &str, depth: usize, key: &str, truncated: bool) {
        self.documents.key(depth, key);
        let location = Location::JsonKey(object_path.to_owned());
        self.too_long(&location, truncated);
        self.push(location, key);
    }

    fn string(&mut self, path: &str, depth: usize, value: &str, truncated: bool) {
        let location = Location::Json(path.to_owned());
        self.too_long(&location, truncated);
        if !self.documents.hold(path, depth, value) {
            self.push(location, value);
        }
    }

    fn open(&mut self, path: &str, depth: usize, array: bool) {
        self.documents.open(path, depth, array);
    }

    fn close(&mut self, _path: &str, depth: usize, _array: bool) {
        let Some(held) = self.documents.close(depth) else {
            return;
        };
        let location = Location::Json(held.path);
        let declared = self
            .judge
            .policy
            .contract
            .and_then(|c| c.field_kind(&location))
            == Some(crate::contract::FieldKind::Graphql);
        let is_document = graphql::looks_like_graphql(&held.text)
            && (self.graphql_path || declared || held.with_siblings);
        if !is_document {
            return self.push(location, &held.text);
        }
        match graphql::parse(&held.text, &mut self.sink) {
            // Read as GraphQL: its arguments were pushed; the document
            // text itself is not prose to scan.
            Ok(stats) => self.documents.add(&stats),
            Err((e, stats)) => {
                self.sink.anomaly(malformed_graphql(e));
                self.documents.add(&stats);
                self.sink
                    .push(location, held.text.as_bytes(), Transport::Plain);
            }
        }
        self.flush();
    }
}

fn malformed_graphql(reason: String) -> Anomaly {
    Anomaly::MalformedBody {
        declared: "graphql".into(),
        reason,
    }
}

fn json_anomaly(error: JsonError, declared: &str) -> Anomaly {
    match error {
        JsonError::Syntax { .. } => Anomaly::MalformedBody {
            declared: declared.to_owned(),
            reason: error.to_string(),
        },
        JsonError::TooDeep { limit, path } => Anomaly::TooDeep {
            location: format!("limits.max_depth = {limit} reached at {path}"),
        },
        JsonError::TooManyElements { limit, path } => Anomaly::TooManyElements {
            location: path,
            limit,
        },
    }
}

/// Appends to a bounded buffer; `over` says bytes were dropped.
fn keep_bounded(buffer: &mut Vec<u8>, bytes: &[u8], bound: usize, over: &mut bool) {
    let room = bound.saturating_sub(buffer.len());
    buffer.extend_from_slice(&bytes[..bytes.len().min(room)]);
    *over |= bytes.len() > room;
}

/// One complete form pair: its values judged, the buffer emptied.
fn form_pair(
    args: &mut Arguments,
    pair: &mut Vec<u8>,
    over: &mut bool,
    sink: &mut Collector<'_>,
    judge: &mut Judge<'_, '_>,
) {
    if std::mem::take(over) {
        judge.anomaly(Anomaly::ValueTooLong {
            location: "body.form".into(),
            limit: sink.limits().max_value_bytes,
        });
    }
    args.pair(pair, sink);
    pair.clear();
    judge.values(&mut sink.values);
    judge.anomalies(&mut sink.anomalies);
}

/// Parses a body kept whole (`over`: it was cut at the bound).
fn read_whole(
    kind: BodyKind,
    boundary: Option<&str>,
    bytes: &[u8],
    over: bool,
    declared: &str,
    sink: &mut Collector<'_>,
) -> Option<GraphqlStats> {
    let malformed = |reason: String| Anomaly::MalformedBody {
        declared: declared.to_owned(),
        reason,
    };
    match kind {
        BodyKind::Multipart => {
            if let Err(e) = multipart::parse(bytes, boundary.unwrap_or(""), over, sink) {
                sink.anomaly(malformed(e));
            }
        }
        BodyKind::Xml => {
            if let Err(e) = xml::parse(&String::from_utf8_lossy(bytes), over, sink) {
                sink.anomaly(malformed(e));
            }
        }
        BodyKind::Graphql => {
            // Counted by the caller with the body's other documents.
            return Some(
                match graphql::parse(&String::from_utf8_lossy(bytes), sink) {
                    Ok(stats) => stats,
                    Err((e, stats)) => {
                        sink.anomaly(malformed(e));
                        stats
                    }
                },
            );
        }
        BodyKind::Wire => {
            for run in wire::text_runs(bytes) {
                if !sink.push(Location::Body, run, Transport::Plain) {
                    break;
                }
            }
        }
        _ => {
            sink.push(Location::Body, bytes, Transport::Plain);
        }
    }
    None
}
