//! What every list shares: `limit` (default 50, at most 500; more is
//! clamped), an opaque `next_cursor` to pass back as `cursor` for the next
//! page (absent on the last page), and times given as RFC 3339
//! (`2026-12-06T14:00:00Z`) or as Unix milliseconds.

use crate::problem::Problem;
use serde::Serialize;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The page size asked for: default when absent, clamped to [`MAX_LIMIT`].
pub fn limit(asked: Option<usize>) -> Result<usize, Problem> {
    match asked {
        Some(0) => Err(Problem::bad_request("limit: expected at least 1")),
        Some(n) => Ok(n.min(MAX_LIMIT)),
        None => Ok(DEFAULT_LIMIT),
    }
}

/// A page of `rows` fetched with one row more than `limit`: the extra row
/// says there is a next page, which starts after the last row kept.
pub fn by_id<T>(mut rows: Vec<(i64, T)>, limit: usize) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = more
        .then(|| rows.last().map(|(id, _)| id.to_string()))
        .flatten();
    Page {
        items: rows.into_iter().map(|(_, item)| item).collect(),
        next_cursor,
    }
}

/// The id a keyset cursor names.
pub fn id_cursor(cursor: Option<&str>) -> Result<Option<i64>, Problem> {
    cursor
        .map(|c| {
            c.parse()
                .map_err(|_| Problem::bad_request("cursor: expected a next_cursor of this list"))
        })
        .transpose()
}

/// The position an offset cursor names.
pub fn offset_cursor(cursor: Option<&str>) -> Result<usize, Problem> {
    Ok(id_cursor(cursor)?.map_or(0, |n| n.max(0) as usize))
}

/// A page of everything in `items` from `offset`.
pub fn by_offset<T>(items: impl Iterator<Item = T>, offset: usize, limit: usize) -> Page<T> {
    let mut items: Vec<T> = items.skip(offset).take(limit + 1).collect();
    let more = items.len() > limit;
    items.truncate(limit);
    Page {
        next_cursor: more.then(|| (offset + limit).to_string()),
        items,
    }
}

/// A time parameter as Unix milliseconds.
pub fn time(name: &str, value: Option<&str>) -> Result<Option<u64>, Problem> {
    let Some(value) = value else { return Ok(None) };
    if let Ok(millis) = value.parse::<u64>() {
        return Ok(Some(millis));
    }
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| u64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok())
        .map(Some)
        .ok_or_else(|| {
            Problem::bad_request(format!(
                "{name}: expected an RFC 3339 time such as \"2026-12-06T14:00:00Z\" or Unix milliseconds, got {value:?}"
            ))
        })
}

/// Now, in Unix milliseconds.
pub fn now_millis() -> u64 {
    use rampart_core::Clock;
    rampart_core::SystemClock.now_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_rfc3339_or_millis() {
        assert_eq!(time("from", Some("1000")).unwrap(), Some(1000));
        assert_eq!(
            time("from", Some("1970-01-01T00:00:01.5Z")).unwrap(),
            Some(1500)
        );
        assert_eq!(
            time("from", Some("1970-01-01T01:00:00+01:00")).unwrap(),
            Some(0)
        );
        assert!(time("from", Some("yesterday")).is_err());
    }

    #[test]
    fn pages_say_whether_there_is_more() {
        let page = by_id(vec![(9, 'a'), (8, 'b'), (7, 'c')], 2);
        assert_eq!(page.items, vec!['a', 'b']);
        assert_eq!(page.next_cursor.as_deref(), Some("8"));
        let last = by_offset([1, 2, 3].into_iter(), 2, 2);
        assert_eq!(last.items, vec![3]);
        assert_eq!(last.next_cursor, None);
        assert_eq!(limit(Some(10_000)).unwrap(), MAX_LIMIT);
        assert!(limit(Some(0)).is_err());
    }
}
