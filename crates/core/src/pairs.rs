//! Key-value pairs sorted by key where a later value replaces an earlier
//! one with the same key, as inserting into a map would: JSON objects with
//! repeated names (record headers) and the discovery inventory's compact
//! maps both need it.

/// Sorts the pairs by key and keeps, of equal keys, the last value given.
pub fn sort_keeping_last<K: Ord, V>(entries: &mut Vec<(K, V)>) {
    // A stable sort keeps equal keys in the order they came.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    // `dedup_by` keeps the first of equal neighbours: hand it the later value.
    entries.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(&mut later.1, &mut kept.1);
        }
        same
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_value_of_a_key_wins() {
        let mut pairs = vec![("b", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5)];
        sort_keeping_last(&mut pairs);
        assert_eq!(pairs, [("a", 4), ("b", 3), ("c", 5)]);
    }
}
