//! Deception through its public entry points: fakes consistent per attacker
//! and bounded whatever the schema, with nothing of the schema's values in
//! them; decoy tokens recognised by every gateway of one secret and by no
//! other; the tarpit's cap; honeypots and decoy fields.

use http::{HeaderMap, HeaderValue};
use rampart_core::ManualClock;
use rampart_prevent::deception::{
    Deceiver, DeceptionConfig, DeceptionSecret, DeceptiveAnswer, TrapRequest, MAX_DEPTH,
    MAX_FAKE_BYTES,
};
use rampart_prevent::policy::Deception;
use rampart_prevent::RequestFacts;
use serde_json::{json, Value};
use std::sync::Arc;

const SECRET: &str = "test-secret-test-secret-test-secret!";
/// 2023-11-14T22:13:20Z, far from a date anchor boundary.
const NOW_MILLIS: u64 = 1_700_000_000_000;

fn config(extra: &str) -> DeceptionConfig {
    let mut config: DeceptionConfig = toml::from_str(extra).expect("valid TOML");
    config.secret = Some(DeceptionSecret(SECRET.into()));
    config
}

fn deceiver_with(config: &DeceptionConfig) -> Deceiver {
    Deceiver::new(config, Arc::new(ManualClock::at(NOW_MILLIS))).unwrap()
}

fn deceiver() -> Deceiver {
    deceiver_with(&config(""))
}

/// `GET path` from `ip`, on the endpoint `template`.
fn request(template: &str, path: &str, ip: &str) -> RequestFacts {
    let mut facts = RequestFacts::new("GET", path, ip.parse().unwrap());
    facts.request_id = "req-1".into();
    facts.endpoint.template = Some(template.into());
    facts
}

fn body(response: &rampart_prevent::BlockResponse) -> Value {
    serde_json::from_slice(&response.body).expect("a JSON body")
}

fn user_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string", "format": "email"},
            "name": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["active", "suspended"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["id", "email", "name", "created_at", "status"],
    })
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(object) => 1 + object.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

mod fakes {
    use super::*;

    #[test]
    fn the_same_attacker_gets_the_same_fake_with_the_id_asked_for() {
        let deceiver = deceiver();
        let schema = user_schema();
        let facts = request("/users/{id}", "/users/42", "192.0.2.7");
        let first = deceiver.fake_success(&facts, Some(&schema));
        let second = deceiver.fake_success(&facts, Some(&schema));
        assert_eq!(first, second);
        let user = body(&first);
        assert_eq!(user["id"], json!(42));
        assert!(user["email"].as_str().unwrap().contains('@'));
        assert!(["active", "suspended"].contains(&user["status"].as_str().unwrap()));
        assert_eq!(first.status, 200);
        assert!(first
            .headers
            .contains(&("x-request-id".into(), "req-1".into())));
        assert!(first
            .headers
            .contains(&("content-type".into(), "application/json".into())));
    }

    #[test]
    fn another_gateway_with_the_secret_shows_the_same_fake() {
        let schema = user_schema();
        let facts = request("/users/{id}", "/users/42", "192.0.2.7");
        assert_eq!(
            deceiver().fake_success(&facts, Some(&schema)),
            deceiver().fake_success(&facts, Some(&schema))
        );
    }

    #[test]
    fn other_attackers_and_other_objects_get_other_fakes() {
        let deceiver = deceiver();
        let schema = user_schema();
        let fake = |path: &str, ip: &str| {
            body(&deceiver.fake_success(&request("/users/{id}", path, ip), Some(&schema)))
        };
        let mine = fake("/users/42", "192.0.2.7");
        let theirs = fake("/users/42", "198.51.100.9");
        assert_eq!(theirs["id"], json!(42));
        assert_ne!(mine["email"], theirs["email"]);
        let next = fake("/users/43", "192.0.2.7");
        assert_eq!(next["id"], json!(43));
        assert_ne!(mine["email"], next["email"]);
    }

    #[test]
    fn an_api_key_keeps_the_fake_across_addresses() {
        let deceiver = deceiver();
        let schema = user_schema();
        let with_key = |ip: &str| {
            let mut facts = request("/users/{id}", "/users/42", ip);
            facts.client.api_key = Some("key-1".into());
            facts.request_id.clear();
            deceiver.fake_success(&facts, Some(&schema))
        };
        assert_eq!(with_key("192.0.2.7"), with_key("203.0.113.5"));
    }

