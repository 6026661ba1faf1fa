//! Policy evaluation with 100 CEL rules: criterion for the mean, and a
//! histogram of single evaluations for p50 and p99.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hdrhistogram::Histogram;
use rampart_prevent::{Policy, PolicyConfig, RequestFacts, Signal};
use std::fmt::Write;
use std::time::Instant;

/// 100 rules in the shapes operators write, none matching the benched
/// request, so every one of them is evaluated. `or_false` appends
/// `|| false` to each, which defeats the native guards and measures the
/// interpreter on every rule: the worst case.
fn hundred_rules(or_false: bool) -> String {
    let shapes = [
        r#"client.country == "C{n}" && request.path.startsWith("/admin")"#,
        r#"client.asn == {n} || client.api_key == "revoked-{n}""#,
        r#"endpoint.function == "checkout" && endpoint.risk > 0.{n}9 && signals.score > 50.0"#,
        r#""class-{n}" in signals.classes"#,
        r#"request.method == "DELETE" && client.user.endsWith("-{n}")"#,
        r#"signals.sources.exists(s, s.startsWith("detector-{n}."))"#,
        r#"client.country in ["X{n}", "Y{n}", "Z{n}"] && request.route == "internal""#,
        r#"request.path.matches("^/v{n}/private/.*$")"#,
        r#"size(client.fingerprint) > 0 && client.fingerprint == "ja4-{n}""#,
        r#"signals.count > 10 && request.host.endsWith(".internal-{n}")"#,
    ];
    let mut text = String::new();
    for n in 0..100 {
        let mut when = shapes[n % shapes.len()].replace("{n}", &n.to_string());
        if or_false {
            when = format!("({when}) || false");
        }
        writeln!(
            text,
            "[[rules]]\nname = \"rule-{n}\"\nwhen = '''{when}'''\naction = {{ type = \"block\" }}\n"
        )
        .expect("writing to a string");
    }
    text
}

fn request() -> (RequestFacts, Vec<Signal>) {
    let mut facts = RequestFacts::new("POST", "/api/v1/orders", "203.0.113.9".parse().expect("ip"));
    facts.request_id = "req-1".into();
    facts.host = "shop.example".into();
    facts.route = "api".into();
    facts.client.country = Some("FR".into());
    facts.client.asn = Some(3215);
    facts.client.api_key = Some("k-live-8b2f".into());
    facts.client.user = Some("alice".into());
    facts.client.fingerprint = Some("t13d1516h2_8daaf6152771".into());
    facts.endpoint.template = Some("/api/v1/orders".into());
    facts.endpoint.function = Some("checkout".into());
    facts.endpoint.risk = 0.4;
    let signals = vec![Signal {
        class: "contract".into(),
        source: "contract.unknown_field".into(),
        location: "body.coupon".into(),
        score: 1.0,
        confidence: 1.0,
    }];
    (facts, signals)
}

fn bench_policy(c: &mut Criterion) {
    let (facts, signals) = request();
    for (name, or_false) in [("guarded", false), ("interpreted", true)] {
        let config: PolicyConfig =
            toml::from_str(&hundred_rules(or_false)).expect("valid policy TOML");
        let policy = Policy::compile(&config, &[]).expect("rules compile");
        let decision = policy.evaluate(&facts, &signals);
        assert!(decision.reasons.is_empty() && decision.failed_rules.is_empty());

        let mut histogram = Histogram::<u64>::new(3).expect("histogram");
        for _ in 0..20_000 {
            let start = Instant::now();
            black_box(policy.evaluate(black_box(&facts), black_box(&signals)));
            histogram
                .record(start.elapsed().as_nanos() as u64)
                .expect("in range");
        }
        println!(
            "policy_100_rules/{name} single evaluations: p50 {:.1} us, p99 {:.1} us, max {:.1} us ({} samples)",
            histogram.value_at_quantile(0.50) as f64 / 1_000.0,
            histogram.value_at_quantile(0.99) as f64 / 1_000.0,
            histogram.max() as f64 / 1_000.0,
            histogram.len()
        );
        c.bench_function(&format!("policy/evaluate_100_cel_rules/{name}"), |b| {
            b.iter(|| policy.evaluate(black_box(&facts), black_box(&signals)))
        });
    }
}

criterion_group!(benches, bench_policy);
criterion_main!(benches);
