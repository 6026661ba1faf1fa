//! API models written as data, and the traffic they generate.
//!
//! A [`Model`] is what an API's documentation says (endpoints with typed
//! path parameters, body shapes, statuses) plus how clients use it (request
//! counts per endpoint, from a few to many; parameter values from small
//! pools reused everywhere or from large ones, picked Zipf-like). Every
//! generated record is labelled with the endpoint it belongs to: that label
//! is the ground truth the inventory is scored against.

use super::rng::{Rng, Zipf};
use super::values::{draw, Kind};
use rampart_core::ExchangeRecord;
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap};

/// A JSON body's shape; values are drawn when a record is generated.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// No body.
    Empty,
    Int,
    Num,
    Str,
    Bool,
    Email,
    DateTime,
    Uuid,
    Url,
    Obj(&'static [(&'static str, Shape)]),
    /// An array of zero to four elements.
    List(&'static Shape),
}

/// A path parameter: its name in templates, its values, its pool size
/// (0: a fresh value per request, like ids of new objects).
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub pool: usize,
}

pub const fn param(name: &'static str, kind: Kind, pool: usize) -> Param {
    Param { name, kind, pool }
}

/// One endpoint of a model.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub method: &'static str,
    /// `/repos/{owner}/{repo}`, `/Accounts/{Sid}.json`: names refer to the
    /// model's params; the scorer erases them.
    pub template: &'static str,
    /// Requests sent to it.
    pub requests: u32,
    pub status: u16,
    pub request: Shape,
    pub response: Shape,
    /// Query parameters sent with it.
    pub query: &'static [(&'static str, Kind)],
}

impl Endpoint {
    pub const fn query(mut self, query: &'static [(&'static str, Kind)]) -> Self {
        self.query = query;
        self
    }

    pub const fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

const fn endpoint(
    method: &'static str,
    template: &'static str,
    requests: u32,
    request: Shape,
    response: Shape,
    status: u16,
) -> Endpoint {
    Endpoint {
        method,
        template,
        requests,
        status,
        request,
        response,
        query: &[],
    }
}

pub const fn get(template: &'static str, requests: u32, response: Shape) -> Endpoint {
    endpoint("GET", template, requests, Shape::Empty, response, 200)
}

pub const fn head(template: &'static str, requests: u32) -> Endpoint {
    endpoint("HEAD", template, requests, Shape::Empty, Shape::Empty, 200)
}

pub const fn post(
    template: &'static str,
    requests: u32,
    request: Shape,
    response: Shape,
) -> Endpoint {
    endpoint("POST", template, requests, request, response, 201)
}

pub const fn put(
    template: &'static str,
    requests: u32,
    request: Shape,
    response: Shape,
) -> Endpoint {
    endpoint("PUT", template, requests, request, response, 200)
}

pub const fn patch(
    template: &'static str,
    requests: u32,
    request: Shape,
    response: Shape,
) -> Endpoint {
    endpoint("PATCH", template, requests, request, response, 200)
}

pub const fn delete(template: &'static str, requests: u32) -> Endpoint {
    endpoint(
        "DELETE",
        template,
        requests,
        Shape::Empty,
        Shape::Empty,
        204,
    )
}

/// Whether requests end with `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slash {
    /// As the template is written.
    AsWritten,
    /// Some clients add or drop the trailing slash (Django, DRF).
    Mixed,
}

/// How request bodies are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Json,
    /// `application/x-www-form-urlencoded` (Stripe, Slack).
    Form,
}

/// An API as its documentation describes it and its clients use it.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    pub name: &'static str,
    pub seed: u64,
    pub params: &'static [Param],
    pub endpoints: &'static [Endpoint],
    pub slash: Slash,
    pub encoding: Encoding,
    /// Share of requests answered with an error (4xx) instead of `status`.
    pub error_rate: f64,
    /// Known gap of today's templating, reported but left out of the
    /// asserted averages (say why where the model is written).
    pub known_gap: bool,
}

