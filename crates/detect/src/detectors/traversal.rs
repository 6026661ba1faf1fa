//! Path traversal and local file inclusion: a value that, normalised as a
//! file system would, climbs above its directory or names a file no request
//! should ask for.

use super::Hit;
use crate::decode::path::normalize;

/// Files and directories whose only reason to be in a request is to read them.
const SENSITIVE_FILES: &[&str] = &[
    "etc/passwd",
    "etc/shadow",
    "etc/group",
    "etc/hosts",
    "etc/master.passwd",
    "etc/issue",
    "etc/motd",
    "etc/security/",
    "etc/sudoers",
    "etc/crontab",
    "etc/ssl/private",
    "proc/self/",
    // A pod's service-account token: the key to the Kubernetes API.
    "secrets/kubernetes.io/serviceaccount",
    "proc/version",
    "proc/interrupts",
    "proc/cpuinfo",
    "proc/meminfo",
    "proc/net/",
    "proc/mounts",
    "sys/class",
    "sys/kernel/",
    "sys/devices",
    "sys/module",
    "boot.ini",
    "win.ini",
    "system.ini",
    "windows/system32",
    "winnt/system32",
    "inetpub/",
    "web.config",
    "web-inf/",
    "wp-config.php",
    ".htaccess",
    ".htpasswd",
    ".git/",
    ".svn/",
    ".hg/",
    ".env",
    ".ssh/",
    "id_rsa",
    "id_dsa",
    "authorized_keys",
    ".bash_history",
    ".bashrc",
    ".aws/credentials",
    ".docker/config.json",
    ".kube/config",
    ".npmrc",
    ".claude/",
    ".cursor/",
    ".vscode/",
    ".idea/",
    "var/log/",
    "usr/local/etc/",
    "etc/nginx/",
    "etc/apache2/",
    "etc/httpd/",
    "/php.ini",
    "my.cnf",
    ".mysql_history",
    ".netrc",
    ".pgpass",
    "docker-compose.yml",
];

/// Looks for traversal in a decoded value (`in_path`: it is the URL path).
pub fn detect(text: &str, in_path: bool, hits: &mut Vec<Hit>) {
    // Shell globs select files too: `/etc/pas[s]wd`, `/etc/[!q]asswd`, `/et*/passwd`.
    let lower_text = text.to_ascii_lowercase();
    if !in_path
        && lower_text.starts_with('/')
        && lower_text.contains(['?', '*', '['])
        && SENSITIVE_FILES
            .iter()
            .any(|f| f.contains('/') && glob_contains(&lower_text, f))
    {
        hits.push(Hit::new("lfi.sensitive_file", 5.0, 0.8, 1));
        return;
    }
    if in_path {
        let hidden = text.split('/').any(|seg| {
            seg.len() > 1 && seg.starts_with('.') && !seg.starts_with("..") && seg != ".well-known"
        });
        if hidden {
            hits.push(Hit::new("lfi.hidden_file", 5.0, 0.8, 1));
            return;
        }
    }
    let normalized = normalize(text);
    let lower = normalized.path.to_ascii_lowercase();
    let raw_lower = text.to_ascii_lowercase().replace('\\', "/");
    let climbs =
        raw_lower.contains("../") || raw_lower.contains("/..") || raw_lower.contains("..;");
    let sensitive = SENSITIVE_FILES.iter().any(|f| {
        lower.contains(f)
            && (f.starts_with('.')
                || f.contains('/')
                || lower.ends_with(f)
                || lower.contains(&format!("{f}/")))
    });
    if normalized.escapes > 0 && (sensitive || normalized.escapes >= 2 || !in_path) {
        hits.push(Hit::new("traversal.dot_dot", 5.0, 0.9, 1));
    } else if sensitive
        && (lower.starts_with('/')
            || is_drive_absolute(&lower)
            || climbs
            || lower.contains("file:")
            || in_path
            || text.starts_with(['.', '~']))
    {
        hits.push(Hit::new("lfi.sensitive_file", 5.0, 0.85, 1));
    } else if climbs && !in_path {
        hits.push(Hit::new("traversal.dot_dot", 4.0, 0.6, 2));
    }
}

