//! Writer-thread behaviour that needs an output the test controls: a writer
//! held up mid-batch (to fill the queue deterministically) and an output that
//! always fails. Real files are covered in `tests/`.

use super::output::{EventOutput, OutputError};
use super::*;
use std::sync::mpsc::Sender;
use std::sync::Mutex;

/// How long a test waits for the writer thread before declaring it stuck.
/// Only a hang reaches it; no assertion depends on timing.
const STUCK: Duration = Duration::from_secs(30);

fn event(n: usize) -> SecurityEvent {
    SecurityEvent {
        time: format!("2024-05-01T00:00:{:02}.000Z", n % 60),
        request_id: format!("req-{n}"),
        client_ip: "192.0.2.7".to_string(),
        method: "GET".to_string(),
        host: "api.example".to_string(),
        path: "/users/1".to_string(),
        route: "users".to_string(),
        action: "block".to_string(),
        status: Some(403),
        reasons: Vec::new(),
        score: 5.0,
        repeats: None,
        bot: None,
        ja4: None,
    }
}

fn config(capacity: usize, batch_size: usize) -> SinkConfig {
    SinkConfig {
        capacity,
        batch_size,
        drain_interval: Duration::from_millis(1),
        ..SinkConfig::default()
    }
}

type Written = Arc<Mutex<Vec<String>>>;

/// Records the request ids it is given. When gated, it reports each batch
/// to the test's [`Gate`] and then waits for a permit before returning.
struct RecordingOutput {
    written: Written,
    gate: Option<(Sender<usize>, Receiver<()>)>,
}

impl RecordingOutput {
    fn open() -> (Box<dyn EventOutput>, Written) {
        let written = Written::default();
        let output = RecordingOutput {
            written: Arc::clone(&written),
            gate: None,
        };
        (Box::new(output), written)
    }

    fn gated() -> (Box<dyn EventOutput>, Written, Gate) {
        let written = Written::default();
        let (entered_tx, entered) = mpsc::channel();
        let (permits, permits_rx) = mpsc::channel();
        let output = RecordingOutput {
            written: Arc::clone(&written),
            gate: Some((entered_tx, permits_rx)),
        };
        (Box::new(output), written, Gate { entered, permits })
    }
}

impl EventOutput for RecordingOutput {
    fn write_batch(&mut self, events: &[SecurityEvent]) -> Result<(), OutputError> {
        if let Some((entered, permits)) = &self.gate {
            entered.send(events.len()).expect("test is listening");
            permits
                .recv_timeout(STUCK)
                .expect("test releases the writer");
        }
        let mut written = self.written.lock().expect("not poisoned");
        written.extend(events.iter().map(|e| e.request_id.clone()));
        Ok(())
    }
}

/// The test's side of a gated output.
struct Gate {
    entered: Receiver<usize>,
    permits: Sender<()>,
}

impl Gate {
    /// Waits until the writer is inside `write_batch`; returns the batch size.
    fn writer_entered(&self) -> usize {
        self.entered
            .recv_timeout(STUCK)
            .expect("writer reaches the output")
    }

    /// Lets the next `batches` batches through.
    fn release(&self, batches: usize) {
        for _ in 0..batches {
            self.permits.send(()).expect("writer is alive");
        }
    }
}

fn written_ids(written: &Written) -> Vec<String> {
    written.lock().expect("not poisoned").clone()
}

struct FailingOutput;

impl EventOutput for FailingOutput {
    fn write_batch(&mut self, _events: &[SecurityEvent]) -> Result<(), OutputError> {
        Err(OutputError::Io {
            path: PathBuf::from("/nowhere/events.jsonl"),
            source: std::io::Error::other("disk on fire"),
        })
    }
}

fn start(config: &SinkConfig, outputs: Vec<Box<dyn EventOutput>>) -> (EventSink, EventSender) {
    EventSink::start_with_outputs(config, outputs, Arc::default()).expect("sink starts")
}

/// Starts a sink over a gated output and sends event 0, which the writer
/// takes and holds until the test releases it: the queue is then empty.
fn start_with_writer_held(
    capacity: usize,
    batch_size: usize,
) -> (EventSink, EventSender, Written, Gate) {
    let (output, written, gate) = RecordingOutput::gated();
    let (sink, sender) = start(&config(capacity, batch_size), vec![output]);
    assert!(sender.send(event(0)));
    assert_eq!(gate.writer_entered(), 1);
    (sink, sender, written, gate)
}

#[test]
fn full_queue_drops_and_counts_without_blocking() {
    let (sink, sender, written, gate) = start_with_writer_held(2, 1);
    assert!(sender.send(event(1)));
    assert!(sender.send(event(2)));
    for n in 3..10 {
        assert!(!sender.send(event(n)), "event {n} fits in a full queue");
    }
    assert_eq!(sender.dropped(), 7);

    gate.release(3);
    drop(sender);
    let report = sink.shutdown(STUCK);
    assert!(report.drained);
    assert_eq!(
        report.stats,
        SinkStats {
            dropped: 7,
            received: 3,
            written: 3,
            write_errors: 0,
            pruned: 0,
            folded: 0,
            rotations: 0,
        }
    );
    assert_eq!(written_ids(&written), ["req-0", "req-1", "req-2"]);
}