    #[test]
    fn dates_stay_the_same_as_the_clock_moves_within_the_anchor_period() {
        let clock = Arc::new(ManualClock::at(NOW_MILLIS));
        let deceiver = Deceiver::new(&config(""), clock.clone()).unwrap();
        let schema = user_schema();
        let facts = request("/users/{id}", "/users/42", "192.0.2.7");
        let before = deceiver.fake_success(&facts, Some(&schema));
        clock.advance(std::time::Duration::from_secs(3 * 3600));
        assert_eq!(before, deceiver.fake_success(&facts, Some(&schema)));
        let created = body(&before)["created_at"].as_str().unwrap().to_string();
        let millis = rampart_core::event::parse_rfc3339_millis(&created).unwrap();
        assert!(millis < NOW_MILLIS, "{created} is in the past");
    }

    #[test]
    fn values_learned_from_traffic_never_leave() {
        let canary = "CANARY-7f3a";
        let schema = json!({
            "type": "object",
            "title": canary,
            "description": canary,
            "examples": [{"name": canary}],
            "properties": {
                "name": {"type": "string", "examples": [canary], "default": canary},
                "plan": {"type": "string", "const": canary},
                "owner": {"type": "string", "enum": [canary, "Jane Doe"]},
                "manager": {"type": "string", "enum": ["jane.doe@corp.example", "bob"]},
                "note": {"type": "string", "default": canary},
                "nested": {"type": "object", "properties": {
                    "secret_value": {"type": "string", "examples": [canary]}}},
            },
            "required": ["name", "plan", "owner", "manager", "note", "nested"],
        });
        let deceiver = deceiver();
        for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"] {
            let facts = request("/accounts/{id}", "/accounts/7", ip);
            let text =
                String::from_utf8(deceiver.fake_success(&facts, Some(&schema)).body).unwrap();
            assert!(!text.contains("CANARY"), "{text}");
            assert!(
                !text.contains("Jane Doe") && !text.contains("corp.example"),
                "{text}"
            );
        }
    }

    #[test]
    fn without_a_schema_the_fake_is_a_generic_success() {
        let facts = request("/orders/{order_id}", "/orders/77", "192.0.2.7");
        let fake = body(&deceiver().fake_success(&facts, None));
        assert_eq!(fake["id"], json!(77));
        assert!(fake["created_at"].is_string() && fake["status"].is_string());
    }

    #[test]
    fn deep_schemas_are_cut_at_the_depth_bound() {
        let mut schema = json!({"type": "string"});
        for level in 0..300 {
            schema = if level % 2 == 0 {
                json!({"type": "array", "items": schema})
            } else {
                json!({"type": "object", "properties": {"child": schema}, "required": ["child"]})
            };
        }
        let response = deceiver().fake_success(
            &request("/deep/{id}", "/deep/1", "192.0.2.7"),
            Some(&schema),
        );
        let fake = body(&response);
        assert!(depth(&fake) <= MAX_DEPTH + 1, "depth {}", depth(&fake));
        assert!(response.body.len() <= MAX_FAKE_BYTES);
    }

    #[test]
    fn wide_schemas_are_cut_at_the_size_bound() {
        let names: Vec<String> = (0..10_000).map(|i| format!("field_{i}")).collect();
        let properties: serde_json::Map<String, Value> = names
            .iter()
            .map(|name| {
                (
                    name.clone(),
                    json!({"type": "string", "format": "date-time"}),
                )
            })
            .collect();
        let schema = json!({"type": "object", "properties": properties, "required": names});
        let response = deceiver().fake_success(
            &request("/wide/{id}", "/wide/1", "192.0.2.7"),
            Some(&schema),
        );
        let fake = body(&response);
        assert!(response.body.len() <= MAX_FAKE_BYTES);
        assert!(!fake.as_object().unwrap().is_empty());
    }

    #[test]
    fn arrays_of_big_objects_fill_the_budget_and_stop() {
        let object_of = |child: Value| {
            let properties: serde_json::Map<String, Value> = (0..100)
                .map(|i| (format!("description_{i}"), child.clone()))
                .collect();
            let required: Vec<&String> = properties.keys().collect();
            json!({"type": "object", "properties": properties, "required": required})
        };
        let mut schema = object_of(object_of(json!({"type": "string"})));
        for _ in 0..4 {
            schema = json!({"type": "array", "items": schema});
        }
        let response =
            deceiver().fake_success(&request("/rows", "/rows", "192.0.2.7"), Some(&schema));
        assert!(response.body.len() <= MAX_FAKE_BYTES);
        assert!(
            response.body.len() > MAX_FAKE_BYTES / 2,
            "the budget is used"
        );
        body(&response);
    }

    #[test]
    fn hostile_keywords_of_the_wrong_type_are_ignored() {
        let schema = json!({
            "type": 7,
            "properties": [1, 2],
            "required": "id",
            "items": "x",
            "enum": {"a": 1},
            "additionalProperties": true,
        });
        let response =
            deceiver().fake_success(&request("/odd/{id}", "/odd/1", "192.0.2.7"), Some(&schema));
        body(&response);
        let not_an_object = json!("string schema");
        let generic = deceiver().fake_success(
            &request("/odd/{id}", "/odd/1", "192.0.2.7"),
            Some(&not_an_object),
        );
        assert_eq!(body(&generic)["id"], json!(1));
    }
}