impl Model {
    pub const fn new(
        name: &'static str,
        seed: u64,
        params: &'static [Param],
        endpoints: &'static [Endpoint],
    ) -> Self {
        Model {
            name,
            seed,
            params,
            endpoints,
            slash: Slash::AsWritten,
            encoding: Encoding::Json,
            error_rate: 0.03,
            known_gap: false,
        }
    }

    pub const fn slash(mut self, slash: Slash) -> Self {
        self.slash = slash;
        self
    }

    pub const fn form(mut self) -> Self {
        self.encoding = Encoding::Form;
        self
    }

    pub const fn known_gap(mut self) -> Self {
        self.known_gap = true;
        self
    }

    /// Literal segments of all templates: no parameter value may spell one
    /// (a user called `search` would make `/users/search` ambiguous).
    fn literals(&self) -> BTreeSet<&'static str> {
        self.endpoints
            .iter()
            .flat_map(|e| e.template.split('/'))
            .filter(|s| !s.contains('{') && !s.is_empty())
            .collect()
    }
}

/// One generated request and the endpoint (index in the model) it is for.
pub struct Labeled {
    pub record: ExchangeRecord,
    pub endpoint: usize,
}

/// Values of one parameter.
struct Pool {
    values: Vec<String>,
    zipf: Zipf,
}

struct Generator<'m> {
    model: &'m Model,
    rng: Rng,
    pools: HashMap<&'static str, Pool>,
    literals: BTreeSet<&'static str>,
}

