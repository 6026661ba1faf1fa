//! A stable-toolchain smoke run of every gateway fuzz target: each target's
//! body (`rampart_gateway::fuzzing`) over its committed seeds
//! (`fuzz/seeds/<target>/`) and a fixed number of deterministic mutations
//! of each, so a parser that panics on a near-miss of a known input fails
//! `cargo test` without nightly or cargo-fuzz. Longer, coverage-guided runs
//! are in docs/fuzzing.md.

use rampart_gateway::fuzzing::TARGETS;
use std::path::Path;

/// Mutations tried per seed.
const MUTATIONS: usize = 400;

/// splitmix64: a fixed, seedable sequence, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes parsers treat specially: separators, quotes, escapes, line ends,
/// NUL, bytes that are not UTF-8.
const INTERESTING: &[u8] = b"\0\n\r :;,=/\\\"'{}[]-*.%\x7f\x80\xff";

/// One to four edits of `seed`, with `other` (another seed of the target)
/// as material for splices.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            2 if at < data.len() => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let from = rng.below(data.len());
                let end = (from + 1 + rng.below(32)).min(data.len());
                let chunk = data[from..end].to_vec();
                data.splice(at..at, chunk);
            }
            4 => data.truncate(at),
            _ => {
                let from = rng.below(other.len());
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
        }
    }
    data
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| std::fs::read(file).unwrap())
        .collect()
}

#[test]
fn every_target_has_seeds_and_a_fuzz_target_file() {
    for (name, _) in TARGETS {
        assert!(!seeds(name).is_empty(), "{name} has no seeds");
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/fuzz_targets")
            .join(format!("{name}.rs"));
        let source = std::fs::read_to_string(&file).unwrap();
        assert!(
            source.contains(&format!("fuzzing::{}", name_of_body(name))),
            "{} does not call the body of {name}",
            file.display()
        );
    }
}

/// The body's function name, where it differs from the target's.
fn name_of_body(target: &str) -> &str {
    match target {
        "ingest" => "ingest_body",
        "pem" => "pem_files",
        other => other,
    }
}

#[test]
fn every_target_survives_its_seeds_and_their_mutations() {
    for (name, body) in TARGETS {
        let seeds = seeds(name);
        let mut rng = Rng(name.len() as u64);
        for (i, seed) in seeds.iter().enumerate() {
            body(seed);
            let other = &seeds[(i + 1) % seeds.len()];
            for _ in 0..MUTATIONS {
                let input = mutate(&mut rng, seed, other);
                let outcome = std::panic::catch_unwind(|| body(&input));
                assert!(
                    outcome.is_ok(),
                    "{name} panicked on a mutation of seed {i}: {:?}",
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
}