mod decoys {
    use super::*;

    fn login(deceiver: &Deceiver, schema: Option<&Value>) -> (Value, String) {
        let facts = request("/login", "/login", "192.0.2.7");
        let response = deceiver.fake_login(&facts, schema);
        let value = body(&response);
        let token = value["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (value, token)
    }

    #[test]
    fn a_fake_login_hands_out_a_decoy_minted_for_that_client() {
        let deceiver = deceiver();
        let (login, token) = login(&deceiver, None);
        assert_eq!(login["token_type"], "Bearer");
        assert_eq!(login["expires_in"], 3600);
        let mark = deceiver.recognise(&token).expect("recognised");
        let client = request("/login", "/login", "192.0.2.7").client;
        assert_eq!(mark.minted_for, deceiver.fingerprint(&client));
        assert_eq!(mark.issued_at_secs, NOW_MILLIS / 1000);
        assert_eq!(mark.expires_at_secs, NOW_MILLIS / 1000 + 3600);
        let other = request("/", "/", "198.51.100.1").client;
        assert_ne!(mark.minted_for, deceiver.fingerprint(&other));
    }

    #[test]
    fn every_login_mints_a_new_decoy() {
        let deceiver = deceiver();
        assert_ne!(login(&deceiver, None).1, login(&deceiver, None).1);
    }

    #[test]
    fn gateways_sharing_the_secret_recognise_each_others_decoys() {
        let (_, token) = login(&deceiver(), None);
        assert!(deceiver().recognise(&token).is_some());
        let stranger = Deceiver::new(
            &DeceptionConfig::default(),
            Arc::new(ManualClock::at(NOW_MILLIS)),
        )
        .unwrap();
        assert_eq!(stranger.recognise(&token), None);
        let mut other = config("");
        other.secret = Some(DeceptionSecret(
            "another-secret-another-secret-another".into(),
        ));
        assert_eq!(deceiver_with(&other).recognise(&token), None);
    }

    #[test]
    fn tampered_and_foreign_tokens_are_not_recognised() {
        let deceiver = deceiver();
        let (_, token) = login(&deceiver, None);
        let parts: Vec<&str> = token.split('.').collect();
        let flip = |part: &str| {
            let mut bytes = part.as_bytes().to_vec();
            bytes[4] = if bytes[4] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).unwrap()
        };
        let tampered = [
            format!("{}.{}.{}", parts[0], flip(parts[1]), parts[2]),
            format!("{}.{}.{}", parts[0], parts[1], flip(parts[2])),
            format!("{}.{}", parts[0], parts[1]),
            format!("{token}.x"),
            token[..token.len() - 1].to_string(),
            format!("{}.{}.{}", flip(parts[0]), parts[1], parts[2]),
        ];
        for candidate in &tampered {
            assert_eq!(deceiver.recognise(candidate), None, "{candidate}");
        }
        let foreign = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assert_eq!(deceiver.recognise(foreign), None);
        assert_eq!(deceiver.recognise(""), None);
        assert_eq!(deceiver.recognise(&"e".repeat(100_000)), None);
    }

    #[test]
    fn a_decoy_is_found_in_any_header() {
        let deceiver = deceiver();
        let (_, token) = login(&deceiver, None);
        for (name, value) in [
            ("authorization", format!("Bearer {token}")),
            ("cookie", format!("theme=dark; session={token}; lang=en")),
            ("x-api-key", token.clone()),
            ("x-custom", format!("prefix:{token}")),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert("accept", HeaderValue::from_static("application/json"));
            headers.insert(name, HeaderValue::from_str(&value).unwrap());
            let hit = deceiver
                .find_decoy(&headers)
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(hit.header.as_str(), name);
        }
    }

