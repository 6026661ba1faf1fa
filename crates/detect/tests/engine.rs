//! End-to-end behaviour of the engine: requests in, verdicts out.

use rampart_detect::{Body, DetectConfig, Engine, RequestView, Verdict};

struct Req<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: Vec<(&'a str, &'a [u8])>,
    body: Option<&'a [u8]>,
    truncated: bool,
}

impl<'a> Req<'a> {
    fn get(path: &'a str, query: &'a str) -> Self {
        Req {
            method: "GET",
            path,
            query,
            headers: vec![("Host", b"api.test"), ("User-Agent", b"client/1.0")],
            body: None,
            truncated: false,
        }
    }

    fn post(path: &'a str, content_type: &'a str, body: &'a str) -> Self {
        let mut r = Req::get(path, "");
        r.method = "POST";
        r.headers.push(("Content-Type", content_type.as_bytes()));
        r.body = Some(body.as_bytes());
        r
    }

    fn inspect(&self, engine: &Engine) -> Verdict {
        engine.inspect(&RequestView::new(
            self.method,
            self.path,
            self.query,
            self.headers.clone(),
            self.body.map(|bytes| Body {
                bytes,
                truncated: self.truncated,
            }),
        ))
    }
}

fn engine(toml: &str) -> Engine {
    Engine::new(DetectConfig::from_toml(toml).expect("valid config")).expect("valid engine")
}

fn rules(v: &Verdict) -> Vec<&str> {
    v.detections.iter().map(|d| d.rule.as_str()).collect()
}

#[test]
fn blocks_injection_and_explains_where() {
    let e = engine("");
    let v = Req::get("/search", "q=1%27%20or%20%271%27%3D%271").inspect(&e);
    assert!(v.blocked, "{v:?}");
    assert_eq!(v.action, "block");
    let d = &v.detections[0];
    assert_eq!(d.location, "query.q");
    assert!(d.rule.starts_with("sqli."), "{d:?}");
    assert_eq!(d.evidence, "1' or '1'='1");
    assert_eq!(v.reasons()[0].location, "query.q");

    let v = Req::post(
        "/api/users",
        "application/json",
        r#"{"user":{"bio":"<img src=x onerror=alert(1)>"}}"#,
    )
    .inspect(&e);
    assert!(v.blocked);
    assert_eq!(v.detections[0].location, "body$.user.bio");
}

#[test]
fn lets_ordinary_api_traffic_through() {
    let e = engine("");
    for req in [
        Req::get(
            "/api/v1/search",
            "q=O%27Brien&sort=-created_at&tags=select%2Cunion",
        ),
        Req::post(
            "/api/v1/reviews",
            "application/json",
            r#"{"title":"Don't drop it; update me later","text":"SELECT Specialty Hospital, Room 12","website":"https://www.example.com/"}"#,
        ),
        Req::post(
            "/account",
            "application/x-www-form-urlencoded",
            "display_name=Tom+%26+Jerry&about=cat+%26+dog+grooming%2C+%2425+(or+2+for+%2440)",
        ),
        Req::post(
            "/graphql",
            "application/json",
            r#"{"query":"query Q($id: ID!) { user(id: $id) { name posts(first: 10) { title } } }","variables":{"id":"42"}}"#,
        ),
    ] {
        let v = req.inspect(&e);
        assert!(!v.blocked, "{:?}", v.detections);
    }
}

