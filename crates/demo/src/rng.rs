//! A tiny deterministic random number generator, so the demo data set is the
//! same on every run for a given seed (tests and walkthroughs can name real ids)
//! without pulling in a fake-data crate.

/// SplitMix64: small, fast, and good enough to make fake records look varied.
/// Not for anything secret.
#[derive(Debug, Clone)]
pub struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `low..=high`. `low` must not exceed `high`.
    pub fn in_range(&mut self, low: u64, high: u64) -> u64 {
        debug_assert!(low <= high);
        let span = high - low + 1;
        low + self.next_u64() % span
    }

    /// One decimal digit, `0..=9`.
    pub fn digit(&mut self) -> u8 {
        (self.next_u64() % 10) as u8
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_different_seed_different_sequence() {
        let mut a = SeededRng::new(7);
        let mut b = SeededRng::new(7);
        let mut c = SeededRng::new(8);
        let seq_a: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let seq_b: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let seq_c: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(seq_a, seq_b);
        assert_ne!(seq_a, seq_c);
    }

    #[test]
    fn in_range_stays_inside_bounds() {
        let mut rng = SeededRng::new(1);
        for _ in 0..10_000 {
            let v = rng.in_range(3, 5);
            assert!((3..=5).contains(&v));
        }
        assert!((0..1000).all(|_| rng.digit() <= 9));
    }
}
