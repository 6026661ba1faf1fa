//! Held-out check of path templating: realistic API traffic shapes.
//!
//! The discovery benchmark (`shared/bench/discovery`) is what templating is
//! tuned on; this is what it is checked on, so tuning cannot overfit it.
//! Models of real public APIs whose paths carry names (GitHub owners and
//! repositories, Kubernetes namespaces, npm packages, Jira keys, file
//! names...) generate labelled traffic from fixed seeds; an [`Inventory`]
//! learns from it; its report is scored as the benchmark's `score.py`
//! scores (endpoint precision and recall on method and normalised
//! template, request assignment accuracy).
//!
//! `cargo test -p rampart-discover --test shapes -- --nocapture` prints the
//! table; `SHAPES_VERBOSE=1` adds each model's false positives, false
//! negatives and misassigned requests; `SHAPES_GOAL=1` asserts the goal
//! instead of today's floors; `SHAPES_DUMP=dir` writes each model's run
//! in the benchmark's layout for `score.py`.

// The models are tables: one endpoint, parameter or body shape a line.
#[rustfmt::skip]
#[path = "shapes/apis_dev.rs"]
mod apis_dev;
#[rustfmt::skip]
#[path = "shapes/apis_web.rs"]
mod apis_web;
#[path = "shapes/dump.rs"]
mod dump;
#[path = "shapes/model.rs"]
mod model;
#[path = "shapes/rng.rs"]
mod rng;
#[path = "shapes/score.rs"]
mod score;
#[path = "shapes/values.rs"]
mod values;

use model::{generate, Labeled, Model};
use rampart_discover::Inventory;
use score::{discovered, literal_baseline, norm, score, seg_match, Score};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const MODELS: &[Model] = &[
    apis_dev::GITHUB,
    apis_dev::GITLAB,
    apis_dev::KUBERNETES,
    apis_dev::DOCKER_REGISTRY,
    apis_dev::NPM,
    apis_dev::PYPI,
    apis_dev::JIRA,
    apis_dev::CONFLUENCE,
    apis_web::VAMPI,
    apis_web::LINODE_API,
    apis_web::STRIPE,
    apis_web::SLACK,
    apis_web::DATASETS,
    apis_web::SHOP,
    apis_web::TWILIO,
    apis_web::FILES,
    apis_web::DRF,
    apis_web::REDDIT,
    apis_web::SOCIAL,
    apis_web::MEDIAWIKI,
    apis_web::MAILGUN,
    apis_web::MATRIX,
];

/// Micro-averaged endpoint precision and recall, and request assignment
/// accuracy, over all models but known gaps.
#[derive(Debug, Clone, Copy)]
struct Thresholds {
    precision: f64,
    recall: f64,
    assignment: f64,
}

/// Today's results (P 0.143, R 0.756, assignment 0.656 when written),
/// floored a little: a change that makes templating worse on these shapes
/// fails here. The templating rewrite is expected to raise these floors
/// towards [`GOAL`]; raise them with it. They must stay above the literal
/// baseline (every concrete path its own endpoint: 0.013, 0.365, 0.286),
/// which the test checks.
const FLOORS: Thresholds = Thresholds {
    precision: 0.5,
    recall: 0.95,
    assignment: 0.86,
};

/// Where templating should get to (asserted with `SHAPES_GOAL=1`).
const GOAL: Thresholds = Thresholds {
    precision: 0.93,
    recall: 0.93,
    assignment: 0.95,
};

/// Literal words beside parameters that name structure, never an object:
/// wherever a model declares one, requests to it must land on a template
/// that keeps it literal.
const RESERVED_LITERALS: &[&str] = &[
    "me", "search", "login", "register", "_debug", "latest", "upcoming",
];

/// Reserved words today's templating still folds into a parameter. The
/// test fails when one of them is kept literal everywhere, so that the fix
/// is recorded here and cannot silently regress (`me` and `upcoming`
/// were fixed with the structural templating).
const KNOWN_FOLDED: &[&str] = &[];

struct Run {
    model: &'static Model,
    traffic: Vec<Labeled>,
    discovered: Vec<(String, String)>,
    score: Score,
    baseline: Score,
}

