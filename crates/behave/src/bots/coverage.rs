//! Scraping judged against an endpoint's normal clients: how many distinct
//! pages (path and query) of one list or search endpoint a client reaches
//! in a window, held against what the endpoint's other clients reached in
//! theirs, and the pagination walk a scraper makes.
//!
//! Each client follows at most [`MAX_LISTINGS`] endpoints per window (its
//! distinct pages are one capped set shared by all of them). When its
//! window closes, the pages it reached on each endpoint are a sample of
//! that endpoint's [`Baseline`], unless the client was flagged in that
//! window (a signal or a refusal): a scraper does not teach what is normal.
//! The baseline caps what it learns from a sample at its threshold once
//! warm, so a run of scrapers that went unflagged drags it up only slowly.
//! Until `warmup` windows were learned, the fixed `scrape_pages` is the
//! threshold; after, the learned one, never above `scrape_pages`.

use crate::baseline::{Baseline, Limits};
use crate::bounded::{millis, BoundedMap, Removals};
use std::time::Duration;

/// Most list and search endpoints one client is followed on in a window.
pub const MAX_LISTINGS: usize = 16;
/// Most endpoints whose usual coverage is learned.
pub const MAX_ENDPOINTS: usize = 4096;
/// How long the usual coverage of an endpoint nobody asks for is kept.
pub const ENDPOINT_MEMORY: Duration = Duration::from_secs(7 * 24 * 3600);
/// The part of a query read for a pagination parameter.
pub const MAX_QUERY_BYTES: usize = 2048;
/// A learned threshold is above `FACTOR` times the usual coverage...
const FACTOR: f64 = 3.0;
/// ...and `DEVIATIONS` deviations above it (and above the floor).
const DEVIATIONS: f64 = 4.0;

/// The query parameters that number a page of a list (case-insensitive).
pub const PAGINATION_PARAMETERS: [&str; 9] = [
    "page",
    "p",
    "offset",
    "start",
    "skip",
    "from",
    "after",
    "cursor",
    "page_number",
];

/// A numbered page: the pagination parameter and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber {
    pub parameter: &'static str,
    pub value: u64,
}

/// The first pagination parameter of `query` with a decimal value (at most
/// 19 digits), read within the first [`MAX_QUERY_BYTES`]; opaque cursors
/// are not numbers and count only as distinct pages.
pub fn page_number(query: &str) -> Option<PageNumber> {
    let mut end = query.len().min(MAX_QUERY_BYTES);
    while !query.is_char_boundary(end) {
        end -= 1;
    }
    query[..end].split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let parameter = PAGINATION_PARAMETERS
            .into_iter()
            .find(|p| p.eq_ignore_ascii_case(name))?;
        if !(1..=19).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(PageNumber {
            parameter,
            value: value.parse().ok()?,
        })
    })
}

/// A client's run of one pagination parameter rising, request after request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Walk {
    parameter: Option<&'static str>,
    /// The values in the current rising run.
    pub(crate) run: usize,
    /// The last value.
    pub(crate) last: u64,
}

impl Walk {
    fn step(&mut self, number: PageNumber) {
        let rising = self.parameter == Some(number.parameter) && number.value > self.last;
        self.run = if rising { self.run + 1 } else { 1 };
        self.parameter = Some(number.parameter);
        self.last = number.value;
    }

    /// The walk in words, once it has risen through a few values.
    pub(crate) fn describe(&self) -> Option<String> {
        let parameter = self.parameter.filter(|_| self.run >= 3)?;
        Some(format!(
            "a pagination walk: `{parameter}` rose through {} values in a row, to {}",
            self.run, self.last
        ))
    }
}

/// What one client did on one list or search endpoint in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Listing {
    pub(crate) endpoint: u64,
    pub(crate) pages: usize,
    pub(crate) walk: Walk,
}

/// One client's distinct pages of list and search endpoints in its window.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listings {
    /// (endpoint, page) keyed hashes, capped.
    pages: Vec<(u64, u64)>,
    endpoints: Vec<Listing>,
}

impl Listings {
    /// Counts a page of `endpoint`: the endpoint's listing, unless the
    /// client already follows [`MAX_LISTINGS`] others (the page still
    /// counts toward the total).
    pub(crate) fn visit(
        &mut self,
        endpoint: u64,
        page: u64,
        number: Option<PageNumber>,
        cap: usize,
    ) -> Option<Listing> {
        let new = self.pages.len() < cap && !self.pages.contains(&(endpoint, page));
        if new {
            self.pages.push((endpoint, page));
        }
        let at = match self.endpoints.iter().position(|l| l.endpoint == endpoint) {
            Some(at) => at,
            None if self.endpoints.len() < MAX_LISTINGS => {
                self.endpoints.push(Listing {
                    endpoint,
                    pages: 0,
                    walk: Walk::default(),
                });
                self.endpoints.len() - 1
            }
            None => return None,
        };
        let listing = &mut self.endpoints[at];
        listing.pages += usize::from(new);
        if let Some(number) = number {
            listing.walk.step(number);
        }
        Some(*listing)
    }

    /// Distinct pages over every list and search endpoint.
    pub(crate) fn total(&self) -> usize {
        self.pages.len()
    }

    /// The pages reached per endpoint, as the window closes.
    pub(crate) fn per_endpoint(&self) -> impl Iterator<Item = (u64, usize)> + '_ {
        self.endpoints.iter().map(|l| (l.endpoint, l.pages))
    }
}

/// What the endpoint's normal clients reach in a window, once learned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Usual {
    pub(crate) mean: f64,
    pub(crate) threshold: f64,
    pub(crate) windows: u64,
}

/// The usual coverage of each list and search endpoint.
pub(crate) struct Coverage {
    endpoints: BoundedMap<u64, Baseline>,
    pub(crate) removed: Removals,
    warmup: u64,
    limits: Limits,
}

impl Coverage {
    /// Learns from `warmup` closed windows before judging; a learned
    /// threshold is never under `floor` pages.
    pub(crate) fn new(warmup: usize, floor: usize) -> Self {
        Coverage {
            endpoints: BoundedMap::new(MAX_ENDPOINTS, millis(ENDPOINT_MEMORY)),
            removed: Removals::default(),
            warmup: warmup as u64,
            limits: Limits {
                factor: FACTOR,
                deviations: DEVIATIONS,
                floor: floor as f64,
            },
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.endpoints.len()
    }

    /// The usual coverage of `endpoint`, once it learned `warmup` windows.
    pub(crate) fn usual(&self, endpoint: u64, now: u64) -> Option<Usual> {
        let baseline = self.endpoints.get(&endpoint, now)?;
        (baseline.samples() >= self.warmup).then(|| Usual {
            mean: baseline.mean(),
            threshold: baseline.threshold(self.limits),
            windows: baseline.samples(),
        })
    }

    /// Learns the pages one unflagged client reached on `endpoint` in a closed window.
    pub(crate) fn learn(&mut self, endpoint: u64, pages: usize, now: u64) {
        let limits = self.limits;
        let warmup = self.warmup;
        self.endpoints
            .get_or_insert_with(endpoint, now, || Baseline::new(now), &mut self.removed)
            .observe(pages as f64, warmup, limits, now);
    }
}