#[test]
fn graphql_policy_is_enforced_per_endpoint() {
    let e = engine("[detect]\n[[detect.endpoints]]\npath = \"/graphql\"\n[detect.endpoints.graphql]\nallow_introspection = false\nmax_depth = 3\nmax_aliases = 2\nmax_operations = 2\nmax_cost = 100\n");
    let introspection = Req::post(
        "/graphql",
        "application/json",
        r#"{"query":"{ __schema { types { name } } }"}"#,
    )
    .inspect(&e);
    assert!(rules(&introspection).contains(&"graphql.introspection"));
    let deep = Req::post(
        "/graphql",
        "application/json",
        r#"{"query":"{ a { b { c { d } } } }"}"#,
    )
    .inspect(&e);
    assert!(rules(&deep).contains(&"graphql.depth"));
    let batch = Req::post(
        "/graphql",
        "application/json",
        r#"[{"query":"{a}"},{"query":"{a}"},{"query":"{a}"}]"#,
    )
    .inspect(&e);
    assert!(rules(&batch).contains(&"graphql.batching"));
    let costly = Req::post(
        "/graphql",
        "application/json",
        r#"{"query":"{ users(first: 1000) { id } }"}"#,
    )
    .inspect(&e);
    assert!(rules(&costly).contains(&"graphql.cost"));
    let aliases = Req::post(
        "/graphql",
        "application/json",
        r#"{"query":"{ a: x b: x c: x }"}"#,
    )
    .inspect(&e);
    assert!(rules(&aliases).contains(&"graphql.aliases"));
    // Elsewhere the default policy allows introspection.
    let other = Req::post(
        "/api/graphql-proxy",
        "application/json",
        r#"{"query":"{ __schema { types { name } } }","variables":{}}"#,
    )
    .inspect(&e);
    assert!(!rules(&other).contains(&"graphql.introspection"));
}

#[test]
fn graphql_arguments_are_inspected_as_values() {
    let e = engine("");
    let v = Req::post(
        "/graphql",
        "application/json",
        r#"{"query":"{ user(name: \"x' UNION SELECT password FROM users--\") { id } }"}"#,
    )
    .inspect(&e);
    assert!(v.blocked);
    assert_eq!(v.detections[0].location, "body.graphql.query.user.name");
}

