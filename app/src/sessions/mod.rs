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

pub use crate::cases::scheduling::status_of;

pub use ccm_persistence::sessions::{Session, SessionParty};

pub use crate::actor::Actor;

/// The sessions a workflow booked or moved, earliest first, each with its parents' times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub referral_id: String,
    pub sessions: Vec<(Session, Vec<SessionParty>)>,
}
