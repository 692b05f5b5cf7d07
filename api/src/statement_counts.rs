//! The SQL statements each request sends, counted on the blocking threads that run its storage
//! work. Its own module, below both the state that runs the work and the metrics that report
//! the counts, so that neither imports the other.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A request's statements, and those sent while it held a room's or supervisor's lock.
#[derive(Debug, Default)]
pub struct Counts {
    pub sent: AtomicU64,
    pub locked: AtomicU64,
}

tokio::task_local! {
    /// The statements the current request has sent so far.
    static STATEMENTS: Arc<Counts>;
}

/// The current request's statement counter, to be carried onto the blocking thread that runs
/// its storage work (outside a request: none).
pub fn request_counter() -> Option<Arc<Counts>> {
    STATEMENTS.try_with(Arc::clone).ok()
}

/// Runs storage work on this (blocking) thread, adding the statements it sent to `counter`.
pub fn counted<T>(counter: Option<&Arc<Counts>>, work: impl FnOnce() -> T) -> T {
    // A note left by work that failed before counting must not reach into this work's figure.
    ccm_persistence::statements::take_while_locked();
    let before = ccm_persistence::statements::on_this_thread();
    let out = work();
    let locked = ccm_persistence::statements::take_while_locked();
    if let Some(counter) = counter {
        let sent = ccm_persistence::statements::on_this_thread() - before;
        counter.sent.fetch_add(sent, Ordering::Relaxed);
        counter
            .locked
            .fetch_add(locked.unwrap_or(0), Ordering::Relaxed);
    }
    out
}

/// Runs a request's handling with `counts` as its statement counter.
pub async fn scope<F: Future>(counts: Arc<Counts>, work: F) -> F::Output {
    STATEMENTS.scope(counts, work).await
}
