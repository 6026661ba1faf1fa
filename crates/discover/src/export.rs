//! The inventory as an OpenAPI 3.1 document.
//!
//! What traffic taught becomes a spec an API owner can review, diff against
//! the declared one, or hand to other tools: one operation per endpoint with
//! its path, query and header parameters, request body and successful
//! response schemas, deprecation (zombies) and whether it needs credentials.

use crate::report::{EndpointReport, InventoryReport};
use serde_json::{json, Map, Value};

/// Request headers OpenAPI forbids as parameters (they have their own fields).
const RESERVED_HEADERS: &[&str] = &["accept", "content-type", "authorization"];

/// Renders a document as YAML.
pub fn to_yaml(document: &Value) -> Result<String, serde_yaml_ng::Error> {
    serde_yaml_ng::to_string(document)
}

/// Builds an OpenAPI 3.1.0 document from a report.
pub fn openapi_document(report: &InventoryReport, title: &str) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    let mut schemes: Map<String, Value> = Map::new();
    for endpoint in &report.endpoints {
        let item = paths
            .entry(endpoint.template.clone())
            .or_insert_with(|| json!({}));
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let method = endpoint.method.to_ascii_lowercase();
        if !matches!(
            method.as_str(),
            "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
        ) {
            continue;
        }
        if let Some(existing) = item.get_mut(&method) {
            // GraphQL operations share one HTTP operation: list them on it.
            if let (Some(op), Some(name)) = (existing.as_object_mut(), &endpoint.graphql_operation)
            {
                let list = op
                    .entry("x-rampart-graphql-operations")
                    .or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    list.push(json!(name));
                }
            }
            continue;
        }
        item.insert(method, operation(endpoint, &mut schemes));
    }
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "discovered",
            "description": format!("Inventory learned by Rampart from {} exchanges.", report.summary.records),
        },
        "paths": paths,
    });
    if !schemes.is_empty() {
        doc["components"] = json!({ "securitySchemes": schemes });
    }
    doc
}

fn operation(endpoint: &EndpointReport, schemes: &mut Map<String, Value>) -> Value {
    let mut op = Map::new();
    op.insert(
        "operationId".into(),
        json!(format!(
            "{}_{}",
            endpoint.method.to_ascii_lowercase(),
            endpoint.id
        )),
    );
    if let Some(name) = endpoint
        .name
        .as_ref()
        .or(endpoint.graphql_operation.as_ref())
    {
        op.insert("summary".into(), json!(name));
    }
    op.insert("parameters".into(), Value::Array(parameters(endpoint)));
    if let Some(body) = &endpoint.request_body {
        let media = endpoint
            .request_content_types
            .first()
            .cloned()
            .unwrap_or_else(|| "application/json".into());
        op.insert(
            "requestBody".into(),
            json!({ "content": { media: { "schema": body } } }),
        );
    }
    op.insert("responses".into(), responses(endpoint));
    if endpoint.zombie == Some(true) {
        op.insert("deprecated".into(), json!(true));
    }
    let mut security = Vec::new();
    for kind in &endpoint.auth_kinds {
        if let Some(scheme) = security_scheme(kind) {
            schemes.insert(kind.clone(), scheme);
            security.push(json!({ kind.as_str(): [] }));
        }
    }
    if endpoint.auth_required == Some(false) {
        security.push(json!({}));
    }
    if !security.is_empty() {
        op.insert("security".into(), Value::Array(security));
    }
    op.insert("x-rampart-risk".into(), json!(endpoint.risk));
    op.insert("x-rampart-function".into(), json!(endpoint.function));
    if !endpoint.sensitive.is_empty() {
        op.insert("x-rampart-sensitive".into(), json!(endpoint.sensitive));
    }
    if endpoint.shadow == Some(true) {
        op.insert("x-rampart-shadow".into(), json!(true));
    }
    Value::Object(op)
}

fn parameters(endpoint: &EndpointReport) -> Vec<Value> {
    let mut out = Vec::new();
    for p in &endpoint.params {
        let mut schema = json!({ "type": p.schema_type });
        if let Some(format) = &p.format {
            schema["format"] = json!(format);
        }
        out.push(json!({ "name": p.name, "in": "path", "required": true, "schema": schema }));
    }
    for (location, schema) in [
        ("query", &endpoint.query_params),
        ("header", &endpoint.request_headers),
    ] {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let mut seen: Vec<String> = Vec::new();
        for (name, field) in properties {
            let key = name.to_ascii_lowercase();
            if location == "header"
                && (RESERVED_HEADERS.contains(&key.as_str()) || seen.contains(&key))
            {
                continue;
            }
            seen.push(key);
            out.push(json!({ "name": name, "in": location, "required": required.contains(&name.as_str()), "schema": field }));
        }
    }
    out
}

fn responses(endpoint: &EndpointReport) -> Value {
    let mut out = Map::new();
    for status in endpoint.statuses.keys() {
        let mut response =
            json!({ "description": format!("Seen {} time(s)", endpoint.statuses[status]) });
        if (200..300).contains(status) {
            if let Some(body) = &endpoint.response_body {
                let media = endpoint
                    .response_content_types
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "application/json".into());
                response["content"] = json!({ media: { "schema": body } });
            }
        }
        out.insert(status.to_string(), response);
    }
    if out.is_empty() {
        out.insert(
            "default".into(),
            json!({ "description": "No response was observed" }),
        );
    }
    Value::Object(out)
}

fn security_scheme(kind: &str) -> Option<Value> {
    Some(match kind {
        "jwt_bearer" => json!({ "type": "http", "scheme": "bearer", "bearerFormat": "JWT" }),
        "bearer" => json!({ "type": "http", "scheme": "bearer" }),
        "basic" => json!({ "type": "http", "scheme": "basic" }),
        "api_key_header" => json!({ "type": "apiKey", "in": "header", "name": "X-API-Key" }),
        "api_key_query" => json!({ "type": "apiKey", "in": "query", "name": "api_key" }),
        "session_cookie" => json!({ "type": "apiKey", "in": "cookie", "name": "session" }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Inventory;
    use rampart_core::ExchangeRecord;

    #[test]
    fn exports_paths_parameters_and_schemas() {
        let mut inv = Inventory::new();
        inv.observe(&ExchangeRecord {
            method: "GET".into(),
            path: "/users/42".into(),
            query: "limit=10".into(),
            request_headers: vec![("Authorization".into(), "Basic dTpw".into())],
            status: Some(200),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some(br#"{"id":42}"#.to_vec()),
            ..Default::default()
        });
        let doc = openapi_document(&inv.report(), "t");
        let op = &doc["paths"]["/users/{user_id}"]["get"];
        assert_eq!(op["parameters"][0]["in"], "path");
        assert_eq!(op["parameters"][0]["schema"]["type"], "integer");
        assert_eq!(op["parameters"][1]["name"], "limit");
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["id"]
                ["type"],
            "integer"
        );
        assert_eq!(
            doc["components"]["securitySchemes"]["basic"]["scheme"],
            "basic"
        );
    }
}
