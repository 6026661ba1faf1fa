//! Path parameter values as real APIs carry them.
//!
//! Templating is easy when every parameter is an integer or a UUID; real
//! paths carry names: user names (`jdoe`, `alice.smith`, `dpam6`), slugs,
//! Kubernetes namespaces, repository and package names, versions, tags,
//! file names, issue keys (`PROJ-123`). Each [`Kind`] draws one such value;
//! the word lists keep them looking like what people type, not like
//! random strings a classifier would spot at once.

use super::rng::Rng;

/// The shape of a parameter's values.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Decimal integer in `lo..=hi`.
    Int(u64, u64),
    Uuid,
    /// Lower-case hex of this length (commit SHAs, digests).
    Hex(usize),
    /// `sha256:` and 64 hex digits (OCI digests).
    Digest,
    MongoId,
    /// Prefix and that many base62 characters (`cus_NffrFeUfNV2Hib`).
    Prefixed(&'static str, usize),
    /// Prefix and 32 hex digits (Twilio SIDs: `AC…`, `SM…`).
    PrefixedHex(&'static str),
    /// Lower-case base36 of this length (Reddit ids: `1b2k3xz`).
    Base36(usize),
    /// `jdoe`, `alice.smith`, `dpam6`, `user_42`, `octocat`.
    Username,
    /// `acme-corp`, `kubernetes`, `rust-lang`.
    OrgName,
    /// `my-project`, `hello-world-2024`: words joined by `-`.
    Slug,
    /// Two or three technical words joined by `-` (`payment-service`).
    Kebab,
    /// Two or three words joined by `_` (`order_events`).
    Snake,
    /// `default`, `kube-system`, `argo`, `team-a`.
    Namespace,
    /// `web-7d9f8c6b5-x2k4p`, `postgres-0`, `coredns-5d78c9869d-8xk2q`.
    PodName,
    /// `ip-10-0-1-23.ec2.internal`, `minikube`, `gke-prod-pool-1-3b4c5d6e-x1y2`.
    NodeName,
    /// `rampart`, `awesome-python`, `Hello-World`, `socket.io`.
    Repo,
    /// `main`, `develop`, `release-1.2`, `fix-login-bug`.
    Branch,
    /// `README.md`, `Cargo.toml`, `src`, `.github`.
    RepoPath,
    /// `oa_citations`, `census-2020`, `trademarks`.
    Dataset,
    /// `1.2.3`, sometimes `2.0` or `1.0.0-rc.1`.
    Semver,
    /// `latest`, `v1.2.0`, `3.11-slim`, `alpine`.
    Tag,
    /// `report.pdf`, `photo.jpg`, `q3-summary.xlsx`.
    FileName,
    Email,
    /// `2024-05-01`.
    Date,
    /// One word from the word list.
    Word,
    /// Wiki titles: `Albert_Einstein`, `Rust_(programming_language)`.
    Title,
    /// Confluence page titles: `Onboarding+Guide`.
    PageTitle,
    /// A key from the list, `-`, a number: `PROJ-123`, `EX-3`.
    Code(&'static [&'static str]),
    /// The prefix and a number: `bookTitle77`.
    Numbered(&'static str),
    /// Two to five upper-case letters (`ENG`, `DOCS`).
    Upper,
    /// npm package names (scoped ones percent-encoded: `@types%2fnode`).
    NpmPackage,
    /// `name-1.2.3`: an npm tarball's file stem.
    Tarball,
    /// `requests`, `scikit-learn`, `typing_extensions`, `Django`.
    PypiProject,
    /// `mg.example.com`, `acme.io`.
    DomainName,
    /// GitLab's URL-encoded project path: `gitlab-org%2Fgitlab`.
    EncodedPath,
    /// Words joined by `_`: Reddit's post slugs (`my_first_crate_is_out`).
    SnakeTitle,
    /// One of these values.
    OneOf(&'static [&'static str]),
    /// A value of one of these kinds, equally likely.
    Either(&'static [Kind]),
    /// Drawn from another parameter's pool (owners are users).
    Same(&'static str),
}

pub const WORDS: &[&str] = &[
    "apple", "orbit", "falcon", "river", "maple", "harbor", "copper", "ember", "glacier", "meadow",
    "cedar", "summit", "lantern", "pixel", "quartz", "willow", "canyon", "breeze", "comet",
    "delta", "echo", "fable", "garnet", "horizon", "island", "jasper", "kernel", "lotus", "marble",
    "nectar", "onyx", "pebble", "quill", "raven", "saffron", "tundra", "umbra", "velvet", "walnut",
    "yonder", "zephyr", "anchor", "beacon", "cobalt", "dune", "fern", "grove", "hazel", "iris",
    "juniper", "kite", "lagoon", "mosaic", "nova", "oasis", "prism", "ridge", "sierra", "tide",
    "vortex", "wren", "acorn", "badger", "candle", "dahlia", "ember", "fjord", "gadget", "hollow",
    "ivory", "jungle", "koala", "lemon", "mango", "nutmeg", "otter", "panda", "quokka", "rocket",
    "spruce", "tiger", "urchin", "violet", "wombat", "yak", "zebra", "amber", "basil", "clover",
    "daisy", "elm", "flint", "ginger", "heron", "indigo", "jade", "kelp", "lilac", "moss",
    "nimbus", "olive", "pine", "quince", "rust", "sage", "thistle", "umber", "vine", "wasabi",
    "yarrow", "zinc", "atlas", "bolt", "cipher", "dynamo", "ferry", "granite", "hydra", "ion",
    "jetty", "karma", "lumen", "magnet", "needle", "opal", "pulse", "quasar", "radar", "socket",
    "tensor", "unity", "vector", "widget", "xenon", "yodel", "zenith", "blossom", "cascade",
    "drift", "ember", "frost", "gravity", "harvest", "insight", "journey", "kingdom", "legacy",
    "momentum", "notion", "origin", "paradox", "quest", "rhythm", "spectrum", "triumph", "utopia",
    "voyage", "wander", "bakery", "garden", "kitchen", "office", "travel", "music", "sports",
    "movies", "finance", "health", "science", "history", "poetry", "cooking", "fitness", "photo",
];

const TECH: &[&str] = &[
    "api",
    "auth",
    "billing",
    "cache",
    "cart",
    "catalog",
    "checkout",
    "config",
    "core",
    "data",
    "db",
    "edge",
    "events",
    "gateway",
    "ingest",
    "inventory",
    "jobs",
    "ledger",
    "mail",
    "media",
    "metrics",
    "notify",
    "orders",
    "payment",
    "pipeline",
    "proxy",
    "queue",
    "report",
    "search",
    "service",
    "session",
    "shipping",
    "storage",
    "stream",
    "sync",
    "user",
    "web",
    "worker",
    "frontend",
    "backend",
    "scheduler",
    "indexer",
    "exporter",
    "collector",
    "agent",
];

const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "oscar", "peggy", "trent", "victor", "walter", "nina", "omar", "priya", "quentin", "rosa",
    "sven", "tara", "uma", "yusuf", "zoe", "liam", "emma", "noah", "olivia", "mateo", "sofia",
    "hiro", "yuki", "chen", "wei", "arjun", "fatima", "lars", "ingrid", "pablo", "lucia",
];

const LAST: &[&str] = &[
    "smith",
    "jones",
    "doe",
    "brown",
    "garcia",
    "miller",
    "davis",
    "lee",
    "wilson",
    "taylor",
    "nguyen",
    "kim",
    "patel",
    "mueller",
    "rossi",
    "silva",
    "kowalski",
    "novak",
    "tanaka",
    "johansson",
    "dubois",
    "moreau",
    "schmidt",
    "fischer",
    "ivanova",
    "hansen",
    "okafor",
];

const HANDLES: &[&str] = &[
    "octocat",
    "torvalds",
    "gaearon",
    "sindresorhus",
    "tj",
    "defunkt",
    "mojombo",
    "dhh",
    "antirez",
    "fabpot",
    "kennethreitz",
    "mitsuhiko",
    "BurntSushi",
    "dtolnay",
    "matklad",
    "jessfraz",
    "kelseyhightower",
    "ThePrimeagen",
    "yyx990803",
    "addyosmani",
];

const ORGS: &[&str] = &[
    "rust-lang",
    "kubernetes",
    "facebook",
    "microsoft",
    "google",
    "apache",
    "mozilla",
    "hashicorp",
    "vercel",
    "tokio-rs",
    "acme-corp",
    "argoproj",
    "grafana",
    "prometheus",
    "docker",
    "nodejs",
    "python",
    "golang",
    "torvalds-org",
    "openai",
    "netflix",
    "spotify",
];

const NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "argo",
    "team-a",
    "team-b",
    "monitoring",
    "ingress-nginx",
    "cert-manager",
    "prod",
    "staging",
    "dev",
    "payments",
    "data-platform",
    "kube-public",
    "istio-system",
    "logging",
];

