//! The lifecycle's actions on a case (accept, decline, offer, accept or decline the offer,
//! activate, suspend, resume, close, withdraw) and a waiting family's priority, all through one
//! [`act`]: the case is loaded once under its lock, the caller's right to act is checked (403),
//! `ccm-domain`'s lifecycle is asked whether the action's event may happen now (409 naming the
//! status and what it allows), then the action's own rules, and the case is written once with
//! the event logged. Each action's particulars are data ([`Action`]), not a pipeline of its own.

mod records;
mod rules;

use time::{Date, OffsetDateTime};

use ccm_domain::quote::LineKind;
use ccm_domain::referral::lifecycle::SuspensionReason;
use ccm_domain::referral::lifecycle::{self, ClosureReason, Event, ReferralAction};
use ccm_domain::{london, ServiceType};
use ccm_persistence::referrals::{self, Referral, ReferralChanges};
use ccm_persistence::AnyConnection;

use crate::cases::workflow::{self, By};
use crate::cases::{self, Case};
use crate::clock::stored;
use crate::{Actor, AppError, ProblemType};

/// What to do to the case, with what each action carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Onto the waiting list after screening; against the eligibility rules' advice only with
    /// a reason where they allow it.
    Accept {
        override_reason: Option<String>,
    },
    Decline {
        reason: String,
        signposted_service: Option<ServiceType>,
    },
    /// A place by hand; the balance falls due.
    Offer,
    /// The family takes the place offered (refused once the offer has lapsed, which closes it).
    AcceptOffer,
    DeclineOffer {
        notes: Option<String>,
    },
    Activate,
    Suspend {
        reason: SuspensionReason,
        notes: Option<String>,
    },
    Resume {
        notes: Option<String>,
    },
    Close {
        reason: ClosureReason,
        notes: Option<String>,
    },
    Withdraw {
        notes: Option<String>,
    },
    /// A review while contact goes on: the next one falls due a few months on.
    RecordReview {
        notes: Option<String>,
        continue_reason: Option<String>,
    },
    /// A waiting family's place in the queue: the provider's decision, outside the lifecycle.
    SetPriority {
        priority: i32,
        reason: String,
    },
    /// The next-steps meeting that ends a court-ordered case (once): the provider's record,
    /// outside the lifecycle; the case itself is not changed.
    RecordMeeting {
        held_on: Date,
        attendees: String,
        outcome: String,
    },
}

/// The service's settings that actions go by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub offer_expiry_days: u32,
    pub review_interval_months: u32,
}

/// What an action left: the case as the caller now sees it and, for an action that changed
/// the case yet is still refused (an offer accepted after it lapsed is closed, then reported
/// as expired), the refusal. The change is kept either way.
pub struct Acted {
    pub case: Case,
    pub refused: Option<AppError>,
}

/// How an action writes the case: through the lifecycle with its event logged, by setting
/// columns outside it, or not at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Write {
    Transition(Event),
    Update,
    Nothing,
}

/// The write an action makes: how, the columns set, the reason logged and who it is logged as.
struct Step<'a> {
    write: Write,
    changes: ReferralChanges,
    reason: Option<String>,
    by: By<'a>,
    refused: Option<AppError>,
}

impl Action {
    /// The lifecycle action the caller must be allowed to take; `None` for the provider's own
    /// decisions.
    fn needs(&self) -> Option<ReferralAction> {
        Some(match self {
            Action::Accept { .. } => ReferralAction::Accept,
            Action::Decline { .. } => ReferralAction::Decline,
            Action::Offer => ReferralAction::Offer,
            Action::AcceptOffer => ReferralAction::AcceptOffer,
            Action::DeclineOffer { .. } => ReferralAction::DeclineOffer,
            Action::Activate => ReferralAction::Activate,
            Action::Suspend { .. } => ReferralAction::Suspend,
            Action::Resume { .. } => ReferralAction::Resume,
            Action::Close { .. } => ReferralAction::Close,
            Action::Withdraw { .. } => ReferralAction::Withdraw,
            Action::RecordReview { .. } => ReferralAction::RecordReview,
            Action::SetPriority { .. } | Action::RecordMeeting { .. } => return None,
        })
    }
}

/// Takes `action` on the case, in the caller's write transaction, then offers what the
/// service has free (a place freed, or a family newly waiting).
pub fn act(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    action: Action,
    terms: &Terms,
) -> Result<Acted, AppError> {
    rules::well_formed(&action)?;
    let case = cases::load(conn, referral_id, actor, true)?;
    rules::may(&case, &action)?;
    let now = OffsetDateTime::now_utc();
    let by = By {
        user_id: Some(&actor.user_id),
        role: Some(actor.role),
    };
    let r = &case.referral;
    let event = event_of(conn, r, &action, now)?;
    if let Some(event) = event {
        lifecycle::apply(r.status()?, event)?;
    }
    let step = step(conn, r, action.clone(), event, by, terms, now)?;
    let mut updated = match step.write {
        Write::Transition(event) => workflow::transition(
            conn,
            r,
            event,
            step.by,
            step.reason.as_deref(),
            step.changes,
            now,
        )?,
        Write::Update => referrals::update(conn, &r.id, &step.changes, stored(now))?,
        Write::Nothing => r.clone(),
    };
    records::keep(conn, &updated, action, step.by, now)?;
    let service = updated.service()?;
    let offered = workflow::offer_free_places(
        conn,
        &updated.centre_id,
        service,
        terms.offer_expiry_days,
        now,
    )?;
    if offered.contains(&updated.id) {
        updated = referrals::find(conn, &updated.id)?;
    }
    Ok(Acted {
        case: Case {
            referral: updated,
            ..case
        },
        refused: step.refused,
    })
}

