//! Offline replay (`rampart replay`, scenarios) runs the response phases of
//! a record that has a response, as a live exchange would, and leaves a
//! record of a request alone as it always did.

use rampart_core::ExchangeRecord;
use rampart_gateway::offline::OfflineGateway;
use rampart_gateway::GatewayConfig;
use std::path::PathBuf;

const DEBUG_PAGE: &str = r#"{"users": [{"id": 1, "name": "ann", "password": "$2b$12$KIXQJz1bP9V5mQ7hU4rS.eWq3Zp0aW3xY8cV1nB6mQ2lK.o"}]}"#;

fn gateway() -> OfflineGateway {
    let config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/configs/shop.toml");
    OfflineGateway::new(GatewayConfig::load(&config).unwrap()).unwrap()
}

fn record(second: u32, answered: bool) -> ExchangeRecord {
    let mut line = format!(
        r#"{{"ts": "2026-01-05T09:00:{second:02}Z", "client_ip": "198.51.100.99", "method": "GET", "path": "/debug/users", "request_headers": {{"host": "api.test"}}"#
    );
    if answered {
        let body = serde_json::to_string(DEBUG_PAGE).unwrap();
        line.push_str(&format!(
            r#", "status": 200, "response_headers": {{"content-type": "application/json"}}, "response_body": {body}"#
        ));
    }
    line.push('}');
    ExchangeRecord::from_json_line(line.as_bytes()).unwrap()
}

fn sources(verdict: &rampart_gateway::offline::OfflineVerdict) -> Vec<&str> {
    verdict.reasons.iter().map(|r| r.source.as_str()).collect()
}

#[test]
fn an_answer_is_judged_and_learned_from_as_it_would_be_live() {
    let gateway = gateway();
    for second in 0..3 {
        let verdict = gateway.evaluate(&record(second, true));
        assert_eq!(verdict.action, "allow");
        assert_eq!(
            sources(&verdict),
            ["behave.exposure.secrets"],
            "{verdict:?}"
        );
    }
    let fourth = gateway.evaluate(&record(3, true));
    assert_eq!(fourth.outcome(), ("block", Some(403)), "{fourth:?}");
    assert_eq!(sources(&fourth), ["behave.exposure.repeated"]);
}

#[test]
fn a_request_without_its_answer_runs_the_request_phases_only() {
    let gateway = gateway();
    for second in 0..6 {
        let verdict = gateway.evaluate(&record(second, false));
        assert_eq!(verdict.outcome(), ("allow", None), "{verdict:?}");
        assert!(verdict.reasons.is_empty(), "{verdict:?}");
    }
}
