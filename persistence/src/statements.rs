//! Counts the SQL statements each thread sends, so a request's round trips to the database can
//! be measured (and asserted in tests) as a number that does not depend on the machine.
//!
//! Every pooled connection carries [`CountStatements`]; storage work runs synchronously on one
//! blocking thread, so the difference of [`on_this_thread`] before and after it is that work's
//! statements, transaction control (`BEGIN`, `COMMIT`) included.

use std::cell::Cell;

use diesel::connection::{Instrumentation, InstrumentationEvent};

thread_local! {
    static SENT: Cell<u64> = const { Cell::new(0) };
}

/// The instrumentation every pooled connection carries.
pub struct CountStatements;

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            SENT.with(|n| n.set(n.get() + 1));
        }
    }
}

/// Statements sent from this thread since it started.
pub fn on_this_thread() -> u64 {
    SENT.with(Cell::get)
}

thread_local! {
    static LOCKED_AT: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Notes that the statement about to be sent takes a lock held to the end of the transaction
/// (a room's or a supervisor's), so the statements sent while it is held can be counted. Only
/// the first lock of a piece of work counts.
pub fn lock_taken() {
    let now = on_this_thread();
    LOCKED_AT.with(|at| {
        if at.get().is_none() {
            at.set(Some(now));
        }
    });
}

/// Statements sent since [`lock_taken`] (the locking one included), if a lock was noted, and
/// forgets the note.
pub fn take_while_locked() -> Option<u64> {
    LOCKED_AT
        .with(Cell::take)
        .map(|at| on_this_thread().saturating_sub(at))
}
