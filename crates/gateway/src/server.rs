//! A running gateway: binds the listeners and the admin listener (with the
//! admin API a caller injects), starts the event sink, the traffic
//! statistics and the reloader, and drains on shutdown.

use crate::admin::{self, AdminApiFactory, AdminState};
use crate::bind;
use crate::config::GatewayConfig;
use crate::discovery::Discovery;
use crate::exchange_event::EventFilter;
use crate::forwarding::RequestIds;
use crate::key_set::KeyRefresh;
use crate::listener::ServeSettings;
use crate::policy_admin::PolicyAdmin;
use crate::proxy::Shared;
use crate::recorder::Recorder;
use crate::reload::Reloader;
use crate::runtime::{Runtime, Services};
use crate::shared::SharedLink;
use crate::telemetry;
use crate::traffic::{self, TrafficStore};
use crate::workers::Workers;
use anyhow::Context as _;
use arc_swap::ArcSwap;
use hyper_util::server::graceful::GracefulShutdown;
use rampart_store::{EventSink, SinkConfig};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Gateway {
    shared: Arc<Shared>,
    admin: Arc<AdminState>,
    reloader: Arc<Reloader>,
    stop: watch::Sender<bool>,
    workers: Workers,
    background_tasks: Vec<JoinHandle<()>>,
    /// Writes the last minute's counts when told to stop.
    traffic_recorder: Option<JoinHandle<()>>,
    graceful: Arc<GracefulShutdown>,
    sink: Option<EventSink>,
    /// Each listener's name and the address it is bound to (port 0 resolved).
    pub listeners: Vec<(String, SocketAddr)>,
    pub admin_addr: SocketAddr,
}

/// How a shutdown went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    /// Every in-flight exchange finished before the deadline.
    pub drained: bool,
}

impl Gateway {
    /// Binds every listener and starts serving, the admin listener with
    /// metrics and health only. Fails (naming the address or file) if a
    /// listener cannot be bound or the event outputs cannot be opened. Must
    /// be called inside a tokio runtime, which runs the admin listener and
    /// the reloader; client traffic is served by the worker threads.
    pub async fn start(config: GatewayConfig) -> anyhow::Result<Gateway> {
        Self::start_with(config, None).await
    }

    /// [`Gateway::start`], with the admin API `admin_api` builds from the
    /// gateway's state answering every admin path but metrics and health.
    pub async fn start_with(
        config: GatewayConfig,
        admin_api: Option<AdminApiFactory>,
    ) -> anyhow::Result<Gateway> {
        telemetry::prometheus();
        for warning in config.warning_lines() {
            tracing::warn!("{warning}");
        }
        let workers = config.server.workers;
        let mut bound = Vec::new();
        for spec in &config.listeners {
            let settings = ServeSettings {
                tls: spec.tls.clone().map(tokio_rustls::TlsAcceptor::from),
                header_read_timeout: config.server.header_read_timeout,
                max_header_bytes: config.server.max_header_bytes as usize,
            };
            bound.push(bind::bind(&spec.name, spec.listen, workers, settings)?);
        }
        let admin_listener = TcpListener::bind(config.admin_listen)
            .await
            .with_context(|| format!("binding the admin listener on {}", config.admin_listen))?;
        let admin_addr = admin_listener.local_addr()?;
        let (sink, events) = start_event_sink(&config)?;

        let defaults = Services::default();
        let shared = config
            .redis
            .as_ref()
            .map(|redis| SharedLink::start(redis, events.clone(), Arc::clone(&defaults.clock)))
            .transpose()?
            .map(Arc::new);
        let recorder = config
            .record
            .clone()
            .map(|settings| Recorder::start(settings, &config.identity.api_key_headers))
            .transpose()?;
        let services = Services {
            discovery: config.discovery.clone().map(Discovery::start).transpose()?,
            recorder,
            shared,
            key_refresh: Some(Arc::new(KeyRefresh::on_current_runtime())),
            ..defaults
        };
        let shared = Arc::new(Shared {
            runtime: ArcSwap::from_pointee(
                Runtime::build(config.clone(), None, &services)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", config.file.display()))?,
            ),
            ids: RequestIds::new(),
            events,
            event_filter: EventFilter {
                min_signal_score: config.events.min_signal_score,
            },
            services,
            traffic: Arc::default(),
        });
        if let Some(key_refresh) = &shared.services.key_refresh {
            key_refresh
                .fetch_now(&shared.runtime.load().fetched_keys())
                .await;
        }
        let (stop, stop_rx) = watch::channel(false);
        let graceful = Arc::new(GracefulShutdown::new());
        let listeners = bound
            .iter()
            .map(|l| {
                tracing::info!(listener = %l.name, addr = %l.addr, tls = l.settings.tls.is_some(), workers, "listening");
                (l.name.clone(), l.addr)
            })
            .collect();
        let workers = Workers::start(&mut bound, workers, &shared, &graceful, &stop_rx)?;
        let reloader = Arc::new(Reloader::new(Arc::clone(&shared), &config));
        let admin = Arc::new(AdminState {
            shared: Arc::clone(&shared),
            ready: true.into(),
            stopping: stop_rx.clone(),
            policy: Arc::new(PolicyAdmin::new(
                Arc::clone(&shared),
                Arc::clone(&reloader),
                &config,
            )),
        });
        let api = admin_api.map(|build| build(Arc::clone(&admin)));
        tracing::info!(addr = %admin_addr, api = api.is_some(), "admin listening");
        let background_tasks = vec![
            tokio::spawn(admin::serve(
                admin_listener,
                Arc::clone(&admin),
                api,
                stop_rx.clone(),
            )),
            tokio::spawn(Arc::clone(&reloader).watch(stop_rx.clone())),
            tokio::spawn(metrics_upkeep(
                shared.services.shared.clone(),
                shared.services.key_refresh.clone(),
                stop_rx.clone(),
            )),
        ];
        if let Some(key_refresh) = &shared.services.key_refresh {
            key_refresh.follow(&shared.runtime.load().fetched_keys());
        }
        let traffic_recorder = config.events.sqlite.clone().map(|path| {
            let store = TrafficStore {
                path,
                max_age: config.events.sqlite_max_age,
            };
            tokio::spawn(traffic::record_minutes(
                Arc::clone(&shared.traffic),
                store,
                stop_rx,
            ))
        });
        Ok(Gateway {
            shared,
            admin,
            reloader,
            stop,
            workers,
            background_tasks,
            traffic_recorder,
            graceful,
            sink,
            listeners,
            admin_addr,
        })
    }

