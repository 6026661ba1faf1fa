//! A bounded walk over a MaxMind DB file's structure, run before the
//! `maxminddb` reader ever sees it.
//!
//! The reader decodes values recursively and follows pointers without a
//! limit: a file whose metadata or records point back at themselves, or nest
//! deeply, overflows the stack (found by the `geo_database` fuzz target), and
//! a stack overflow aborts the process, which no `catch_unwind` can contain.
//! So every value the reader could decode is walked here first, iteratively
//! bounded: the metadata map, and every data record a search-tree leaf
//! points at. A value nests at most [`MAX_DEPTH`] deep, a pointer may not
//! point at a pointer (the format forbids it), and everything stays inside
//! its section.

use std::collections::HashSet;

/// The metadata starts after the last copy of this marker.
const METADATA_MARKER: &[u8] = b"\xab\xcd\xefMaxMind.com";
/// The marker is searched for in this many bytes at the end of the file.
const METADATA_SEARCH_BYTES: usize = 128 * 1024;
/// The search tree and the data section are separated by 16 zero bytes.
const DATA_SEPARATOR_BYTES: usize = 16;
/// The deepest nesting of maps, arrays and pointers accepted; real
/// databases nest 4 or 5 deep.
pub const MAX_DEPTH: u32 = 32;

/// Where the metadata section starts, after the marker.
pub(super) fn metadata_start(bytes: &[u8]) -> Result<usize, String> {
    let from = bytes.len().saturating_sub(METADATA_SEARCH_BYTES);
    bytes[from..]
        .windows(METADATA_MARKER.len())
        .rposition(|window| window == METADATA_MARKER)
        .map(|at| from + at + METADATA_MARKER.len())
        .ok_or_else(|| "no metadata marker".to_string())
}

/// Walks the metadata map.
pub(super) fn check_metadata(bytes: &[u8]) -> Result<(), String> {
    let section = &bytes[metadata_start(bytes)?..];
    walk(section, 0, 0)
        .map(|_| ())
        .map_err(|e| format!("metadata: {e}"))
}

/// The shape of the search tree, from the (already checked) metadata.
pub(super) struct Tree {
    pub node_count: u32,
    pub record_size: u16,
}

/// Walks every data record a leaf of the search tree points at, once each.
pub(super) fn check_records(bytes: &[u8], tree: &Tree) -> Result<(), String> {
    let node_bytes = usize::from(tree.record_size) / 4;
    let tree_bytes = (tree.node_count as usize)
        .checked_mul(node_bytes)
        .ok_or("search tree size overflows")?;
    let data_start = tree_bytes + DATA_SEPARATOR_BYTES;
    let marker_at = metadata_start(bytes)? - METADATA_MARKER.len();
    let data = bytes
        .get(data_start..marker_at)
        .ok_or("the data section is missing")?;
    let node_count = u64::from(tree.node_count);
    let mut seen = HashSet::new();
    let nodes = bytes
        .get(..tree_bytes)
        .ok_or("the search tree is cut short")?;
    for node in nodes.chunks_exact(node_bytes) {
        for record in records(node, tree.record_size) {
            if record <= node_count {
                continue;
            }
            let offset = (record - node_count)
                .checked_sub(DATA_SEPARATOR_BYTES as u64)
                .ok_or("a record points into the separator")?;
            if seen.insert(offset) {
                let offset = usize::try_from(offset).map_err(|_| "record offset too large")?;
                walk(data, offset, 0).map_err(|e| format!("record at {offset}: {e}"))?;
            }
        }
    }
    Ok(())
}

/// The two records of one node.
fn records(node: &[u8], record_size: u16) -> [u64; 2] {
    let be = |bytes: &[u8]| bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
    match record_size {
        24 => [be(&node[0..3]), be(&node[3..6])],
        28 => [
            (u64::from(node[3] & 0xf0) << 20) | be(&node[0..3]),
            (u64::from(node[3] & 0x0f) << 24) | be(&node[4..7]),
        ],
        _ => [be(&node[0..4]), be(&node[4..8])],
    }
}

