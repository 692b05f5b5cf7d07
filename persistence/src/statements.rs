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
