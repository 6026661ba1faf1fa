//! The writer thread: takes events off the queue in batches, hands each batch
//! to every output, counts the outcome, and never stops on a write error.

use super::output::EventOutput;
use super::Shared;
use rampart_core::SecurityEvent;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often an idle writer looks for a shutdown request.
const IDLE_POLL: Duration = Duration::from_millis(50);

/// Whether more events can still arrive after the batch just filled.
#[derive(Debug, PartialEq, Eq)]
enum Queue {
    Open,
    /// Every sender is gone, or shutdown has drained the queue.
    Finished,
}

pub(super) struct Writer {
    events: Receiver<SecurityEvent>,
    outputs: Vec<Box<dyn EventOutput>>,
    shared: Arc<Shared>,
    batch_size: usize,
    batch_linger: Duration,
    /// The drop count last reported in the log.
    dropped_logged: u64,
}

impl Writer {
    pub(super) fn new(
        events: Receiver<SecurityEvent>,
        outputs: Vec<Box<dyn EventOutput>>,
        shared: Arc<Shared>,
        batch_size: usize,
        batch_linger: Duration,
    ) -> Writer {
        Writer {
            events,
            outputs,
            shared,
            batch_size,
            batch_linger,
            dropped_logged: 0,
        }
    }

    pub(super) fn run(mut self) {
        let mut batch = Vec::with_capacity(self.batch_size);
        loop {
            let queue = match self.shared.stop_at.get() {
                Some(&stop_at) => self.fill_before_stop(&mut batch, stop_at),
                None => self.fill_lingering(&mut batch),
            };
            if !batch.is_empty() {
                self.write(&batch);
                batch.clear();
            }
            self.log_new_drops();
            if queue == Queue::Finished {
                return;
            }
        }
    }

    /// Waits for a first event, then for up to `batch_linger` more.
    fn fill_lingering(&self, batch: &mut Vec<SecurityEvent>) -> Queue {
        match self.events.recv_timeout(IDLE_POLL) {
            Ok(event) => batch.push(event),
            Err(RecvTimeoutError::Timeout) => return Queue::Open,
            Err(RecvTimeoutError::Disconnected) => return Queue::Finished,
        }
        let linger_until = Instant::now() + self.batch_linger;
        while batch.len() < self.batch_size {
            match self.events.try_recv() {
                Ok(event) => {
                    batch.push(event);
                    continue;
                }
                Err(TryRecvError::Disconnected) => return Queue::Finished,
                Err(TryRecvError::Empty) => {}
            }
            let left = linger_until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.events.recv_timeout(left) {
                Ok(event) => batch.push(event),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Queue::Finished,
            }
        }
        Queue::Open
    }

    /// During shutdown: takes what is queued without waiting; past the
    /// deadline, discards it and counts it as dropped.
    ///
    /// Senders refuse new events once shutdown starts; a `send` already past
    /// that check when the queue is found empty can still slip an event in
    /// that is lost, uncounted, with the queue. Stop the request path first
    /// for an exact count.
    fn fill_before_stop(&self, batch: &mut Vec<SecurityEvent>, stop_at: Instant) -> Queue {
        if Instant::now() >= stop_at {
            let discarded = self.events.try_iter().count() as u64;
            if discarded > 0 {
                self.shared
                    .counters
                    .dropped
                    .fetch_add(discarded, Ordering::Relaxed);
                tracing::warn!(
                    discarded,
                    "security event sink shutdown deadline passed with events still queued"
                );
            }
            return Queue::Finished;
        }
        while batch.len() < self.batch_size {
            match self.events.try_recv() {
                Ok(event) => batch.push(event),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return Queue::Finished,
            }
        }
        Queue::Open
    }

    /// Hands `batch` to every output and counts the outcome.
    fn write(&mut self, batch: &[SecurityEvent]) {
        let events = batch.len() as u64;
        let counters = &self.shared.counters;
        counters.received.fetch_add(events, Ordering::Relaxed);
        let mut every_output_wrote = true;
        for output in &mut self.outputs {
            if let Err(error) = output.write_batch(batch) {
                every_output_wrote = false;
                tracing::error!(%error, events, "security events not written");
            }
        }
        let outcome = if every_output_wrote {
            &counters.written
        } else {
            &counters.write_errors
        };
        outcome.fetch_add(events, Ordering::Relaxed);
    }

    /// Reports drops off the request path, once per batch at most.
    fn log_new_drops(&mut self) {
        let dropped = self.shared.counters.dropped.load(Ordering::Relaxed);
        if dropped > self.dropped_logged {
            tracing::warn!(
                newly_dropped = dropped - self.dropped_logged,
                total_dropped = dropped,
                "security event queue full: events dropped"
            );
            self.dropped_logged = dropped;
        }
    }
}
