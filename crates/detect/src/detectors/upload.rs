//! File names that announce an upload of executable code or of a file the
//! server reads as configuration: multipart file names and the `X-Filename`
//! family of headers some upload APIs use.

use super::Hit;

const EXECUTABLE: &[&str] = &[
    ".php", ".php3", ".php4", ".php5", ".php7", ".phtml", ".phar", ".pht", ".phps", ".jsp",
    ".jspx", ".jsw", ".jsv", ".jspf", ".phpt", ".inc", ".asp", ".aspx", ".ashx", ".asmx", ".cer",
    ".asa", ".cgi", ".pl", ".war", ".shtml", ".sh",
];
const CONFIG_NAMES: &[&str] = &[
    ".htaccess",
    ".htpasswd",
    "web.config",
    ".user.ini",
    "php.ini",
    "settings.php",
    "wp-config.php",
    "config.yml",
    "config.yaml",
    "application.yml",
    "application.properties",
    ".env",
    "authorized_keys",
    "crontab",
    ".bashrc",
    ".profile",
    "docker-compose.yml",
    "settings.py",
    "local_settings.py",
    "config.php",
    "configuration.php",
];

/// Looks at a file name a client asks the server to store.
pub fn detect(name: &str, hits: &mut Vec<Hit>) {
    // `photo. php`, `a.php.....`: Windows and some servers drop the spaces and dots.
    let lower: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let lower = lower.trim_end_matches('.');
    let base = lower.rsplit(['/', '\\']).next().unwrap_or(lower);
    if base.starts_with("sess_") {
        hits.push(Hit::new("php.session_file_upload", 5.0, 0.85, 1));
    } else if CONFIG_NAMES.contains(&base) || base.starts_with("wp-config") {
        hits.push(Hit::new("cmdi.config_file_upload", 5.0, 0.8, 1));
    } else if let Some(ext) = EXECUTABLE.iter().find(|e| {
        base.ends_with(*e)
            || base.contains(&format!("{e}."))
            || (e.starts_with(".ph") || e.starts_with(".js") || e.starts_with(".as"))
                && base.contains(*e)
    }) {
        let rule = if ext.starts_with(".php") || ext.starts_with(".ph") {
            "php.script_upload"
        } else if ext.starts_with(".js") || *ext == ".war" {
            "java.script_upload"
        } else {
            "cmdi.script_upload"
        };
        hits.push(Hit::new(rule, 5.0, 0.85, 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_scripts_and_config_names() {
        let fires = |s: &str| {
            let mut h = Vec::new();
            detect(s, &mut h);
            !h.is_empty()
        };
        assert!(fires("a.php"));
        assert!(fires("B.JSP"));
        assert!(fires("/tmp/sess_abc123"));
        assert!(fires("shell.php.jpg"));
        assert!(fires(".htaccess"));
        assert!(!fires("holiday.jpg"));
        assert!(!fires("report.pdf"));
    }
}
