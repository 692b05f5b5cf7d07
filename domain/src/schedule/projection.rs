//! What a viewer is shown of a session's timing. A session's own start and end are always some
//! parent's times (the first to arrive, the last to leave), so a parent who saw them would learn
//! when the other parent arrives or leaves. A parent is therefore shown a session through their
//! own arrival and departure alone: no session-wide bounds, no other party's window, and nothing
//! worked out from them (a duration, the notice given before the start).

use super::Slot;
use crate::referral::disclosure::Viewer;
use crate::referral::PartyRole;

/// Which of a session's times the viewer sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionTiming {
    /// The provider's staff: the bounds and every party's planned and actual times.
    Full,
    /// A referrer: when sessions happen, not who came when (the attendance record says that).
    BoundsOnly,
    /// A parent: their own planned and actual times, nothing else.
    OwnOnly(PartyRole),
}

/// How `viewer` is shown the sessions of a case.
pub fn session_timing(viewer: Viewer) -> SessionTiming {
    match viewer {
        Viewer::Staff(_) => SessionTiming::Full,
        Viewer::Referrer => SessionTiming::BoundsOnly,
        Viewer::Party(me) => SessionTiming::OwnOnly(me),
    }
}

impl SessionTiming {
    /// The session's own start and end, and whatever is derived from them (its length, the
    /// notice a cancellation gave).
    pub fn shows_bounds(self) -> bool {
        !matches!(self, SessionTiming::OwnOnly(_))
    }

    /// The planned and actual times of the party in `role`.
    pub fn shows_party(self, role: PartyRole) -> bool {
        match self {
            SessionTiming::Full => true,
            SessionTiming::BoundsOnly => false,
            SessionTiming::OwnOnly(me) => me == role,
        }
    }

    /// The span to show for a session: its bounds, or the viewer's own window (`own`, their
    /// expected arrival and departure) when the bounds are not theirs to see. `None` for a
    /// parent with no window in this session.
    pub fn span(self, bounds: Slot, own: Option<Slot>) -> Option<Slot> {
        if self.shows_bounds() {
            Some(bounds)
        } else {
            own
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use time::macros::datetime;
    use PartyRole::*;

    fn slot(from: time::OffsetDateTime, to: time::OffsetDateTime) -> Slot {
        Slot {
            start: from,
            end: to,
        }
    }

    #[test]
    fn a_parent_sees_only_their_own_arrival_and_departure_never_the_sessions_bounds() {
        let nrp = session_timing(Viewer::Party(NonResidentParent));
        assert!(!nrp.shows_bounds());
        assert!(nrp.shows_party(NonResidentParent));
        assert!(!nrp.shows_party(ResidentParent));
        let resident = session_timing(Viewer::Party(ResidentParent));
        assert!(resident.shows_party(ResidentParent) && !resident.shows_party(NonResidentParent));
    }

    #[test]
    fn a_parents_span_is_their_own_window_however_the_session_is_bounded() {
        let bounds = slot(
            datetime!(2027-06-05 8:00 UTC),
            datetime!(2027-06-05 11:30 UTC),
        );
        let own = slot(
            datetime!(2027-06-05 8:15 UTC),
            datetime!(2027-06-05 11:15 UTC),
        );
        let nrp = session_timing(Viewer::Party(NonResidentParent));
        assert_eq!(nrp.span(bounds, Some(own)), Some(own));
        assert_eq!(nrp.span(bounds, None), None);
    }

    #[test]
    fn staff_see_everything_and_a_referrer_sees_when_but_not_who_came_when() {
        for role in [Role::Coordinator, Role::Supervisor, Role::Finance] {
            let staff = session_timing(Viewer::Staff(role));
            assert!(staff.shows_bounds());
            assert!(staff.shows_party(ResidentParent) && staff.shows_party(NonResidentParent));
        }
        let referrer = session_timing(Viewer::Referrer);
        assert!(referrer.shows_bounds());
        assert!(!referrer.shows_party(ResidentParent) && !referrer.shows_party(NonResidentParent));
        let bounds = slot(
            datetime!(2027-06-05 8:00 UTC),
            datetime!(2027-06-05 11:30 UTC),
        );
        assert_eq!(referrer.span(bounds, None), Some(bounds));
    }
}
