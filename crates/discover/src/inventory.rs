//! The inventory: observations in, endpoints and a hot-path matcher out.
//!
//! Requests that a declared spec covers go to its operation (most specific
//! template first); the rest go to the learned tree. Reading the inventory
//! (`report`, `write_report`, `compile`) first folds the tree and applies
//! operators' decisions, so both always agree. The whole state serialises
//! to a versioned JSON snapshot for the gateway's store.

use crate::decisions::{shape_of, Decision, Decisions};
use crate::exposure::{self, Exposure};
use crate::findings::Finding;
use crate::function::{
    self, BusinessFunction, FunctionEvidence, FunctionVerdict, Learned, ResponseShape,
};
use crate::matcher::{EndpointId, EndpointMatcher, Router, ANY_METHOD};
use crate::observation::Observation;
use crate::report::{
    self, EndpointReport, FindingReport, InventoryReport, LearnedEvidence, OrphanReport,
    ParamReport, SensitiveReport, Summary,
};
use crate::risk::{self, RiskInputs};
use crate::segment::{classify, is_version, vocabulary_weight, ValueKind, ITEM_ALIASES};
use crate::spec::{DeclaredOperation, DeclaredSpec};
use crate::stats::EndpointStats;
use crate::template::{PathTemplate, TemplateError, TemplateSegment};
use crate::tree::{OpKey, PathTree, TreeLimits};
use rampart_core::ExchangeRecord;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Undeclared methods on declared paths tracked apart (each is a shadow
/// endpoint with the spec's template).
pub const MAX_UNDECLARED_METHODS: usize = 4096;

/// Whether a reserved word (other than an item alias such as `me`) or an
/// action name (`lint`, `reset-password`) fills a whole-segment parameter
/// of the template.
fn names_an_action(template: &PathTemplate, segments: &[String]) -> bool {
    template
        .segments
        .iter()
        .zip(segments)
        .any(|(t, value)| match t {
            TemplateSegment::Param { prefix, suffix, .. }
                if prefix.is_empty() && suffix.is_empty() =>
            {
                (classify(value, false) == ValueKind::Literal
                    && !ITEM_ALIASES.contains(&value.as_str()))
                    || vocabulary_weight(value) >= 2
            }
            _ => false,
        })
}

/// Version of the snapshot format written by `to_snapshot`.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Why a snapshot could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot is not valid JSON for this format: {0}")]
    Json(#[from] serde_json::Error),
    #[error("snapshot version {found} is not supported (expected {SNAPSHOT_VERSION})")]
    Version { found: u32 },
}

/// The API inventory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inventory {
    spec: Option<DeclaredSpec>,
    /// Stats per declared operation, in the spec's order.
    declared: Vec<Option<EndpointStats>>,
    /// Methods the spec does not declare on a declared path: shadow
    /// endpoints whose template the spec already tells (op index).
    undeclared_methods: Vec<(OpKey, usize, EndpointStats)>,
    tree: PathTree,
    decisions: Decisions,
    records: u64,
    /// Requests answered 404 or 405 on paths no endpoint had.
    #[serde(default)]
    unrouted: u64,
    #[serde(skip)]
    spec_router: Router<usize>,
    /// Declared templates whatever the method.
    #[serde(skip)]
    spec_paths: Router<usize>,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    inventory: Inventory,
}

/// (method, GraphQL operation, target template's shape) of a reported
/// endpoint: `{team_id}` in a merge and a learned `{team_name}` agree.
type GroupKey = (String, Option<String>, String);
/// The gathered endpoint that owns the target template, all members, and
/// the target template as the merge decision wrote it.
type MergedGroup = (Option<usize>, Vec<usize>, String);

/// One endpoint gathered for reporting, before merges.
struct Gathered<'a> {
    method: String,
    operation: Option<String>,
    template: PathTemplate,
    params: Vec<ParamReport>,
    stats: &'a EndpointStats,
    declared: Option<&'a crate::spec::DeclaredOperation>,
}

impl Inventory {
    /// An empty inventory with default bounds.
    pub fn new() -> Self {
        Self::with_limits(TreeLimits::default())
    }

    pub fn with_limits(limits: TreeLimits) -> Self {
        Inventory {
            tree: PathTree::new(limits),
            ..Default::default()
        }
    }

    /// Declares the API's spec: its operations are matched before learning.
    pub fn set_spec(&mut self, spec: DeclaredSpec) {
        self.declared = vec![None; spec.operations.len()];
        self.spec = Some(spec);
        self.rebuild_spec_router();
    }

    fn rebuild_spec_router(&mut self) {
        let mut router = Router::default();
        let mut paths = Router::default();
        if let Some(spec) = &self.spec {
            // Later duplicates (same method and template) keep the first operation.
            for (i, op) in spec.operations.iter().enumerate().rev() {
                router.insert(&op.method, &op.template, i);
                paths.insert(ANY_METHOD, &op.template, i);
            }
        }
        self.spec_router = router;
        self.spec_paths = paths;
    }

