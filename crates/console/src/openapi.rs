//! `GET /api/openapi.json`: the admin API described as OpenAPI 3.1, served
//! without a token so that tools and the web console can read it first. A
//! test checks it names exactly the routes the router serves.

use axum::Json;
use serde_json::{json, Map, Value};

/// A query or path parameter: name, where, schema type, description.
type Param = (&'static str, &'static str, &'static str, &'static str);

const LIST: [Param; 2] = [
    (
        "limit",
        "query",
        "integer",
        "Items per page: default 50, at most 500 (more is clamped).",
    ),
    (
        "cursor",
        "query",
        "string",
        "The next_cursor of the previous page.",
    ),
];

fn parameters(params: &[Param]) -> Value {
    params
        .iter()
        .map(|(name, place, kind, description)| {
            json!({
                "name": name,
                "in": place,
                "required": *place == "path",
                "schema": {"type": kind},
                "description": description,
            })
        })
        .collect()
}

/// One operation: what it does, its parameters, whether it takes a JSON
/// body, and its success status.
fn operation(summary: &str, params: &[Param], body: Option<&str>, success: (&str, &str)) -> Value {
    let mut op = json!({
        "summary": summary,
        "parameters": parameters(params),
        "responses": {
            success.0: {"description": success.1, "content": {"application/json": {}}},
            "default": {
                "description": "An error as problem details (title, detail).",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
            }
        }
    });
    if let Some(description) = body {
        op["requestBody"] = json!({
            "required": true,
            "description": description,
            "content": {"application/json": {}}
        });
    }
    op
}

