//! A small W3C WebDriver client for the console's browser tests: JSON over
//! HTTP (hyper-util's client) to a `chromedriver` this module starts on a free
//! loopback port, driving Debian's headless Chromium (`/usr/bin/chromium`).
//! Nothing here downloads a browser, and the browser is started with its
//! background networking off, since the machine's network may be closed.
//!
//! What the tests need and no more: sessions with a viewport size, navigate,
//! find, click, type, run a script, wait for a script to turn true (bounded
//! polling), screenshots, and the browser's console log.

use base64::Engine as _;
use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// WebDriver's codes for the Tab and Enter keys.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
/// How often and how many times [`Session::wait_for`] asks.
const POLL_EVERY: Duration = Duration::from_millis(100);
const POLL_ATTEMPTS: u32 = 300;

/// Where the browser and its driver are, when both are installed.
pub struct Installed {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Installed {
    /// Debian's `chromium` and `chromedriver` (from `chromium-driver`), found
    /// at their package paths or on `PATH`; `Err` says which one is missing.
    pub fn find() -> Result<Installed, String> {
        let chromium = locate("chromium").ok_or("chromium is not installed")?;
        let chromedriver = locate("chromedriver")
            .ok_or("chromedriver is not installed (Debian package chromium-driver)")?;
        Ok(Installed {
            chromium,
            chromedriver,
        })
    }
}

fn locate(program: &str) -> Option<PathBuf> {
    let packaged = Path::new("/usr/bin").join(program);
    if packaged.is_file() {
        return Some(packaged);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// A running `chromedriver`, killed when dropped.
pub struct Driver {
    child: Child,
    addr: SocketAddr,
    chromium: PathBuf,
    client: Client<HttpConnector, Full<Bytes>>,
    /// Sessions not closed yet: ended when the driver is dropped (a test
    /// that panicked), since killing chromedriver leaves its browsers running.
    open: Mutex<Vec<String>>,
}

impl Driver {
    /// Starts `chromedriver` on a free loopback port and waits (bounded) until
    /// it says it is ready.
    pub async fn start(installed: &Installed) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&installed.chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            chromium: installed.chromium.clone(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            open: Mutex::new(Vec::new()),
        };
        for _ in 0..POLL_ATTEMPTS {
            if let Ok(status) = driver.call(Method::GET, "/status", None).await {
                if status["ready"] == json!(true) {
                    return driver;
                }
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
        panic!("chromedriver on {} never became ready", driver.addr);
    }

    /// One WebDriver command; `Err` carries the driver's error or the
    /// transport's.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let request = Request::builder()
            .method(method.clone())
            .uri(format!("http://{}{path}", self.addr))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(bytes)))
            .map_err(|e| e.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("{method} {path}: answer is not JSON ({e})"))?;
        if status.is_success() {
            Ok(answer["value"].clone())
        } else {
            Err(format!("{method} {path}: {status}: {}", answer["value"]))
        }
    }

    /// A new browser session with a fresh profile in `profile` and a viewport
    /// of `width` x `height` CSS pixels.
    pub async fn session(&self, profile: &Path, width: u32, height: u32) -> Session<'_> {
        let args = [
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": self.chromium.display().to_string(),
                        "args": args,
                    },
                    "goog:loggingPrefs": { "browser": "ALL" },
                }
            }
        });
        let created = self
            .call(Method::POST, "/session", Some(capabilities))
            .await
            .unwrap_or_else(|e| panic!("a chromium session: {e}"));
        let id = created["sessionId"]
            .as_str()
            .expect("the new session's id")
            .to_string();
        lock(&self.open).push(id.clone());
        let session = Session { driver: self, id };
        session.set_viewport(width, height).await;
        session
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let open = std::mem::take(&mut *lock(&self.open));
        if !open.is_empty() {
            // Drop cannot wait on the test's runtime: a thread with its own.
            let addr = self.addr;
            let closing = std::thread::spawn(move || {
                let client: Client<HttpConnector, Full<Bytes>> =
                    Client::builder(TokioExecutor::new()).build_http();
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        for id in open {
                            let request = Request::delete(format!("http://{addr}/session/{id}"))
                                .body(Full::new(Bytes::new()));
                            if let Ok(request) = request {
                                let _ = client.request(request).await;
                            }
                        }
                    });
                }
            });
            let _ = closing.join();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lock, even if a panicking test poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A page element the driver found.
