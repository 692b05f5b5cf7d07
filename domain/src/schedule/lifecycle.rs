//! A session's life: held provisionally, waiting for its payment, confirmed, then completed,
//! ended early or cancelled. Handlers never set a session's status; they apply an event here.

string_enum! {
    /// Where a session stands: `provisional` (supervised dates held before contact starts, to
    /// confirm before the pre-visit) → `awaiting_payment` (a prepaid session, until its charge
    /// is paid or waived) → `confirmed` (attendance is recorded on it) → `completed` (every
    /// parent checked out or marked absent) or `ended_early` (with a reason); `cancelled` from
    /// any state before the session is over.
    SessionStatus {
        Provisional = "provisional",
        AwaitingPayment = "awaiting_payment",
        Confirmed = "confirmed",
        Completed = "completed",
        EndedEarly = "ended_early",
        Cancelled = "cancelled",
    }
}

/// What happens to a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// A provisional hold confirmed; `prepaid` when a charge must be paid first.
    Confirm {
        prepaid: bool,
    },
    /// Its charge was paid or waived.
    Settled,
    /// A parent checked in or out, or was marked absent.
    Attendance,
    /// Every parent is accounted for.
    Finish,
    EndEarly,
    Cancel,
    /// Moved to other times, room or supervisor.
    Reschedule,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a session that is {} cannot be {}", .from.as_str(), describe(.event))]
pub struct SessionTransitionError {
    pub from: SessionStatus,
    pub event: SessionEvent,
}

fn describe(event: &SessionEvent) -> &'static str {
    match event {
        SessionEvent::Confirm { .. } => "confirmed",
        SessionEvent::Settled => "settled",
        SessionEvent::Attendance => "attended",
        SessionEvent::Finish => "completed",
        SessionEvent::EndEarly => "ended early",
        SessionEvent::Cancel => "cancelled",
        SessionEvent::Reschedule => "moved",
    }
}

/// The state after `event`, or why it cannot happen.
pub fn apply(
    from: SessionStatus,
    event: SessionEvent,
) -> Result<SessionStatus, SessionTransitionError> {
    use SessionStatus::*;
    let to = match (from, event) {
        (Provisional, SessionEvent::Confirm { prepaid: true }) => AwaitingPayment,
        (Provisional, SessionEvent::Confirm { prepaid: false }) => Confirmed,
        (AwaitingPayment, SessionEvent::Settled) => Confirmed,
        (Confirmed, SessionEvent::Attendance) => Confirmed,
        (Confirmed, SessionEvent::Finish) => Completed,
        (Confirmed, SessionEvent::EndEarly) => EndedEarly,
        (Provisional | AwaitingPayment | Confirmed, SessionEvent::Cancel) => Cancelled,
        (s @ (Provisional | AwaitingPayment | Confirmed), SessionEvent::Reschedule) => s,
        _ => return Err(SessionTransitionError { from, event }),
    };
    Ok(to)
}

/// What can be done to a session in this state, as its action endpoints are named.
pub fn allowed_actions(status: SessionStatus) -> &'static [&'static str] {
    match status {
        SessionStatus::Provisional => &["confirm", "cancel", "reschedule"],
        SessionStatus::AwaitingPayment => &["cancel", "reschedule"],
        SessionStatus::Confirmed => &[
            "check_in",
            "check_out",
            "no_show",
            "end_early",
            "cancel",
            "reschedule",
        ],
        SessionStatus::Completed | SessionStatus::EndedEarly | SessionStatus::Cancelled => &[],
    }
}

/// Whether the session still holds its room, supervisor and times.
pub fn holds_place(status: SessionStatus) -> bool {
    status != SessionStatus::Cancelled
}

#[cfg(test)]
mod tests {
    use super::SessionStatus::*;
    use super::*;

    #[test]
    fn a_provisional_hold_is_confirmed_and_waits_for_payment_if_prepaid() {
        assert_eq!(
            apply(Provisional, SessionEvent::Confirm { prepaid: true }),
            Ok(AwaitingPayment)
        );
        assert_eq!(
            apply(Provisional, SessionEvent::Confirm { prepaid: false }),
            Ok(Confirmed)
        );
        assert_eq!(apply(AwaitingPayment, SessionEvent::Settled), Ok(Confirmed));
    }

    #[test]
    fn attendance_is_recorded_only_on_a_confirmed_session() {
        assert_eq!(apply(Confirmed, SessionEvent::Attendance), Ok(Confirmed));
        for s in [
            Provisional,
            AwaitingPayment,
            Completed,
            EndedEarly,
            Cancelled,
        ] {
            assert!(apply(s, SessionEvent::Attendance).is_err(), "{s:?}");
        }
        let err = apply(Cancelled, SessionEvent::Attendance).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a session that is cancelled cannot be attended"
        );
    }

    #[test]
    fn a_session_that_is_over_cannot_be_cancelled_or_moved() {
        for s in [Completed, EndedEarly, Cancelled] {
            assert!(apply(s, SessionEvent::Cancel).is_err());
            assert!(apply(s, SessionEvent::Reschedule).is_err());
        }
        assert_eq!(apply(Confirmed, SessionEvent::EndEarly), Ok(EndedEarly));
        assert_eq!(apply(Confirmed, SessionEvent::Finish), Ok(Completed));
        assert_eq!(
            apply(AwaitingPayment, SessionEvent::Reschedule),
            Ok(AwaitingPayment)
        );
    }

    #[test]
    fn only_a_cancelled_session_frees_its_place() {
        assert!(!holds_place(Cancelled));
        assert!(holds_place(Completed));
    }
}
