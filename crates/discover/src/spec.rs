//! Importing a declared API: OpenAPI 3.0/3.1 and Swagger 2.0, JSON or YAML.
//!
//! The declared spec is matched before anything is learned: its templates
//! (joined to the servers' base paths) route the traffic whose path values
//! fit the declared parameter types (`/videos/convert` is not
//! `/videos/{video_id}` of type integer), its `deprecated` (or
//! `x-deprecated`) flags reveal zombies, and what traffic reaches outside
//! it is shadow API. A spec is hostile input like any other: size and
//! nesting are bounded and a malformed one fails with where the problem is
//! (line and column for syntax, a JSON pointer for structure).

use crate::declared_schema::{import_schema, DeclaredSchema, MAX_SPEC_NODES};
use crate::template::{PathTemplate, TemplateError, TemplateSegment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Largest spec document accepted.
pub const MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;
/// Most operations imported.
pub const MAX_OPERATIONS: usize = 50_000;
/// Deepest YAML nesting converted.
const MAX_YAML_DEPTH: usize = 256;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Why a spec was refused, with where.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("spec is larger than {MAX_SPEC_BYTES} bytes")]
    TooLarge,
    #[error("syntax error at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("at {pointer}: {message}")]
    Invalid { pointer: String, message: String },
}

/// Most `enum` values kept per declared parameter; a longer list is not
/// used to refuse values.
const MAX_ENUM_VALUES: usize = 64;

/// A declared path or query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredParam {
    pub name: String,
    pub schema_type: Option<String>,
    pub format: Option<String>,
    /// The declared `enum`, when it lists strings (empty: any value).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

impl DeclaredParam {
    /// Whether a decoded path value fits the declared schema. Only what a
    /// path value can be checked against is: integer, number and boolean
    /// types, `uuid` and `date` formats, and string enums. Anything else
    /// (patterns, undeclared types) is admitted.
    pub fn admits(&self, value: &str) -> bool {
        if !self.enum_values.is_empty() && !self.enum_values.iter().any(|v| v == value) {
            return false;
        }
        let fits_type = match self.schema_type.as_deref() {
            Some("integer") => is_integer(value),
            Some("number") => is_integer(value) || is_decimal(value),
            Some("boolean") => value == "true" || value == "false",
            _ => true,
        };
        let fits_format = match self.format.as_deref() {
            Some("uuid") => crate::segment::is_uuid(value),
            Some("date") => crate::segment::is_date(value),
            _ => true,
        };
        fits_type && fits_format
    }
}

/// `-12`, `42`: digits with an optional sign, as many as an `int64` holds.
fn is_integer(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    (1..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `3.25`, `-0.5`: one decimal point between digits.
fn is_decimal(value: &str) -> bool {
    value
        .strip_prefix(['-', '+'])
        .unwrap_or(value)
        .split_once('.')
        .is_some_and(|(whole, fraction)| is_integer(whole) && is_integer(fraction))
}

/// One declared operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredOperation {
    /// Upper-case method.
    pub method: String,
    /// Full template, base path included.
    pub template: PathTemplate,
    /// The key under `paths`.
    pub spec_path: String,
    pub operation_id: Option<String>,
    pub deprecated: bool,
    /// Whether the spec asks for credentials (`None`: it does not say).
    pub security_required: Option<bool>,
    pub path_params: Vec<DeclaredParam>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<DeclaredParam>,
    /// The JSON request body's schema, when the operation declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<DeclaredSchema>,
}

impl DeclaredOperation {
    /// Whether the decoded segments of a request this operation's template
    /// matches carry values its declared parameters admit. A value of the
    /// wrong type is not this operation: it is a path the spec does not tell.
    pub fn admits<S: AsRef<str>>(&self, segments: &[S]) -> bool {
        self.template
            .segments
            .iter()
            .zip(segments)
            .all(|(segment, value)| match segment {
                TemplateSegment::Literal(_) => true,
                TemplateSegment::Param {
                    name,
                    prefix,
                    suffix,
                } => {
                    let value = value.as_ref();
                    let inner = value
                        .strip_prefix(prefix.as_str())
                        .and_then(|v| v.strip_suffix(suffix.as_str()))
                        .unwrap_or(value);
                    self.path_params
                        .iter()
                        .find(|p| p.name == *name)
                        .is_none_or(|p| p.admits(inner))
                }
            })
    }
}

/// A parsed spec: its operations, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeclaredSpec {
    pub title: Option<String>,
    /// `3.0.1`, `3.1.0`, `2.0`.
    pub version: String,
    pub operations: Vec<DeclaredOperation>,
}

