//! The event sink on real files: what is sent reaches the JSON-lines file and
//! the SQLite store, a file that refuses writes is counted, and start-up
//! errors name the path.

mod common;

use common::{sample_event, sample_events};
use rampart_core::event::rfc3339_millis;
use rampart_core::{ManualClock, SecurityEvent};
use rampart_store::{EventSink, SinkConfig, SinkError, SinkStats, Store};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Only a hung writer reaches it; no assertion depends on timing.
const DEADLINE: Duration = Duration::from_secs(30);

fn config(jsonl: Option<&Path>, store: Option<&Path>) -> SinkConfig {
    SinkConfig {
        jsonl_path: jsonl.map(Path::to_path_buf),
        store_path: store.map(Path::to_path_buf),
        capacity: 1024,
        batch_size: 7,
        drain_interval: Duration::from_millis(5),
        ..SinkConfig::default()
    }
}

/// Runs a sink over `events`, all accepted, until it has drained.
fn run_sink(config: SinkConfig, events: &[SecurityEvent]) -> SinkStats {
    let (sink, sender) = EventSink::start(config).expect("sink starts");
    for event in events {
        assert!(sender.send(event.clone()));
    }
    drop(sender);
    let report = sink.shutdown(DEADLINE);
    assert!(report.drained);
    report.stats
}

/// Every stored event, oldest first.
fn stored_in_order(db: &Path) -> Vec<SecurityEvent> {
    let stored = Store::open(db).expect("store reopens");
    let mut events = stored.recent_events(usize::MAX).expect("read");
    events.reverse();
    events
}

fn jsonl_values(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("read event log")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect()
}

fn as_json(events: &[SecurityEvent]) -> Vec<serde_json::Value> {
    events
        .iter()
        .map(|e| serde_json::to_value(e).expect("encode"))
        .collect()
}

#[test]
fn events_reach_the_jsonl_file_and_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("events.jsonl");
    let db = dir.path().join("rampart.db");
    let events = sample_events(50);
    let stats = run_sink(config(Some(&jsonl), Some(&db)), &events);
    assert_eq!(stats.written, 50);
    assert_eq!(stats.received, 50);
    assert_eq!((stats.dropped, stats.write_errors), (0, 0));

    // Newlines and U+2028 inside fields stay escaped: one event per line.
    assert_eq!(jsonl_values(&jsonl), as_json(&events));
    assert_eq!(stored_in_order(&db), events);
}

#[test]
fn the_jsonl_file_is_appended_to_across_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("events.jsonl");
    std::fs::write(&jsonl, "{\"earlier\":true}\n").expect("write");
    let events = sample_events(6);
    for run in [&events[..2], &events[2..]] {
        assert_eq!(
            run_sink(config(Some(&jsonl), None), run).written,
            run.len() as u64
        );
    }
    let mut expected = vec![serde_json::json!({"earlier": true})];
    expected.extend(as_json(&events));
    assert_eq!(jsonl_values(&jsonl), expected);
}

#[test]
fn the_store_keeps_only_the_newest_events_when_retention_is_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("rampart.db");
    let mut settings = config(None, Some(&db));
    settings.retain_events = Some(5);
    let events = sample_events(20);
    let stats = run_sink(settings, &events);
    assert_eq!((stats.written, stats.pruned), (20, 15));
    assert_eq!(stored_in_order(&db), events[15..]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_that_refuses_writes_is_counted_and_the_store_still_gets_events() {
    // /dev/full opens for appending and fails every write with ENOSPC.
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("rampart.db");
    let stats = run_sink(
        config(Some(Path::new("/dev/full")), Some(&db)),
        &sample_events(30),
    );
    assert_eq!(stats.received, 30);
    assert_eq!(stats.write_errors, 30);
    assert_eq!(stats.written, 0);
    let stored = Store::open(&db).expect("store reopens");
    assert_eq!(stored.event_count().expect("count"), 30);
}

#[test]
fn start_errors_name_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad_jsonl = dir.path().join("missing").join("events.jsonl");
    let error = EventSink::start(config(Some(&bad_jsonl), None)).expect_err("no such directory");
    assert!(matches!(error, SinkError::OpenJsonl { .. }));
    assert!(
        error.to_string().contains(&bad_jsonl.display().to_string()),
        "{error}"
    );

    // A directory cannot be appended to either.
    let error = EventSink::start(config(Some(dir.path()), None)).expect_err("a directory");
    assert!(
        error
            .to_string()
            .contains(&dir.path().display().to_string()),
        "{error}"
    );

    let bad_db = dir.path().join("missing").join("rampart.db");
    let error = EventSink::start(config(None, Some(&bad_db))).expect_err("no such directory");
    assert!(matches!(error, SinkError::Store(_)));
    assert!(
        error.to_string().contains(&bad_db.display().to_string()),
        "{error}"
    );

    let error = EventSink::start(config(None, None)).expect_err("no output");
    assert!(matches!(error, SinkError::NoOutput));
}