const REPOS: &[&str] = &[
    "rampart",
    "linux",
    "react",
    "vscode",
    "awesome-python",
    "dotfiles",
    "Hello-World",
    "kubernetes",
    "tokio",
    "serde",
    "rust",
    "node",
    "deno",
    "django",
    "flask",
    "rails",
    "homebrew-core",
    "terraform",
    "socket.io",
    "vue",
    "next.js",
    "TypeScript",
    "go",
    "api_server",
    "infra",
    "website",
    "docs",
    "blog",
    "my-app",
    "cli",
    "sdk-python",
    "charts",
    "helm",
    "grafana",
    "prometheus",
    "nginx-config",
    "ansible-roles",
];

const FILE_EXTS: &[&str] = &[
    "pdf", "jpg", "png", "csv", "txt", "md", "json", "zip", "docx", "xlsx", "gif", "mp4",
];

const REPO_PATHS: &[&str] = &[
    "README.md",
    "LICENSE",
    "Cargo.toml",
    "package.json",
    "src",
    "docs",
    ".github",
    ".gitignore",
    "Makefile",
    "setup.py",
    "go.mod",
    "Dockerfile",
    "CHANGELOG.md",
    "pyproject.toml",
    "tests",
    "examples",
    "CONTRIBUTING.md",
    "index.js",
];

