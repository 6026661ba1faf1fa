//! The writer thread: every `drain_interval` it takes what is queued (it is
//! never parked on the queue, so a request's `send` wakes no thread), folds
//! repeats, hands each batch to every output, counts the outcome, offers
//! what was written to live subscribers, and never stops on a write error.

use super::aggregate::{Aggregator, MAX_SERIES};
use super::output::EventOutput;
use super::{Counters, Shared, SinkConfig};
use rampart_core::{Clock, SecurityEvent};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a drain left in the queue.
#[derive(Debug, PartialEq, Eq)]
enum Queue {
    /// Nothing now: rest until the next drain.
    Empty,
    /// A whole batch was taken: there may be more at once.
    More,
    /// Every sender is gone, or shutdown has drained the queue.
    Finished,
}

pub(super) struct Writer {
    events: Receiver<SecurityEvent>,
    outputs: Vec<Box<dyn EventOutput>>,
    shared: Arc<Shared>,
    aggregator: Aggregator,
    clock: Arc<dyn Clock>,
    batch_size: usize,
    drain_interval: Duration,
    /// Events ready to write, in arrival order.
    ready: Vec<SecurityEvent>,
    /// The drop count last reported in the log.
    dropped_logged: u64,
}

impl Writer {
    pub(super) fn new(
        events: Receiver<SecurityEvent>,
        outputs: Vec<Box<dyn EventOutput>>,
        shared: Arc<Shared>,
        config: &SinkConfig,
    ) -> Writer {
        let window = u64::try_from(config.aggregate_window.as_millis()).unwrap_or(u64::MAX);
        Writer {
            events,
            outputs,
            shared,
            aggregator: Aggregator::new(window, MAX_SERIES),
            clock: Arc::clone(&config.clock),
            batch_size: config.batch_size,
            drain_interval: config.drain_interval,
            ready: Vec::new(),
            dropped_logged: 0,
        }
    }

    pub(super) fn run(mut self) {
        loop {
            let queue = match self.shared.stop_at.get() {
                Some(&stop_at) => self.drain_before_stop(stop_at),
                None => self.drain(),
            };
            self.write_ready();
            self.log_new_drops();
            match queue {
                Queue::Empty => std::thread::sleep(self.drain_interval),
                Queue::More => {}
                Queue::Finished => {
                    self.aggregator.flush_all(&mut self.ready);
                    self.write_ready();
                    return;
                }
            }
        }
    }

    /// Takes up to a batch of what is queued now, without waiting, folding
    /// repeats; first releases the series whose window has ended.
    fn drain(&mut self) -> Queue {
        let now = self.clock.now_millis();
        self.aggregator.flush_ended(now, &mut self.ready);
        for _ in 0..self.batch_size {
            match self.events.try_recv() {
                Ok(event) => self.admit(event, now),
                Err(TryRecvError::Empty) => return Queue::Empty,
                Err(TryRecvError::Disconnected) => return Queue::Finished,
            }
        }
        Queue::More
    }

    fn admit(&mut self, event: SecurityEvent, now: u64) {
        self.counters().received.fetch_add(1, Ordering::Relaxed);
        if let Some(event) = self.aggregator.admit(event, now) {
            self.ready.push(event);
        }
        let folded = self.aggregator.folded();
        self.counters().folded.store(folded, Ordering::Relaxed);
    }

    /// During shutdown: takes what is queued; past the deadline, discards it
    /// and counts it as dropped.
    ///
    /// Senders refuse new events once shutdown starts; a `send` already past
    /// that check when the queue is found empty can still slip an event in
    /// that is lost, uncounted, with the queue. Stop the request path first
    /// for an exact count.
    fn drain_before_stop(&mut self, stop_at: Instant) -> Queue {
        if Instant::now() >= stop_at {
            let discarded = self.events.try_iter().count() as u64;
            if discarded > 0 {
                self.counters()
                    .dropped
                    .fetch_add(discarded, Ordering::Relaxed);
                tracing::warn!(
                    discarded,
                    "security event sink shutdown deadline passed with events still queued"
                );
            }
            return Queue::Finished;
        }
        match self.drain() {
            Queue::More => Queue::More,
            Queue::Empty | Queue::Finished => Queue::Finished,
        }
    }

    /// Writes the ready events in batches of at most `batch_size`.
    fn write_ready(&mut self) {
        let ready = std::mem::take(&mut self.ready);
        for batch in ready.chunks(self.batch_size) {
            self.write(batch);
        }
    }

    /// Hands `batch` to every output and counts the outcome.
    fn write(&mut self, batch: &[SecurityEvent]) {
        let events = batch.len() as u64;
        let mut every_output_wrote = true;
        for output in &mut self.outputs {
            if let Err(error) = output.write_batch(batch) {
                every_output_wrote = false;
                tracing::error!(%error, events, "security events not written");
            }
        }
        let counters = self.counters();
        let outcome = if every_output_wrote {
            &counters.written
        } else {
            &counters.write_errors
        };
        outcome.fetch_add(events, Ordering::Relaxed);
        let tap = &self.shared.tap;
        if every_output_wrote && tap.receiver_count() > 0 {
            for event in batch {
                // Only fails when the last subscriber just left.
                let _ = tap.send(Arc::new(event.clone()));
            }
        }
    }

    fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    /// Reports drops off the request path, once per drain at most.
    fn log_new_drops(&mut self) {
        let dropped = self.counters().dropped.load(Ordering::Relaxed);
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
