//! Proposing a limit from what an endpoint's clients normally do, so an
//! operator starts from the observed traffic instead of a guess.

use super::gcra::Quota;

/// A proposal: the 99th percentile of per-client rates, times a margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitProposal {
    pub quota: Quota,
    /// The observed 99th percentile, requests per minute.
    pub p99_per_minute: f64,
    /// How many client rates the proposal rests on.
    pub clients: usize,
}

/// Proposes a per-client limit for an endpoint from the requests per minute
/// each client made in the baseline period. The quota is per minute with the
/// whole minute's allowance as burst. Non-finite and negative samples are
/// ignored; `None` when nothing valid is left or the margin is below 1.
pub fn propose_limit(per_client_per_minute: &[f64], margin: f64) -> Option<LimitProposal> {
    if !margin.is_finite() || margin < 1.0 {
        return None;
    }
    let mut rates: Vec<f64> = per_client_per_minute
        .iter()
        .copied()
        .filter(|rate| rate.is_finite() && *rate >= 0.0)
        .collect();
    if rates.is_empty() {
        return None;
    }
    rates.sort_by(f64::total_cmp);
    // Nearest-rank percentile: the smallest value with 99 % at or below it.
    let rank = (rates.len() as f64 * 0.99).ceil() as usize;
    let p99 = rates[rank.clamp(1, rates.len()) - 1];
    let requests = (p99 * margin).ceil().clamp(1.0, f64::from(u32::MAX)) as u32;
    Some(LimitProposal {
        quota: Quota {
            requests,
            per_seconds: 60,
            burst: Some(requests),
        },
        p99_per_minute: p99,
        clients: rates.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposes_the_p99_times_the_margin() {
        // 1..=100 requests per minute: the p99 is 99.
        let rates: Vec<f64> = (1..=100).map(f64::from).collect();
        let proposal = propose_limit(&rates, 1.5).unwrap();
        assert_eq!(proposal.p99_per_minute, 99.0);
        assert_eq!(proposal.quota.requests, 149);
        assert_eq!(proposal.quota.per_seconds, 60);
        assert_eq!(proposal.clients, 100);
    }

    #[test]
    fn one_abusive_client_in_a_large_population_does_not_raise_the_limit() {
        let mut rates = vec![10.0; 999];
        rates.push(50_000.0);
        let proposal = propose_limit(&rates, 2.0).unwrap();
        assert_eq!(proposal.quota.requests, 20);
    }

    #[test]
    fn hostile_samples_and_margins_are_handled() {
        assert_eq!(propose_limit(&[], 2.0), None);
        assert_eq!(propose_limit(&[f64::NAN, -1.0, f64::INFINITY], 2.0), None);
        assert_eq!(propose_limit(&[5.0], 0.5), None);
        assert_eq!(propose_limit(&[5.0], f64::NAN), None);
        let tiny = propose_limit(&[0.0, 0.1], 1.0).unwrap();
        assert_eq!(tiny.quota.requests, 1);
        let huge = propose_limit(&[1e300], 10.0).unwrap();
        assert_eq!(huge.quota.requests, u32::MAX);
    }
}
