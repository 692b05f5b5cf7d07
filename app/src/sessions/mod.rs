//! Placing a case's contact sessions: booking them ([`book`]) and moving them
//! ([`move_sessions`]). Both run one pipeline ([`pipeline`]): read what needs no lock (the case,
//! its centre, policy, tariff, room, the families it may share with), take the room's and the
//! supervisor's locks, read once every session that can clash or share, ask `ccm-domain`
//! whether the slots fit and when each parent is due, and write.

mod access;
pub mod attendance;
mod book;
mod cancel;
mod confirm;
pub mod keep_apart;
mod money;
mod moving;
mod parties;
mod pipeline;
pub mod read;
pub mod timekeeping;
mod times;

pub use book::{book, BookCmd};
pub use cancel::{cancel, cancel_series, CancelCmd, Cancelled};
pub use confirm::{confirm, Confirmed};
pub use money::confirm_paid;
pub use moving::{move_sessions, MoveCmd};
pub use parties::with_parties;
pub use pipeline::Where;

use ccm_domain::schedule::lifecycle::{self, SessionStatus, SessionTransitionError};
pub use ccm_persistence::sessions::{Session, SessionParty};
use ccm_persistence::StoreError;

pub use crate::actor::Actor;
use crate::AppError;

/// The sessions a workflow booked or moved, earliest first, each with its parents' times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub referral_id: String,
    pub sessions: Vec<(Session, Vec<SessionParty>)>,
}

/// The stored session's state.
pub fn status_of(s: &Session) -> Result<SessionStatus, AppError> {
    s.status
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("sessions.status: {e}")).into())
}

impl From<SessionTransitionError> for AppError {
    fn from(e: SessionTransitionError) -> Self {
        let allowed = lifecycle::allowed_actions(e.from);
        let detail = if allowed.is_empty() {
            format!("{e}; nothing more can be done to it")
        } else {
            format!("{e}; allowed now: {}", allowed.join(", "))
        };
        AppError::Transition {
            detail,
            current_status: e.from.as_str().to_string(),
            allowed_actions: allowed.iter().map(|a| a.to_string()).collect(),
        }
    }
}
