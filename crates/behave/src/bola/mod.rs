//! Broken object-level authorisation (BOLA): one principal reading objects
//! that are not its own.
//!
//! Each request of such an attack looks ordinary (`GET /accounts/1002` with
//! a valid token), so the detector learns, from the API's own answers, which
//! objects each principal may know of, and judges requests against that:
//!
//! - **shown**: every id in a principal's successful responses (its lists,
//!   its details, what it created) is one it may ask for; such a request is
//!   never counted against it;
//! - **owned**: objects a principal created (`POST` answered 2xx, with the
//!   id in the body or `Location`) or that its lists returned are its own.
//!
//! Two signals come out of [`BolaDetector::judge`]:
//!
//! - `behave.bola.foreign_object`: a request for an object only other
//!   principals own (fewer of them than `shared_owners`);
//! - `behave.bola.walk`: one principal asking, on one endpoint template,
//!   for many distinct ids it was never shown within `window`, weighted up
//!   when the ids are dense numbers (see `walk`).
//!
//! The principal is the identity the gateway read (user, else API key);
//! requests without one are not judged. Every map is bounded and expires
//! (`bounded`), and what bounds removed is counted in [`BolaStats`].

mod config;
mod refs;
#[cfg(test)]
mod tests;
mod walk;

pub use crate::bounded::Removals;
pub use config::BolaConfig;
pub use refs::{addressed, ids_in, is_collection, response_kind, ObjectRef};

use crate::bounded::{millis, BoundedMap, Stamped};
use rampart_core::Clock;
use serde_json::Value;
use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;
use walk::Walk;

/// Who asks: the identity requests are judged and remembered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal<'a> {
    User(&'a str),
    ApiKey(&'a str),
}

impl fmt::Display for Principal<'_> {
    /// Users by name; API keys by their first four characters only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::User(name) => write!(f, "user {name:?}"),
            Principal::ApiKey(key) => {
                let shown: String = key.chars().take(4).collect();
                write!(f, "API key {shown}...")
            }
        }
    }
}

/// A request, as the detector judges it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub principal: Principal<'a>,
    /// The inventory's template of the endpoint, e.g. `/accounts/{id}`.
    pub template: &'a str,
    pub path: &'a str,
    /// The endpoint's business function, when discovery inferred one.
    pub function: Option<&'a str>,
}

/// A response the principal received, as the detector learns from it.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    pub request: Request<'a>,
    pub method: &'a str,
    pub status: u16,
    /// The `Location` header (of a creation).
    pub location: Option<&'a str>,
    /// The body, when it was JSON.
    pub body: Option<&'a Value>,
    /// The request raised a BOLA signal: what it returns is shown to the
    /// principal but proves no ownership.
    pub flagged: bool,
}

/// One BOLA signal, explained.
#[derive(Debug, Clone, PartialEq)]
pub struct BolaSignal {
    /// `behave.bola.foreign_object` or `behave.bola.walk`.
    pub source: &'static str,
    pub object: ObjectRef,
    pub score: f64,
    /// 0.0 to 1.0: how sure the detector is that this is an attack.
    pub confidence: f64,
    /// Which principal, which object, which template, how many.
    pub evidence: String,
}

pub const FOREIGN_OBJECT: &str = "behave.bola.foreign_object";
pub const WALK: &str = "behave.bola.walk";

/// What the detector holds and what its bounds removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BolaStats {
    pub principals: usize,
    pub objects: usize,
    pub principals_removed: Removals,
    pub shown_ids_removed: Removals,
    pub walks_removed: Removals,
    pub objects_removed: Removals,
    /// Ids a walk forgot because it held its cap of distinct ids.
    pub walk_steps_dropped: u64,
}

struct PrincipalState {
    last_seen: u64,
    /// Hashes of the ids it was shown, with when.
    shown: BoundedMap<u64, u64>,
    walks: BoundedMap<Arc<str>, Walk>,
}