#[test]
fn malformed_and_truncated_bodies() {
    let e = engine("");
    let broken = Req::post("/api", "application/json", r#"{"a": "#).inspect(&e);
    assert!(rules(&broken).contains(&"protocol.malformed_body"));
    let mut truncated = Req::post("/api", "application/json", r#"{"a": "#);
    truncated.truncated = true;
    assert!(!rules(&truncated.inspect(&e)).contains(&"protocol.malformed_body"));
    let deep = "[".repeat(5000) + &"]".repeat(5000);
    let v = Req::post("/api", "application/json", &deep).inspect(&e);
    assert!(rules(&v).contains(&"protocol.nesting_too_deep"), "{v:?}");
    assert!(v.blocked);
}

#[test]
fn contracts_catch_mass_assignment_and_can_only_monitor() {
    let toml = r#"
        [detect]
        unknown_endpoint = "monitor"
        [[detect.contracts]]
        method = "POST"
        path = "/signup"
        [detect.contracts.body]
        type = "object"
        additional_properties = false
        properties.email = { type = "string", max_length = 60 }
        properties.about = { type = "string", kind = "free_text" }
    "#;
    let e = engine(toml);
    let v = Req::post(
        "/signup",
        "application/json",
        r#"{"email":"a@b.c","is_admin":true}"#,
    )
    .inspect(&e);
    assert!(v.blocked);
    assert_eq!(rules(&v), ["contract.unexpected_property"]);
    assert_eq!(v.detections[0].location, "body$.is_admin");
    let unknown = Req::get("/elsewhere", "").inspect(&e);
    assert!(!unknown.blocked);
    assert_eq!(rules(&unknown), ["contract.unknown_endpoint"]);

    let monitoring = engine(&toml.replace(
        "path = \"/signup\"",
        "path = \"/signup\"\n        mode = \"monitor\"",
    ));
    let v = Req::post(
        "/signup",
        "application/json",
        r#"{"email":"a@b.c","is_admin":true}"#,
    )
    .inspect(&monitoring);
    assert_eq!((v.blocked, v.action), (false, "monitor"), "{v:?}");
    assert_eq!(rules(&v), ["contract.unexpected_property"]);
    assert_eq!(v.detections[0].evidence, "POST /signup: is_admin=true");

    let off = engine(&toml.replace("\"monitor\"", "\"off\""));
    assert!(rules(&Req::get("/elsewhere", "").inspect(&off)).is_empty());
}

#[test]
fn paranoia_and_thresholds_change_the_outcome() {
    let override_param = Req::post(
        "/form",
        "application/x-www-form-urlencoded",
        "_method=DELETE",
    );
    assert!(!override_param.inspect(&engine("")).blocked);
    assert!(
        override_param
            .inspect(&engine("[detect]\nparanoia = 2\n"))
            .blocked
    );
    let link_override = Req::get("/items/7", "_method=DELETE").inspect(&engine(""));
    assert!(
        rules(&link_override).contains(&"protocol.method_override"),
        "{link_override:?}"
    );
    let not_a_verb = Req::get("/items/7", "_method=DELETE1").inspect(&engine(""));
    assert!(!not_a_verb.blocked, "{not_a_verb:?}");
    let attack = Req::get("/s", "q=%3Cscript%3Ealert(1)%3C/script%3E");
    assert!(
        !attack
            .inspect(&engine("[detect]\nthreshold = 50\n"))
            .blocked
    );
    let monitored = attack.inspect(&engine("[detect]\nmode = \"monitor\"\n"));
    assert_eq!((monitored.blocked, monitored.action), (false, "monitor"));
    let disabled = attack.inspect(&engine("[detect]\ndisabled_rules = [\"xss\"]\n"));
    assert!(!disabled.blocked);
}

#[test]
fn secrets_are_masked_in_evidence() {
    let v = Req::post(
        "/login",
        "application/x-www-form-urlencoded",
        "user=bob&password=%27+or+1%3D1--",
    )
    .inspect(&engine(""));
    assert!(v.blocked);
    assert!(
        v.detections[0].evidence.contains("***"),
        "{:?}",
        v.detections[0]
    );
}

#[test]
fn huge_parameter_counts_are_bounded() {
    let query: String = (0..50_000).map(|i| format!("p{i}=v&")).collect();
    let v = Req::get("/x", &query).inspect(&engine(""));
    assert!(rules(&v).contains(&"protocol.too_many_values"));
}

#[test]
fn a_typed_user_agent_is_read_like_any_value() {
    let e = engine("");
    let mut typed = Req::get("/get", "");
    typed.headers[1] = ("User-Agent", b"ansible all -m ping");
    assert!(typed.inspect(&e).blocked);
    let mut client = Req::get("/get", "");
    client.headers[1] = (
        "User-Agent",
        b"deploy-bot/2.1 (ansible; +https://ops.example)",
    );
    assert!(!client.inspect(&e).blocked);
}

#[test]
fn accept_asking_for_an_ascii_unsafe_charset_is_blocked() {
    let e = engine("");
    let mut ebcdic = Req::get("/", "");
    ebcdic
        .headers
        .push(("Accept", b"text/html;q=0.9;charset=CP1026,*/*;q=0.8"));
    assert!(rules(&ebcdic.inspect(&e)).contains(&"protocol.accept_charset"));
    let mut latin = Req::get("/", "");
    latin
        .headers
        .push(("Accept", b"text/html; charset=ISO-8859-1, application/json"));
    assert!(!latin.inspect(&e).blocked);
}

#[test]
fn a_url_in_a_path_argument_is_remote_file_inclusion() {
    let e = engine("");
    let v = Req::get("/plugins/admin.php", "_CONF[path]=https://foo.bar").inspect(&e);
    assert!(rules(&v).contains(&"rfi.url_as_path"), "{v:?}");
    let v = Req::get("/share", "link=https://foo.bar&path=/docs/readme").inspect(&e);
    assert!(!v.blocked, "{v:?}");
}

#[test]
fn xml_escaped_character_references_are_decoded_as_the_browser_will() {
    let e = engine("");
    let body = r#"<?xml version="1.0"?><root><a probe="ja&amp;tab;vascript:alert(1)"></a></root>"#;
    assert!(
        Req::post("/post", "application/xml", body)
            .inspect(&e)
            .blocked
    );
    let body = r#"<?xml version="1.0"?><root><a title="Fish &amp;amp; chips"></a></root>"#;
    assert!(
        !Req::post("/post", "application/xml", body)
            .inspect(&e)
            .blocked
    );
}

#[test]
fn signals_normal_for_apis_score_nothing_at_the_default_paranoia() {
    // A script posting by address: host is an IP, empty User-Agent, a
    // body without Content-Type.
    let request = Req {
        method: "POST",
        path: "/orders",
        query: "",
        headers: vec![("Host", b"127.0.0.1:8080"), ("User-Agent", b"")],
        body: Some(br#"{"sku":"A-1","qty":2}"#),
        truncated: false,
    };
    let v = request.inspect(&engine(""));
    assert!(v.detections.is_empty() && !v.blocked, "{v:?}");
    let stricter = request.inspect(&engine("[detect]\nparanoia = 2\n"));
    let found = rules(&stricter);
    for rule in [
        "protocol.host_is_ip",
        "protocol.empty_user_agent",
        "protocol.missing_content_type",
    ] {
        assert!(
            found.contains(&rule),
            "{rule} missing at paranoia 2: {found:?}"
        );
    }
}

#[test]
fn domains_emails_and_api_wire_formats_are_not_web_server_oddities() {
    let e = engine("");
    for path in ["/v2/domains/example.com", "/users/ann%40example.com"] {
        let v = Req::get(path, "").inspect(&e);
        assert!(!v.blocked, "{path}: {v:?}");
        assert!(
            !rules(&v).contains(&"protocol.restricted_extension"),
            "{path}"
        );
    }
    let v = Req::get("/backup/users.sql", "").inspect(&e);
    assert!(
        rules(&v).contains(&"protocol.restricted_extension"),
        "{v:?}"
    );
    for media_type in [
        "application/x-protobuf",
        "application/grpc+proto",
        "application/cbor",
    ] {
        let v = Req::post("/orders", media_type, "\u{8}\u{1}\u{12}\u{3}abc").inspect(&e);
        assert!(!v.blocked, "{media_type}: {v:?}");
    }
    let v = Req::post("/orders", "application/x-unheard-of", "abc").inspect(&e);
    assert!(
        rules(&v).contains(&"protocol.content_type_not_allowed"),
        "{v:?}"
    );
    // Still inspected: an injection in a protobuf string is found.
    let v = Req::post(
        "/orders",
        "application/x-protobuf",
        "\u{12}\u{20}1' UNION SELECT password FROM users--",
    )
    .inspect(&e);
    assert!(v.blocked, "{v:?}");
    // A strict deployment still hears of them.
    let strict = engine("[detect]\nparanoia = 2\n");
    let v = Req::get("/v2/domains/example.com", "").inspect(&strict);
    assert!(
        rules(&v).contains(&"protocol.restricted_extension"),
        "{v:?}"
    );
}

#[test]
fn a_sql_word_quoted_in_search_text_is_prose() {
    let e = engine("");
    for query in [
        "q=%22select%22%20brand%20shoes",
        "q=the%20%22select%22%20range",
        "q=%22union%22%20jack%20flag",
        "q=%22or%22%20sneakers",
        "q=%27drop%27%20ship%20tees",
    ] {
        let v = Req::get("/search", query).inspect(&e);
        assert!(!v.blocked, "{query}: {v:?}");
    }
    for attack in [
        "q=x%22%20or%20%221",
        "q=x%27%20or%20%27true",
        "q=x%22%20union%20select%20password%20from%20users--",
    ] {
        let v = Req::get("/search", attack).inspect(&e);
        assert!(v.blocked, "{attack}: {v:?}");
    }
}

#[test]
fn a_grpc_body_is_read_for_its_strings() {
    let e = engine("");
    let grpc = |body: &'static [u8]| {
        let mut r = Req::get("/acme.inventory.v1.InventoryService/GetItem", "");
        r.method = "POST";
        r.headers.push(("Content-Type", b"application/grpc"));
        r.body = Some(body);
        r
    };
    // Length prefixes and varints are NUL and control bytes, not evasion.
    let benign = grpc(b"\x00\x00\x00\x00\x14\n\x0ckettle blend\x10\xea\xa9\x99\x37");
    let v = benign.inspect(&e);
    assert!(!v.blocked, "{v:?}");
    // A string field carrying an injection is still read.
    let attack = grpc(b"\x00\x00\x00\x00\x29\n\x271' union select password from users--\x10\x01");
    let v = attack.inspect(&e);
    assert!(v.blocked, "{v:?}");
    assert!(rules(&v).iter().any(|r| r.starts_with("sqli.")), "{v:?}");
}