    /// Records applied (for progress and summaries).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Learns from one exchange.
    pub fn observe(&mut self, record: &ExchangeRecord) {
        self.observe_decoded(&Observation::new(record));
    }

    /// Learns from an exchange already decoded (the gateway decodes once).
    pub fn observe_decoded(&mut self, obs: &Observation<'_>) {
        self.records += 1;
        let operations = self.spec.as_ref().map_or(&[][..], |s| &s.operations[..]);
        let admitted = |&i: &usize| operations.get(i).is_some_and(|op| op.admits(&obs.segments));
        if let Some(&i) = self
            .spec_router
            .find_accepted(&obs.method, &obs.segments, &admitted)
        {
            if let Some(slot) = self.declared.get_mut(i) {
                slot.get_or_insert_with(Default::default).observe(obs);
                return;
            }
        }
        let op = OpKey {
            method: obs.method.clone(),
            operation: obs.graphql_operation.clone(),
        };
        // A method the spec does not declare on a declared path is a shadow
        // method of that path, unless an action or a reserved word fills one
        // of its parameters (`POST /cron-workflows/{ns}/lint` under
        // `/cron-workflows/{ns}/{name}`): that is a path of its own.
        let undeclared_method = |&i: &usize| {
            admitted(&i)
                && operations
                    .get(i)
                    .is_some_and(|op| !names_an_action(&op.template, &obs.segments))
        };
        if let Some(&i) =
            self.spec_paths
                .find_accepted(ANY_METHOD, &obs.segments, &undeclared_method)
        {
            let known = self
                .undeclared_methods
                .iter()
                .position(|(k, at, _)| *at == i && *k == op);
            match known {
                Some(at) => self.undeclared_methods[at].2.observe(obs),
                None if self.undeclared_methods.len() < MAX_UNDECLARED_METHODS => {
                    let mut stats = EndpointStats::default();
                    stats.observe(obs);
                    self.undeclared_methods.push((op, i, stats));
                }
                // Past the bound, the (bounded) learned tree takes them.
                None => self.learn(obs, &op),
            }
            return;
        }
        self.learn(obs, &op);
    }

    /// Adds an exchange to the learned tree. A path the server says does
    /// not exist (404) or does not take this method (405) is no endpoint:
    /// scanners and typos must not create any, so such answers only count
    /// for endpoints already known.
    fn learn(&mut self, obs: &Observation<'_>, op: &OpKey) {
        if matches!(obs.record.status, Some(404 | 405)) {
            match self.tree.existing_leaf(&obs.segments, op) {
                Some(stats) => stats.observe(obs),
                None => self.unrouted += 1,
            }
            return;
        }
        self.tree.leaf(&obs.segments, op).observe(obs);
    }

    /// Records an operator's decision; it holds from now on.
    pub fn decide(&mut self, decision: Decision) -> Result<(), TemplateError> {
        decision.validate()?;
        match &decision {
            Decision::Split { parent, value } => {
                self.tree.pin(&PathTemplate::parse(parent)?, value)
            }
            Decision::Parameter { parent } => {
                self.tree.force_parameter(&PathTemplate::parse(parent)?)
            }
            Decision::Rename { .. } | Decision::Merge { .. } => {}
        }
        self.decisions.list.push(decision);
        Ok(())
    }

