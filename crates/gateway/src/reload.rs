//! Hot reload: when the configuration file's content changes, and when the
//! binary asks ([`crate::Gateway::reload`]: `rampart serve` does on SIGHUP;
//! the library installs no signal handler), the file is validated and, if
//! good, compiled and swapped in atomically for new requests. A bad file
//! keeps the running configuration and is reported in the log, as a
//! security event and in `rampart_config_reload_total`.
//! Listener, admin and event settings are read at start only; a change to
//! them is applied at the next restart and said so in the log.

use crate::config::{ConfigError, GatewayConfig};
use crate::proxy::Shared;
use crate::runtime::Runtime;
use crate::sync::lock;
use crate::telemetry;
use rampart_core::event::rfc3339_millis;
use rampart_core::{Clock, Reason, SecurityEvent, SystemClock};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

pub struct Reloader {
    shared: Arc<Shared>,
    path: PathBuf,
    poll_interval: Duration,
    /// The file content last looked at, so unchanged files are not re-read into a reload.
    last_seen: Mutex<Option<Vec<u8>>>,
    /// Serialises reloads from the signal and the file watcher.
    reloading: Mutex<()>,
}

impl Reloader {
    pub fn new(shared: Arc<Shared>, config: &GatewayConfig) -> Self {
        Reloader {
            shared,
            path: config.file.clone(),
            poll_interval: config.server.reload_poll_interval,
            last_seen: Mutex::new(std::fs::read(&config.file).ok()),
            reloading: Mutex::new(()),
        }
    }

    /// Polls the file for changes until `stop`.
    pub async fn watch(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.poll_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if self.file_changed() {
                        tracing::info!(file = %self.path.display(), "configuration file changed: reloading");
                        let _ = self.reload();
                    }
                }
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
    }

    fn file_changed(&self) -> bool {
        let current = std::fs::read(&self.path).ok();
        let mut last = lock(&self.last_seen);
        if *last == current {
            return false;
        }
        *last = current;
        true
    }

    /// Validates the file and swaps it in, or reports why not.
    pub fn reload(&self) -> Result<(), ConfigError> {
        let _serial = lock(&self.reloading);
        let current = self.shared.runtime.load();
        let built = GatewayConfig::load(&self.path).and_then(|config| {
            warn_about_start_only_changes(&current.config, &config);
            for warning in config.warning_lines() {
                tracing::warn!("{warning}");
            }
            Runtime::build(config, Some(&current), &self.shared.services)
                .map_err(|message| ConfigError::single(self.path.clone(), "prevent", message))
        });
        match built {
            Ok(next) => {
                let next = Arc::new(next);
                self.shared.runtime.store(Arc::clone(&next));
                if let Some(key_refresh) = &self.shared.services.key_refresh {
                    key_refresh.follow(&next.fetched_keys());
                }
                metrics::counter!(telemetry::CONFIG_RELOADS, "result" => "ok").increment(1);
                tracing::info!(file = %self.path.display(), "configuration reloaded");
                Ok(())
            }
            Err(error) => {
                metrics::counter!(telemetry::CONFIG_RELOADS, "result" => "error").increment(1);
                tracing::error!("configuration rejected, the running one stays:\n{error}");
                self.report(&error);
                Err(error)
            }
        }
    }

    fn report(&self, error: &ConfigError) {
        let Some(events) = &self.shared.events else {
            return;
        };
        events.send(SecurityEvent {
            time: rfc3339_millis(SystemClock.now_millis()),
            request_id: String::new(),
            client_ip: String::new(),
            method: String::new(),
            host: String::new(),
            path: error.file.display().to_string(),
            route: String::new(),
            action: "config_rejected".to_string(),
            status: None,
            reasons: error
                .problems
                .iter()
                .map(|p| Reason::new("config.reload", p.key.clone(), p.message.clone(), 0.0))
                .collect(),
            score: 0.0,
            repeats: None,
            bot: None,
            ja4: None,
        });
    }
}

/// What a restart is needed for, said when a reload or an apply changes it.
pub(crate) const START_ONLY: &str =
    "listener, admin.listen, [events], [discovery], [detect.learned] and [record] changes take effect at the next restart";

fn warn_about_start_only_changes(current: &GatewayConfig, next: &GatewayConfig) {
    if start_only_changes(current, next) {
        tracing::warn!("{START_ONLY}");
    }
}

/// Whether `next` changes settings read at start only.
pub(crate) fn start_only_changes(current: &GatewayConfig, next: &GatewayConfig) -> bool {
    let listeners = |c: &GatewayConfig| {
        c.listeners
            .iter()
            .map(|l| (l.name.clone(), l.listen, l.tls.is_some()))
            .collect::<Vec<_>>()
    };
    listeners(current) != listeners(next)
        || current.admin_listen != next.admin_listen
        || current.events != next.events
        || current.discovery != next.discovery
        || current.record != next.record
}
