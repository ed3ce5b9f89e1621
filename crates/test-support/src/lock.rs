//! Locking the doubles' records.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// A lock that outlives a panicking holder: the records stay readable, so the test that
/// panicked reports its own failure rather than a poisoned lock.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
