//! A generator of realistic normal traffic (five endpoints, parameters of
//! many shapes: page numbers, search words, SKUs, coupons, free-text notes,
//! emails and passwords, prices, field lists) from a few hundred clients,
//! and odd values an attacker sends. It measures, on a driven clock, the
//! model's false-positive rate on held-out normal traffic (new clients
//! among them) and its catch rate on odd values, and holds both to a bound.
//!
//! `cargo test -p rampart-behave --lib anomaly::traffic -- --nocapture`
//! prints the numbers.

use super::*;
use rampart_core::ManualClock;
use serde_json::json;
use std::time::Duration;

/// A small deterministic generator (xorshift64*): the same traffic on
/// every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// Mostly small: 1 half of the time, else up to `n`.
    fn skewed(&mut self, n: u64) -> u64 {
        if self.below(2) == 0 {
            1
        } else {
            1 + self.below(n)
        }
    }
}

const WORDS: &[&str] = &[
    "red", "blue", "shoes", "hat", "garden", "chair", "lamp", "usb", "cable", "desk", "green",
    "tea", "wool", "socks", "phone", "case", "oak", "table", "kids", "winter", "jacket", "running",
    "watch", "coffee", "mug", "led", "bulb", "yoga", "mat", "leather", "wallet", "iphone", "15",
    "samsung", "s24", "4k", "monitor", "27", "inch", "gaming", "mouse",
];
const SORTS: &[&str] = &["price", "-price", "relevance", "newest", "rating"];
const CATEGORIES: &[&str] = &[
    "books",
    "electronics",
    "garden",
    "toys",
    "fashion",
    "home-kitchen",
];
const NOTES: &[&str] = &[
    "Please leave it at the door.",
    "Gift wrap, please!",
    "Call me when you arrive",
    "Second floor, apartment 4B.",
    "No rush.",
    "Deliver after 6pm, thanks",
];
const NAMES: &[&str] = &[
    "ann", "bob", "chen", "dana", "eli", "fatima", "goran", "hiro", "ines", "jo",
];
const FIELDS: &[&str] = &["name", "email", "name,email", "name,email,phone", "id,name"];

fn query(text: &str) -> Vec<Param> {
    parameters(&Sources {
        query: text,
        ..Sources::default()
    })
}

fn body(document: &serde_json::Value) -> Vec<Param> {
    parameters(&Sources {
        json: Some(document),
        ..Sources::default()
    })
}

/// One normal request: its method, template and parameters.
fn normal(dice: &mut Dice) -> (&'static str, &'static str, Vec<Param>) {
    match dice.below(5) {
        0 => {
            let words: Vec<&str> = (0..1 + dice.below(3)).map(|_| dice.pick(WORDS)).collect();
            let text = format!(
                "page={}&q={}&sort={}",
                dice.skewed(50),
                words.join("+"),
                dice.pick(SORTS)
            );
            ("GET", "/search", query(&text))
        }
        1 => {
            let mut order = json!({
                "sku": format!("SKU-{:04}", dice.below(10_000)),
                "qty": dice.skewed(5),
                "coupon": format!("SAVE{:02}OFF", 5 * (1 + dice.below(10))),
            });
            if dice.below(3) == 0 {
                order["note"] = json!(dice.pick(NOTES));
            }
            ("POST", "/orders", body(&order))
        }
        2 => {
            let text = format!("fields={}", dice.pick(FIELDS).replace(',', "%2C"));
            ("GET", "/users/{id}", query(&text))
        }
        3 => {
            let form = format!(
                "email={}{}%40example.com&password={:x}",
                dice.pick(NAMES),
                dice.below(100),
                dice.next()
            );
            let params = parameters(&Sources {
                form: Some(form.as_bytes()),
                ..Sources::default()
            });
            ("POST", "/login", params)
        }
        _ => {
            let low = dice.below(100);
            let text = format!(
                "category={}&min_price={low}&max_price={}.{:02}",
                dice.pick(CATEGORIES),
                low + 10 + dice.below(400),
                dice.below(100)
            );
            ("GET", "/products", query(&text))
        }
    }
}