const TAGS: &[&str] = &[
    "latest", "stable", "alpine", "slim", "edge", "main", "bookworm", "lts", "nightly",
];

const NPM: &[&str] = &[
    "react",
    "lodash",
    "express",
    "left-pad",
    "chalk",
    "axios",
    "moment",
    "debug",
    "commander",
    "typescript",
    "webpack",
    "vue",
    "eslint",
    "prettier",
    "jest",
    "uuid",
    "dotenv",
    "yargs",
    "rxjs",
    "underscore",
    "async",
    "semver",
    "glob",
    "minimist",
    "request",
    "body-parser",
    "react-dom",
    "next",
    "zod",
    "vite",
    "esbuild",
    "socket.io",
    "tslib",
    "core-js",
    "classnames",
    "date-fns",
    "ws",
    "cors",
    "nodemon",
    "mongoose",
    "jquery",
    "bluebird",
    "inquirer",
    "ora",
];

const NPM_SCOPED: &[&str] = &[
    "@types%2fnode",
    "@babel%2fcore",
    "@angular%2fcore",
    "@vue%2fcli",
    "@types%2freact",
    "@aws-sdk%2fclient-s3",
    "@nestjs%2fcore",
    "@testing-library%2freact",
];

const PYPI: &[&str] = &[
    "requests",
    "numpy",
    "pandas",
    "Django",
    "flask",
    "scikit-learn",
    "typing_extensions",
    "urllib3",
    "boto3",
    "botocore",
    "setuptools",
    "pip",
    "six",
    "python-dateutil",
    "pyyaml",
    "certifi",
    "idna",
    "charset-normalizer",
    "attrs",
    "pytest",
    "click",
    "Jinja2",
    "MarkupSafe",
    "cryptography",
    "pydantic",
    "fastapi",
    "sqlalchemy",
    "tensorflow",
    "torch",
    "matplotlib",
    "scipy",
    "pillow",
    "rich",
    "httpx",
    "uvicorn",
    "black",
    "mypy",
    "ruff",
    "tqdm",
    "zope.interface",
];

