//! A unified line diff between two versions of the configuration, for the
//! policy history. The longest common subsequence is computed on what is
//! left once the common head and tail are cut off, and only while that
//! table stays under [`MAX_CELLS`]; past it (two large, wholly different
//! files) the middle is shown as removed then added, which is still a
//! correct diff, only a longer one.

use std::fmt::Write as _;

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;
/// The largest LCS table computed (4 bytes a cell: 16 MiB).
const MAX_CELLS: usize = 4 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The diff from `before` to `after` in unified format (`@@ -a,b +c,d @@`
/// hunks, no file header); empty when they are the same.
pub fn unified(before: &str, after: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let ops = edit_script(&old, &new);
    render(&ops, &old, &new)
}

/// Each line of both texts as kept, removed or added, in order.
fn edit_script(old: &[&str], new: &[&str]) -> Vec<Op> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_mid, new_mid) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut ops = vec![Op::Same; head];
    ops.extend(middle(old_mid, new_mid));
    ops.extend(std::iter::repeat_n(Op::Same, tail));
    ops
}

fn middle(old: &[&str], new: &[&str]) -> Vec<Op> {
    let (n, m) = (old.len(), new.len());
    if n.saturating_mul(m) > MAX_CELLS || n == 0 || m == 0 {
        let mut ops = vec![Op::Removed; n];
        ops.extend(std::iter::repeat_n(Op::Added, m));
        return ops;
    }
    // lengths[i * width + j]: the LCS length of old[i..] and new[j..].
    let width = m + 1;
    let mut lengths = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i * width + j] = if old[i] == new[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            ops.push(Op::Same);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lengths[i * width + j + 1] > lengths[(i + 1) * width + j]) {
            ops.push(Op::Added);
            j += 1;
        } else {
            ops.push(Op::Removed);
            i += 1;
        }
    }
    ops
}

/// Groups the script into hunks with [`CONTEXT`] lines around changes.
fn render(ops: &[Op], old: &[&str], new: &[&str]) -> String {
    // Position of each op in the old and new texts.
    let mut positions = Vec::with_capacity(ops.len());
    let (mut i, mut j) = (0, 0);
    for op in ops {
        positions.push((i, j));
        match op {
            Op::Same => {
                i += 1;
                j += 1;
            }
            Op::Removed => i += 1,
            Op::Added => j += 1,
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k] != Op::Same).collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 2 * CONTEXT + 1 {
            end = changed[k];
            k += 1;
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let (old_start, new_start) = positions[start];
        let old_count = ops[start..end]
            .iter()
            .filter(|op| **op != Op::Added)
            .count();
        let new_count = ops[start..end]
            .iter()
            .filter(|op| **op != Op::Removed)
            .count();
        let _ = writeln!(
            out,
            "@@ -{},{old_count} +{},{new_count} @@",
            old_start + usize::from(old_count > 0),
            new_start + usize::from(new_count > 0)
        );
        for (op, &(i, j)) in ops[start..end].iter().zip(&positions[start..end]) {
            let _ = match op {
                Op::Same => writeln!(out, " {}", old[i]),
                Op::Removed => writeln!(out, "-{}", old[i]),
                Op::Added => writeln!(out, "+{}", new[j]),
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n"), "");
        assert_eq!(unified("", ""), "");
    }

    #[test]
    fn a_changed_line_shows_with_its_context() {
        let before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(before, after),
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn distant_changes_make_two_hunks_and_additions_at_the_start_count_from_one() {
        let before: String = (1..=20).map(|n| format!("{n}\n")).collect();
        let after = format!("0\n{}", before.replace("15\n", ""));
        let diff = unified(&before, &after);
        assert!(
            diff.starts_with("@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"),
            "{diff}"
        );
        assert!(
            diff.contains("@@ -12,7 +13,6 @@\n 12\n 13\n 14\n-15\n 16\n"),
            "{diff}"
        );
        assert_eq!(unified("", "a\n"), "@@ -0,0 +1,1 @@\n+a\n");
    }

    #[test]
    fn huge_wholly_different_texts_fall_back_to_remove_then_add() {
        let before: String = (0..3000).map(|n| format!("a{n}\n")).collect();
        let after: String = (0..3000).map(|n| format!("b{n}\n")).collect();
        let diff = unified(&before, &after);
        assert_eq!(diff.lines().filter(|l| l.starts_with('-')).count(), 3000);
        assert_eq!(diff.lines().filter(|l| l.starts_with('+')).count(), 3000);
    }
}