/// An attacker's request: one odd value in an otherwise normal request,
/// and the parameter it is in.
fn odd(dice: &mut Dice, n: usize) -> (&'static str, &'static str, Vec<Param>, &'static str) {
    let payloads = [
        "1'+OR+'1'%3D'1",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%7B%7B7*7%7D%7D",
        "x%00y",
        "999999999999",
        "-5",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "1%20UNION%20SELECT%20password%20FROM%20users",
        "%24%7Bjndi%3Aldap%3A%2F%2Fx%7D",
    ];
    let payload = payloads[n % payloads.len()];
    match n / payloads.len() % 4 {
        0 => {
            let text = format!("page={payload}&q={}&sort=price", dice.pick(WORDS));
            ("GET", "/search", query(&text), "query.page")
        }
        1 => {
            let text = format!("page=1&q={}&sort={payload}", dice.pick(WORDS));
            ("GET", "/search", query(&text), "query.sort")
        }
        2 => {
            let text = format!("category={payload}&min_price=1&max_price=50");
            ("GET", "/products", query(&text), "query.category")
        }
        _ => {
            let mut raw = Vec::new();
            rampart_core::form::decode_component(payload.as_bytes(), &mut raw);
            let text = String::from_utf8_lossy(&raw).into_owned();
            let qty = text.parse::<i64>().map_or(json!(text), |n| json!(n));
            let order = json!({"sku": "SKU-0042", "qty": qty, "coupon": "SAVE10OFF"});
            ("POST", "/orders", body(&order), "json.qty")
        }
    }
}

#[test]
fn held_out_normal_traffic_is_rarely_flagged_and_odd_values_mostly_are() {
    let clock = Arc::new(ManualClock::at(1_000_000_000));
    let mut model = AnomalyDetector::new(AnomalyConfig::default(), clock.clone());
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    // Every normal request is judged, then learned (held-out ones too, as
    // a live gateway keeps learning).
    let run = |model: &mut AnomalyDetector, client: String, dice: &mut Dice| {
        clock.advance(Duration::from_millis(50));
        let (method, template, params) = normal(dice);
        let request = Request {
            method,
            template,
            client: &client,
            params: &params,
        };
        let found = model.judge(&request);
        model.learn(&request);
        found
    };
    for _ in 0..20_000 {
        let client = format!("client{}", dice.below(300));
        run(&mut model, client, &mut dice);
    }
    let (mut flagged, held_out) = (0, 10_000);
    let mut kinds: Vec<&str> = Vec::new();
    for n in 0..held_out {
        // A third from clients never seen while learning.
        let client = format!(
            "client{}",
            if n % 3 == 0 {
                1000 + n
            } else {
                dice.below(300) as usize
            }
        );
        let found = run(&mut model, client, &mut dice);
        flagged += usize::from(!found.is_empty());
        kinds.extend(found.iter().map(|f| f.signal.source));
    }
    let (mut caught, attacks) = (0, 400);
    let mut missed = Vec::new();
    for n in 0..attacks {
        clock.advance(Duration::from_millis(50));
        let (method, template, params, target) = odd(&mut dice, n);
        let client = format!("attacker{}", n % 3);
        let request = Request {
            method,
            template,
            client: &client,
            params: &params,
        };
        let hit = model.judge(&request).iter().any(|f| f.location == target);
        if !hit {
            let value = params.iter().find(|p| p.name == target);
            missed.push(value.map_or(String::new(), |p| format!("{target}={}", p.excerpt)));
        }
        caught += usize::from(hit);
        model.learn(&request);
    }
    let false_positives = flagged as f64 / held_out as f64;
    let catch = caught as f64 / attacks as f64;
    eprintln!(
        "held-out normal requests flagged: {flagged} of {held_out} ({:.2}%) {kinds:?}; odd values caught: {caught} of {attacks} ({:.1}%), missed: {:?}",
        false_positives * 100.0,
        catch * 100.0,
        missed.iter().collect::<std::collections::BTreeSet<_>>()
    );
    assert!(false_positives < 0.01, "{false_positives}");
    assert!(catch > 0.9, "{catch}");
}