impl Stamped for PrincipalState {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

struct Owners {
    last_seen: u64,
    /// At most `shared_owners` principal hashes.
    principals: Vec<u64>,
}

impl Stamped for Owners {
    fn last_seen(&self) -> u64 {
        self.last_seen
    }
}

pub struct BolaDetector {
    config: BolaConfig,
    clock: Arc<dyn Clock>,
    /// Keyed hashing: principals and ids are chosen by clients.
    hasher: RandomState,
    exempt_users: HashSet<String>,
    exempt_api_keys: HashSet<String>,
    principals: BoundedMap<u64, PrincipalState>,
    objects: BoundedMap<u64, Owners>,
    stats: BolaStats,
}

impl BolaDetector {
    pub fn new(config: BolaConfig, clock: Arc<dyn Clock>) -> Self {
        let memory = millis(config.memory);
        BolaDetector {
            exempt_users: config.exempt_users.iter().cloned().collect(),
            exempt_api_keys: config.exempt_api_keys.iter().cloned().collect(),
            principals: BoundedMap::new(config.max_principals, memory),
            objects: BoundedMap::new(config.max_objects, memory),
            hasher: RandomState::new(),
            stats: BolaStats::default(),
            clock,
            config,
        }
    }

    pub fn config(&self) -> &BolaConfig {
        &self.config
    }

    pub fn stats(&self) -> BolaStats {
        BolaStats {
            principals: self.principals.len(),
            objects: self.objects.len(),
            ..self.stats
        }
    }

    fn exempt(&self, request: &Request<'_>) -> bool {
        let principal = match request.principal {
            Principal::User(name) => self.exempt_users.contains(name),
            Principal::ApiKey(key) => self.exempt_api_keys.contains(key),
        };
        principal
            || request
                .function
                .is_some_and(|f| self.config.exempt_functions.iter().any(|e| e == f))
    }

    fn principal_key(&self, principal: Principal<'_>) -> u64 {
        self.hasher.hash_one(principal)
    }

