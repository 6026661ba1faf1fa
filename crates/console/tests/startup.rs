//! Where the admin API may listen and where its token comes from: off
//! loopback without a token the gateway refuses to start, naming the file
//! and the key; `RAMPART_ADMIN_TOKEN` is a token named `env`. One test in
//! its own process, since it sets the environment.

mod common;
#[path = "../../gateway/tests/support/mod.rs"]
mod support;

use common::*;
use rampart_gateway::config::ADMIN_TOKEN_ENV;
use rampart_gateway::GatewayConfig;
use support::*;

const ENV_TOKEN: &str = "token-from-the-environment";

#[tokio::test]
async fn off_loopback_a_token_is_required_and_the_environment_gives_one() {
    let upstream = TestUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rampart.toml");
    let open = console_config(upstream.addr)
        .replace(&format!("token = \"{TOKEN}\"\n"), "")
        .replace(
            "listen = \"127.0.0.1:0\"\n\n[events]",
            "listen = \"0.0.0.0:0\"\n\n[events]",
        );
    assert!(open.contains("0.0.0.0:0"), "{open}");
    std::fs::write(&file, &open).unwrap();
    let refused = GatewayConfig::load(&file).unwrap_err().to_string();
    assert!(
        refused.contains(&file.display().to_string())
            && refused.contains("admin.listen")
            && refused.contains("loopback"),
        "{refused}"
    );

    // SAFETY of set_var: this test binary runs this one test.
    std::env::set_var(ADMIN_TOKEN_ENV, ENV_TOKEN);
    let on_loopback = console_config(upstream.addr).replace(&format!("token = \"{TOKEN}\"\n"), "");
    let gw = TestGateway::start_with_console(&on_loopback).await;
    let answered = call(
        &gw,
        "GET",
        "/api/bans",
        Some(&format!("Bearer {ENV_TOKEN}")),
        "",
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    let banned = call(
        &gw,
        "POST",
        "/api/bans",
        Some(&format!("Bearer {ENV_TOKEN}")),
        r#"{"user":"mallory"}"#,
    )
    .await;
    assert_eq!(banned.status, 201);
    let audit = call(
        &gw,
        "GET",
        "/api/audit",
        Some(&format!("Bearer {ENV_TOKEN}")),
        "",
    )
    .await
    .json();
    assert_eq!(audit["items"][0]["actor"], "env");
    assert!(
        GatewayConfig::load(&file).is_ok(),
        "with the environment's token, off loopback is allowed"
    );
}
