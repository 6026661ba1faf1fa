//! Lock helpers that survive poisoning. A lock is poisoned when a thread
//! panicked while holding it; the data behind every lock of the gateway
//! (idle connection lists, file contents, the ban list's master copy) stays
//! valid in that case, so serving goes on instead of panicking in turn.

use std::sync::{Mutex, MutexGuard};

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
