//! The SQLite store on real files: events and snapshots survive a reopen,
//! the schema is migrated once, and errors name the file.

mod common;

use common::{sample_event, sample_events};
use rampart_store::{Store, StoreError};
use tempfile::TempDir;

fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("rampart.db")).expect("store opens");
    (dir, store)
}

fn newest_first(events: &[rampart_core::SecurityEvent]) -> Vec<rampart_core::SecurityEvent> {
    events.iter().rev().cloned().collect()
}

#[test]
fn events_round_trip_newest_first() {
    let (_dir, mut store) = temp_store();
    let events = sample_events(10);
    store.insert_events(&events[..4]).expect("insert");
    store.insert_events(&events[4..]).expect("insert");
    assert_eq!(store.event_count().expect("count"), 10);
    assert_eq!(
        store.recent_events(100).expect("read"),
        newest_first(&events)
    );
    assert_eq!(
        store.recent_events(3).expect("read"),
        newest_first(&events[7..])
    );
    assert_eq!(store.recent_events(0).expect("read"), Vec::new());
}

#[test]
fn events_filter_by_client_ip() {
    let (_dir, mut store) = temp_store();
    let events = sample_events(9);
    store.insert_events(&events).expect("insert");
    let from_v6 = store.events_from_client("2001:db8::7", 100).expect("read");
    let expected: Vec<_> = newest_first(&events)
        .into_iter()
        .filter(|e| e.client_ip == "2001:db8::7")
        .collect();
    assert_eq!(expected.len(), 4);
    assert_eq!(from_v6, expected);
    assert_eq!(
        store.events_from_client("2001:db8::7", 1).expect("read"),
        expected[..1]
    );
    assert!(store
        .events_from_client("192.0.2.1' OR '1'='1", 100)
        .expect("read")
        .is_empty());
}

#[test]
fn events_with_equal_times_come_back_in_reverse_insertion_order() {
    let (_dir, mut store) = temp_store();
    let mut events = sample_events(3);
    for event in &mut events {
        event.time = "2024-01-01T00:00:00.000Z".to_string();
    }
    store.insert_events(&events).expect("insert");
    assert_eq!(
        store.recent_events(10).expect("read"),
        newest_first(&events)
    );
}

#[test]
fn non_finite_scores_read_back_as_nan() {
    let (_dir, mut store) = temp_store();
    let mut event = sample_event(1);
    event.score = f64::NAN;
    event.reasons[0].score = f64::INFINITY;
    store.insert_events(&[event]).expect("insert");
    let read = store.recent_events(1).expect("read");
    assert!(read[0].score.is_nan());
    assert!(read[0].reasons[0].score.is_nan());
    assert_eq!(read[0].reasons[1].score, 0.25);
}

#[test]
fn reason_scores_read_back_exactly() {
    // serde_json's default float parser reads this one ulp off (fuzz finding).
    let (_dir, mut store) = temp_store();
    let mut event = sample_event(1);
    event.reasons[0].score = 2.380_046_689_821_613_8e-306;
    event.reasons[1].score = 0.1 + 0.2;
    store.insert_events(&[event.clone()]).expect("insert");
    assert_eq!(store.recent_events(1).expect("read"), [event]);
}

