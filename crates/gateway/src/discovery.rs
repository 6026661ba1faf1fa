//! Discovery inside the gateway: a background inventory worker fed with
//! exchanges (from the `discover` stage's logging phase or from mirrored
//! traffic pushed to the admin ingestion endpoint), persisted in the embedded
//! store so it survives restarts, and published to the hot path as an
//! immutable endpoint matcher.
//!
//! The request path only ever does a non-blocking `try_send` on a bounded
//! queue (a full queue drops the observation and counts it) and an
//! `ArcSwap` load; no lock is taken and no thread is woken per request: the
//! worker is not parked on the queue but drains it in batches every few
//! milliseconds. The worker owns the inventory and is the only one to
//! touch it. With the matcher it
//! publishes each endpoint's profile (function, risk, learned response
//! schema) for policy and deception and, with `[detect.learned]` enabled,
//! the contracts the detect stage checks requests against
//! (`learned_contracts`).

use crate::learned_contracts::Learning;
use crate::sync::{hand_off, lock};
use arc_swap::ArcSwap;
use rampart_core::hash::FixedState;
use rampart_core::ExchangeRecord;
use rampart_detect::{LearnedConfig, LearnedContracts};
use rampart_discover::findings::Severity;
use rampart_discover::inventory::SNAPSHOT_VERSION;
use rampart_discover::{Decision, EndpointId, EndpointMatcher, Inventory, InventoryReport};
use rampart_store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the worker rests when the queue is empty. Requests queue
/// observations meanwhile; none of them wakes it.
const BATCH_INTERVAL: Duration = Duration::from_millis(20);

/// Name of the inventory's snapshot in the store.
const SNAPSHOT_NAME: &str = "inventory";

#[derive(Debug, Clone, PartialEq)]
pub struct DiscoverySettings {
    /// The declared OpenAPI/Swagger spec, matched before inference.
    pub spec: Option<PathBuf>,
    /// The embedded store the inventory is persisted in (none: memory only).
    pub store: Option<PathBuf>,
    pub queue_capacity: usize,
    /// How much of each request and response body discovery sees.
    pub sample_body_bytes: usize,
    /// How often a changed inventory is compiled and published to the hot path.
    pub publish_interval: Duration,
    /// How often a changed inventory is written to the store.
    pub persist_interval: Duration,
    /// `[detect.learned]` when enabled: the inventory becomes contracts.
    pub learned: Option<LearnedConfig>,
}

/// Counters the admin listener exports.
#[derive(Debug, Default)]
pub struct DiscoveryStats {
    pub observed: AtomicU64,
    pub dropped: AtomicU64,
    pub persist_errors: AtomicU64,
    /// The inventory's own bounds, as of the last publication.
    pub overflowed_paths: AtomicU64,
    pub unrouted: AtomicU64,
    /// Findings by severity, in the order of `Severity::ALL`.
    pub findings: [AtomicU64; Severity::ALL.len()],
    /// Endpoints whose learned contract is checked (`[detect.learned]`),
    /// as of the last publication.
    pub learned_contracts: AtomicU64,
}

/// The gateway's handle on the inventory worker.
pub struct Discovery {
    sender: SyncSender<ExchangeRecord>,
    /// Cleared by `shutdown`: the worker drains what is queued and stops.
    open: AtomicBool,
    /// Operators' decisions (admin API) waiting for the worker to apply.
    decisions: Mutex<Vec<Decision>>,
    matcher: ArcSwap<EndpointMatcher>,
    /// The latest inventory report, for the admin API.
    report: ArcSwap<InventoryReport>,
    profiles: ArcSwap<EndpointProfiles>,
    /// Empty unless `[detect.learned]` is enabled.
    contracts: ArcSwap<LearnedContracts>,
    pub stats: DiscoveryStats,
    pub settings: DiscoverySettings,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Discovery {
    /// Loads the persisted inventory (and the declared spec) and starts the worker.
    pub fn start(settings: DiscoverySettings) -> anyhow::Result<Arc<Discovery>> {
        use anyhow::Context as _;
        let store = settings
            .store
            .as_ref()
            .map(|path| {
                Store::open(path).with_context(|| format!("discovery store {}", path.display()))
            })
            .transpose()?;
        let mut inventory = match store.as_ref().map(|s| s.get_snapshot(SNAPSHOT_NAME)).transpose()? {
            Some(Some((_, json))) => Inventory::from_snapshot(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the stored inventory cannot be read by this version; starting afresh");
                Inventory::new()
            }),
            _ => Inventory::new(),
        };
        declare_spec(&mut inventory, &settings)?;
        let (sender, receiver) = mpsc::sync_channel(settings.queue_capacity);
        let stats = DiscoveryStats::default();
        let (report, profiles) = publishable(&mut inventory, &stats);
        let mut learning = settings
            .learned
            .map(|config| Learning::new(config, Instant::now()));
        let contracts = match &mut learning {
            Some(learning) => learning.rebuild(&report, Instant::now()),
            None => LearnedContracts::default(),
        };
        stats
            .learned_contracts
            .store(contracts.evidenced() as u64, Ordering::Relaxed);
        let discovery = Arc::new(Discovery {
            sender,
            open: AtomicBool::new(true),
            decisions: Mutex::new(Vec::new()),
            matcher: ArcSwap::from_pointee(inventory.compile()),
            report: ArcSwap::from_pointee(report),
            profiles: ArcSwap::from_pointee(profiles),
            contracts: ArcSwap::from_pointee(contracts),
            stats,
            settings,
            worker: Mutex::new(None),
        });
        let worker = Worker {
            discovery: Arc::clone(&discovery),
            inventory,
            store,
            learning,
        };
        let handle = std::thread::Builder::new()
            .name("rampart-inventory".into())
            .spawn(move || worker.run(receiver))?;
        *lock(&discovery.worker) = Some(handle);
        Ok(discovery)
    }

