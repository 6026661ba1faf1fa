//! Lock helpers that survive poisoning, and the request path's hand-off to
//! background threads.
//!
//! A lock is poisoned when a thread panicked while holding it; the data
//! behind every lock of the gateway (idle connection lists, file contents,
//! the ban list's master copy) stays valid in that case, so serving goes on
//! instead of panicking in turn.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Mutex, MutexGuard};

/// Queues `item` for a background worker without waiting: false, and one
/// more `dropped`, when the worker is closing (`open` cleared) or its
/// bounded queue is full.
pub fn hand_off<T>(
    sender: &SyncSender<T>,
    open: &AtomicBool,
    item: T,
    dropped: &AtomicU64,
) -> bool {
    let sent = open.load(Ordering::Relaxed)
        && match sender.try_send(item) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        };
    if !sent {
        dropped.fetch_add(1, Ordering::Relaxed);
    }
    sent
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