    /// The address of the listener with this name.
    pub fn listener_addr(&self, name: &str) -> Option<SocketAddr> {
        self.listeners
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| *a)
    }

    /// What the admin API reads and acts on (inventory, ban list, event
    /// sink, configuration): for an embedder's own admin endpoints and for
    /// tests.
    pub fn admin_state(&self) -> Arc<AdminState> {
        Arc::clone(&self.admin)
    }

    /// Re-reads the configuration file now (what `rampart serve` does on SIGHUP).
    pub fn reload(&self) -> Result<(), crate::config::ConfigError> {
        self.reloader.reload()
    }

    /// The policy (the configuration file) as the admin API manages it.
    pub fn policy(&self) -> Arc<PolicyAdmin> {
        Arc::clone(&self.admin.policy)
    }

    /// The configuration currently serving new requests.
    pub fn config(&self) -> Arc<GatewayConfig> {
        Arc::clone(&self.shared.runtime.load().config)
    }

    /// Stops accepting, lets in-flight exchanges finish for up to the
    /// configured drain timeout, then flushes events.
    pub async fn shutdown(mut self) -> DrainReport {
        let deadline = self.shared.runtime.load().config.server.drain_timeout;
        self.admin.ready.store(false, Ordering::Relaxed);
        let _ = self.stop.send(true);
        self.workers.stopped_accepting().await;
        let drained = match Arc::try_unwrap(self.graceful) {
            Ok(graceful) => tokio::time::timeout(deadline, graceful.shutdown())
                .await
                .is_ok(),
            Err(_) => false,
        };
        self.workers.exit().await;
        if let Some(discovery) = self.shared.services.discovery.clone() {
            let _ = tokio::task::spawn_blocking(move || discovery.shutdown()).await;
        }
        if let Some(recorder) = self.shared.services.recorder.clone() {
            let _ = tokio::task::spawn_blocking(move || recorder.shutdown()).await;
        }
        for task in self.background_tasks {
            task.abort();
        }
        if let Some(key_refresh) = &self.shared.services.key_refresh {
            key_refresh.stop();
        }
        if let Some(recorder) = self.traffic_recorder {
            let _ = recorder.await;
        }
        if let Some(sink) = self.sink {
            drop(self.shared);
            let report =
                tokio::task::spawn_blocking(move || sink.shutdown(Duration::from_secs(5))).await;
            if let Ok(report) = report {
                if !report.drained {
                    tracing::warn!(stats = ?report.stats, "events still queued at shutdown were dropped");
                }
            }
        }
        tracing::info!(drained, "gateway stopped");
        DrainReport { drained }
    }
}

fn start_event_sink(
    config: &GatewayConfig,
) -> anyhow::Result<(Option<EventSink>, Option<rampart_store::EventSender>)> {
    let settings = &config.events;
    if settings.jsonl.is_none() && settings.sqlite.is_none() {
        return Ok((None, None));
    }
    let (sink, sender) = EventSink::start(SinkConfig {
        jsonl_path: settings.jsonl.clone(),
        store_path: settings.sqlite.clone(),
        capacity: settings.queue_capacity,
        max_age: Some(settings.sqlite_max_age),
        max_store_bytes: Some(settings.sqlite_max_bytes),
        jsonl_max_bytes: Some(settings.jsonl_max_bytes),
        jsonl_max_files: settings.jsonl_max_files,
        aggregate_window: settings.aggregate_window,
        ..SinkConfig::default()
    })
    .with_context(|| format!("{}: events", config.file.display()))?;
    Ok((Some(sink), Some(sender)))
}

async fn metrics_upkeep(
    redis: Option<Arc<SharedLink>>,
    key_refresh: Option<Arc<KeyRefresh>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                telemetry::prometheus().run_upkeep();
                if let Some(redis) = &redis {
                    redis.export_stats();
                }
                if let Some(key_refresh) = &key_refresh {
                    key_refresh.export_age();
                }
            }
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}