    /// Hands what `inventory` knows now to the hot path, as the worker does
    /// with its own; the offline gateway publishes its inventory so, in the
    /// records' time. Returns the report it published.
    pub(crate) fn publish(&self, inventory: &mut Inventory) -> Arc<InventoryReport> {
        self.matcher.store(Arc::new(inventory.compile()));
        let (report, profiles) = publishable(inventory, &self.stats);
        // Profiles first: what the report shows, the hot path already acts on.
        self.profiles.store(Arc::new(profiles));
        let report = Arc::new(report);
        self.report.store(Arc::clone(&report));
        report
    }

    /// Queues one exchange for the inventory; never waits. False when dropped.
    pub fn observe(&self, record: ExchangeRecord) -> bool {
        hand_off(&self.sender, &self.open, record, &self.stats.dropped)
    }

    /// Queues an operator's decision (pin a literal, force a parameter,
    /// merge, rename); the worker applies it and republishes. Checked here,
    /// so a bad template is refused to the operator.
    pub fn decide(&self, decision: Decision) -> Result<(), String> {
        decision.validate().map_err(|e| e.to_string())?;
        lock(&self.decisions).push(decision);
        Ok(())
    }

    /// The endpoint matcher the hot path uses now.
    pub fn matcher(&self) -> arc_swap::Guard<Arc<EndpointMatcher>> {
        self.matcher.load()
    }

    /// What is known of an endpoint the matcher found.
    pub fn profile(&self, id: EndpointId) -> Option<Arc<EndpointProfile>> {
        self.profiles.load().get(&id).cloned()
    }

    /// The contracts learned from the inventory, as last published (none
    /// unless `[detect.learned]` is enabled).
    pub fn learned_contracts(&self) -> arc_swap::Guard<Arc<LearnedContracts>> {
        self.contracts.load()
    }

    /// The latest published inventory report.
    pub fn report(&self) -> Arc<InventoryReport> {
        self.report.load_full()
    }

    /// Stops the worker after it has folded what is queued and persisted the inventory.
    pub fn shutdown(&self) {
        self.open.store(false, Ordering::Relaxed);
        if let Some(worker) = lock(&self.worker).take() {
            let _ = worker.join();
        }
    }
}

/// Gives `inventory` the declared spec of `settings`, when there is one.
pub(crate) fn declare_spec(
    inventory: &mut Inventory,
    settings: &DiscoverySettings,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if let Some(path) = &settings.spec {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading the declared spec {}", path.display()))?;
        let spec = rampart_discover::parse_spec(&bytes)
            .with_context(|| format!("declared spec {}", path.display()))?;
        inventory.set_spec(spec);
    }
    Ok(())
}

/// What the hot path may know of an endpoint beyond its template: policy
/// scopes and rules read the function and risk, deception shapes its fake
/// answers on the learned response schema.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointProfile {
    pub function: Option<Arc<str>>,
    /// The inventory's risk score scaled to 0.0-1.0.
    pub risk: f64,
    pub response_schema: Option<Arc<serde_json::Value>>,
}

/// Profiles by endpoint id, published with the matcher and read on every
/// request. Ids are already hashes of inventory templates, a bounded set
/// rebuilt at each publication: an unkeyed hasher is enough.
pub type EndpointProfiles = HashMap<EndpointId, Arc<EndpointProfile>, FixedState>;