const DATASETS: &[&str] = &[
    "oa_citations",
    "cancer_moonshot",
    "trademarks",
    "patents",
    "census-2020",
    "covid19",
    "air-quality",
    "gtfs_static",
    "enriched_cited_reference_metadata",
    "weather_daily",
    "ppp-loans",
    "crime-incidents",
    "building_permits",
    "school-ratings",
    "nyc-taxi-trips",
];

const TLDS: &[&str] = &["com", "io", "org", "net", "dev", "co.uk", "de"];

const TITLE_WORDS: &[&str] = &[
    "Albert",
    "Einstein",
    "Rust",
    "Python",
    "History",
    "Berlin",
    "Quantum",
    "Mechanics",
    "World",
    "War",
    "Solar",
    "System",
    "Ada",
    "Lovelace",
    "Alan",
    "Turing",
    "Machine",
    "Learning",
    "Great",
    "Barrier",
    "Reef",
    "Mount",
    "Everest",
    "Roman",
    "Empire",
    "Jazz",
    "Linux",
    "Kernel",
    "Photosynthesis",
    "Renaissance",
    "Climate",
    "Change",
    "Amazon",
];

const PAGE_WORDS: &[&str] = &[
    "Onboarding",
    "Guide",
    "Team",
    "Meeting",
    "Notes",
    "Architecture",
    "Overview",
    "Release",
    "Checklist",
    "Incident",
    "Postmortem",
    "Roadmap",
    "Q3",
    "Planning",
    "How",
    "To",
    "Deploy",
    "Runbook",
    "API",
    "Design",
    "Retro",
    "Sprint",
    "42",
    "Home",
    "FAQ",
    "Security",
    "Policy",
];

