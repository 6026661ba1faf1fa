//! What prevention knows about one exchange when it decides.
//!
//! The gateway fills these from its phases (client identity, geo, the endpoint
//! matched in the inventory, detection signals); prevention depends on no other
//! Rampart crate than `rampart-core`, so it defines the few facts it reads.

use std::net::IpAddr;

/// The request, the client behind it and the endpoint it hit.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFacts {
    /// The gateway's request id, echoed in block responses.
    pub request_id: String,
    pub method: String,
    pub host: String,
    pub path: String,
    /// The gateway route name, empty when no route matched.
    pub route: String,
    pub client: ClientFacts,
    pub endpoint: EndpointFacts,
}

/// Who is asking. Absent identities are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientFacts {
    pub ip: IpAddr,
    /// ISO 3166-1 alpha-2 country code, upper case.
    pub country: Option<String>,
    pub asn: Option<u32>,
    pub api_key: Option<String>,
    pub user: Option<String>,
    /// The client's fingerprint: its JA4 (when the gateway terminated
    /// TLS) followed by traits of its HTTP request head.
    pub fingerprint: Option<String>,
    /// The JA4 fingerprint of the TLS client, when the gateway terminated
    /// TLS and read its ClientHello. Shared by every client running the
    /// same TLS software (one browser version), so it narrows a key rather
    /// than naming one client.
    pub ja4: Option<String>,
    /// The kinds of credential the request carries, verified or not:
    /// `jwt_bearer`, `bearer`, `basic`, `authorization` (another scheme),
    /// `api_key_header`, `api_key_query`, `session_cookie`. Empty for an
    /// anonymous request.
    pub credentials: Vec<&'static str>,
    /// The bot the client declares itself to be, if any (the `bots` stage).
    pub bot: Option<BotFacts>,
}

/// A declared bot identity and whether the claim held (the event carries
/// the same).
pub use rampart_core::BotIdentity as BotFacts;

/// The inventory's view of the endpoint this request hit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EndpointFacts {
    /// The path template, e.g. `/users/{id}`; `None` when not in the inventory.
    pub template: Option<String>,
    /// The business function the inventory inferred for the endpoint, one
    /// of `login`, `logout`, `sign_up`, `password_reset`, `otp`,
    /// `token_refresh`, `search`, `list`, `checkout`, `payment`, `cart`,
    /// `file_upload`, `admin`, `export`, `destructive`, `health`, `profile`,
    /// `other` (`rampart_discover::function`); rules compare it as in
    /// `endpoint.function == "login"`.
    pub function: Option<String>,
    /// The endpoint's risk, 0.0 (none) to 1.0 (highest).
    pub risk: f64,
}

/// One detection result for this exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// The class policy acts on, e.g. `injection`, `contract`, `bot`, `ato`.
    pub class: String,
    /// The detector or rule that raised it, e.g. `sqli.union_select`.
    pub source: String,
    /// Where the evidence sits, e.g. `query.id`.
    pub location: String,
    /// Its contribution to the exchange's anomaly score.
    pub score: f64,
    /// How sure its detector is, 0.0 to 1.0 (`rampart_core::Combined`).
    pub confidence: f64,
}

impl ClientFacts {
    /// A client known only by its address.
    pub fn from_ip(ip: IpAddr) -> Self {
        ClientFacts {
            ip,
            country: None,
            asn: None,
            api_key: None,
            user: None,
            fingerprint: None,
            ja4: None,
            credentials: Vec::new(),
            bot: None,
        }
    }
}

impl RequestFacts {
    /// A request with only the method, the path and the client address known.
    pub fn new(method: &str, path: &str, ip: IpAddr) -> Self {
        RequestFacts {
            request_id: String::new(),
            method: method.to_string(),
            host: String::new(),
            path: path.to_string(),
            route: String::new(),
            client: ClientFacts::from_ip(ip),
            endpoint: EndpointFacts::default(),
        }
    }
}
