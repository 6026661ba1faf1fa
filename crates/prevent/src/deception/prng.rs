//! A small deterministic generator for fake values.
//!
//! Fakes must come out the same for the same seed (the same attacker asking
//! for the same object) on every gateway and every version of the `rand`
//! ecosystem, so the generator is ours: SplitMix64 (Steele, Lea and Flood,
//! 2014), seeded from a keyed hash. It is not a source of secrets; it only
//! picks plausible values.

/// SplitMix64 over a 64-bit state.
#[derive(Debug, Clone)]
pub(crate) struct FakeRng(u64);

impl FakeRng {
    pub(crate) fn new(seed: u64) -> Self {
        FakeRng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is `0`), by Lemire's multiply-shift.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low).saturating_add(1))
    }

    /// True with the given percentage.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One item of a non-empty slice.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// `len` characters drawn from `alphabet` (ASCII).
    pub(crate) fn text(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| char::from(self.pick(alphabet))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence_and_another_seed_another() {
        let run = |seed| {
            let mut rng = FakeRng::new(seed);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn ranges_are_respected_and_covered() {
        let mut rng = FakeRng::new(42);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let n = rng.between(10, 14);
            assert!((10..=14).contains(&n));
            seen[(n - 10) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.between(3, 3), 3);
        assert!((0..100).all(|_| !rng.chance(0)) && (0..100).all(|_| rng.chance(100)));
    }
}