/// Parses a spec document (JSON when it starts with `{`, YAML otherwise).
pub fn parse_spec(bytes: &[u8]) -> Result<DeclaredSpec, SpecError> {
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(SpecError::TooLarge);
    }
    let document = parse_document(bytes)?;
    import(&document)
}

fn parse_document(bytes: &[u8]) -> Result<Value, SpecError> {
    if bytes.trim_ascii_start().starts_with(b"{") {
        return serde_json::from_slice(bytes).map_err(|e| SpecError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        });
    }
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_slice(bytes).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        SpecError::Syntax {
            line,
            column,
            message: e.to_string(),
        }
    })?;
    yaml_to_json(yaml, 0)
}

fn yaml_to_json(value: serde_yaml_ng::Value, depth: usize) -> Result<Value, SpecError> {
    use serde_yaml_ng::Value as Y;
    if depth > MAX_YAML_DEPTH {
        return Err(SpecError::Invalid {
            pointer: "/".into(),
            message: format!("nested deeper than {MAX_YAML_DEPTH} levels"),
        });
    }
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(|v| yaml_to_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".into(),
                    _ => {
                        return Err(SpecError::Invalid {
                            pointer: "/".into(),
                            message: "mapping key is not a scalar".into(),
                        })
                    }
                };
                out.insert(key, yaml_to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, depth + 1)?,
    })
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn pointer_key(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError::Invalid {
        pointer: pointer.into(),
        message: message.into(),
    }
}

fn import(doc: &Value) -> Result<DeclaredSpec, SpecError> {
    let root = doc
        .as_object()
        .ok_or_else(|| invalid("/", "a spec must be a JSON/YAML object"))?;
    let version = match (root.get("openapi"), root.get("swagger")) {
        (Some(Value::String(v)), _) if v.starts_with("3.") => v.clone(),
        (_, Some(Value::String(v))) if v == "2.0" => v.clone(),
        (Some(v), _) => {
            return Err(invalid(
                "/openapi",
                format!("unsupported OpenAPI version {v}"),
            ))
        }
        (_, Some(v)) => {
            return Err(invalid(
                "/swagger",
                format!("unsupported Swagger version {v}"),
            ))
        }
        _ => {
            return Err(invalid(
                "/",
                "missing `openapi` (3.x) or `swagger` (2.0) version field",
            ))
        }
    };
    let bases = base_paths(root, &version)?;
    let global_security = security_of(root.get("security"));
    let paths = match root.get("paths") {
        None => {
            return Ok(DeclaredSpec {
                title: title(root),
                version,
                operations: Vec::new(),
            })
        }
        Some(Value::Object(paths)) => paths,
        Some(_) => return Err(invalid("/paths", "`paths` must be an object")),
    };
    let mut operations = Vec::new();
    let mut schema_budget = MAX_SPEC_NODES;
    for (path, item) in paths {
        let pointer = format!("/paths/{}", pointer_key(path));
        if path.starts_with("x-") {
            continue;
        }
        if !path.starts_with('/') {
            return Err(invalid(pointer, "a path must start with `/`"));
        }
        let template = PathTemplate::parse(path)
            .map_err(|e: TemplateError| invalid(pointer.clone(), e.to_string()))?;
        let item = item
            .as_object()
            .ok_or_else(|| invalid(pointer.clone(), "a path item must be an object"))?;
        let shared_params = item.get("parameters");
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_pointer = format!("{pointer}/{method}");
            let op = op
                .as_object()
                .ok_or_else(|| invalid(op_pointer.clone(), "an operation must be an object"))?;
            let deprecated = match op.get("deprecated") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(invalid(
                        format!("{op_pointer}/deprecated"),
                        "`deprecated` must be a boolean",
                    ))
                }
            } || op.get("x-deprecated") == Some(&Value::Bool(true));
            let security_required = op
                .get("security")
                .map(|s| security_of(Some(s)).unwrap_or(false))
                .or(global_security);
            let own_params = op.get("parameters");
            let path_params = params_in(doc, "path", shared_params, own_params);
            let query_params = params_in(doc, "query", shared_params, own_params);
            let request_body = request_body(doc, op, shared_params, &mut schema_budget);
            for base in &bases {
                if operations.len() == MAX_OPERATIONS {
                    return Err(invalid(
                        "/paths",
                        format!("more than {MAX_OPERATIONS} operations"),
                    ));
                }
                operations.push(DeclaredOperation {
                    method: method.to_ascii_uppercase(),
                    template: template.clone().with_base(base),
                    spec_path: path.clone(),
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    deprecated,
                    security_required,
                    path_params: path_params.clone(),
                    query_params: query_params.clone(),
                    request_body: request_body.clone(),
                });
            }
        }
    }
    Ok(DeclaredSpec {
        title: title(root),
        version,
        operations,
    })
}