/// Draws one value of `kind`. `Same` and `Either` are resolved by the caller
/// ([`super::model`]), which knows the pools; here they panic.
pub fn draw(kind: Kind, rng: &mut Rng) -> String {
    match kind {
        Kind::Int(lo, hi) => rng.range(lo, hi).to_string(),
        Kind::Uuid => {
            let h = hex(rng, 32);
            format!(
                "{}-{}-4{}-{}{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                ["8", "9", "a", "b"][rng.below(4) as usize],
                &h[17..20],
                &h[20..32]
            )
        }
        Kind::Hex(n) => hex(rng, n),
        Kind::Digest => format!("sha256:{}", hex(rng, 64)),
        Kind::MongoId => format!(
            "{:08x}{}",
            0x6500_0000 + rng.below(0x0200_0000),
            hex(rng, 16)
        ),
        Kind::Prefixed(prefix, n) => format!("{prefix}{}", base62(rng, n)),
        Kind::PrefixedHex(prefix) => format!("{prefix}{}", hex(rng, 32)),
        Kind::Base36(n) => {
            const A: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
            let mut s = String::from("1");
            while s.len() < n {
                s.push(A[rng.below(36) as usize] as char);
            }
            s
        }
        Kind::Username => username(rng),
        Kind::OrgName => {
            if rng.chance(0.5) {
                rng.pick(ORGS).to_string()
            } else {
                format!(
                    "{}-{}",
                    rng.pick(WORDS),
                    rng.pick(&["labs", "inc", "io", "dev", "hq"])
                )
            }
        }
        Kind::Slug => {
            let n = rng.range(2, 4) as usize;
            let mut parts: Vec<String> = (0..n).map(|_| rng.pick(WORDS).to_string()).collect();
            if rng.chance(0.15) {
                parts.push(rng.range(2, 2025).to_string());
            }
            parts.join("-")
        }
        Kind::Kebab => {
            let n = rng.range(2, 3) as usize;
            (0..n)
                .map(|_| *rng.pick(TECH))
                .collect::<Vec<_>>()
                .join("-")
        }
        Kind::Snake => {
            let n = rng.range(2, 3) as usize;
            (0..n)
                .map(|_| *rng.pick(TECH))
                .collect::<Vec<_>>()
                .join("_")
        }
        Kind::Namespace => rng.pick(NAMESPACES).to_string(),
        Kind::PodName => {
            let app = draw(Kind::Kebab, rng);
            match rng.below(3) {
                0 => format!("{app}-{}", rng.below(4)),
                _ => format!("{app}-{}-{}", alnum_lower(rng, 10), alnum_lower(rng, 5)),
            }
        }
        Kind::NodeName => match rng.below(3) {
            0 => format!(
                "ip-10-0-{}-{}.ec2.internal",
                rng.below(255),
                rng.range(1, 254)
            ),
            1 => format!(
                "gke-prod-default-pool-{}-{}",
                hex(rng, 8),
                alnum_lower(rng, 4)
            ),
            _ => format!("worker-{}", rng.range(1, 40)),
        },
        Kind::Repo => match rng.below(4) {
            0 | 1 => rng.pick(REPOS).to_string(),
            2 => draw(Kind::Kebab, rng),
            _ => {
                let w = rng.pick(WORDS).to_string();
                if rng.chance(0.3) {
                    format!("{w}{}", rng.range(1, 9))
                } else {
                    w
                }
            }
        },
        Kind::Branch => match rng.below(4) {
            0 => rng
                .pick(&["main", "master", "develop", "trunk"])
                .to_string(),
            1 => format!("release-{}.{}", rng.range(1, 5), rng.below(12)),
            _ => format!(
                "{}-{}-{}",
                rng.pick(&["fix", "feat", "chore"]),
                rng.pick(WORDS),
                rng.pick(WORDS)
            ),
        },
        Kind::RepoPath => rng.pick(REPO_PATHS).to_string(),
        Kind::Dataset => {
            if rng.chance(0.6) {
                rng.pick(DATASETS).to_string()
            } else {
                format!(
                    "{}_{}",
                    rng.pick(WORDS),
                    rng.pick(&["stats", "records", "index", "2019", "2023"])
                )
            }
        }
        Kind::Semver => match rng.below(8) {
            0 => format!("{}.{}", rng.range(0, 9), rng.range(0, 30)),
            1 => format!(
                "{}.{}.{}-rc.{}",
                rng.range(0, 5),
                rng.range(0, 20),
                0,
                rng.range(1, 3)
            ),
            _ => format!(
                "{}.{}.{}",
                rng.range(0, 9),
                rng.range(0, 30),
                rng.range(0, 40)
            ),
        },
        Kind::Tag => match rng.below(4) {
            0 => rng.pick(TAGS).to_string(),
            1 => format!(
                "v{}.{}.{}",
                rng.range(0, 4),
                rng.range(0, 20),
                rng.range(0, 9)
            ),
            2 => format!(
                "{}.{}-{}",
                rng.range(1, 20),
                rng.range(0, 12),
                rng.pick(&["alpine", "slim", "bookworm"])
            ),
            _ => format!("{}.{}", rng.range(1, 20), rng.range(0, 12)),
        },
        Kind::FileName => {
            let stem = match rng.below(4) {
                0 => rng.pick(WORDS).to_string(),
                1 => format!("{}-{}", rng.pick(WORDS), rng.pick(WORDS)),
                2 => format!(
                    "{}_{}",
                    rng.pick(&["IMG", "scan", "report", "invoice"]),
                    rng.range(1, 9999)
                ),
                _ => format!(
                    "q{}-{}",
                    rng.range(1, 4),
                    rng.pick(&["summary", "report", "budget"])
                ),
            };
            format!("{stem}.{}", rng.pick(FILE_EXTS))
        }
        Kind::Email => {
            let user = format!("{}.{}", rng.pick(FIRST), rng.pick(LAST));
            let domain = rng.pick(&["example.com", "mail.example.org", "acme.io", "corp.example"]);
            format!("{user}@{domain}")
        }
        Kind::Date => format!(
            "{}-{:02}-{:02}",
            rng.range(2019, 2025),
            rng.range(1, 12),
            rng.range(1, 28)
        ),
        Kind::Word => rng.pick(WORDS).to_string(),
        Kind::Title => {
            let n = rng.range(1, 3) as usize;
            let mut t = (0..n)
                .map(|_| *rng.pick(TITLE_WORDS))
                .collect::<Vec<_>>()
                .join("_");
            if rng.chance(0.15) {
                let suffix = *rng.pick(&["_(programming_language)", "_(film)", "_(band)"]);
                t.push_str(suffix);
            }
            t
        }
        Kind::PageTitle => {
            let n = rng.range(1, 4) as usize;
            (0..n)
                .map(|_| *rng.pick(PAGE_WORDS))
                .collect::<Vec<_>>()
                .join("+")
        }
        Kind::Code(keys) => format!("{}-{}", rng.pick(keys), rng.range(1, 2500)),
        Kind::Numbered(prefix) => format!("{prefix}{}", rng.range(1, 999)),
        Kind::Upper => {
            let n = rng.range(2, 5) as usize;
            (0..n)
                .map(|_| (b'A' + rng.below(26) as u8) as char)
                .collect()
        }
        Kind::NpmPackage => match rng.below(10) {
            0 => rng.pick(NPM_SCOPED).to_string(),
            1..=5 => rng.pick(NPM).to_string(),
            6 | 7 => draw(Kind::Kebab, rng),
            _ => format!(
                "{}-{}",
                rng.pick(WORDS),
                rng.pick(&["js", "utils", "cli", "plugin", "loader"])
            ),
        },
        Kind::Tarball => {
            let name = if rng.chance(0.6) {
                rng.pick(NPM).to_string()
            } else {
                draw(Kind::Kebab, rng)
            };
            format!("{name}-{}", draw(Kind::Semver, rng))
        }
        Kind::PypiProject => match rng.below(3) {
            0 | 1 => rng.pick(PYPI).to_string(),
            _ => format!(
                "{}-{}",
                rng.pick(&["py", "django", "flask", "pytest", "sphinx"]),
                rng.pick(WORDS)
            ),
        },
        Kind::DomainName => match rng.below(3) {
            0 => format!("mg.{}.{}", rng.pick(WORDS), rng.pick(TLDS)),
            _ => format!("{}.{}", rng.pick(WORDS), rng.pick(TLDS)),
        },
        Kind::EncodedPath => format!("{}%2F{}", draw(Kind::OrgName, rng), draw(Kind::Repo, rng)),
        Kind::SnakeTitle => {
            let n = rng.range(2, 6) as usize;
            (0..n)
                .map(|_| *rng.pick(WORDS))
                .collect::<Vec<_>>()
                .join("_")
        }
        Kind::OneOf(values) => rng.pick(values).to_string(),
        Kind::Either(_) | Kind::Same(_) => panic!("{kind:?} is resolved by the model"),
    }
}

fn username(rng: &mut Rng) -> String {
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    match rng.below(8) {
        0 => format!("{}{last}", &first[..1]), // jdoe
        1 => format!("{first}.{last}"),        // alice.smith
        2 => format!("{}{}{}", &first[..2], &last[..2], rng.range(1, 9)), // dpam6
        3 => format!("user_{}", rng.range(1, 9999)), // user_42
        4 => first.to_string(),                // alice
        5 => format!("{first}{}", rng.range(1, 99)), // bob42
        6 => format!("{first}-{last}"),
        _ => rng.pick(HANDLES).to_string(),
    }
}

fn hex(rng: &mut Rng, n: usize) -> String {
    const H: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| H[rng.below(16) as usize] as char).collect()
}

fn base62(rng: &mut Rng, n: usize) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..n).map(|_| A[rng.below(62) as usize] as char).collect()
}

fn alnum_lower(rng: &mut Rng, n: usize) -> String {
    const A: &[u8] = b"0123456789bcdfghjklmnpqrstvwxz";
    (0..n)
        .map(|_| A[rng.below(A.len() as u64) as usize] as char)
        .collect()
}