    /// The decisions made so far.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions.list
    }

    /// Folds what was learned since the last call (idempotent).
    fn settle(&mut self) {
        self.tree.fold();
    }

    /// Compiles the immutable matcher for the hot path: declared and learned
    /// templates, with merged endpoints routed to their target.
    pub fn compile(&mut self) -> EndpointMatcher {
        self.settle();
        let mut routes: Vec<(String, PathTemplate)> = Vec::new();
        if let Some(spec) = &self.spec {
            routes.extend(
                spec.operations
                    .iter()
                    .map(|op| (op.method.clone(), op.template.clone())),
            );
            routes.extend(self.undeclared_methods.iter().filter_map(|(key, i, _)| {
                spec.operations
                    .get(*i)
                    .map(|op| (key.method.clone(), op.template.clone()))
            }));
        }
        routes.extend(
            self.tree
                .endpoints()
                .into_iter()
                .map(|e| (e.op.method.clone(), e.template)),
        );
        let mut matcher_routes = Vec::with_capacity(routes.len());
        for (method, template) in routes {
            let rendered = template.render();
            let target = self.decisions.merged_into(&method, &rendered);
            let target_template = if target == rendered {
                template.clone()
            } else {
                PathTemplate::parse(&target).unwrap_or(template.clone())
            };
            matcher_routes.push((method, template, target_template));
        }
        EndpointMatcher::with_targets(
            matcher_routes
                .iter()
                .map(|(m, t, target)| (m.as_str(), t, target)),
        )
    }

    /// The inventory as reported to operators and benchmarks.
    pub fn report(&mut self) -> InventoryReport {
        self.settle();
        let plan = self.plan();
        let endpoints = plan.endpoints.iter().map(|e| plan.render(e)).collect();
        InventoryReport {
            summary: plan.summary,
            endpoints,
            orphans: plan.orphans,
            findings: plan.findings,
            template_decisions: plan.template_decisions.to_vec(),
            operator_decisions: self.decisions.list.clone(),
        }
    }

    /// Writes the report as pretty JSON, as `report`'s would be, and
    /// returns its summary. Each endpoint is rendered (its learned schemas
    /// are most of a report's size) only while it is written, so a large
    /// inventory never holds its whole report.
    pub fn write_report(&mut self, out: impl std::io::Write) -> serde_json::Result<Summary> {
        self.settle();
        let plan = self.plan();
        serde_json::to_writer_pretty(out, &plan)?;
        Ok(plan.summary)
    }

    /// What the report is made of, endpoint by endpoint, and its totals.
    fn plan(&self) -> Plan<'_> {
        let gathered = self.gather();
        // Apply merges: group by (method, operation, target template).
        let mut groups: BTreeMap<GroupKey, MergedGroup> = BTreeMap::new();
        for (i, g) in gathered.iter().enumerate() {
            let rendered = g.template.render();
            let target = self.decisions.merged_into(&g.method, &rendered);
            let target_shape = shape_of(&target);
            let own = target_shape == shape_of(&rendered);
            let entry = groups
                .entry((g.method.clone(), g.operation.clone(), target_shape))
                .or_default();
            entry.1.push(i);
            entry.2 = target;
            if own {
                entry.0 = Some(i);
            }
        }
        let mut endpoints: Vec<Planned<'_>> = groups
            .into_iter()
            .map(|((method, operation, _), (own, members, target))| {
                // Most groups have one member: its stats are read as they are.
                let stats = match members.as_slice() {
                    [only] => Cow::Borrowed(gathered[*only].stats),
                    _ => {
                        let mut merged = EndpointStats::default();
                        for &i in &members {
                            merged.merge(gathered[i].stats);
                        }
                        Cow::Owned(merged)
                    }
                };
                let lead = &gathered[own.unwrap_or(members[0])];
                let (template, params) = if own.is_some() {
                    (lead.template.render(), lead.params.clone())
                } else {
                    let params = params_of_template(&target);
                    (target, params)
                };
                Planned {
                    params,
                    stats,
                    declared: members
                        .iter()
                        .filter_map(|&i| gathered[i].declared)
                        .collect(),
                    newer: Vec::new(),
                    function: FunctionVerdict::default(),
                    findings: Vec::new(),
                    method,
                    operation,
                    template,
                }
            })
            .collect();
        for (i, newer) in newer_versions(&endpoints) {
            endpoints[i].newer.push(newer);
        }
        for endpoint in &mut endpoints {
            (endpoint.function, endpoint.findings) = Self::assess(endpoint);
        }
        let findings = report::findings_of(endpoints.iter().map(|e| {
            (
                EndpointId::of(&e.method, &e.template).to_string(),
                e.method.as_str(),
                e.template.as_str(),
                e.findings.as_slice(),
            )
        }));
        let orphans: Vec<OrphanReport> = self
            .spec
            .iter()
            .flat_map(|spec| spec.operations.iter().zip(&self.declared))
            .filter(|(_, stats)| stats.is_none())
            .map(|(op, _)| OrphanReport {
                method: op.method.clone(),
                template: op.template.render(),
                operation_id: op.operation_id.clone(),
                deprecated: op.deprecated,
                function: declared_function(op),
            })
            .collect();
        let with_spec = self.spec.is_some();
        let count =
            |flag: &dyn Fn(&Planned<'_>) -> bool| endpoints.iter().filter(|e| flag(e)).count();
        let summary = Summary {
            records: self.records,
            endpoints: endpoints.len(),
            declared_operations: self.spec.as_ref().map_or(0, |s| s.operations.len()),
            shadow: count(&|e| e.shadow(with_spec) == Some(true)),
            zombie: count(&|e| e.zombie()),
            orphan: orphans.len(),
            unauthenticated: count(&|e| e.auth_required() == Some(false)),
            with_sensitive_data: count(&|e| !e.stats.sensitive.is_empty()),
            overflowed_paths: self.tree.overflowed,
            unrouted: self.unrouted,
            findings: report::count_by_severity(&findings),
        };
        Plan {
            inventory: self,
            summary,
            endpoints,
            orphans,
            findings,
            template_decisions: self.tree.decisions(),
        }
    }
    fn gather(&self) -> Vec<Gathered<'_>> {
        let mut out = Vec::new();
        if let Some(spec) = &self.spec {
            for (op, stats) in spec.operations.iter().zip(&self.declared) {
                let Some(stats) = stats else { continue };
                let params = declared_params(op);
                out.push(Gathered {
                    method: op.method.clone(),
                    operation: None,
                    template: op.template.clone(),
                    params,
                    stats,
                    declared: Some(op),
                });
            }
            for (key, i, stats) in &self.undeclared_methods {
                let Some(op) = spec.operations.get(*i) else {
                    continue;
                };
                out.push(Gathered {
                    method: key.method.clone(),
                    operation: key.operation.clone(),
                    template: op.template.clone(),
                    params: declared_params(op),
                    stats,
                    declared: None,
                });
            }
        }
        for e in self.tree.endpoints() {
            let params = e
                .params
                .iter()
                .map(|p| {
                    let (schema_type, format) = p.openapi_type();
                    ParamReport {
                        name: p.name.clone(),
                        schema_type: schema_type.into(),
                        format: format.map(str::to_owned),
                    }
                })
                .collect();
            out.push(Gathered {
                method: e.op.method.clone(),
                operation: e.op.operation.clone(),
                template: e.template,
                params,
                stats: e.stats,
                declared: None,
            });
        }
        out
    }

    /// The endpoint's business function and findings: what it is for,
    /// what its responses showed, whether anyone may use it, and whether a
    /// newer version of it is live.
    fn assess(e: &Planned<'_>) -> (FunctionVerdict, Vec<Finding>) {
        let (method, template, stats) = (&e.method, &e.template, &*e.stats);
        let parsed = PathTemplate::parse(template).unwrap_or_default();
        let literals: Vec<&str> = parsed.literals().collect();
        let learned = Learned::of(stats, literals.last().copied());
        let verdict = function::classify(&FunctionEvidence {
            method,
            literals: &literals,
            trailing_param: parsed.ends_with_param(),
            graphql_operation: e.operation.as_deref(),
            request_fields: &learned.request_fields,
            response_fields: &learned.response_fields,
            response: learned.response,
            request_content_type_multipart: learned.multipart,
            statuses: &learned.statuses,
        });
        let sensitive: Vec<_> = stats.sensitive.iter().map(|(f, n)| (f, *n)).collect();
        let mut findings: Vec<Finding> = stats.findings.iter().cloned().collect();
        findings.extend(exposure::findings(&Exposure {
            method,
            function: &verdict,
            auth: &stats.auth,
            sensitive: &sensitive,
        }));
        findings.extend(e.newer.iter().map(|newer| Finding::OldApiVersion {
            newer: newer.clone(),
        }));
        (verdict, findings)
    }

    fn endpoint_report(&self, e: &Planned<'_>) -> EndpointReport {
        let (method, template, stats) = (&e.method, &e.template, &*e.stats);
        let is_declared = !e.declared.is_empty();
        let shadow = e.shadow(self.spec.is_some());
        let zombie = e.zombie();
        let auth_required = e.auth_required();
        let (verdict, findings) = (&e.function, &e.findings);
        let function = verdict.function;
        let sensitive_kinds: Vec<_> = stats.sensitive.keys().map(|f| f.kind).collect();
        let risk = risk::score(&RiskInputs {
            method,
            unauthenticated: auth_required == Some(false),
            sensitive: &sensitive_kinds,
            shadow: shadow == Some(true),
            zombie,
            function,
            findings,
        });
        EndpointReport {
            id: EndpointId::of(method, template).to_string(),
            name: self.decisions.name_of(method, template).map(str::to_owned),
            graphql_operation: e.operation.clone(),
            params: e.params.clone(),
            requests: stats.requests,
            statuses: stats.statuses.iter().map(|(s, n)| (*s, *n)).collect(),
            hosts: stats.hosts.iter().map(|h| h.to_string()).collect(),
            auth_required,
            auth_kinds: stats
                .auth
                .kinds
                .names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            declared: is_declared,
            shadow,
            zombie: (shadow.is_some() || zombie).then_some(zombie),
            sensitive: stats
                .sensitive
                .iter()
                .map(|(f, count)| SensitiveReport {
                    location: f.location,
                    path: f.path.clone(),
                    kind: f.kind,
                    count: *count,
                })
                .collect(),
            function,
            function_reason: verdict.reason.clone(),
            findings: findings.clone(),
            risk,
            query_params: stats.query.to_json_schema(),
            request_headers: stats.headers.to_json_schema(),
            request_body: stats.request_body.as_ref().map(|s| s.to_json_schema()),
            response_body: stats.response_body.as_ref().map(|s| s.to_json_schema()),
            request_content_types: stats
                .request_content_types
                .iter()
                .map(|c| c.to_string())
                .collect(),
            response_content_types: stats
                .response_content_types
                .iter()
                .map(|c| c.to_string())
                .collect(),
            first_seen: stats.first_seen.clone(),
            last_seen: stats.last_seen.clone(),
            traffic: stats
                .minutes
                .iter()
                .map(|(minute, count)| (minute.to_owned(), count))
                .collect(),
            method: method.clone(),
            template: template.clone(),
            evidence: LearnedEvidence {
                clients: stats.clients.count(),
                query: (*stats.query).clone(),
                request_body: stats.request_body.as_deref().cloned(),
            },
        }
    }

    /// The versioned JSON snapshot the gateway stores.
    pub fn to_snapshot(&self) -> Result<String, serde_json::Error> {
        #[derive(Serialize)]
        struct SnapshotRef<'a> {
            version: u32,
            inventory: &'a Inventory,
        }
        serde_json::to_string(&SnapshotRef {
            version: SNAPSHOT_VERSION,
            inventory: self,
        })
    }

    /// Restores an inventory from `to_snapshot`'s output.
    pub fn from_snapshot(json: &str) -> Result<Self, SnapshotError> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let Version { version } = serde_json::from_str(json)?;
        if version != SNAPSHOT_VERSION {
            return Err(SnapshotError::Version { found: version });
        }
        let Snapshot {
            inventory: mut restored,
            ..
        } = serde_json::from_str(json)?;
        restored.rebuild_spec_router();
        Ok(restored)
    }
}