    fn id_key(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    fn object_key(&self, object: &ObjectRef) -> u64 {
        self.hasher.hash_one((&object.kind, &object.id))
    }

    /// The principal's state, fresh when it is new or expired, and the
    /// counters its maps report removals to.
    fn principal(&mut self, key: u64, now: u64) -> (&mut PrincipalState, &mut BolaStats) {
        let memory = millis(self.config.memory);
        let (ids, walks) = (
            self.config.max_ids_per_principal,
            self.config.max_walks_per_principal,
        );
        let state = self.principals.get_or_insert_with(
            key,
            now,
            || PrincipalState {
                last_seen: now,
                shown: BoundedMap::new(ids, memory),
                walks: BoundedMap::new(walks, memory),
            },
            &mut self.stats.principals_removed,
        );
        state.last_seen = now;
        (state, &mut self.stats)
    }

    /// Judges one request before it is answered, and remembers it as a
    /// step of the principal's walk on the template.
    pub fn judge(&mut self, request: &Request<'_>) -> Vec<BolaSignal> {
        if self.exempt(request) {
            return Vec::new();
        }
        let Some(object) = addressed(request.template, request.path) else {
            return Vec::new();
        };
        if request.principal == Principal::User(&object.id) {
            return Vec::new();
        }
        let now = self.clock.now_millis();
        let who = self.principal_key(request.principal);
        let id = self.id_key(&object.id);
        let owners = self
            .objects
            .get(&self.object_key(&object), now)
            .map(|o| o.principals.clone())
            .unwrap_or_default();
        let (window, walk_cap) = (millis(self.config.window), self.config.walk_ids * 2);
        let (state, stats) = self.principal(who, now);
        if state.shown.get(&id, now).is_some() {
            return Vec::new();
        }
        let walk = state.walks.get_or_insert_with(
            Arc::from(request.template),
            now,
            || Walk::new(now),
            &mut stats.walks_removed,
        );
        let (extent, dropped) = walk.step(id, object.id.parse().ok(), now, window, walk_cap);
        stats.walk_steps_dropped += u64::from(dropped);

        let mut signals = Vec::new();
        let others = owners.len();
        if others > 0 && !owners.contains(&who) && others < self.config.shared_owners {
            let confidence = (0.9 - 0.2 * (others - 1) as f64).max(0.5);
            signals.push(BolaSignal {
                source: FOREIGN_OBJECT,
                score: self.config.foreign_score,
                confidence,
                evidence: format!(
                    "{} asked for {} {} on {}, owned by {others} other principal(s) and never shown to it; confidence {confidence:.2}",
                    request.principal, object.kind, object.id, request.template
                ),
                object: object.clone(),
            });
        }
        let threshold = self.config.walk_ids as f64;
        if extent.effective >= threshold {
            let growth = (extent.effective / threshold).min(2.0);
            let confidence = (0.6 + 0.3 * extent.density + 0.09 * (growth - 1.0)).min(0.99);
            signals.push(BolaSignal {
                source: WALK,
                score: self.config.walk_score * growth,
                confidence,
                evidence: format!(
                    "{} asked for {} distinct {} ids on {} it was never shown within {}s (density {:.2}, latest {}); confidence {confidence:.2}",
                    request.principal,
                    extent.distinct,
                    object.kind,
                    request.template,
                    self.config.window.as_secs(),
                    extent.density,
                    object.id
                ),
                object,
            });
        }
        signals
    }

    /// Learns from a response the principal received: the ids it was
    /// shown and, for creations and lists, the objects it owns.
    pub fn learn(&mut self, response: &Response<'_>) {
        let request = &response.request;
        if !(200..300).contains(&response.status) || self.exempt(request) {
            return;
        }
        let kind = response_kind(request.template);
        let shown = response.body.map_or_else(Vec::new, |body| {
            ids_in(body, &kind, self.config.max_ids_per_response)
        });
        let collection = is_collection(request.template);
        let creation = collection && response.method == "POST";
        let list = collection && response.method == "GET";
        let mut owned: Vec<ObjectRef> = Vec::new();
        if !response.flagged && (creation || list) {
            owned.extend(shown.iter().filter(|o| o.kind == kind).cloned());
            if creation {
                owned.extend(response.location.and_then(located));
            }
        }
        if shown.is_empty() && owned.is_empty() {
            return;
        }
        let now = self.clock.now_millis();
        let who = self.principal_key(request.principal);
        let id_keys: Vec<u64> = shown
            .iter()
            .chain(&owned)
            .map(|o| self.id_key(&o.id))
            .collect();
        let object_keys: Vec<u64> = owned.iter().map(|o| self.object_key(o)).collect();
        let (state, stats) = self.principal(who, now);
        for id in id_keys {
            *state
                .shown
                .get_or_insert_with(id, now, || now, &mut stats.shown_ids_removed) = now;
        }
        let cap = self.config.shared_owners;
        for key in object_keys {
            let owners = self.objects.get_or_insert_with(
                key,
                now,
                || Owners {
                    last_seen: now,
                    principals: Vec::new(),
                },
                &mut self.stats.objects_removed,
            );
            owners.last_seen = now;
            if owners.principals.len() < cap && !owners.principals.contains(&who) {
                owners.principals.push(who);
            }
        }
    }
}

/// The object a `Location` header names: its last segment, of the kind of
/// the segment before (`/api/users/42`: user 42).
fn located(location: &str) -> Option<ObjectRef> {
    let path = match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => location,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segments = path.split('/').filter(|s| !s.is_empty()).rev();
    let id = segments.next()?;
    let collection = segments.next()?;
    (id.chars().count() <= refs::MAX_ID_CHARS).then(|| ObjectRef {
        kind: refs::kind_of(collection),
        id: id.to_string(),
    })
}

impl From<BolaSignal> for crate::Signal {
    fn from(signal: BolaSignal) -> Self {
        crate::Signal {
            source: signal.source,
            score: signal.score,
            confidence: signal.confidence,
            evidence: signal.evidence,
        }
    }
}