/// Every model generated, learned and scored once for all tests.
fn runs() -> &'static [Run] {
    static RUNS: OnceLock<Vec<Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        MODELS
            .iter()
            .map(|model| {
                let traffic = generate(model);
                let mut inventory = Inventory::new();
                for labeled in &traffic {
                    inventory.observe(&labeled.record);
                }
                let discovered = discovered(&inventory.report());
                if let Some(dir) = std::env::var_os("SHAPES_DUMP") {
                    dump::write(dir.as_ref(), model, &traffic, &discovered)
                        .expect("SHAPES_DUMP written");
                }
                Run {
                    model,
                    score: score(model, &traffic, &discovered),
                    baseline: score(model, &traffic, &literal_baseline(&traffic)),
                    traffic,
                    discovered,
                }
            })
            .collect()
    })
}

fn verbose() -> bool {
    std::env::var_os("SHAPES_VERBOSE").is_some_and(|v| v != "0")
}

fn print_table(runs: &[Run]) -> (Score, Score) {
    println!();
    println!(
        "{:<18} {:>7} {:>5} {:>5} {:>6} {:>6} {:>7}   literal baseline: {:>5} {:>5} {:>7}",
        "model", "records", "truth", "disc", "P", "R", "assign", "P", "R", "assign"
    );
    let (mut total, mut base) = (Score::default(), Score::default());
    for run in runs {
        let (s, b) = (&run.score, &run.baseline);
        println!(
            "{:<18} {:>7} {:>5} {:>5} {:>6.3} {:>6.3} {:>7.3}   {:>23.3} {:>5.3} {:>7.3}{}",
            run.model.name,
            s.records,
            s.truth,
            s.discovered,
            s.precision(),
            s.recall(),
            s.assignment(),
            b.precision(),
            b.recall(),
            b.assignment(),
            if run.model.known_gap {
                "  (known gap, not averaged)"
            } else {
                ""
            }
        );
        if !run.model.known_gap {
            total.add(s);
            base.add(b);
        }
    }
    println!(
        "{:<18} {:>7} {:>5} {:>5} {:>6.3} {:>6.3} {:>7.3}   {:>23.3} {:>5.3} {:>7.3}",
        "micro-average",
        total.records,
        total.truth,
        total.discovered,
        total.precision(),
        total.recall(),
        total.assignment(),
        base.precision(),
        base.recall(),
        base.assignment()
    );
    if verbose() {
        for run in runs {
            let s = &run.score;
            if s.false_positives.is_empty()
                && s.false_negatives.is_empty()
                && s.misassigned.is_empty()
            {
                continue;
            }
            println!("\n== {}", run.model.name);
            for (m, t) in &s.false_negatives {
                println!("  missed     {m} {t}");
            }
            for (m, t) in &s.false_positives {
                println!("  spurious   {m} {t}");
            }
            for ((m, t), got) in &s.misassigned {
                let got: Vec<String> = got.iter().map(|(g, n)| format!("{g} x{n}")).collect();
                println!("  assigned   {m} {t} -> {}", got.join(", "));
            }
        }
    }
    (total, base)
}

#[test]
fn templating_scores_above_floors() {
    let runs = runs();
    let (total, base) = print_table(runs);
    let got = Thresholds {
        precision: total.precision(),
        recall: total.recall(),
        assignment: total.assignment(),
    };
    let baseline = Thresholds {
        precision: base.precision(),
        recall: base.recall(),
        assignment: base.assignment(),
    };
    // The floors must mean something: above what templating nothing scores.
    for (name, floor, literal) in [
        ("precision", FLOORS.precision, baseline.precision),
        ("recall", FLOORS.recall, baseline.recall),
        ("assignment", FLOORS.assignment, baseline.assignment),
    ] {
        assert!(
            floor > literal,
            "floor for {name} ({floor}) is not above the literal baseline ({literal:.3})"
        );
    }
    let want = if std::env::var_os("SHAPES_GOAL").is_some() {
        GOAL
    } else {
        FLOORS
    };
    let reached = got.precision >= want.precision
        && got.recall >= want.recall
        && got.assignment >= want.assignment;
    assert!(
        reached,
        "templating on API shapes: got {got:?}, want at least {want:?} \
         (SHAPES_VERBOSE=1 lists the misses)"
    );
}

