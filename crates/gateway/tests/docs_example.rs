//! The example configuration in docs/configuration.md is what a new user
//! copies first: it must load as written, once the files it names exist.
//! The test writes them next to the example (a TLS certificate and key, the
//! JWT signing key and key set, a small OpenAPI spec) and sets the one
//! environment variable it reads.

use rampart_gateway::GatewayConfig;
use std::path::Path;

const DOCS: &str = include_str!("../../../docs/configuration.md");
const RSA_PUBLIC_KEY: &str = include_str!("../../behave/testdata/tokens/rsa.pub.pem");

/// The first TOML block after the "Example" heading.
fn documented_example() -> &'static str {
    let after_heading = &DOCS[DOCS.find("## Example").expect("the docs have an example")..];
    let start = after_heading.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let block = &after_heading[start..];
    &block[..block.find("```").expect("the block ends")]
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_documented_example_loads_once_its_files_exist() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["api.example.com".into()]).unwrap();
    write(dir.path(), "cert.pem", &certified.cert.pem());
    write(dir.path(), "key.pem", &certified.key_pair.serialize_pem());
    write(dir.path(), "keys/signing.pub.pem", RSA_PUBLIC_KEY);
    write(dir.path(), "keys/jwks.json", r#"{"keys": []}"#);
    write(
        dir.path(),
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: orders, version: '1'}\npaths:\n  /orders:\n    get:\n      responses:\n        '200': {description: ok}\n",
    );
    // The example takes one HMAC secret from the environment. Only this
    // test in this binary reads it.
    std::env::set_var(
        "ORDERS_JWT_SECRET",
        "a-long-random-secret-of-at-least-32-bytes",
    );
    let config_path = dir.path().join("rampart.toml");
    std::fs::write(&config_path, documented_example()).unwrap();

    let config = match GatewayConfig::load(&config_path) {
        Ok(config) => config,
        Err(error) => panic!("the documented example does not load:\n{error}"),
    };
    assert!(
        config.warning_lines().is_empty(),
        "the documented example draws warnings:\n{}",
        config.warning_lines().join("\n")
    );
}