    #[test]
    fn a_decoy_posted_back_in_a_body_or_query_is_found() {
        let deceiver = deceiver();
        let (_, token) = login(&deceiver, None);
        let body = format!(r#"{{"grant_type":"refresh_token","refresh_token":"{token}"}}"#);
        let mark = deceiver.find_decoy_in(body.as_bytes()).unwrap();
        assert_eq!(Some(mark), deceiver.recognise(&token));
        let query = format!("access_token={token}&page=2");
        assert!(deceiver.find_decoy_in(query.as_bytes()).is_some());
        assert_eq!(deceiver.find_decoy_in(br#"{"refresh_token":"abc"}"#), None);
    }

    #[test]
    fn ordinary_headers_hold_no_decoy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_static(
                "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            ),
        );
        headers.insert(
            "cookie",
            HeaderValue::from_static("session=abc; theme=dark"),
        );
        assert_eq!(deceiver().find_decoy(&headers), None);
    }

    #[test]
    fn the_search_verifies_a_bounded_number_of_candidates() {
        let deceiver = deceiver();
        let (_, token) = login(&deceiver, None);
        let prefix = &token[..token.find('.').unwrap() + 1];
        let decoys_first = format!("{}{token}", format!("{prefix}AAAA.BBBB ").repeat(3));
        let mut headers = HeaderMap::new();
        headers.insert("cookie", HeaderValue::from_str(&decoys_first).unwrap());
        assert!(
            deceiver.find_decoy(&headers).is_some(),
            "found after 3 candidates"
        );
        let flooded = format!("{}{token}", format!("{prefix}AAAA.BBBB ").repeat(50));
        headers.insert("cookie", HeaderValue::from_str(&flooded).unwrap());
        assert_eq!(
            deceiver.find_decoy(&headers),
            None,
            "a flood of candidates is not verified one by one"
        );
    }

    #[test]
    fn a_learned_login_schema_carries_the_decoy_in_its_token_fields() {
        let deceiver = deceiver();
        let schema = json!({
            "type": "object",
            "properties": {
                "data": {"type": "object", "properties": {
                    "jwt": {"type": "string"},
                    "user": {"type": "object", "properties": {"email": {"type": "string"}},
                        "required": ["email"]},
                }, "required": ["jwt", "user"]},
            },
            "required": ["data"],
        });
        let (shaped, _) = login(&deceiver, Some(&schema));
        let jwt = shaped["data"]["jwt"].as_str().unwrap();
        assert!(deceiver.recognise(jwt).is_some());
        assert!(shaped["data"]["user"]["email"]
            .as_str()
            .unwrap()
            .contains('@'));
        assert!(shaped.get("access_token").is_none());

        let tokenless = json!({"type": "object", "properties": {"ok": {"type": "boolean"}},
            "required": ["ok"]});
        let (added, token) = login(&deceiver, Some(&tokenless));
        assert!(added["ok"].is_boolean());
        assert!(deceiver.recognise(&token).is_some(), "access_token added");
    }
}

mod tarpit {
    use super::*;

    fn small_tarpit() -> Deceiver {
        deceiver_with(&config("[tarpit]\ndelay_seconds = 5\nmax_held = 3"))
    }

    #[test]
    fn the_cap_holds_and_dropped_permits_free_their_slot() {
        let deceiver = small_tarpit();
        let tarpit = deceiver.tarpit();
        let permits: Vec<_> = (0..3).map(|_| tarpit.try_hold().unwrap()).collect();
        assert!(tarpit.try_hold().is_none());
        assert_eq!(tarpit.held(), 3);
        drop(permits);
        assert_eq!(tarpit.held(), 0);
        assert!(tarpit.try_hold().is_some());
    }

    #[test]
    fn concurrent_holders_never_exceed_the_cap() {
        let deceiver = small_tarpit();
        let held = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        let mut permits = Vec::new();
                        for _ in 0..1000 {
                            if let Some(permit) = deceiver.tarpit().try_hold() {
                                permits.push(permit);
                            }
                        }
                        permits
                    })
                })
                .collect();
            let permits: Vec<_> = workers
                .into_iter()
                .flat_map(|worker| worker.join().unwrap())
                .collect();
            permits.len()
        });
        assert_eq!(held, 3);
        assert_eq!(deceiver.tarpit().held(), 0);
    }

    #[test]
    fn a_tarpit_verdict_holds_a_fake_then_falls_back_when_full() {
        let deceiver = small_tarpit();
        let facts = request("/users/{id}", "/users/42", "192.0.2.7");
        let mut held = Vec::new();
        for _ in 0..3 {
            match deceiver.answer(Deception::Tarpit, &facts, None) {
                DeceptiveAnswer::Held { permit, response } => {
                    assert_eq!(permit.delay(), std::time::Duration::from_secs(5));
                    assert_eq!(body(&response)["id"], json!(42));
                    held.push(permit);
                }
                other => panic!("not held: {other:?}"),
            }
        }
        assert!(matches!(
            deceiver.answer(Deception::Tarpit, &facts, None),
            DeceptiveAnswer::TarpitFull
        ));
        held.pop();
        assert!(matches!(
            deceiver.answer(Deception::Tarpit, &facts, None),
            DeceptiveAnswer::Held { .. }
        ));
        assert!(matches!(
            deceiver.answer(Deception::FakeLogin, &facts, None),
            DeceptiveAnswer::Now(_)
        ));
    }
}