/// The lifecycle event `action` stands for on this case now.
fn event_of(
    conn: &mut AnyConnection,
    r: &Referral,
    action: &Action,
    now: OffsetDateTime,
) -> Result<Option<Event>, AppError> {
    Ok(Some(match action {
        Action::AcceptOffer if offer_lapsed(r, now) => Event::OfferExpired,
        Action::AcceptOffer => {
            let balance = workflow::outstanding(conn, &r.id, LineKind::Balance)?;
            Event::OfferAccepted {
                balance_due: !balance.is_zero(),
            }
        }
        Action::Resume { .. } => Event::Resumed {
            contact_started: r.activated_on.is_some(),
        },
        other => match other.needs() {
            Some(a) => Event::Action(a),
            None => return Ok(None),
        },
    }))
}

fn offer_lapsed(r: &Referral, now: OffsetDateTime) -> bool {
    r.offer_expires_at.is_some_and(|at| at < stored(now))
}

/// What `action` writes, once its own rules allow it.
fn step<'a>(
    conn: &mut AnyConnection,
    r: &Referral,
    action: Action,
    event: Option<Event>,
    by: By<'a>,
    terms: &Terms,
    now: OffsetDateTime,
) -> Result<Step<'a>, AppError> {
    let mut step = Step {
        write: event.map_or(Write::Update, Write::Transition),
        changes: ReferralChanges::default(),
        reason: None,
        by,
        refused: None,
    };
    match action {
        Action::Accept { .. }
        | Action::Offer
        | Action::Activate
        | Action::RecordReview { .. }
        | Action::Close { .. }
        | Action::SetPriority { .. }
        | Action::RecordMeeting { .. } => ruled(conn, r, action, terms, now, &mut step)?,
        other => answered(other, &mut step),
    }
    Ok(step)
}

/// The step of an action with rules of its own to pass first.
fn ruled(
    conn: &mut AnyConnection,
    r: &Referral,
    action: Action,
    terms: &Terms,
    now: OffsetDateTime,
    step: &mut Step,
) -> Result<(), AppError> {
    let c = &mut step.changes;
    match action {
        Action::Accept { override_reason } => {
            let why = rules::accept(conn, r, override_reason, now)?;
            c.override_reason = Some(why.clone());
            step.reason = why;
        }
        Action::Offer => {
            rules::ready(conn, r, ReferralAction::Offer)?;
            let expires =
                ccm_domain::referral::waitlist::offer_expires(now, terms.offer_expiry_days);
            c.offer_expires_at = Some(Some(stored(expires)));
        }
        Action::Activate => {
            rules::ready(conn, r, ReferralAction::Activate)?;
            let today = london::local_date(now);
            let next_review =
                ccm_domain::referral::casework::add_months(today, terms.review_interval_months);
            c.activated_on = Some(Some(today));
            c.next_review_on = Some(Some(next_review));
        }
        Action::Close { reason, notes } => {
            rules::next_steps_met(conn, r)?;
            step.reason = closing(c, reason, notes);
        }
        Action::RecordReview {
            continue_reason, ..
        } => {
            rules::continuing(r, continue_reason.as_deref(), now)?;
            let today = london::local_date(now);
            let next_review =
                ccm_domain::referral::casework::add_months(today, terms.review_interval_months);
            c.next_review_on = Some(Some(next_review));
            step.reason = continue_reason;
        }
        Action::SetPriority { priority, reason } => {
            rules::waiting(r)?;
            c.priority = Some(priority);
            c.priority_reason = Some(Some(reason));
        }
        Action::RecordMeeting { .. } => {
            rules::meeting_due(conn, r)?;
            step.write = Write::Nothing;
        }

        _ => {}
    }
    Ok(())
}

/// The step of an action the lifecycle alone decides.
fn answered(action: Action, step: &mut Step) {
    let c = &mut step.changes;
    match action {
        Action::Decline {
            reason,
            signposted_service,
        } => {
            c.decline_reason = Some(Some(reason.clone()));
            c.signposted_service = Some(signposted_service.map(|s| s.as_str().to_string()));
            step.reason = Some(reason);
        }
        Action::AcceptOffer if step.write == Write::Transition(Event::OfferExpired) => {
            c.closure_reason = Some(Some(ClosureReason::OfferExpired.as_str().into()));
            step.by = By::SYSTEM;
            step.refused = Some(AppError::conflict(
                ProblemType::OfferExpired,
                "the offer expired and the place went to the next family",
            ));
        }
        Action::AcceptOffer => {}
        Action::DeclineOffer { notes } => {
            step.reason = closing(c, ClosureReason::OfferDeclined, notes);
        }
        Action::Suspend { reason, notes } => {
            c.suspension_reason = Some(Some(reason.as_str().into()));
            step.reason = Some(match notes {
                Some(notes) => format!("{}: {notes}", reason.as_str()),
                None => reason.as_str().to_string(),
            });
        }
        Action::Resume { notes } => {
            c.suspension_reason = Some(None);
            step.reason = notes;
        }
        Action::Withdraw { notes } => {
            step.reason = closing(c, ClosureReason::Withdrawn, notes);
        }
        _ => {}
    }
}

/// A case ended with a reason and notes; the notes are the reason logged.
fn closing(
    c: &mut ReferralChanges,
    reason: ClosureReason,
    notes: Option<String>,
) -> Option<String> {
    c.closure_reason = Some(Some(reason.as_str().into()));
    c.closure_notes = Some(notes.clone());
    notes
}