fn title(root: &Map<String, Value>) -> Option<String> {
    root.get("info")
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `Some(true)` when some requirement names a scheme, `Some(false)` for `[]`
/// or `[{}]` (anonymous allowed).
fn security_of(security: Option<&Value>) -> Option<bool> {
    let list = security?.as_array()?;
    let anonymous_allowed = list.is_empty()
        || list
            .iter()
            .any(|r| r.as_object().is_some_and(Map::is_empty));
    Some(!anonymous_allowed)
}

/// Base paths from `servers` (3.x, variables replaced by their defaults) or
/// `basePath` (2.0); the empty path when none is given.
fn base_paths(root: &Map<String, Value>, version: &str) -> Result<Vec<PathTemplate>, SpecError> {
    let mut bases: Vec<PathTemplate> = Vec::new();
    let mut add = |path: &str, pointer: String| -> Result<(), SpecError> {
        let template = PathTemplate::parse(path).map_err(|e| invalid(pointer, e.to_string()))?;
        if !bases.contains(&template) {
            bases.push(template);
        }
        Ok(())
    };
    if version == "2.0" {
        match root.get("basePath") {
            Some(Value::String(base)) => add(base, "/basePath".into())?,
            Some(_) => return Err(invalid("/basePath", "`basePath` must be a string")),
            None => {}
        }
    } else if let Some(servers) = root.get("servers") {
        let servers = servers
            .as_array()
            .ok_or_else(|| invalid("/servers", "`servers` must be an array"))?;
        for (i, server) in servers.iter().enumerate() {
            let Some(url) = server.get("url").and_then(Value::as_str) else {
                return Err(invalid(
                    format!("/servers/{i}/url"),
                    "a server needs a string `url`",
                ));
            };
            let url = substitute_variables(url, server.get("variables"));
            add(&url_path(&url), format!("/servers/{i}/url"))?;
        }
    }
    if bases.is_empty() {
        bases.push(PathTemplate::default());
    }
    Ok(bases)
}

fn substitute_variables(url: &str, variables: Option<&Value>) -> String {
    let mut out = url.to_owned();
    if let Some(Value::Object(vars)) = variables {
        for (name, var) in vars {
            if let Some(default) = var.get("default").and_then(Value::as_str) {
                out = out.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    out
}

/// The path part of a server URL: `https://h/api/v3` -> `/api/v3`.
fn url_path(url: &str) -> String {
    let without_scheme = match url.find("://") {
        Some(i) => &url[i + 3..],
        None if url.starts_with("//") => &url[2..],
        None => return url.split(['?', '#']).next().unwrap_or("").to_owned(),
    };
    match without_scheme.find('/') {
        Some(i) => without_scheme[i..]
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_owned(),
        None => String::new(),
    }
}

/// Follows a local `$ref` (`#/components/parameters/x`) one level.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => doc.pointer(pointer).unwrap_or(value),
        None => value,
    }
}

/// The parameters sent `location` (`path`, `query`), the operation's own
/// before those of its path item (an operation's own redefines a shared one).
fn params_in(
    doc: &Value,
    location: &str,
    shared: Option<&Value>,
    own: Option<&Value>,
) -> Vec<DeclaredParam> {
    let mut params: Vec<DeclaredParam> = Vec::new();
    for param in declared_params(doc, shared, own) {
        if param.get("in").and_then(Value::as_str) != Some(location) {
            continue;
        }
        let Some(name) = param.get("name").and_then(Value::as_str) else {
            continue;
        };
        if params.iter().any(|p| p.name == name) {
            continue;
        }
        let schema = param
            .get("schema")
            .map(|s| resolve(doc, s))
            .unwrap_or(param);
        let text = |key: &str| schema.get(key).and_then(Value::as_str).map(str::to_owned);
        params.push(DeclaredParam {
            name: name.to_owned(),
            schema_type: text("type"),
            format: text("format"),
            enum_values: string_enum(schema.get("enum")),
            required: param.get("required") == Some(&Value::Bool(true)),
        });
    }
    params
}

/// An operation's parameter objects, `$ref`s followed, its own first.
fn declared_params<'a>(
    doc: &'a Value,
    shared: Option<&'a Value>,
    own: Option<&'a Value>,
) -> impl Iterator<Item = &'a Value> {
    [own, shared]
        .into_iter()
        .flatten()
        .flat_map(|list| list.as_array().into_iter().flatten().take(256))
        .map(move |param| resolve(doc, param))
}