/// One endpoint of the report, before it is rendered.
struct Planned<'a> {
    method: String,
    operation: Option<String>,
    template: String,
    params: Vec<ParamReport>,
    /// Its stats, merged where operators merged endpoints.
    stats: Cow<'a, EndpointStats>,
    declared: Vec<&'a crate::spec::DeclaredOperation>,
    /// Newer versions of it that are live too (`/v2/x` for `/v1/x`).
    newer: Vec<String>,
    /// Decided by [`Inventory::assess`] once every endpoint is planned.
    function: FunctionVerdict,
    findings: Vec<Finding>,
}

impl Planned<'_> {
    /// Whether the spec (when there is one) lacks this endpoint.
    fn shadow(&self, with_spec: bool) -> Option<bool> {
        with_spec.then_some(self.declared.is_empty())
    }

    /// Deprecated by the spec, or by the server itself in its answers.
    fn zombie(&self) -> bool {
        self.declared.iter().any(|op| op.deprecated) || self.stats.deprecation_announced
    }

    /// As the traffic showed, else as the spec declares.
    fn auth_required(&self) -> Option<bool> {
        self.stats
            .auth
            .auth_required()
            .or_else(|| self.declared.iter().find_map(|op| op.security_required))
    }
}

/// The business function of a declared operation no one has called yet,
/// from what the spec says of it: its method, its path's literals, whether
/// it addresses one item, and its JSON body's top-level properties.
fn declared_function(op: &DeclaredOperation) -> BusinessFunction {
    let literals: Vec<&str> = op.template.literals().collect();
    let request_fields: Vec<&str> = op
        .request_body
        .iter()
        .flat_map(|body| body.properties.keys().map(String::as_str))
        .collect();
    function::infer(&FunctionEvidence {
        method: &op.method,
        literals: &literals,
        trailing_param: op.template.ends_with_param(),
        graphql_operation: None,
        request_fields: &request_fields,
        response_fields: &[],
        response: ResponseShape::Unknown,
        request_content_type_multipart: false,
        statuses: &[],
    })
}