impl Generator<'_> {
    fn param(&self, name: &str) -> &Param {
        self.model
            .params
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("model {}: no param `{name}`", self.model.name))
    }

    /// A fresh value of `kind`, never one of the model's literal segments.
    fn fresh(&mut self, kind: Kind) -> String {
        for _ in 0..100 {
            let value = match kind {
                Kind::Either(kinds) => {
                    let k = *self.rng.pick(kinds);
                    self.fresh(k)
                }
                Kind::Same(other) => self.value(other),
                k => draw(k, &mut self.rng),
            };
            if !self.literals.contains(value.as_str()) {
                return value;
            }
        }
        panic!("model {}: cannot draw a {kind:?} value", self.model.name)
    }

    /// A value for the parameter `name`: from its pool, or fresh.
    fn value(&mut self, name: &str) -> String {
        let p = *self.param(name);
        if p.pool == 0 {
            return self.fresh(p.kind);
        }
        if !self.pools.contains_key(p.name) {
            let mut values = Vec::new();
            let mut seen = BTreeSet::new();
            for _ in 0..p.pool * 50 {
                if values.len() == p.pool {
                    break;
                }
                let v = self.fresh(p.kind);
                if seen.insert(v.clone()) {
                    values.push(v);
                }
            }
            let zipf = Zipf::new(values.len(), 1.0);
            self.pools.insert(p.name, Pool { values, zipf });
        }
        let pool = &self.pools[p.name];
        pool.values[pool.zipf.sample(&mut self.rng)].clone()
    }

    /// The template with each `{name}` replaced by a value.
    fn path(&mut self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let end = start + rest[start..].find('}').expect("unbalanced template");
            out.push_str(&rest[..start]);
            let value = self.value(&rest[start + 1..end]);
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        if self.model.slash == Slash::Mixed && out.len() > 1 && self.rng.chance(0.4) {
            match out.strip_suffix('/') {
                Some(trimmed) => out = trimmed.to_owned(),
                None => out.push('/'),
            }
        }
        out
    }

    fn body(&mut self, shape: Shape) -> Value {
        match shape {
            Shape::Empty => Value::Null,
            Shape::Int => json!(self.rng.range(1, 100_000)),
            Shape::Num => json!(self.rng.range(1, 1_000_000) as f64 / 100.0),
            Shape::Str => json!(draw(Kind::Word, &mut self.rng)),
            Shape::Bool => json!(self.rng.chance(0.5)),
            Shape::Email => json!(draw(Kind::Email, &mut self.rng)),
            Shape::DateTime => json!(format!(
                "{}T12:{:02}:00Z",
                draw(Kind::Date, &mut self.rng),
                self.rng.below(60)
            )),
            Shape::Uuid => json!(draw(Kind::Uuid, &mut self.rng)),
            Shape::Url => json!(format!(
                "https://example.com/{}",
                draw(Kind::Slug, &mut self.rng)
            )),
            Shape::Obj(fields) => {
                let mut map = Map::new();
                for (name, shape) in fields {
                    map.insert((*name).to_owned(), self.body(*shape));
                }
                Value::Object(map)
            }
            Shape::List(item) => {
                let n = self.rng.below(5);
                Value::Array((0..n).map(|_| self.body(*item)).collect())
            }
        }
    }

    fn query(&mut self, query: &[(&str, Kind)]) -> String {
        let mut pairs = Vec::new();
        for (name, kind) in query {
            // Optional parameters are often left out.
            if pairs.is_empty() || self.rng.chance(0.6) {
                let value = self.fresh(*kind).replace(' ', "+");
                pairs.push(format!("{name}={value}"));
            }
        }
        pairs.join("&")
    }

    fn record(&mut self, e: &Endpoint) -> ExchangeRecord {
        let path = self.path(e.template);
        let query = self.query(e.query);
        let mut request_headers = vec![
            (
                "host".to_owned(),
                format!("api.{}.example", self.model.name),
            ),
            ("user-agent".to_owned(), "shapes-test/1.0".to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
            (
                "authorization".to_owned(),
                "Bearer shapes-test-token".to_owned(),
            ),
        ];
        let request_body = match e.request {
            Shape::Empty => None,
            shape => {
                let body = self.body(shape);
                let (content_type, bytes) = match self.model.encoding {
                    Encoding::Json => ("application/json", body.to_string()),
                    Encoding::Form => ("application/x-www-form-urlencoded", form(&body)),
                };
                request_headers.push(("content-type".to_owned(), content_type.to_owned()));
                Some(bytes.into_bytes())
            }
        };
        let (status, response) = if self.rng.chance(self.model.error_rate) {
            let status = *self.rng.pick(&[400, 401, 403, 404, 404, 422]);
            (
                status,
                json!({"error": {"code": status, "message": "request failed"}}),
            )
        } else {
            (e.status, self.body(e.response))
        };
        let response_body =
            (!response.is_null() && e.method != "HEAD").then(|| response.to_string().into_bytes());
        let response_headers = match &response_body {
            Some(_) => vec![("content-type".to_owned(), "application/json".to_owned())],
            None => Vec::new(),
        };
        ExchangeRecord {
            method: e.method.to_owned(),
            path,
            query,
            request_headers,
            request_body,
            status: Some(status),
            response_headers,
            response_body,
            ..Default::default()
        }
    }
}

/// Top-level fields as a form body (`a=1&b=x`).
fn form(body: &Value) -> String {
    let Some(map) = body.as_object() else {
        return String::new();
    };
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={}", s.replace('@', "%40").replace(' ', "+")),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The model's traffic in arrival order, each record labelled.
pub fn generate(model: &Model) -> Vec<Labeled> {
    let base = Rng::new(model.seed);
    let mut order: Vec<usize> = model
        .endpoints
        .iter()
        .enumerate()
        .flat_map(|(i, e)| std::iter::repeat_n(i, e.requests as usize))
        .collect();
    base.fork("order").shuffle(&mut order);
    let mut generator = Generator {
        model,
        rng: base.fork("values"),
        pools: HashMap::new(),
        literals: model.literals(),
    };
    order
        .into_iter()
        .map(|endpoint| Labeled {
            record: generator.record(&model.endpoints[endpoint]),
            endpoint,
        })
        .collect()
}
