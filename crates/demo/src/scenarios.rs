//! The repository's scenarios (`scenarios/`), built into the binary so that
//! `rampart demo --scenarios` can show them with nothing but the binary:
//! it writes them to the demo's directory and runs them there.

use std::path::Path;

/// `(path under scenarios/, its text)` for each path given.
macro_rules! bundle {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../scenarios/", $name)))),*]
    };
}

/// Each scenario file and what its configurations need, by its path under
/// `scenarios/`.
pub const BUNDLED: &[(&str, &str)] = bundle![
    "bfla.toml",
    "bola.toml",
    "bots-ai-crawlers.toml",
    "bots-monitoring.toml",
    "bots-scraper.toml",
    "bots-signed-agent.toml",
    "bots-verified-crawler.toml",
    "brute-force.toml",
    "credential-stuffing.toml",
    "enumeration.toml",
    "exposure.toml",
    "forged-tokens.toml",
    "injection.toml",
    "mass-assignment.toml",
    "otp.toml",
    "signup.toml",
    "signup-lookalike.toml",
    "slow-upstream.toml",
    "configs/accounts.toml",
    "configs/accounts-openapi.json",
    "configs/bots.toml",
    "configs/bots/agent-directory.json",
    "configs/bots/agent.jwk-private",
    "configs/bots/googlebot-ranges.txt",
    "configs/bots/impostor.jwk-private",
    "configs/catalog-openapi.json",
    "configs/shop.toml",
    "configs/shop-openapi.json",
];

/// Writes the bundled scenarios under `dir` (replacing earlier copies).
pub fn write_to(dir: &Path) -> std::io::Result<()> {
    for (name, text) in BUNDLED {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn files_under(dir: &Path, prefix: &str, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                files_under(&path, &format!("{prefix}{name}/"), found);
            } else {
                found.insert(format!("{prefix}{name}"));
            }
        }
    }

    #[test]
    fn the_bundle_is_every_file_of_the_scenarios_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut on_disk = BTreeSet::new();
        files_under(&dir, "", &mut on_disk);
        let bundled: BTreeSet<String> = BUNDLED.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(bundled, on_disk, "add new scenario files to BUNDLED");
    }

    #[test]
    fn the_bundle_is_written_as_it_is_in_the_repository() {
        let out = tempfile::tempdir().unwrap();
        write_to(out.path()).unwrap();
        let written = std::fs::read_to_string(out.path().join("configs/shop.toml")).unwrap();
        assert_eq!(
            written,
            include_str!("../../../scenarios/configs/shop.toml")
        );
    }
}
