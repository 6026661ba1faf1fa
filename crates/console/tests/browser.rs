//! The web console in a real browser: Debian's headless Chromium, driven
//! through ChromeDriver (`support/webdriver.rs`), against a running gateway
//! whose admin listener serves the console, in front of the demo API, all
//! on loopback.
//!
//! One test walks every page at 1280 and at 390 px wide, fails on any
//! SEVERE entry of the browser's console, checks that the inventory shows
//! the demo's endpoints, bans a client from the Clients page and sees the
//! gateway refuse it (and lifts the ban there again), switches the demo's route to monitor (the ban is let
//! through) and back to enforce on the Policy page, and writes a screenshot of each page and width to
//! `<target>/console-screenshots/` (the path is printed).
//!
//! Without `chromium` or `chromedriver` the test says why in one line and
//! passes, unless `CI` is set (`.ci/run` installs both), where it fails.

mod common;
#[path = "../../gateway/tests/support/mod.rs"]
mod support;
#[path = "support/webdriver.rs"]
mod webdriver;

use common::{poll, StartConsole, TOKEN};
use http::{Request, StatusCode};
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use support::{full, send, TestGateway};
use tokio::net::TcpListener;
use webdriver::{Driver, Installed, Session, ENTER, TAB};

/// The client the test bans (it reaches the gateway through a trusted proxy).
const ATTACKER: &str = "192.0.2.66";
/// An AI training crawler, which the demo's `govern-bots` preset refuses.
const CRAWLER: &str = "198.51.100.200";
const GPTBOT: &str =
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
/// A headless browser scraping the catalogue, as the demo's scraper does:
/// browsing's rate limit refuses it, and its events say what it is.
const SCRAPER: &str = "198.51.100.210";
const HEADLESS: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36";
/// A client whose attack arrives while the Threats page is open.
const SECOND_ATTACKER: &str = "192.0.2.77";
const PAGES: [&str; 5] = ["overview", "inventory", "threats", "clients", "policy"];
/// Viewports: a laptop and a phone.
const SIZES: [(u32, u32); 2] = [(1280, 900), (390, 844)];

/// The demo API on loopback, and a gateway with the console configured as
/// `rampart demo` configures it, in front of it.
async fn start_demo() -> TestGateway {
    let api_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let demo_api = api_listener.local_addr().unwrap();
    tokio::spawn(rampart_demo::serve(api_listener, std::future::pending()));
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut config = rampart_demo::gateway_config(loopback, loopback, demo_api, TOKEN);
    // The test's requests come from loopback and name their client in
    // X-Forwarded-For, which the demo trusts from loopback, so that one
    // client can be banned and others not.
    assert!(config.contains("trusted_proxies = [\"127.0.0.1/32\"]"));
    // Every exchange recorded, so that the Policy page's replay has input.
    config.push_str("\n[record]\npath = \"records.jsonl\"\nsample = 1.0\n");
    TestGateway::start_with_console(&config).await
}

/// A request to the demo API through the gateway, as client `client`.
async fn as_client(
    gw: &TestGateway,
    client: &str,
    method: &str,
    target: &str,
    body: &str,
) -> StatusCode {
    let request = Request::builder()
        .method(method)
        .uri(target)
        .header("host", "demo.test")
        .header("x-forwarded-for", client)
        .header("content-type", "application/json")
        .body(full(body.to_string()))
        .unwrap();
    send(gw.addr(), request).await.status()
}

