//! The event sink on real files: what is sent reaches the JSON-lines file and
//! the SQLite store, a file that refuses writes is counted, and start-up
//! errors name the path.

mod common;

use common::sample_events;
use rampart_core::SecurityEvent;
use rampart_store::{EventSink, SinkConfig, SinkError, SinkStats, Store};
use std::path::Path;
use std::time::Duration;

/// Only a hung writer reaches it; no assertion depends on timing.
const DEADLINE: Duration = Duration::from_secs(30);

fn config(jsonl: Option<&Path>, store: Option<&Path>) -> SinkConfig {
    SinkConfig {
        jsonl_path: jsonl.map(Path::to_path_buf),
        store_path: store.map(Path::to_path_buf),
        capacity: 1024,
        batch_size: 7,
        batch_linger: Duration::from_millis(5),
        retain_events: None,
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
    let stored = Store::open(&db).expect("store reopens");
    let mut from_store = stored.recent_events(100).expect("read");
    from_store.reverse();
    assert_eq!(from_store, events);
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
    let stored = Store::open(&db).expect("store reopens");
    let mut kept = stored.recent_events(100).expect("read");
    kept.reverse();
    assert_eq!(kept, events[15..]);
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