/// The JSON request body's schema: 3.x `requestBody` (`application/json`,
/// else any `+json` media type), 2.0 the `in: body` parameter.
fn request_body(
    doc: &Value,
    op: &Map<String, Value>,
    shared: Option<&Value>,
    budget: &mut usize,
) -> Option<DeclaredSchema> {
    if let Some(body) = op.get("requestBody") {
        let content = resolve(doc, body).get("content")?.as_object()?;
        let media = content.get("application/json").or_else(|| {
            content
                .iter()
                .find(|(name, _)| name.split(';').next().is_some_and(|n| n.ends_with("json")))
                .map(|(_, media)| media)
        })?;
        return Some(import_schema(doc, media.get("schema")?, budget));
    }
    declared_params(doc, shared, op.get("parameters"))
        .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))
        .and_then(|p| p.get("schema"))
        .map(|schema| import_schema(doc, schema, budget))
}

/// The values of a declared `enum` of strings; empty (no restriction) when
/// it is absent, too long, or lists anything but strings.
fn string_enum(values: Option<&Value>) -> Vec<String> {
    let Some(values) = values.and_then(Value::as_array) else {
        return Vec::new();
    };
    if values.len() > MAX_ENUM_VALUES {
        return Vec::new();
    }
    values
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
openapi: 3.0.3
info: {title: Pets, version: "1"}
servers:
  - url: https://petstore.test/api/{version}
    variables: {version: {default: v3}}
security: [{bearer: []}]
paths:
  /pet/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: integer, format: int64}}
    get:
      responses: {200: {description: ok}}
    delete:
      deprecated: true
      security: []
      responses: {200: {description: ok}}
    put:
      x-deprecated: true
      responses: {200: {description: ok}}