/// The report's totals and orphans, and its endpoints to render.
struct Plan<'a> {
    inventory: &'a Inventory,
    summary: Summary,
    endpoints: Vec<Planned<'a>>,
    orphans: Vec<OrphanReport>,
    findings: Vec<FindingReport>,
    template_decisions: &'a [crate::tree::TemplateDecision],
}

impl Plan<'_> {
    fn render(&self, endpoint: &Planned<'_>) -> EndpointReport {
        self.inventory.endpoint_report(endpoint)
    }
}

/// Serialises as the rendered `InventoryReport` does, field for field,
/// rendering each endpoint as it is written.
impl Serialize for Plan<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Endpoints<'p, 'a>(&'p Plan<'a>);
        impl Serialize for Endpoints<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.endpoints.iter().map(|e| self.0.render(e)))
            }
        }
        let mut report = s.serialize_struct("InventoryReport", 6)?;
        report.serialize_field("summary", &self.summary)?;
        report.serialize_field("endpoints", &Endpoints(self))?;
        report.serialize_field("orphans", &self.orphans)?;
        report.serialize_field("findings", &self.findings)?;
        report.serialize_field("template_decisions", self.template_decisions)?;
        report.serialize_field("operator_decisions", &self.inventory.decisions.list)?;
        report.end()
    }
}