#[test]
fn reopened_store_keeps_events_and_snapshots_and_migrates_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rampart.db");
    let events = sample_events(5);
    let version = {
        let mut store = Store::open(&path).expect("store opens");
        store.insert_events(&events).expect("insert");
        store
            .put_snapshot("inventory", 3, r#"{"endpoints":[]}"#)
            .expect("put");
        store.schema_version().expect("version")
    };
    assert!(version >= 2);
    for _ in 0..2 {
        let store = Store::open(&path).expect("store reopens");
        assert_eq!(store.schema_version().expect("version"), version);
        assert_eq!(
            store.recent_events(10).expect("read"),
            newest_first(&events)
        );
        assert_eq!(
            store.get_snapshot("inventory").expect("get"),
            Some((3, r#"{"endpoints":[]}"#.to_string()))
        );
    }
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    let (steps, distinct): (u32, u32) = raw
        .query_row(
            "SELECT count(*), count(DISTINCT version) FROM schema_migrations",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("migrations table");
    assert_eq!((steps, distinct), (version, version));
    let journal_mode: String = raw
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("journal mode");
    assert_eq!(journal_mode, "wal");
}

#[test]
fn a_store_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rampart.db");
    let version = Store::open(&path)
        .and_then(|store| store.schema_version())
        .expect("store opens");
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    raw.execute(
        "INSERT INTO schema_migrations (version, name) VALUES (?1, 'from the future')",
        (version + 1,),
    )
    .expect("insert");
    match Store::open(&path) {
        Err(error @ StoreError::NewerSchema { .. }) => {
            let message = error.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(
                message.contains(&format!("version {}", version + 1)),
                "{message}"
            );
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

#[test]
fn open_errors_name_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing_dir = dir.path().join("no-such-dir").join("rampart.db");
    let error = Store::open(&missing_dir).expect_err("parent directory is missing");
    assert!(matches!(error, StoreError::Open { .. }));
    assert!(
        error
            .to_string()
            .contains(&missing_dir.display().to_string()),
        "{error}"
    );

    let not_sqlite = dir.path().join("notes.txt");
    std::fs::write(
        &not_sqlite,
        "this is not a database, it is a shopping list\n".repeat(50),
    )
    .expect("write");
    let error = Store::open(&not_sqlite).expect_err("not a database");
    assert!(
        error
            .to_string()
            .contains(&not_sqlite.display().to_string()),
        "{error}"
    );
}

#[test]
fn snapshots_put_get_and_overwrite() {
    let (_dir, store) = temp_store();
    assert_eq!(store.get_snapshot("inventory").expect("get"), None);
    store.put_snapshot("inventory", 1, "[1,2,3]").expect("put");
    store
        .put_snapshot("policy", 7, r#"{"rules":{}}"#)
        .expect("put");
    store
        .put_snapshot("inventory", 2, r#"{"v":"two"}"#)
        .expect("overwrite");
    assert_eq!(
        store.get_snapshot("inventory").expect("get"),
        Some((2, r#"{"v":"two"}"#.to_string()))
    );
    assert_eq!(
        store.get_snapshot("policy").expect("get"),
        Some((7, r#"{"rules":{}}"#.to_string()))
    );
}

#[test]
fn snapshots_refuse_invalid_json_and_keep_the_previous_one() {
    let (_dir, store) = temp_store();
    store.put_snapshot("inventory", 1, "{}").expect("put");
    let error = store
        .put_snapshot("inventory", 2, "{not json")
        .expect_err("invalid JSON");
    assert!(error.to_string().contains("put_snapshot"), "{error}");
    assert_eq!(
        store.get_snapshot("inventory").expect("get"),
        Some((1, "{}".to_string()))
    );
}

#[test]
fn prune_keeps_the_newest_events() {
    let (_dir, mut store) = temp_store();
    let events = sample_events(10);
    store.insert_events(&events).expect("insert");
    assert_eq!(store.prune_events(20).expect("prune"), 0);
    assert_eq!(store.prune_events(4).expect("prune"), 6);
    assert_eq!(
        store.recent_events(100).expect("read"),
        newest_first(&events[6..])
    );
    assert_eq!(store.prune_events(0).expect("prune"), 4);
    assert_eq!(store.event_count().expect("count"), 0);
}

#[test]
fn damaged_reasons_are_reported_with_the_request_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rampart.db");
    let mut store = Store::open(&path).expect("store opens");
    store.insert_events(&[sample_event(1)]).expect("insert");
    rusqlite::Connection::open(&path)
        .and_then(|raw| raw.execute("UPDATE events SET reasons = '[{\"source\":1}]'", []))
        .expect("damage the row");
    let error = store.recent_events(1).expect_err("reasons are damaged");
    assert!(matches!(
        error,
        StoreError::EventJson {
            column: "reasons",
            ..
        }
    ));
    assert!(error.to_string().contains("req-0001"), "{error}");

    let score_as_text = r#"[{"source":"s","location":"l","evidence":"e","score":"4.5"}]"#;
    rusqlite::Connection::open(&path)
        .and_then(|raw| raw.execute("UPDATE events SET reasons = ?1", (score_as_text,)))
        .expect("damage the row");
    let error = store
        .recent_events(1)
        .expect_err("a score must be a number");
    assert!(
        matches!(
            error,
            StoreError::EventJson {
                column: "reasons",
                ..
            }
        ),
        "{error}"
    );
}