#[test]
fn write_errors_are_counted_and_the_writer_goes_on() {
    let (recording, written) = RecordingOutput::open();
    let (sink, sender) = start(&config(64, 4), vec![Box::new(FailingOutput), recording]);
    for n in 0..10 {
        assert!(sender.send(event(n)));
    }
    drop(sender);
    let report = sink.shutdown(STUCK);
    assert!(report.drained);
    assert_eq!(report.stats.received, 10);
    assert_eq!(report.stats.write_errors, 10);
    assert_eq!(report.stats.written, 0);
    // The healthy output still got every event, in order.
    let expected: Vec<String> = (0..10).map(|n| format!("req-{n}")).collect();
    assert_eq!(written_ids(&written), expected);
}

#[test]
fn writer_exits_when_every_sender_is_dropped() {
    let (output, written) = RecordingOutput::open();
    let (sink, sender) = start(&config(16, 256), vec![output]);
    let second = sender.clone();
    assert!(sender.send(event(0)));
    assert!(second.send(event(1)));
    drop(sender);
    drop(second);
    // No shutdown request: only the disconnect can end the thread.
    assert_eq!(
        sink.finished.recv_timeout(STUCK),
        Err(mpsc::RecvTimeoutError::Disconnected)
    );
    assert!(sink.shared.stop_at.get().is_none());
    assert_eq!(written_ids(&written), ["req-0", "req-1"]);
    assert_eq!(sink.stats().written, 2);
}

#[test]
fn shutdown_drains_the_queue_while_senders_live_and_refuses_later_events() {
    let (sink, sender, written, gate) = start_with_writer_held(8, 2);
    for n in 1..6 {
        assert!(sender.send(event(n)));
    }
    gate.release(4);
    // `sender` is still alive: only the shutdown request ends the thread.
    let report = sink.shutdown(STUCK);
    assert!(report.drained);
    assert_eq!(report.stats.written, 6);
    assert_eq!(report.stats.dropped, 0);
    assert!(!sender.send(event(6)));
    assert_eq!(sender.dropped(), 1);
    let expected: Vec<String> = (0..6).map(|n| format!("req-{n}")).collect();
    assert_eq!(written_ids(&written), expected);
}

#[test]
fn shutdown_past_its_deadline_reports_not_drained() {
    let (sink, sender, written, gate) = start_with_writer_held(8, 1);
    assert!(sender.send(event(1)));
    // The writer is held up: a zero deadline cannot be met.
    let report = sink.shutdown(Duration::ZERO);
    assert!(!report.drained);
    gate.release(1);
    // Released past the deadline, the writer discards the queued event as a
    // drop instead of writing it.
    let deadline = Instant::now() + STUCK;
    while sender.stats().dropped == 0 && Instant::now() < deadline {
        std::thread::yield_now();
    }
    assert_eq!(sender.stats().dropped, 1);
    assert_eq!(sender.stats().written, 1);
    assert_eq!(written_ids(&written), ["req-0"]);
}

#[test]
fn configuration_mistakes_are_refused() {
    let recording = || vec![RecordingOutput::open().0];
    let error = |config: &SinkConfig, outputs| {
        EventSink::start_with_outputs(config, outputs, Arc::default())
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(
        error(&config(0, 1), recording()),
        Some("event sink queue capacity must be at least 1".to_string())
    );
    assert_eq!(
        error(&config(1, 0), recording()),
        Some("event sink batch size must be at least 1".to_string())
    );
    assert!(error(&config(1, 1), Vec::new()).is_some_and(|message| message.contains("no output")));
}

#[test]
fn subscribers_get_written_events_and_a_slow_one_is_told_what_it_lost() {
    let (recording, _written) = RecordingOutput::open();
    let (sink, sender) = start(&config(4096, 256), vec![recording]);
    let mut live = sender.subscribe();
    let mut slow = sender.subscribe();
    let total = TAP_CAPACITY + 10;
    for n in 0..total {
        assert!(sender.send(event(n)));
        // The live subscriber keeps up: it reads each event as it comes.
        let got = live.blocking_recv().expect("written events are offered");
        assert_eq!(got.request_id, format!("req-{n}"));
    }
    drop(sender);
    assert!(sink.shutdown(STUCK).drained);
    match slow.try_recv() {
        Err(tokio::sync::broadcast::error::TryRecvError::Lagged(lost)) => {
            assert_eq!(lost, 10, "the oldest beyond the buffer are lost")
        }
        other => panic!("expected a lag, got {other:?}"),
    }
    let mut rest = 0;
    while slow.try_recv().is_ok() {
        rest += 1;
    }
    assert_eq!(rest, TAP_CAPACITY);
}
