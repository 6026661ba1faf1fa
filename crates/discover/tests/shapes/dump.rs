//! Writes a model's run in the discovery benchmark's layout, so the
//! benchmark's own `score.py` can check this scorer (`SHAPES_DUMP=dir`):
//!
//! ```text
//! python3 score.py --expand-enums DIR/<model> DIR/<model>/discovered.json
//! ```

use super::model::{Labeled, Model};
use super::values::Kind;
use serde_json::{json, Value};
use std::path::Path;

pub fn write(
    dir: &Path,
    model: &Model,
    traffic: &[Labeled],
    discovered: &[(String, String)],
) -> std::io::Result<()> {
    let dir = dir.join(model.name);
    std::fs::create_dir_all(&dir)?;
    let endpoints: Vec<Value> = model
        .endpoints
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let params: Vec<Value> = e
                .template
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .filter_map(|name| model.params.iter().find(|p| p.name == name))
                .map(|p| {
                    let values: &[&str] = match p.kind {
                        Kind::OneOf(values) => values,
                        _ => &[],
                    };
                    json!({
                        "name": p.name,
                        "type": "string",
                        "enum": !values.is_empty(),
                        "enum_values": values,
                    })
                })
                .collect();
            json!({
                "id": format!("E{i:04}"),
                "method": e.method,
                "template": e.template,
                "normalized": e.template,
                "observed": traffic.iter().any(|l| l.endpoint == i),
                "path_params": params,
            })
        })
        .collect();
    let truth = json!({"summary": {"spec": model.name}, "endpoints": endpoints});
    std::fs::write(dir.join("ground_truth.json"), truth.to_string())?;
    let mut lines = String::new();
    let mut labels = String::new();
    for (i, l) in traffic.iter().enumerate() {
        lines.push_str(&record_json(&l.record).to_string());
        lines.push('\n');
        labels.push_str(&json!({"i": i, "endpoint": format!("E{:04}", l.endpoint)}).to_string());
        labels.push('\n');
    }
    std::fs::write(dir.join("traffic.jsonl"), lines)?;
    std::fs::write(dir.join("labels.jsonl"), labels)?;
    let found: Vec<Value> = discovered
        .iter()
        .map(|(m, t)| json!({"method": m, "template": t}))
        .collect();
    std::fs::write(
        dir.join("discovered.json"),
        json!({"endpoints": found}).to_string(),
    )
}

/// A record in the exchange-record format, as `rampart discover` reads it.
fn record_json(r: &rampart_core::ExchangeRecord) -> Value {
    let text = |b: &Option<Vec<u8>>| b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    let headers = |h: &[(String, String)]| {
        h.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect::<serde_json::Map<String, Value>>()
    };
    json!({
        "method": r.method,
        "path": r.path,
        "query": r.query,
        "status": r.status,
        "request_headers": headers(&r.request_headers),
        "request_body": text(&r.request_body),
        "response_headers": headers(&r.response_headers),
        "response_body": text(&r.response_body),
    })
}