/// Walks the value at `offset` in `section`; returns where it ends.
fn walk(section: &[u8], offset: usize, depth: u32) -> Result<usize, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} deep"));
    }
    let byte = |at: usize| {
        section
            .get(at)
            .copied()
            .ok_or_else(|| format!("value at {at} runs past its section"))
    };
    let control = byte(offset)?;
    let mut at = offset + 1;
    let mut kind = control >> 5;
    if kind == 1 {
        let (target, end) = pointer(section, control, at)?;
        if byte(target)? >> 5 == 1 {
            return Err(format!("pointer at {offset} points at a pointer"));
        }
        walk(section, target, depth + 1)?;
        return Ok(end);
    }
    if kind == 0 {
        kind = byte(at)?.checked_add(7).ok_or("unknown extended type")?;
        at += 1;
    }
    let (size, at) = size(section, control, at)?;
    let end = |length: usize| {
        let end = at.checked_add(length).ok_or("size overflows")?;
        if end > section.len() {
            return Err(format!("value at {offset} runs past its section"));
        }
        Ok(end)
    };
    match kind {
        2 | 4 => end(size),
        3 if size == 8 => end(8),
        15 if size == 4 => end(4),
        5 | 6 | 8 | 9 | 10 if size <= kind_width(kind) => end(size),
        14 if size <= 1 => Ok(at),
        7 => {
            let mut next = at;
            for _ in 0..size {
                next = walk(section, next, depth + 1)?;
                next = walk(section, next, depth + 1)?;
            }
            Ok(next)
        }
        11 => {
            let mut next = at;
            for _ in 0..size {
                next = walk(section, next, depth + 1)?;
            }
            Ok(next)
        }
        other => Err(format!(
            "value at {offset}: type {other} with size {size} is not valid"
        )),
    }
}

/// The widest payload of an integer type, in bytes.
fn kind_width(kind: u8) -> usize {
    match kind {
        5 => 2,
        6 | 8 => 4,
        9 => 8,
        _ => 16,
    }
}

/// A value's size from its control byte and the bytes after it.
fn size(section: &[u8], control: u8, at: usize) -> Result<(usize, usize), String> {
    let short = usize::from(control & 0x1f);
    let extra = match short {
        0..=28 => return Ok((short, at)),
        29 => 1,
        30 => 2,
        _ => 3,
    };
    let bytes = section
        .get(at..at + extra)
        .ok_or("a size runs past its section")?;
    let value = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    let base = match short {
        29 => 29,
        30 => 285,
        _ => 65_821,
    };
    Ok((base + value, at + extra))
}

/// A pointer's target and where the pointer ends.
fn pointer(section: &[u8], control: u8, at: usize) -> Result<(usize, usize), String> {
    let width = usize::from((control >> 3) & 0x3) + 1;
    let bytes = section
        .get(at..at + width)
        .ok_or("a pointer runs past its section")?;
    let value = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    let high = usize::from(control & 0x7);
    let target = match width {
        1 => (high << 8) | value,
        2 => ((high << 16) | value) + 2048,
        3 => ((high << 24) | value) + 526_336,
        _ => value,
    };
    Ok((target, at + width))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A metadata section holding `value`.
    fn metadata(value: &[u8]) -> Vec<u8> {
        [METADATA_MARKER, value].concat()
    }

    #[test]
    fn well_formed_values_pass() {
        // {"a": [1, "xy"], "b": true}
        let value = [
            0xe2, 0x41, b'a', 0x02, 0x04, 0xa1, 0x01, 0x42, b'x', b'y', 0x41, b'b', 0x01, 0x07,
        ];
        assert_eq!(check_metadata(&metadata(&value)), Ok(()));
    }

    #[test]
    fn cycles_deep_nesting_and_overruns_are_refused() {
        // A map whose first key is a pointer to the map itself.
        let cycle = [0xe1, 0x20, 0x00, 0x41, b'x'];
        assert!(check_metadata(&metadata(&cycle)).is_err());
        // A pointer to a pointer.
        let chained = [0x20, 0x03, 0x00, 0x20, 0x00];
        assert!(check_metadata(&metadata(&chained))
            .unwrap_err()
            .contains("points at a pointer"));
        // 40 nested one-element arrays.
        let mut deep = Vec::new();
        for _ in 0..40 {
            deep.extend([0x01, 0x04]);
        }
        deep.push(0xa0);
        assert!(check_metadata(&metadata(&deep))
            .unwrap_err()
            .contains("deep"));
        // A string longer than what is left.
        let long = [0x45, b'a'];
        assert!(check_metadata(&metadata(&long))
            .unwrap_err()
            .contains("past"));
    }

    #[test]
    fn the_embedded_database_passes() {
        let bytes = include_bytes!("../../data/dbip-country.mmdb");
        check_metadata(bytes).unwrap();
    }

    #[test]
    fn a_record_that_loops_is_refused() {
        // One node (24-bit records) whose left record points at data offset
        // 0, where a map's first key points back at the map.
        let node_count = 1u64;
        let record = node_count + DATA_SEPARATOR_BYTES as u64;
        let mut file = Vec::new();
        file.extend(&record.to_be_bytes()[5..]);
        file.extend([0, 0, 1]);
        file.extend([0u8; DATA_SEPARATOR_BYTES]);
        file.extend([0xe1, 0x20, 0x00, 0x41, b'x']);
        file.extend(METADATA_MARKER);
        file.push(0xe0);
        let tree = Tree {
            node_count: 1,
            record_size: 24,
        };
        let error = check_records(&file, &tree).unwrap_err();
        assert!(error.contains("record at 0"), "{error}");
    }
}