/// Traffic for discovery and detection: users browsing and logging in, and
/// an attacker whose injection is blocked. Returns once discovery has
/// published the endpoints the test looks for and the attacker is listed
/// (bounded polls).
async fn send_traffic(gw: &TestGateway) {
    for id in 1..=8 {
        let client = format!("198.51.100.{id}");
        let user = as_client(gw, &client, "GET", &format!("/api/users/{id}"), "").await;
        assert_eq!(user, StatusCode::OK);
        as_client(gw, &client, "GET", "/api/users?page=1", "").await;
        as_client(
            gw,
            &client,
            "GET",
            &format!("/api/products?q=lamp&page={id}"),
            "",
        )
        .await;
    }
    let customer = rampart_demo::DEMO_CUSTOMER;
    let login = json!({"email": customer.email, "password": customer.password});
    as_client(gw, "198.51.100.1", "POST", "/api/login", &login.to_string()).await;
    let wrong = json!({"email": "bob@example.com", "password": "guess"});
    as_client(gw, "198.51.100.2", "POST", "/api/login", &wrong.to_string()).await;
    let crawler = Request::get("/api/products?page=1")
        .header("host", "demo.test")
        .header("x-forwarded-for", CRAWLER)
        .header("user-agent", GPTBOT)
        .body(full(""))
        .unwrap();
    let answered = send(gw.addr(), crawler).await.status();
    assert_ne!(
        answered,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the crawler is answered"
    );
    // Past browsing's burst of 20: refused, so its events are written.
    for page in 1..=25 {
        let scraper = Request::get(format!("/api/products?page={page}"))
            .header("host", "demo.test")
            .header("x-forwarded-for", SCRAPER)
            .header("user-agent", HEADLESS)
            .body(full(""))
            .unwrap();
        send(gw.addr(), scraper).await;
    }
    let injection = "/api/products?q=%27%20UNION%20SELECT%20password%20FROM%20users--";
    let refused = as_client(gw, ATTACKER, "GET", injection, "").await;
    assert_eq!(refused, StatusCode::FORBIDDEN, "the injection is blocked");
    // The user id's parameter is named by discovery (`{user_id}`).
    poll(gw, "/api/endpoints?limit=500", |endpoints| {
        let templates: Vec<&str> = endpoints["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["template"].as_str())
            .collect();
        ["/api/users/{", "/api/products"]
            .iter()
            .all(|wanted| templates.iter().any(|t| t.starts_with(wanted)))
    })
    .await;
    poll(gw, "/api/clients", |clients| {
        clients["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["client"] == ATTACKER)
    })
    .await;
    poll(gw, "/api/clients", |clients| {
        clients["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["client"] == CRAWLER && c["bot"]["class"] == "training_crawler")
    })
    .await;
    poll(gw, "/api/clients", |clients| {
        clients["items"].as_array().into_iter().flatten().any(|c| {
            c["client"] == SCRAPER
                && c["bot"]["name"] == "HeadlessChrome"
                && c["signals"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|s| s["detector"] == "bots.headless")
        })
    })
    .await;
}

/// The text of the Clients page's row of `client`.
async fn client_row(session: &Session<'_>, client: &str) -> String {
    let row = format!(
        "return [...document.querySelectorAll('#offenders tr')] \
           .find((r) => r.querySelector('code.client')?.textContent === '{client}')?.innerText ?? '';"
    );
    let text = session.execute(&row, json!([])).await;
    text.as_str().unwrap_or_default().to_string()
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens `#/<page>` and waits until the page says it is drawn.
async fn open(session: &Session<'_>, admin: SocketAddr, page: &str) {
    session.navigate(&format!("http://{admin}/#/{page}")).await;
    wait_drawn(session, page).await;
}

async fn wait_drawn(session: &Session<'_>, page: &str) {
    let ready = format!(
        "const main = document.getElementById('main'); \
         return main.dataset.page === '{page}' && main.getAttribute('aria-busy') === 'false';"
    );
    session
        .wait_for(&format!("the {page} page drawn"), &ready)
        .await;
}

/// Fails on any SEVERE entry of the browser console since the last check.
async fn no_console_errors(session: &Session<'_>, page: &str, width: u32) {
    let severe: Vec<String> = session
        .console_log()
        .await
        .into_iter()
        .filter(|e| e.level == "SEVERE")
        .map(|e| e.message)
        .collect();
    assert!(
        severe.is_empty(),
        "{page} at {width} px: console errors: {severe:#?}"
    );
}

async fn text_of(session: &Session<'_>, css: &str) -> String {
    let script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';";
    session
        .execute(script, json!([css]))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The controls of the page that have no accessible name (label,
/// aria-label, aria-labelledby, text or title), as HTML excerpts.
async fn unnamed_controls(session: &Session<'_>) -> Vec<String> {
    let script = "
        const name = (el) => [
            el.getAttribute('aria-label'),
            ...(el.getAttribute('aria-labelledby') || '').split(' ')
                .map((id) => document.getElementById(id)?.textContent),
            ...[...(el.labels || [])].map((label) => label.textContent),
            ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) ? '' : el.textContent,
            el.getAttribute('title'),
        ].join('').trim();
        return [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
            .filter((el) => !name(el))
            .map((el) => el.outerHTML.slice(0, 160));";
    let found = session.execute(script, json!([])).await;
    serde_json::from_value(found).unwrap_or_default()
}

/// Keyboard only: Tab reaches the skip link first, Enter on it moves the
/// focus to the content; on the inventory, Enter on an endpoint opens its
/// detail and moves the focus to its heading.
async fn keyboard_walk(session: &Session<'_>, admin: SocketAddr) {
    // A fresh load (the query makes it one), so that Tab starts at the top.
    session
        .navigate(&format!("http://{admin}/?keyboard#/inventory"))
        .await;
    wait_drawn(session, "inventory").await;
    session.press(TAB).await;
    let focused = "return document.activeElement.id;";
    assert_eq!(session.execute(focused, json!([])).await, json!("skip"));
    session.press(ENTER).await;
    assert_eq!(session.execute(focused, json!([])).await, json!("main"));
    let link = "#inv-tree a[data-id]";
    session
        .execute(
            &format!("document.querySelector('{link}').focus();"),
            json!([]),
        )
        .await;
    session.press(ENTER).await;
    session
        .wait_for(
            "the endpoint's detail focused",
            "return document.activeElement.id === 'detail-title';",
        )
        .await;
    let detail = text_of(session, "#inv-detail").await;
    assert!(
        detail.contains("Why this risk") && detail.contains("Parameters"),
        "{detail}"
    );
    // An operator's decision from the detail panel: a name for the endpoint.
    let name = session.find("#act-rename").await;
    session.type_text(&name, "Browser test name").await;
    session.press(ENTER).await;
    session
        .wait_for(
            "the rename recorded",
            "return document.querySelector('#inv-detail .actions [role=status]').innerText \
             .startsWith('Rename: recorded');",
        )
        .await;
}

/// Signs in through the form (the way a person who pastes the token does),
/// after a wrong token that the form says was refused.
async fn sign_in_with_form(session: &Session<'_>, admin: SocketAddr) {
    session.navigate(&format!("http://{admin}/")).await;
    session
        .wait_for(
            "the sign-in form",
            "return document.getElementById('main').dataset.page === 'signin';",
        )
        .await;
    let input = session.find("#token").await;
    let submit = session.find("form.signin button[type=submit]").await;
    session.type_text(&input, "not-the-admin-token").await;
    session.click(&submit).await;
    session
        .wait_for(
            "the refusal of a wrong token",
            "return document.querySelector('form.signin [role=alert]').innerText \
             === 'That token was refused.';",
        )
        .await;
    // The refusal is expected: its 401 is the one console entry allowed.
    session.console_log().await;
    session
        .execute("document.getElementById('token').value = '';", json!([]))
        .await;
    session.type_text(&input, TOKEN).await;
    session.click(&submit).await;
    session
        .wait_for(
            "the overview after signing in",
            "const main = document.getElementById('main'); \
             return main.dataset.page === 'overview' && main.getAttribute('aria-busy') === 'false';",
        )
        .await;
}

/// Opens the newest version in the Policy page's history: its diff says
/// what the last switch changed.
async fn newest_diff_says(session: &Session<'_>, mode: &str) {
    session
        .click(&session.find("#policy-history li summary").await)
        .await;
    let diff = format!(
        "const diff = document.querySelector('#policy-history li .diff'); \
         return diff !== null && diff.innerText.includes('+') \
           && diff.innerText.includes('{mode}');"
    );
    session.wait_for("the newest version's diff", &diff).await;
}

/// Replays a proposal without the `detect` stage on the recorded traffic:
/// the blocked injections would have been let through.
async fn replay_without_detection(session: &Session<'_>) {
    let propose = "const text = document.getElementById('policy-text'); \
        text.value = text.value.replace('\"ip_lists\", \"detect\", ', '\"ip_lists\", '); \
        [...document.querySelectorAll('#main button')] \
          .find((b) => b.textContent === 'Replay on recorded traffic').id = 'replay'; \
        return text.value.includes('\"detect\"');";
    let still = session.execute(propose, json!([])).await;
    assert_eq!(still, json!(false), "the proposal drops the detect stage");
    session.click(&session.find("#replay").await).await;
    session
        .wait_for(
            "the replay's changes",
            "const replay = document.getElementById('policy-replay').innerText; \
             return replay.includes('decisions would change') && replay.includes('block → allow');",
        )
        .await;
}

/// Validates the running configuration's text on the Policy page.
async fn validate_policy(session: &Session<'_>) {
    let validate = "[...document.querySelectorAll('#main button')]\
        .find((b) => b.textContent === 'Validate').id = 'validate'; return true;";
    session.execute(validate, json!([])).await;
    session.click(&session.find("#validate").await).await;
    session
        .wait_for(
            "the configuration found valid",
            "return document.getElementById('policy-result').innerText \
             .includes('The configuration is valid.');",
        )
        .await;
}

/// Switches the demo's route to `mode` with its switch on the Policy page
/// and waits until the gateway's answer is drawn (the switch and the
/// history's newest version).
async fn switch_route(session: &Session<'_>, admin: SocketAddr, mode: &str) {
    open(session, admin, "policy").await;
    let versions = "return document.querySelectorAll('#policy-history li').length;";
    let before = session.execute(versions, json!([])).await;
    session
        .click(&session.find("#mode-route-demo-api").await)
        .await;
    let enforce = mode == "enforce";
    let drawn = format!(
        "const box = document.getElementById('mode-route-demo-api'); \
         return box !== null && box.checked === {enforce} && !box.disabled \
           && box.closest('tr').innerText.includes('{mode}') \
           && document.querySelectorAll('#policy-history li').length > {before};"
    );
    session
        .wait_for(&format!("the demo's route in {mode} mode"), &drawn)
        .await;
}

/// Opens the injection's drill-down on the Threats page: the detector, where
/// and on what value it fired, with its score.
async fn why_the_injection_was_blocked(session: &Session<'_>) {
    let injection = format!(
        "[...document.querySelectorAll('#ev-list details')].find((d) => {{ \
           const text = d.querySelector('summary').innerText; \
           return text.includes('Injection') && text.includes('{ATTACKER}'); }})"
    );
    let summary = session
        .execute(
            &format!("return {injection}.querySelector('summary').id = 'open-me';"),
            json!([]),
        )
        .await;
    assert_eq!(summary, json!("open-me"));
    session.click(&session.find("#open-me").await).await;
    let why = session
        .execute(
            &format!("return {injection}.querySelector('.why').innerText;"),
            json!([]),
        )
        .await;
    let why = why.as_str().unwrap_or_default();
    for part in ["detect.sqli", "UNION", "query"] {
        assert!(why.contains(part), "the drill-down shows {part}: {why}");
    }
}

/// With the Threats page open and its stream connected, a new attack shows
/// up without a reload.
async fn a_new_event_arrives_live(session: &Session<'_>, gw: &TestGateway) {
    session
        .wait_for(
            "the live stream connected",
            "return document.getElementById('live').classList.contains('on');",
        )
        .await;
    let traversal = "/api/products?q=..%2F..%2F..%2Fetc%2Fpasswd";
    let refused = as_client(gw, SECOND_ATTACKER, "GET", traversal, "").await;
    assert_eq!(refused, StatusCode::FORBIDDEN, "the traversal is blocked");
    let shown = format!(
        "return document.getElementById('ev-list').innerText.includes('{SECOND_ATTACKER}');"
    );
    session.wait_for("the new event, live", &shown).await;
}

/// On the Clients page, clicks the button `css` finds and confirms in the
/// dialog it opens.
async fn confirmed_click(session: &Session<'_>, admin: SocketAddr, css: &str) {
    open(session, admin, "clients").await;
    session.click(&session.find(css).await).await;
    session
        .wait_for(
            "the confirmation dialog",
            "return document.getElementById('confirm').open === true;",
        )
        .await;
    session.click(&session.find("#confirm-ok").await).await;
}

/// Bans the attacker from its row on the Clients page and waits for the
/// bans list to show it, the focus on the Unban button that replaced the
/// one used.
async fn ban_from_clients_page(session: &Session<'_>, admin: SocketAddr) {
    let ban = format!("button[aria-label='Ban {ATTACKER}']");
    confirmed_click(session, admin, &ban).await;
    let listed = format!(
        "return [...document.querySelectorAll('#bans code')] \
           .some((c) => c.textContent.startsWith('{ATTACKER}')) \
         && document.activeElement.getAttribute('aria-label') === 'Unban {ATTACKER}';"
    );
    session
        .wait_for("the ban listed, the focus on its Unban button", &listed)
        .await;
}

/// Lifts the attacker's ban from the bans list and waits until the list no
/// longer has it, the focus on the client's Ban button.
async fn unban_from_clients_page(session: &Session<'_>, admin: SocketAddr) {
    let unban = format!("#bans button[aria-label^='Unban {ATTACKER}/']");
    confirmed_click(session, admin, &unban).await;
    let lifted = format!(
        "return document.getElementById('bans').getAttribute('aria-busy') === 'false' \
         && ![...document.querySelectorAll('#bans code')] \
           .some((c) => c.textContent.startsWith('{ATTACKER}')) \
         && document.activeElement.getAttribute('aria-label') === 'Ban {ATTACKER}';"
    );
    session.wait_for("the ban lifted", &lifted).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_works_in_chromium_and_a_client_banned_there_is_refused() {
    let installed = match Installed::find() {
        Ok(installed) => installed,
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("CI is set and the browser tests cannot run: {why}")
        }
        Err(why) => {
            eprintln!("skipped: {why}; install Debian's chromium and chromium-driver to run the console's browser tests");
            return;
        }
    };
    let gw = start_demo().await;
    let admin = gw.gateway.admin_addr;
    send_traffic(&gw).await;
    let driver = Driver::start(&installed).await;
    let shots = screenshot_dir();
    let profiles = tempfile::tempdir().unwrap();

    for (width, height) in SIZES {
        let profile = profiles.path().join(width.to_string());
        let session = driver.session(&profile, width, height).await;
        if width == SIZES[0].0 {
            sign_in_with_form(&session, admin).await;
        } else {
            // The address `rampart demo` prints: the token in the fragment,
            // which the browser never sends to the server.
            session
                .navigate(&format!("http://{}/#token={TOKEN}", admin))
                .await;
            wait_drawn(&session, "overview").await;
            let address = session.execute("return location.href", json!([])).await;
            assert!(
                !address.to_string().contains(TOKEN),
                "the token left the address bar: {address}"
            );
        }
        let paint =
            "return performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;";
        println!(
            "first contentful paint at {width} px: {} ms",
            session.execute(paint, json!([])).await
        );
        for page in PAGES {
            open(&session, admin, page).await;
            let main = text_of(&session, "main").await;
            match page {
                "inventory" => {
                    for template in ["/api/users/{", "/api/products", "/api/login"] {
                        assert!(
                            main.contains(template),
                            "the inventory lists {template}: {main}"
                        );
                    }
                }
                "threats" => {
                    assert!(
                        main.contains("Injection"),
                        "the blocked injection is named: {main}"
                    );
                    why_the_injection_was_blocked(&session).await;
                    if width == SIZES[0].0 {
                        a_new_event_arrives_live(&session, &gw).await;
                    }
                }
                "clients" => {
                    assert!(
                        main.contains(ATTACKER),
                        "the attacker is a top offender: {main}"
                    );
                    let crawler = client_row(&session, CRAWLER).await;
                    assert!(
                        crawler.contains("AI training crawler: GPTBot, OpenAI"),
                        "the crawler is named as such: {crawler}"
                    );
                    let scraper = client_row(&session, SCRAPER).await;
                    for part in [
                        "HTTP library or automation tool: HeadlessChrome",
                        "Bot bots.headless",
                    ] {
                        assert!(
                            scraper.contains(part),
                            "the headless scraper is shown as a bot ({part}): {scraper}"
                        );
                    }
                }
                "policy" => {
                    for part in [
                        "Monitor or enforce",
                        "demo-api",
                        "limit-failed-logins",
                        "History",
                    ] {
                        assert!(main.contains(part), "the policy page shows {part}: {main}");
                    }
                    validate_policy(&session).await;
                }
                _ => assert!(main.contains("Requests"), "{main}"),
            }
            let unnamed = unnamed_controls(&session).await;
            assert!(
                unnamed.is_empty(),
                "{page} at {width} px: controls without a name: {unnamed:#?}"
            );
            no_console_errors(&session, page, width).await;
            let file = shots.join(format!("{page}-{width}.png"));
            session.screenshot(&file, width, height).await;
        }
        if width == SIZES[0].0 {
            keyboard_walk(&session, admin).await;
            no_console_errors(&session, "inventory, by keyboard", width).await;
            let file = shots.join(format!("inventory-detail-{width}.png"));
            session.screenshot(&file, width, height).await;
            assert_eq!(
                as_client(&gw, ATTACKER, "GET", "/api/users/1", "").await,
                StatusCode::OK
            );
            ban_from_clients_page(&session, admin).await;
            no_console_errors(&session, "clients after the ban", width).await;
            assert_eq!(
                as_client(&gw, ATTACKER, "GET", "/api/users/1", "").await,
                StatusCode::FORBIDDEN,
                "the banned client is refused"
            );
            assert_eq!(
                as_client(&gw, "198.51.100.9", "GET", "/api/users/1", "").await,
                StatusCode::OK
            );
            // Monitor on the demo's route: the ban is recorded, not applied;
            // enforce again: refused again.
            switch_route(&session, admin, "monitor").await;
            assert_eq!(
                as_client(&gw, ATTACKER, "GET", "/api/users/1", "").await,
                StatusCode::OK,
                "in monitor mode the banned client is let through"
            );
            switch_route(&session, admin, "enforce").await;
            newest_diff_says(&session, "enforce").await;
            replay_without_detection(&session).await;
            no_console_errors(&session, "policy after the replay", width).await;
            let file = shots.join(format!("policy-replay-{width}.png"));
            session.screenshot(&file, width, height).await;
            assert_eq!(
                as_client(&gw, ATTACKER, "GET", "/api/users/1", "").await,
                StatusCode::FORBIDDEN,
                "enforced again"
            );
            no_console_errors(&session, "policy after switching modes", width).await;
            unban_from_clients_page(&session, admin).await;
            assert_eq!(
                as_client(&gw, ATTACKER, "GET", "/api/users/1", "").await,
                StatusCode::OK,
                "let through once the ban is lifted"
            );
            no_console_errors(&session, "clients after the unban", width).await;
        }
        session.close().await;
    }
    println!("console screenshots: {}", shots.display());
    gw.gateway.shutdown().await;
}