/// The inventory as operators read it and the profiles the hot path reads.
fn publishable(
    inventory: &mut Inventory,
    stats: &DiscoveryStats,
) -> (InventoryReport, EndpointProfiles) {
    let report = inventory.report();
    stats
        .overflowed_paths
        .store(report.summary.overflowed_paths, Ordering::Relaxed);
    stats
        .unrouted
        .store(report.summary.unrouted, Ordering::Relaxed);
    for (severity, count) in Severity::ALL.iter().zip(&stats.findings) {
        let found = report.summary.findings.get(severity).copied().unwrap_or(0);
        count.store(found as u64, Ordering::Relaxed);
    }
    let profiles = report
        .endpoints
        .iter()
        .filter_map(|endpoint| {
            let id = u64::from_str_radix(&endpoint.id, 16).ok()?;
            let profile = EndpointProfile {
                function: Some(Arc::from(endpoint.function.as_str())),
                risk: (f64::from(endpoint.risk.score) / 100.0).clamp(0.0, 1.0),
                response_schema: endpoint.response_body.clone().map(Arc::new),
            };
            Some((EndpointId(id), Arc::new(profile)))
        })
        .chain(report.orphans.iter().map(|orphan| {
            // Declared, never called: its declaration is all there is to
            // know, and enough for a preset to protect an admin endpoint
            // from its first request.
            let profile = EndpointProfile {
                function: Some(Arc::from(orphan.function.as_str())),
                risk: 0.0,
                response_schema: None,
            };
            let id = EndpointId::of(&orphan.method, &orphan.template);
            (id, Arc::new(profile))
        }))
        .collect();
    (report, profiles)
}

/// Owns the inventory on its own thread.
struct Worker {
    discovery: Arc<Discovery>,
    inventory: Inventory,
    store: Option<Store>,
    /// Set when `[detect.learned]` is enabled.
    learning: Option<Learning>,
}

impl Worker {
    fn run(mut self, receiver: Receiver<ExchangeRecord>) {
        let publish_every = self.discovery.settings.publish_interval;
        let persist_every = self.discovery.settings.persist_interval;
        let (mut last_publish, mut last_persist) = (Instant::now(), Instant::now());
        let (mut unpublished, mut unpersisted) = (false, false);
        let pause = publish_every.min(BATCH_INTERVAL);
        loop {
            let closing = !self.discovery.open.load(Ordering::Relaxed);
            let decided = self.apply_decisions();
            let drained = self.drain(&receiver);
            if decided {
                unpublished = true;
                unpersisted = true;
            }
            if drained > 0 {
                self.discovery
                    .stats
                    .observed
                    .fetch_add(drained, Ordering::Relaxed);
                unpublished = true;
                unpersisted = true;
            }
            if closing {
                break;
            }
            if unpublished && last_publish.elapsed() >= publish_every {
                self.publish();
                unpublished = false;
                last_publish = Instant::now();
            }
            if self
                .learning
                .as_ref()
                .is_some_and(|l| l.settles(Instant::now()))
            {
                let report = self.discovery.report();
                self.publish_contracts(&report);
            }
            if unpersisted && last_persist.elapsed() >= persist_every {
                self.persist();
                unpersisted = false;
                last_persist = Instant::now();
            }
            std::thread::sleep(pause);
        }
        if unpublished {
            self.publish();
        }
        if unpersisted {
            self.persist();
        }
    }

    /// Applies the operators' decisions queued since the last loop.
    fn apply_decisions(&mut self) -> bool {
        let decisions = std::mem::take(&mut *lock(&self.discovery.decisions));
        let any = !decisions.is_empty();
        for decision in decisions {
            if let Err(error) = self.inventory.decide(decision) {
                tracing::warn!(%error, "an inventory decision was not applied");
            }
        }
        any
    }

    /// Observes everything queued now, without waiting; how many.
    fn drain(&mut self, receiver: &Receiver<ExchangeRecord>) -> u64 {
        let mut drained = 0;
        loop {
            match receiver.try_recv() {
                Ok(record) => {
                    self.inventory.observe(&record);
                    drained += 1;
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return drained,
            }
        }
    }

    fn publish(&mut self) {
        let report = self.discovery.publish(&mut self.inventory);
        self.publish_contracts(&report);
    }

    /// Rebuilds the learned contracts from `report` (with `[detect.learned]`).
    fn publish_contracts(&mut self, report: &InventoryReport) {
        if let Some(learning) = &mut self.learning {
            let contracts = learning.rebuild(report, Instant::now());
            self.discovery
                .stats
                .learned_contracts
                .store(contracts.evidenced() as u64, Ordering::Relaxed);
            self.discovery.contracts.store(Arc::new(contracts));
        }
    }

    fn persist(&mut self) {
        let Some(store) = &self.store else { return };
        let written = self
            .inventory
            .to_snapshot()
            .map_err(|e| e.to_string())
            .and_then(|json| {
                store
                    .put_snapshot(SNAPSHOT_NAME, SNAPSHOT_VERSION, &json)
                    .map_err(|e| e.to_string())
            });
        if let Err(error) = written {
            self.discovery
                .stats
                .persist_errors
                .fetch_add(1, Ordering::Relaxed);
            tracing::error!(%error, "persisting the inventory failed; it stays in memory");
        }
    }
}