#[derive(Clone, Debug)]
pub struct Element(String);

/// One entry of the browser's console log.
#[derive(Debug)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

/// A browser session; [`Session::close`] ends it (the driver's drop ends
/// the browser otherwise).
pub struct Session<'d> {
    driver: &'d Driver,
    id: String,
}

impl Session<'_> {
    async fn command(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.id);
        self.driver
            .call(method, &path, body)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The viewport's size in CSS pixels, as a phone or a desktop has it
    /// (`mobile` below 600 px), whatever the window's decorations.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        let params = json!({
            "width": width,
            "height": height,
            "deviceScaleFactor": 1,
            "mobile": width < 600,
        });
        self.cdp("Emulation.setDeviceMetricsOverride", params).await;
    }

    /// A Chrome DevTools Protocol command through the driver.
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = json!({ "cmd": cmd, "params": params });
        self.command(Method::POST, "/goog/cdp/execute", Some(body))
            .await
    }

    pub async fn navigate(&self, url: &str) {
        self.command(Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The first element matching a CSS selector; panics when there is none.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .driver
            .call(
                Method::POST,
                &format!("/session/{}/element", self.id),
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await
            .unwrap_or_else(|e| panic!("no element matches {css:?}: {e}"));
        match found[ELEMENT_KEY].as_str() {
            Some(reference) => Element(reference.to_string()),
            None => panic!("{css:?}: expected an element reference, got {found}"),
        }
    }

    pub async fn click(&self, element: &Element) {
        self.command(
            Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await;
    }

    /// Types `text` into an element, as keystrokes.
    pub async fn type_text(&self, element: &Element, text: &str) {
        self.command(
            Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Presses and releases one key on whatever has the focus, as a
    /// keyboard would (`key` is a character or a WebDriver key code such as
    /// [`TAB`] or [`ENTER`]).
    pub async fn press(&self, key: &str) {
        let actions = json!({ "actions": [{
            "type": "key",
            "id": "keyboard",
            "actions": [
                { "type": "keyDown", "value": key },
                { "type": "keyUp", "value": key },
            ],
        }]});
        self.command(Method::POST, "/actions", Some(actions)).await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page
    /// and returns what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Asks `script` (a function body returning a boolean) until it answers
    /// true; panics with `what` after a bounded number of attempts.
    pub async fn wait_for(&self, what: &str, script: &str) {
        for _ in 0..POLL_ATTEMPTS {
            if self.execute(script, json!([])).await == json!(true) {
                return;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
        let url = self.execute("return location.href", json!([])).await;
        let text = self
            .execute("return document.body.innerText.slice(0, 2000)", json!([]))
            .await;
        let log = self.console_log().await;
        panic!("the page ({url}) never showed {what}; it shows {text}; console: {log:?}");
    }

    /// Writes a PNG of the whole page (the viewport stretched to the page's
    /// height, at most 4000 px, then put back) to `path`.
    pub async fn screenshot(&self, path: &Path, width: u32, height: u32) {
        let page_height = self
            .execute(
                "return Math.ceil(document.documentElement.scrollHeight)",
                json!([]),
            )
            .await
            .as_u64()
            .unwrap_or(u64::from(height))
            .clamp(u64::from(height), 4000);
        self.set_viewport(width, page_height as u32).await;
        let shot = self.command(Method::GET, "/screenshot", None).await;
        self.set_viewport(width, height).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot.as_str().expect("a base64 screenshot"))
            .expect("the screenshot decodes");
        std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// The browser console's entries since the last call (the driver hands
    /// each entry out once).
    pub async fn console_log(&self) -> Vec<LogEntry> {
        let entries = self
            .command(Method::POST, "/se/log", Some(json!({ "type": "browser" })))
            .await;
        entries
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| LogEntry {
                        level: e["level"].as_str().unwrap_or_default().to_string(),
                        message: e["message"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ends the session (and its browser).
    pub async fn close(self) {
        let path = format!("/session/{}", self.id);
        let _ = self.driver.call(Method::DELETE, &path, None).await;
        lock(&self.driver.open).retain(|id| *id != self.id);
    }
}