#[cfg(unix)]
#[test]
fn a_new_jsonl_file_is_not_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("events.jsonl");
    let (sink, _sender) = EventSink::start(config(Some(&jsonl), None)).expect("sink starts");
    let mode = std::fs::metadata(&jsonl)
        .expect("file exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o007, 0, "mode {mode:o}");
    assert!(sink.shutdown(DEADLINE).drained);
}

#[test]
fn the_jsonl_file_rotates_by_size_and_keeps_a_bounded_number_of_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("events.jsonl");
    let mut settings = config(Some(&jsonl), None);
    settings.jsonl_max_bytes = Some(8_000);
    settings.jsonl_max_files = 2;
    let events = sample_events(300);
    let stats = run_sink(settings, &events);
    assert_eq!(stats.written, 300);
    assert!(stats.rotations >= 3, "{stats:?}");
    let rotated = |n: usize| dir.path().join(format!("events.jsonl.{n}"));
    assert!(!rotated(3).exists(), "only two rotated files are kept");
    let mut kept = Vec::new();
    for path in [rotated(2), rotated(1), jsonl.clone()] {
        let size = std::fs::metadata(&path).expect("kept file").len();
        assert!(size <= 8_000, "{} has {size} bytes", path.display());
        kept.extend(jsonl_values(&path));
    }
    // The kept files hold the newest events, in order, each line whole.
    assert!(!kept.is_empty() && kept.len() < 300);
    assert_eq!(kept, as_json(&events[300 - kept.len()..]));
}

#[test]
fn the_store_forgets_events_older_than_its_age_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("rampart.db");
    let mut settings = config(None, Some(&db));
    // Sample event n is at 1_700_000_000_000 + n seconds.
    settings.clock = Arc::new(ManualClock::at(1_700_000_020_000));
    settings.max_age = Some(Duration::from_secs(5));
    let events = sample_events(20);
    let stats = run_sink(settings, &events);
    assert_eq!((stats.written, stats.pruned), (20, 15));
    assert_eq!(stored_in_order(&db), events[15..]);
}

#[test]
fn the_store_stays_within_its_size_keeping_the_newest_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("rampart.db");
    let mut settings = config(None, Some(&db));
    let max_bytes = 256 * 1024;
    settings.max_store_bytes = Some(max_bytes);
    settings.capacity = 8_192;
    let events = sample_events(4_000);
    let stats = run_sink(settings, &events);
    assert_eq!(stats.written, 4_000);
    assert!(stats.pruned > 1_000, "{stats:?}");
    let stored = Store::open(&db).expect("store reopens");
    assert!(stored.used_bytes().expect("size") <= max_bytes);
    let newest = stored.recent_events(1).expect("read");
    assert_eq!(newest, events[3_999..]);
}

#[test]
fn a_flood_of_identical_events_is_written_as_its_first_and_one_with_a_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("events.jsonl");
    let db = dir.path().join("rampart.db");
    let mut settings = config(Some(&jsonl), Some(&db));
    settings.aggregate_window = Duration::from_secs(60);
    settings.clock = Arc::new(ManualClock::at(1_700_000_000_000));
    let flood: Vec<SecurityEvent> = (0..500)
        .map(|n| {
            let mut event = sample_event(1);
            event.request_id = format!("flood-{n}");
            event.time = rfc3339_millis(1_700_000_000_000 + n);
            event
        })
        .collect();
    let stats = run_sink(settings, &flood);
    assert_eq!((stats.received, stats.written, stats.folded), (500, 2, 498));
    let lines = jsonl_values(&jsonl);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["request_id"], "flood-0");
    assert!(lines[0].get("count").is_none(), "{}", lines[0]);
    assert_eq!(lines[1]["request_id"], "flood-1");
    assert_eq!(lines[1]["count"], 499);
    assert_eq!(lines[1]["first_time"], rfc3339_millis(1_700_000_000_001));
    let stored = Store::open(&db).expect("store reopens");
    let newest = &stored.recent_events(1).expect("read")[0];
    assert_eq!(newest.repeats.as_ref().map(|r| r.count), Some(499));
}
