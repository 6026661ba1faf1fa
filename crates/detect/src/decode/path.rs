//! Path normalisation: what a file system would make of a path.
//!
//! Backslashes become slashes, `.` segments and empty segments go, and `..`
//! pops a segment. How many `..` climbed above the starting point is counted:
//! that is what traversal is.

/// A normalised path and how far it climbed above where it started.
#[derive(Debug, PartialEq, Eq)]
pub struct Normalized {
    pub path: String,
    pub escapes: usize,
}

/// Normalises `input` (already percent-decoded).
pub fn normalize(input: &str) -> Normalized {
    let unified = input.replace('\\', "/");
    let absolute = unified.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    let mut escapes = 0;
    for segment in unified.split('/') {
        let trimmed = segment.trim_end_matches(['.', ' ']);
        match segment {
            "" | "." => {}
            _ if trimmed.is_empty() && segment.len() >= 2 => {
                // `..`, `...`, `.. ` all climb on some platform.
                if segments.pop().is_none() {
                    escapes += 1;
                }
            }
            _ => segments.push(segment),
        }
    }
    let mut path = String::with_capacity(unified.len());
    if absolute {
        path.push('/');
    }
    path.push_str(&segments.join("/"));
    Normalized { path, escapes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_dots_and_counts_escapes() {
        let n = normalize("/a/./b/../c//d");
        assert_eq!(n.path, "/a/c/d");
        assert_eq!(n.escapes, 0);
        let n = normalize("..\\..\\windows\\win.ini");
        assert_eq!(n.path, "windows/win.ini");
        assert_eq!(n.escapes, 2);
        assert_eq!(normalize(".../.../etc/passwd").escapes, 2);
    }
}