/// `c:/windows/...`: an absolute Windows path (backslashes already turned
/// into slashes), which names a file as surely as `/etc/...` does.
fn is_drive_absolute(lower: &str) -> bool {
    matches!(lower.as_bytes(), [drive, b':', b'/', ..] if drive.is_ascii_lowercase())
}

/// One element of a shell glob.
#[derive(Clone, Copy, PartialEq)]
enum Glob {
    Literal(u8),
    /// `?` or a `[...]` class: exactly one character.
    One,
    /// `*`: any run.
    Any,
}

const MAX_GLOB: usize = 512;

/// Whether some string the glob `pattern` matches contains `needle`.
fn glob_contains(pattern: &str, needle: &str) -> bool {
    let b = pattern.as_bytes();
    let mut globs = Vec::with_capacity(b.len().min(MAX_GLOB));
    let mut i = 0;
    while i < b.len() && globs.len() < MAX_GLOB {
        match b[i] {
            b'?' => globs.push(Glob::One),
            b'*' => globs.push(Glob::Any),
            b'[' => match b[i..].iter().position(|&c| c == b']') {
                Some(end) => {
                    globs.push(Glob::One);
                    i += end;
                }
                None => globs.push(Glob::Literal(b'[')),
            },
            c => globs.push(Glob::Literal(c)),
        }
        i += 1;
    }
    // reach[p]: the most needle characters matched literally by a match of
    // the needle so far that ends just before glob p (None: unreachable).
    let mut reach: Vec<Option<usize>> = vec![Some(0); globs.len() + 1];
    for &c in needle.as_bytes() {
        for p in 0..globs.len() {
            if globs[p] == Glob::Any && reach[p] > reach[p + 1] {
                reach[p + 1] = reach[p];
            }
        }
        let mut next: Vec<Option<usize>> = vec![None; globs.len() + 1];
        for p in 0..globs.len() {
            let Some(literal) = reach[p] else { continue };
            // Like the shell, wildcards never match a directory separator.
            let (to, gained) = match globs[p] {
                Glob::Literal(x) if x == c => (p + 1, 1),
                Glob::One if c != b'/' => (p + 1, 0),
                Glob::Any if c != b'/' => (p, 0),
                _ => continue,
            };
            next[to] = next[to].max(Some(literal + gained));
        }
        reach = next;
    }
    // Wildcards may stand for a few characters, not for the file name itself.
    reach
        .iter()
        .flatten()
        .any(|&literal| literal * 2 >= needle.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(s: &str, in_path: bool) -> bool {
        let mut hits = Vec::new();
        detect(s, in_path, &mut hits);
        hits.iter().any(|h| h.score >= 5.0)
    }

    #[test]
    fn catches_climbs_and_sensitive_files() {
        assert!(fires("../../../etc/passwd", false));
        assert!(fires(".../.../WINDOWS/win.ini", false));
        assert!(fires("/etc/passwd", false));
        assert!(fires("..\\..\\boot.ini", false));
        assert!(fires("/.git/config", true));
        assert!(fires("/get/proc/interrupts", true));
        assert!(fires("/etc/[!q]asswd", false));
        assert!(fires("/et*/pa??wd", false));
        assert!(!fires("/docs/[draft]/*.md", false));
        assert!(fires("C:/Windows/System32/drivers/etc/hosts", false));
        assert!(fires("C:\\Windows\\System32\\config\\SAM", false));
        assert!(fires("/etc/ssl/private/server.key", false));
        assert!(fires(
            "/var/run/secrets/kubernetes.io/serviceaccount/token",
            false
        ));
        assert!(fires("..;/..;/WEB-INF/web.xml", false));
    }

    #[test]
    fn stays_quiet_on_ordinary_paths() {
        assert!(!fires("/er/Mann/schauen.json", false));
        assert!(!fires("/api/v1/users/42/files", true));
        assert!(!fires("docs/passwd-policy.md", false));
        assert!(!fires("Wait... what?", false));
        assert!(!fires("C:/Users/ann/Documents/report.docx", false));
        assert!(!fires("windows/system32 is where the DLLs live", false));
    }
}