fn declared_params(op: &crate::spec::DeclaredOperation) -> Vec<ParamReport> {
    op.template
        .param_names()
        .map(|name| {
            let declared = op.path_params.iter().find(|p| p.name == name);
            ParamReport {
                name: name.to_owned(),
                schema_type: declared
                    .and_then(|p| p.schema_type.clone())
                    .unwrap_or_else(|| "string".into()),
                format: declared.and_then(|p| p.format.clone()),
            }
        })
        .collect()
}

fn params_of_template(template: &str) -> Vec<ParamReport> {
    PathTemplate::parse(template)
        .map(|t| {
            t.param_names()
                .map(|n| ParamReport {
                    name: n.to_owned(),
                    schema_type: "string".into(),
                    format: None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Endpoints under an old version (`/v1/x`) whose newer version (`/v2/x`,
/// same method) is live too: (index, newer template), in endpoint order.
fn newer_versions(endpoints: &[Planned<'_>]) -> Vec<(usize, String)> {
    let version_at = |template: &str| -> Vec<(usize, u32)> {
        template
            .split('/')
            .enumerate()
            .filter(|(_, s)| is_version(s))
            .filter_map(|(i, s)| {
                s.trim_start_matches(['v', 'V'])
                    .split('.')
                    .next()?
                    .parse()
                    .ok()
                    .map(|n| (i, n))
            })
            .collect()
    };
    /// The segments of a template but the one at `pos`.
    fn rest(template: &str, pos: usize) -> Vec<&str> {
        template
            .split('/')
            .enumerate()
            .map(|(i, s)| if i == pos { "" } else { s })
            .collect()
    }
    /// Method, position of the version and the other segments.
    type Siblings<'a> = (&'a str, usize, Vec<&'a str>);
    let versions: Vec<Vec<(usize, u32)>> =
        endpoints.iter().map(|e| version_at(&e.template)).collect();
    // Versioned endpoints (index, version) by their siblings, in order.
    let mut siblings: HashMap<Siblings<'_>, Vec<(usize, u32)>> = HashMap::new();
    for (idx, endpoint) in endpoints.iter().enumerate() {
        for &(pos, number) in &versions[idx] {
            siblings
                .entry((&endpoint.method, pos, rest(&endpoint.template, pos)))
                .or_default()
                .push((idx, number));
        }
    }
    let mut newer_of = Vec::new();
    for (idx, endpoint) in endpoints.iter().enumerate() {
        for &(pos, number) in &versions[idx] {
            let key = (endpoint.method.as_str(), pos, rest(&endpoint.template, pos));
            let newer = siblings
                .get(&key)
                .and_then(|found| found.iter().find(|(_, n)| *n > number));
            if let Some(&(other, _)) = newer {
                newer_of.push((idx, endpoints[other].template.clone()));
            }
        }
    }
    newer_of
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse_spec;

    fn record(method: &str, path: &str, auth: bool, status: u16) -> ExchangeRecord {
        let mut headers = vec![];
        if auth {
            headers.push(("Authorization".to_string(), "Bearer abc".to_string()));
        }
        ExchangeRecord {
            method: method.into(),
            path: path.into(),
            request_headers: headers,
            status: Some(status),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some(br#"{"id":1,"email":"a@b.io"}"#.to_vec()),
            ..Default::default()
        }
    }

    const SPEC: &str = r#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"servers":[{"url":"/api"}],
      "paths":{"/users/{id}":{"get":{},"delete":{"deprecated":true}},"/users/me":{"get":{}},"/unused":{"get":{}}}}"#;

    #[test]
    fn classifies_shadow_zombie_orphan_and_unauthenticated() {
        let mut inv = Inventory::new();
        inv.set_spec(parse_spec(SPEC.as_bytes()).unwrap());
        inv.observe(&record("GET", "/api/users/12", true, 200));
        inv.observe(&record("GET", "/api/users/me", false, 200));
        inv.observe(&record("DELETE", "/api/users/12", true, 204));
        inv.observe(&record("GET", "/api/internal/debug", false, 200));
        inv.observe(&record("PATCH", "/api/users/word", true, 200));
        let report = inv.report();
        let get = |m: &str, t: &str| {
            report
                .endpoints
                .iter()
                .find(|e| e.method == m && e.template == t)
                .unwrap()
        };
        assert_eq!(get("GET", "/api/users/{id}").shadow, Some(false));
        assert_eq!(get("GET", "/api/users/{id}").auth_required, Some(true));
        assert_eq!(get("GET", "/api/users/me").auth_required, Some(false));
        assert_eq!(get("DELETE", "/api/users/{id}").zombie, Some(true));
        let shadow = get("GET", "/api/internal/debug");
        assert_eq!(shadow.shadow, Some(true));
        assert!(shadow.risk.reasons.iter().any(|r| r.contains("shadow")));
        assert_eq!(shadow.sensitive[0].path, "$.email");
        assert_eq!(get("PATCH", "/api/users/{id}").shadow, Some(true));
        assert_eq!(report.orphans.len(), 1);
        assert_eq!(report.orphans[0].template, "/api/unused");
    }

    #[test]
    fn a_declared_operation_never_called_has_the_function_its_declaration_gives() {
        let spec = r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
          "/admin/users":{"get":{}},
          "/admin/reset-database":{"post":{}},
          "/login":{"post":{"requestBody":{"content":{"application/json":{"schema":{
            "type":"object","properties":{"username":{"type":"string"},"password":{"type":"string"}}}}}}}},
          "/orders":{"get":{}}}}"#;
        let mut inv = Inventory::new();
        inv.set_spec(parse_spec(spec.as_bytes()).unwrap());
        inv.observe(&record("GET", "/orders", true, 200));
        let report = inv.report();
        let function = |template: &str| {
            let orphan = report.orphans.iter().find(|o| o.template == template);
            orphan.map(|o| o.function.as_str())
        };
        assert_eq!(function("/admin/users"), Some("admin"));
        assert_eq!(function("/admin/reset-database"), Some("admin"));
        assert_eq!(function("/login"), Some("login"));
        assert_eq!(function("/orders"), None, "called: an endpoint, no orphan");
    }

    #[test]
    fn a_server_announcing_deprecation_makes_a_zombie_without_a_spec() {
        let mut inv = Inventory::new();
        let mut sunset = record("GET", "/api/v1/orders", true, 200);
        sunset
            .response_headers
            .push(("Sunset".into(), "Sat, 31 Dec 2022 23:59:59 GMT".into()));
        inv.observe(&sunset);
        inv.observe(&record("GET", "/api/v1/orders", true, 200));
        inv.observe(&record("GET", "/api/v1/users", true, 200));
        let report = inv.report();
        let zombie_of = |t: &str| {
            report
                .endpoints
                .iter()
                .find(|e| e.template == t)
                .map(|e| e.zombie)
        };
        assert_eq!(zombie_of("/api/v1/orders"), Some(Some(true)));
        assert_eq!(zombie_of("/api/v1/users"), Some(None));
        assert_eq!(report.summary.zombie, 1);
    }

    #[test]
    fn values_that_break_declared_parameter_types_are_shadow_paths() {
        const TYPED: &str = r#"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
          "/videos/{video_id}":{"get":{"parameters":[{"name":"video_id","in":"path","required":true,
            "schema":{"type":"integer"}}]}}}}"#;
        let mut inv = Inventory::new();
        inv.set_spec(parse_spec(TYPED.as_bytes()).unwrap());
        inv.observe(&record("GET", "/videos/12", true, 200));
        inv.observe(&record("GET", "/videos/convert_video", true, 200));
        inv.observe(&record("DELETE", "/videos/convert_video", true, 200));
        let report = inv.report();
        let shadow_of = |m: &str, t: &str| {
            report
                .endpoints
                .iter()
                .find(|e| e.method == m && e.template == t)
                .and_then(|e| e.shadow)
        };
        assert_eq!(shadow_of("GET", "/videos/{video_id}"), Some(false));
        assert_eq!(shadow_of("GET", "/videos/convert_video"), Some(true));
        assert_eq!(shadow_of("DELETE", "/videos/convert_video"), Some(true));
        assert_eq!(shadow_of("DELETE", "/videos/{video_id}"), None);
    }

    #[test]
    fn operator_decisions_survive_learning_and_snapshots() {
        let mut inv = Inventory::new();
        for name in ["atlas", "onyx", "quill"] {
            inv.observe(&record("GET", &format!("/team/{name}"), true, 200));
        }
        inv.decide(Decision::Split {
            parent: "/team".into(),
            value: "all".into(),
        })
        .unwrap();
        inv.decide(Decision::Merge {
            method: "GET".into(),
            from: "/legacy/{id}".into(),
            into: "/team/{team_id}".into(),
        })
        .unwrap();
        inv.decide(Decision::Rename {
            method: "GET".into(),
            template: "/team/{team_id}".into(),
            name: "Team member".into(),
        })
        .unwrap();
        inv.observe(&record("GET", "/team/all", true, 200));
        inv.observe(&record("GET", "/legacy/5", true, 200));
        let restored_json = inv.to_snapshot().unwrap();
        let mut inv = Inventory::from_snapshot(&restored_json).unwrap();
        inv.observe(&record("GET", "/team/zed", true, 200));
        let report = inv.report();
        let templates: Vec<_> = report
            .endpoints
            .iter()
            .map(|e| e.template.as_str())
            .collect();
        assert_eq!(templates, ["/team/all", "/team/{team_name}"]);
        let member = &report.endpoints[1];
        assert_eq!(member.name.as_deref(), Some("Team member"));
        assert_eq!(member.requests, 5);
        let matcher = inv.compile();
        assert_eq!(
            matcher
                .find("GET", None, "/legacy/9")
                .unwrap()
                .template
                .as_ref(),
            "/team/{team_id}"
        );
        assert_eq!(
            matcher
                .find("GET", None, "/team/all")
                .unwrap()
                .template
                .as_ref(),
            "/team/all"
        );
    }

    #[test]
    fn business_functions_read_fields_wrappers_and_list_answers() {
        let exchange = |method: &str, path: &str, body: &str, form: bool, answer: &str| {
            let content_type = if form {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            };
            ExchangeRecord {
                method: method.into(),
                path: path.into(),
                request_headers: vec![("content-type".into(), content_type.into())],
                request_body: (!body.is_empty()).then(|| body.as_bytes().to_vec()),
                status: Some(200),
                response_headers: vec![("content-type".into(), "application/json".into())],
                response_body: Some(answer.as_bytes().to_vec()),
                ..Default::default()
            }
        };
        let mut inv = Inventory::new();
        inv.observe(&exchange(
            "POST",
            "/users/v1/login",
            r#"{"username":"name1","password":"pass1"}"#,
            false,
            r#"{"auth_token":"x","status":"success"}"#,
        ));
        inv.observe(&exchange(
            "POST",
            "/session",
            "login=bob&password=hunter2",
            true,
            r#"{"user":{"id":1}}"#,
        ));
        inv.observe(&exchange(
            "POST",
            "/api/members",
            r#"{"member":{"email":"a@b.io","password":"pw"}}"#,
            false,
            r#"{"id":1}"#,
        ));
        inv.observe(&exchange(
            "GET",
            "/v2/droplets",
            "",
            false,
            r#"{"droplets":[{"id":1}],"links":{},"meta":{"total":1}}"#,
        ));
        let report = inv.report();
        let function_of = |t: &str| {
            let e = report.endpoints.iter().find(|e| e.template == t).unwrap();
            (e.function.as_str(), e.function_reason.as_str())
        };
        assert_eq!(
            function_of("/users/v1/login"),
            (
                "login",
                "path ends with \"login\"; field \"password\"; answers with a token"
            )
        );
        assert_eq!(function_of("/session").0, "login");
        assert_eq!(function_of("/api/members").0, "sign_up");
        assert_eq!(
            function_of("/v2/droplets"),
            ("list", "GET on a collection; answers a list")
        );
    }

    #[test]
    fn the_written_report_is_the_report() {
        let mut inv = Inventory::new();
        inv.set_spec(parse_spec(SPEC.as_bytes()).unwrap());
        for path in [
            "/team/atlas",
            "/team/onyx",
            "/team/quill",
            "/legacy/5",
            "/api/users/7",
        ] {
            inv.observe(&record("GET", path, true, 200));
        }
        inv.decide(Decision::Merge {
            method: "GET".into(),
            from: "/legacy/{id}".into(),
            into: "/team/{team_id}".into(),
        })
        .unwrap();
        let mut written = Vec::new();
        let summary = inv.write_report(&mut written).unwrap();
        let report = inv.report();
        assert!(report.endpoints.iter().any(|e| e.requests == 4));
        assert_eq!(summary, report.summary);
        assert_eq!(
            String::from_utf8(written).unwrap(),
            serde_json::to_string_pretty(&report).unwrap()
        );
    }

    #[test]
    fn snapshots_are_versioned() {
        let err = Inventory::from_snapshot(r#"{"version":99,"inventory":{}}"#).unwrap_err();
        assert!(matches!(err, SnapshotError::Version { found: 99 }));
        assert!(Inventory::from_snapshot("nope").is_err());
    }

    #[test]
    fn old_versions_beside_new_ones_are_findings() {
        let mut inv = Inventory::new();
        inv.observe(&record("GET", "/api/v1/items", true, 200));
        inv.observe(&record("GET", "/api/v2/items", true, 200));
        let report = inv.report();
        let v1 = report
            .endpoints
            .iter()
            .find(|e| e.template == "/api/v1/items")
            .unwrap();
        assert!(v1
            .findings
            .iter()
            .any(|f| matches!(f, Finding::OldApiVersion { .. })));
        let v2 = report
            .endpoints
            .iter()
            .find(|e| e.template == "/api/v2/items")
            .unwrap();
        assert!(!v2
            .findings
            .iter()
            .any(|f| matches!(f, Finding::OldApiVersion { .. })));
    }
}