"#;

    #[test]
    fn imports_yaml_with_servers_security_and_deprecation() {
        let spec = parse_spec(YAML.as_bytes()).unwrap();
        assert_eq!(spec.title.as_deref(), Some("Pets"));
        assert_eq!(spec.operations.len(), 3);
        let get = &spec.operations[0];
        assert_eq!(
            (get.method.as_str(), get.template.render()),
            ("GET", "/api/v3/pet/{petId}".to_string())
        );
        assert_eq!(get.security_required, Some(true));
        assert_eq!(get.path_params[0].schema_type.as_deref(), Some("integer"));
        let delete = &spec.operations[2];
        assert!(delete.deprecated);
        assert_eq!(delete.security_required, Some(false));
        assert!(!get.deprecated);
        assert!(spec.operations[1].deprecated, "x-deprecated counts too");
    }

    #[test]
    fn declared_parameters_admit_only_values_of_their_type() {
        let param = |schema_type: &str, format: Option<&str>, enum_values: &[&str]| DeclaredParam {
            name: "p".into(),
            schema_type: Some(schema_type.into()),
            format: format.map(str::to_owned),
            enum_values: enum_values.iter().map(|v| v.to_string()).collect(),
            required: false,
        };
        let integer = param("integer", Some("int64"), &[]);
        assert!(integer.admits("42") && integer.admits("-7"));
        assert!(!integer.admits("convert_video") && !integer.admits("1.5"));
        assert!(!integer.admits(&"9".repeat(40)));
        let number = param("number", None, &[]);
        assert!(number.admits("1.5") && number.admits("3") && !number.admits("1."));
        assert!(param("boolean", None, &[]).admits("true"));
        assert!(!param("boolean", None, &[]).admits("yes"));
        let uuid = param("string", Some("uuid"), &[]);
        assert!(uuid.admits("98ab7c39-78ce-4665-9792-2876b644ce24"));
        assert!(!uuid.admits("latest"));
        assert!(param("string", Some("date"), &[]).admits("2024-05-01"));
        assert!(!param("string", Some("date"), &[]).admits("today"));
        let kinds = param("string", None, &["form-push", "form-app"]);
        assert!(kinds.admits("form-app") && !kinds.admits("form-other"));
        assert!(param("string", None, &[]).admits("anything at all"));
    }

    #[test]
    fn operations_check_values_inside_segments_and_ignore_unknown_enums() {
        let doc = r#"{"openapi":"3.1.0","paths":{"/Accounts/{Sid}.json":{"get":{"parameters":[
            {"name":"Sid","in":"path","schema":{"type":"integer"}}]}},
          "/kinds/{kind}":{"get":{"parameters":[
            {"name":"kind","in":"path","schema":{"enum":["a",1]}}]}}}}"#;
        let spec = parse_spec(doc.as_bytes()).unwrap();
        let (sid, kind) = (&spec.operations[0], &spec.operations[1]);
        assert!(sid.admits(&["Accounts", "12.json"]));
        assert!(!sid.admits(&["Accounts", "AC12.json"]));
        assert!(kind.path_params[0].enum_values.is_empty());
        assert!(kind.admits(&["kinds", "zzz"]));
    }

    #[test]
    fn imports_query_parameters_and_json_request_bodies() {
        let doc = r##"{"openapi":"3.0.0",
          "components":{"requestBodies":{"Signup":{"content":{"application/json":{"schema":{
            "type":"object","required":["username"],
            "properties":{"username":{"type":"string"},"password":{"type":"string"}}}}}}}},
          "paths":{"/users":{
            "parameters":[{"name":"page","in":"query","schema":{"type":"integer"}}],
            "post":{"requestBody":{"$ref":"#/components/requestBodies/Signup"},
              "parameters":[{"name":"invite","in":"query","required":true,"schema":{"type":"string"}}]},
            "put":{"requestBody":{"content":{"application/x-www-form-urlencoded":{"schema":{}}}}}}}}"##;
        let spec = parse_spec(doc.as_bytes()).unwrap();
        let (post, put) = (&spec.operations[1], &spec.operations[0]);
        assert_eq!(post.method, "POST");
        let query: Vec<(&str, bool)> = post
            .query_params
            .iter()
            .map(|p| (p.name.as_str(), p.required))
            .collect();
        assert_eq!(query, [("invite", true), ("page", false)]);
        let body = post.request_body.as_ref().unwrap();
        assert_eq!(body.required, ["username"]);
        assert!(body.properties.contains_key("password"));
        assert_eq!(put.request_body, None, "a form body is not a JSON schema");

        let swagger = r#"{"swagger":"2.0","paths":{"/pets":{"post":{"parameters":[
            {"name":"pet","in":"body","schema":{"type":"object","additionalProperties":false,
             "properties":{"name":{"type":"string"}}}}]}}}}"#;
        let spec = parse_spec(swagger.as_bytes()).unwrap();
        let body = spec.operations[0].request_body.as_ref().unwrap();
        assert_eq!(body.additional_properties, Some(false));
    }

    #[test]
    fn imports_swagger_2_json() {
        let doc = r#"{"swagger":"2.0","basePath":"/api","paths":{"/chat.postMessage":{"post":{"deprecated":false}}}}"#;
        let spec = parse_spec(doc.as_bytes()).unwrap();
        assert_eq!(
            spec.operations[0].template.render(),
            "/api/chat.postMessage"
        );
    }

    #[test]
    fn malformed_specs_fail_with_their_location() {
        let err = parse_spec(b"{\"openapi\": \"3.1.0\",\n \"paths\": {\"/a\": }}").unwrap_err();
        assert!(matches!(err, SpecError::Syntax { line: 2, .. }), "{err}");
        let err = parse_spec(b"openapi: 3.1.0\npaths:\n  /a/{b:\n    get: {}\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "at /paths/~1a~1{b: unbalanced braces in segment `{b`"
        );
        let err = parse_spec(
            b"{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":{\"deprecated\":\"yes\"}}}}",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "at /paths/~1a/get/deprecated: `deprecated` must be a boolean"
        );
        assert!(parse_spec(b"key: [unclosed").is_err());
        assert!(parse_spec(b"{\"info\":{}}")
            .unwrap_err()
            .to_string()
            .contains("missing `openapi`"));
    }
}