mod traps {
    use super::*;

    fn trapped() -> Deceiver {
        deceiver_with(&config(
            r#"
            decoy_fields = ["is_admin", "_debug"]
            on_trap = "tag"

            [[honeypots]]
            name = "dotenv"
            path = "/.env"

            [[honeypots]]
            prefix = "/wp-admin/"
            methods = ["GET", "POST"]
            "#,
        ))
    }

    #[test]
    fn honeypots_are_hit_and_near_misses_are_not() {
        let deceiver = trapped();
        let hit = deceiver
            .check_traps(&TrapRequest::new("GET", "/.env"))
            .unwrap();
        assert_eq!(&*hit.trap, "dotenv");
        assert_eq!(hit.location, "path");
        assert_eq!(hit.excerpt, "GET /.env");
        assert_eq!(hit.reason(), "honeypot: dotenv at path");
        let admin = deceiver
            .check_traps(&TrapRequest::new("POST", "/wp-admin/install.php?step=2"))
            .unwrap();
        assert_eq!(&*admin.trap, "/wp-admin/*");
        for (method, path) in [
            ("GET", "/.env.sample"),
            ("GET", "/api/.env"),
            ("DELETE", "/wp-admin/x"),
            ("GET", "/wp-administrator"),
            ("GET", "/users/42"),
        ] {
            assert_eq!(
                deceiver.check_traps(&TrapRequest::new(method, path)),
                None,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn decoy_fields_are_found_in_query_form_and_json() {
        let deceiver = trapped();
        let query = deceiver
            .check_traps(&TrapRequest::new("GET", "/users?page=2&is_admin=1"))
            .unwrap();
        assert_eq!(&*query.trap, "decoy field is_admin");
        assert_eq!(query.location, "query.is_admin");

        let mut form = TrapRequest::new("POST", "/profile");
        form.form = Some(b"name=x&user%5B_debug%5D=on");
        assert_eq!(
            deceiver.check_traps(&form).unwrap().location,
            "form.user[_debug]"
        );

        let json = json!({"profile": {"name": "x", "settings": [{"IS_ADMIN": true}]}});
        let mut body = TrapRequest::new("PUT", "/profile");
        body.json = Some(&json);
        let hit = deceiver.check_traps(&body).unwrap();
        assert_eq!(hit.location, "json.profile.settings[0].IS_ADMIN");
        assert_eq!(hit.excerpt, "IS_ADMIN=true");
    }

    #[test]
    fn benign_requests_touch_no_trap() {
        let deceiver = trapped();
        let json = json!({"name": "is_admin", "admin": true, "is_administrator": false,
            "debug": true, "items": ["_debug"]});
        let mut request = TrapRequest::new("POST", "/users?sort=is_admin&debug=1");
        request.form = Some(b"admin=1&is_admins=2");
        request.json = Some(&json);
        assert_eq!(deceiver.check_traps(&request), None);
    }

    #[test]
    fn the_configured_mark_is_reported() {
        assert_eq!(
            trapped().on_trap(),
            rampart_prevent::deception::TrapResponse::Tag
        );
        assert_eq!(
            deceiver().on_trap(),
            rampart_prevent::deception::TrapResponse::Ban
        );
    }
}