/// The document.
pub fn spec() -> Value {
    let time_window: [Param; 2] = [
        (
            "from",
            "query",
            "string",
            "Start: RFC 3339 (2026-12-06T14:00:00Z) or Unix milliseconds.",
        ),
        (
            "to",
            "query",
            "string",
            "End (exclusive): RFC 3339 or Unix milliseconds.",
        ),
    ];
    let policy_body = "{\"policy\": \"<the configuration as TOML text, at most 1 MiB>\"}.";
    let ban_body = "Exactly one of network (an address or CIDR), api_key, user, fingerprint; and an optional reason.";
    let entries: Vec<(&str, &str, Value)> = vec![
        ("/api/openapi.json", "get", operation("This document (no token needed).", &[], None, ("200", "OpenAPI 3.1"))),
        ("/api/inventory", "get", operation("The whole inventory report: summary, endpoints, orphans, findings, decisions.", &[], None, ("200", "The report"))),
        ("/api/inventory/openapi", "get", operation("The learned inventory exported as OpenAPI 3.1.", &[], None, ("200", "OpenAPI document"))),
        ("/api/inventory/decisions", "post", operation("An operator's template decision: parameter, split (pin a literal), merge or rename.", &[], Some("A decision, e.g. {\"decision\":\"split\",\"parent\":\"/users\",\"value\":\"me\"}."), ("202", "Accepted: applied at the next publication"))),
        ("/api/ingest", "post", operation("Mirrored traffic as exchange records (JSON lines), folded into the inventory.", &[], Some("Exchange records, one JSON object per line."), ("202", "Counts of accepted, dropped and bad lines"))),
        ("/api/endpoints", "get", operation("Endpoints by risk, then declared operations never called (orphans).", &[
            ("q", "query", "string", "Text in the template, name or business function."),
            ("host", "query", "string", "Host the endpoint was called on."),
            ("method", "query", "string", "HTTP method."),
            ("drift", "query", "string", "shadow, zombie, orphan, declared or learned."),
            ("risk_min", "query", "integer", "Lowest risk score (0-100)."),
            ("sensitive", "query", "string", "true, false, or a kind such as CREDIT_CARD."),
            ("auth", "query", "string", "none (answered without credentials), required, unknown, or a credential kind."),
            LIST[0], LIST[1],
        ], None, ("200", "{items, next_cursor}"))),
        ("/api/endpoints/{id}", "get", operation("One endpoint: parameters, schemas, auth, sensitive data, function, risk and reasons, drift, findings, requests per minute.", &[
            ("id", "path", "string", "An id from /api/endpoints."),
        ], None, ("200", "The endpoint"))),
        ("/api/events", "get", operation("Security events, newest first.", &[
            time_window[0], time_window[1],
            ("client", "query", "string", "Client address."),
            ("endpoint", "query", "string", "An endpoint id: events on its method and template."),
            ("action", "query", "string", "block, monitor, would_block, rate_limit, ban, deceive..."),
            ("detector", "query", "string", "A reason source (sqli.union) or family (sqli)."),
            LIST[0], LIST[1],
        ], None, ("200", "{items, next_cursor}"))),
        ("/api/events/stream", "get", json!({
            "summary": "Server-Sent Events: `event: security` per event written, `event: lost` with a count when this stream fell behind, a keep-alive comment every 15 s.",
            "responses": {"200": {"description": "An event stream", "content": {"text/event-stream": {}}}}
        })),
        ("/api/clients", "get", operation("Top offenders by events: refused exchanges, highest score, detectors, the bot the client last declared itself to be ({name, class, operator, verification}, or null), whether banned.", &[
            ("from", "query", "string", "Start (default: 24 hours ago)."),
            LIST[0], LIST[1],
        ], None, ("200", "{items, next_cursor}"))),
        ("/api/bans", "get", operation("Bans in force, the latest first.", &LIST, None, ("200", "{items, next_cursor}"))),
        ("/api/bans", "post", operation("Ban a target with the configured escalation.", &[], Some(ban_body), ("201", "The ban"))),
        ("/api/bans", "delete", operation("Lift a ban (and, with Redis, on every gateway).", &[], Some(ban_body), ("200", "Whether it was lifted"))),
        ("/api/bans/{kind}/{value}", "delete", operation("Lift the ban on one target.", &[
            ("kind", "path", "string", "network, api_key, user or fingerprint."),
            ("value", "path", "string", "The target; a network's slash may stay as it is."),
        ], None, ("200", "Whether it was lifted"))),
        ("/api/stats", "get", operation("Requests, blocked, held back (monitor), rate limited, banned, deceived and upstream errors over time.", &[
            time_window[0], time_window[1],
            ("step", "query", "integer", "Seconds per bucket, a multiple of 60 (default 60)."),
        ], None, ("200", "{from, to, step, totals, series}"))),
        ("/api/overview", "get", operation("The last hour: totals, series, top detectors, riskiest endpoints, active bans.", &[], None, ("200", "The overview"))),
        ("/api/audit", "get", operation("Changes made through this API, newest first.", &LIST, None, ("200", "{items, next_cursor}"))),
        ("/api/policy", "get", operation("The configuration file the gateway runs: its text, its version in the history, and monitor or enforce for the defaults, each route, scope and rule.", &[], None, ("200", "{file, text, version, modes: {defaults, routes, functions, endpoints, rules}}"))),
        ("/api/policy", "put", operation("Validate, write (atomically) and apply a new configuration, recorded in the history; on 422 the running configuration stays.", &[], Some(policy_body), ("200", "{version, diff, warnings}"))),
        ("/api/policy/validate", "post", operation("What the loader says of a configuration, without applying it.", &[], Some(policy_body), ("200", "{valid, file, problems: [{key, message}], warnings}"))),
        ("/api/policy/mode", "post", operation("Monitor or enforce on a route, business function or rule, applied as an edit that keeps the file's comments.", &[], Some("{\"scope\": \"route\" | \"function\" | \"rule\", \"name\", \"mode\": \"monitor\" | \"enforce\"}."), ("200", "{version, diff, warnings}"))),
        ("/api/policy/history", "get", operation("Versions of the configuration, newest first.", &[
            ("limit", "query", "integer", "Versions listed: default 50, at most 500."),
        ], None, ("200", "{items: [{version, time, who}]}"))),
        ("/api/policy/history/{version}", "get", operation("One version: its text and its diff from the version before.", &[
            ("version", "path", "integer", "A version from /api/policy/history."),
        ], None, ("200", "{version, time, who, text, diff}"))),
        ("/api/policy/replay", "post", operation("Run the recorded exchanges ([record]) through the running and a proposed configuration: counts per action for both and the exchanges whose outcome changes, with what was responsible. One at a time (429 meanwhile).", &[], Some("{\"policy\": \"<TOML text>\", \"limit\": changed exchanges listed (default 100, at most 1000)}."), ("200", "{records, bad_lines, truncated, current, proposed, changed, transitions, changes: [{request_id, method, path, before, after, responsible}]}"))),
    ];
    let mut paths = Map::new();
    for (path, method, op) in entries {
        let item = paths.entry(path).or_insert_with(|| json!({}));
        item[method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Rampart admin API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Served by the admin listener. Every path but this document needs `Authorization: Bearer <token>` ([admin] token, [[admin.tokens]] or RAMPART_ADMIN_TOKEN)."
        },
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"}
                    }
                }
            }
        },
        "paths": paths,
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