/// The most specific discovered template of the record's method matching
/// its path, as normalised segments (the scorer's choice).
fn assigned(run: &Run, labeled: &Labeled) -> Option<Vec<String>> {
    let path: Vec<&str> = labeled.record.path.trim_matches('/').split('/').collect();
    let mut best: Option<(usize, Vec<String>)> = None;
    for (m, t) in &run.discovered {
        if !m.eq_ignore_ascii_case(&labeled.record.method) {
            continue;
        }
        let normalised = norm(t);
        let segments: Vec<&str> = normalised.trim_matches('/').split('/').collect();
        if let Some(n) = seg_match(&segments, &path) {
            if best.as_ref().is_none_or(|(b, _)| n < *b) {
                best = Some((n, segments.iter().map(|s| s.to_string()).collect()));
            }
        }
    }
    best.map(|(_, segments)| segments)
}

#[test]
fn reserved_literals_stay_literal() {
    // Reserved word -> requests that landed on a template without it.
    let mut folded: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for run in runs() {
        for labeled in &run.traffic {
            let endpoint = &run.model.endpoints[labeled.endpoint];
            let truth: Vec<&str> = endpoint.template.trim_matches('/').split('/').collect();
            for (i, word) in truth.iter().enumerate() {
                if !RESERVED_LITERALS.contains(word) {
                    continue;
                }
                let got = assigned(run, labeled);
                if got.as_ref().is_none_or(|segments| segments[i] != *word) {
                    folded.entry(word).or_default().push(format!(
                        "{}: {} {} landed on {}",
                        run.model.name,
                        endpoint.method,
                        labeled.record.path,
                        got.map_or("nothing".to_owned(), |s| format!("/{}", s.join("/")))
                    ));
                }
            }
        }
    }
    for (word, cases) in &mut folded {
        cases.sort();
        cases.dedup();
        if KNOWN_FOLDED.contains(word) {
            println!("known gap, `{word}` folded: {}", cases.join("; "));
        }
    }
    let unexpected: Vec<String> = folded
        .iter()
        .filter(|(word, _)| !KNOWN_FOLDED.contains(word))
        .flat_map(|(_, cases)| cases.iter().cloned())
        .collect();
    assert!(
        unexpected.is_empty(),
        "reserved words folded into parameters:\n{}",
        unexpected.join("\n")
    );
    let fixed: Vec<&&str> = KNOWN_FOLDED
        .iter()
        .filter(|w| !folded.contains_key(**w))
        .collect();
    assert!(
        fixed.is_empty(),
        "now kept literal everywhere: remove {fixed:?} from KNOWN_FOLDED so it stays so"
    );
}

#[test]
fn every_request_lands_on_an_endpoint() {
    let mut lost = Vec::new();
    for run in runs() {
        for labeled in &run.traffic {
            if assigned(run, labeled).is_none() {
                lost.push(format!(
                    "{}: {} {}",
                    run.model.name, labeled.record.method, labeled.record.path
                ));
            }
        }
    }
    lost.dedup();
    assert!(
        lost.is_empty(),
        "requests no discovered template matches:\n{}",
        lost.join("\n")
    );
}

#[test]
fn generator_is_deterministic_and_shaped() {
    assert!(MODELS.len() >= 12);
    for model in MODELS {
        let traffic = generate(model);
        let again = generate(model);
        assert!(
            traffic
                .iter()
                .zip(&again)
                .all(|(a, b)| a.record == b.record && a.endpoint == b.endpoint),
            "{}: not deterministic",
            model.name
        );
        // Every request matches its own truth template (values never carry
        // a `/` nor spell a literal of the model).
        for labeled in &traffic {
            let truth = norm(model.endpoints[labeled.endpoint].template);
            let t: Vec<&str> = truth.trim_matches('/').split('/').collect();
            let p: Vec<&str> = labeled.record.path.trim_matches('/').split('/').collect();
            assert!(
                seg_match(&t, &p).is_some(),
                "{}: {} does not match {truth}",
                model.name,
                labeled.record.path
            );
        }
        let counts: Vec<u32> = model.endpoints.iter().map(|e| e.requests).collect();
        let records: u32 = counts.iter().sum();
        assert!(
            (100..=5000).contains(&records),
            "{}: {records} records",
            model.name
        );
    }
    // Sparse and heavy endpoints across the corpus.
    let all: Vec<u32> = MODELS
        .iter()
        .flat_map(|m| m.endpoints.iter().map(|e| e.requests))
        .collect();
    assert!(all.iter().filter(|&&n| n <= 5).count() >= 15);
    assert!(all.iter().filter(|&&n| n >= 200).count() >= 15);
}
