//! The stages a route's pipeline is built from, one module each, and the
//! factory that builds a route's pipeline from the configuration.

pub mod behave;
pub mod bots;
mod capture;
pub mod detect;
pub mod discover;
pub mod ip_lists;
pub mod prevent;
pub mod record;
pub mod shared_ato;
pub mod shared_floods;
mod shared_streak;

use crate::config::{GatewayConfig, RouteSpec, StageKind};
use crate::pipeline::{Pipeline, Stage};
use crate::runtime::Services;
use std::sync::Arc;

/// Builds the pipeline of one route from the configured stage list, leaving
/// out stages that would do nothing on this route. With `[record]`, the
/// `record` stage comes first, so that it sees what later stages refuse.
pub fn build_pipeline(
    config: &GatewayConfig,
    route: &RouteSpec,
    services: &Services,
    prevent: Option<&Arc<prevent::PreventRuntime>>,
    behave: Option<&Arc<behave::BehaveRuntime>>,
    bots: Option<&Arc<bots::BotsRuntime>>,
) -> Pipeline {
    let mut built: Vec<Arc<dyn Stage>> = Vec::new();
    if let Some(recorder) = &services.recorder {
        built.push(Arc::new(record::RecordStage::new(Arc::clone(recorder))));
    }
    for kind in &config.stages {
        match kind {
            StageKind::IpLists => {
                if let Some(stage) = ip_lists::IpListStage::for_route(route) {
                    built.push(Arc::new(stage));
                }
            }
            StageKind::Detect => {
                let learned = services
                    .discovery
                    .as_ref()
                    .filter(|d| d.settings.learned.is_some());
                built.push(Arc::new(detect::DetectStage::new(
                    config.detect.clone(),
                    learned.map(Arc::clone),
                )))
            }
            StageKind::Prevent => {
                if let Some(prevent) = prevent {
                    built.push(Arc::new(prevent::PreventStage::new(
                        Arc::clone(prevent),
                        Arc::clone(&config.identity),
                        Arc::clone(&config.tokens),
                        !services.decisions_only,
                    )));
                }
            }
            StageKind::Behave => {
                if let Some(behave) = behave {
                    built.push(Arc::new(behave::BehaveStage::new(
                        Arc::clone(behave),
                        Arc::clone(&config.identity),
                        Arc::clone(&config.tokens),
                    )));
                }
            }
            StageKind::Bots => {
                if let Some(bots) = bots {
                    built.push(Arc::new(bots::BotsStage::new(
                        Arc::clone(bots),
                        Arc::clone(&config.identity),
                        Arc::clone(&config.tokens),
                    )));
                }
            }
            StageKind::Discover => {
                if let Some(discovery) = &services.discovery {
                    built.push(Arc::new(discover::DiscoverStage::new(Arc::clone(
                        discovery,
                    ))));
                }
            }
        }
    }
    Pipeline::new(built)
}
