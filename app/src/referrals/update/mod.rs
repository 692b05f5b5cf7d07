//! Completing and correcting a referral. Staff and whoever made the referral may fill in what
//! is missing; risk, the planned first session and linking parent accounts are for staff only.
//! A referral waiting for information moves on as soon as it is complete.

mod write;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use ccm_domain::quote::LineKind;
use ccm_domain::referral::lifecycle::{self, is_final, Event, ReferralStatus};
use ccm_domain::{london, ReferrerKind, Role};
use ccm_persistence::referrals::{self, Referral, ReferralChanges};
use ccm_persistence::AnyConnection;

use super::intake::{self, Adult, Attendee, Child, Court};
use crate::cases::workflow::{self, By};
use crate::cases::{self, stored_json, Case};
use crate::clock::stored;
use crate::IfMatch;
use crate::{Actor, AppError, ProblemType};

/// The referrer's details as stored (JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferrerDetails {
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A court order's details as stored (JSON).
#[derive(Deserialize)]
struct StoredCourt {
    court: Option<String>,
    case_number: Option<String>,
    #[serde(default, with = "date::option")]
    order_date: Option<Date>,
}

mod date {
    time::serde::format_description!(pub format, Date, "[year]-[month]-[day]");
    pub use format::option;
}

/// What a patch gives. Sections given replace what is there; the JSON columns come rendered
/// as the caller stores them.
#[derive(Clone, Debug, Default)]
pub struct PatchCmd {
    /// Who referred (which cannot change) and their details.
    pub referrer: Option<(ReferrerKind, ReferrerDetails)>,
    pub external_ref: Option<String>,
    pub court_ordered: Option<bool>,
    /// The court's details, and as stored.
    pub court: Option<(Court, String)>,
    pub resident_parent: Option<Adult>,
    pub non_resident_parent: Option<Adult>,
    pub children: Option<Vec<Child>>,
    pub attendees: Option<Vec<Attendee>>,
    /// The risk assessment as stored (staff only).
    pub risk: Option<String>,
    pub availability: Option<String>,
    /// Staff only.
    pub first_session_on: Option<Date>,
}

impl PatchCmd {
    /// A field the patch changes that only staff may change.
    fn staff_only_field(&self) -> Option<&'static str> {
        if self.risk.is_some() {
            return Some("risk");
        }
        if self.first_session_on.is_some() {
            return Some("first_session_on");
        }
        if self
            .resident_parent
            .as_ref()
            .is_some_and(|a| a.account_id.is_some())
        {
            return Some("resident_parent.account_id");
        }
        if self
            .non_resident_parent
            .as_ref()
            .is_some_and(|a| a.account_id.is_some())
        {
            return Some("non_resident_parent.account_id");
        }
        None
    }
}

/// Refuses what no case could take (children who are not children, one person given as both
/// parents), before the case is read.
pub fn check(cmd: &PatchCmd, now: OffsetDateTime) -> Result<(), AppError> {
    intake::check(
        cmd.resident_parent.as_ref(),
        cmd.non_resident_parent.as_ref(),
        cmd.children.as_deref().unwrap_or_default(),
        london::local_date(now),
    )
}

/// Applies the patch, refused (412) if the case changed since the caller read it (`if_match`), and moves a waiting intake on. Returns the case as the caller now sees it.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    cmd: PatchCmd,
    if_match: &IfMatch,
) -> Result<Case, AppError> {
    let now = OffsetDateTime::now_utc();
    let case = cases::load(conn, referral_id, actor, true)?;
    may_change(&case, &cmd)?;
    let r = &case.referral;
    if_match.check(r.version)?;
    let at = stored(now);
    let scope = write::Scope {
        referral_id: &r.id,
        provider_id: &r.provider_id,
        by: &actor.user_id,
        at,
    };
    write::people(conn, &scope, &case, &cmd)?;
    let mut referrer: ReferrerDetails = stored_json(&r.referrer_details)?;
    if let Some((kind, given)) = &cmd.referrer {
        if kind.as_str() != r.referrer_kind {
            return Err(AppError::invalid(
                "referrer.kind",
                "fixed",
                "who referred cannot change; make a new referral",
            ));
        }
        referrer = given.clone();
    }
    let court = match &cmd.court {
        Some((c, _)) => Some(c.clone()),
        None => r.court.as_deref().map(stored_court).transpose()?,
    };
    let court_ordered = cmd.court_ordered.unwrap_or(r.court_ordered);
    let changes = ReferralChanges {
        referrer_details: Some(serde_json::to_string(&referrer).unwrap_or_default()),
        external_ref: cmd
            .external_ref
            .as_ref()
            .map(|e| Some(e.trim().to_string())),
        court_ordered: cmd.court_ordered,
        court: cmd.court.map(|(_, json)| Some(json)),
        risk: cmd.risk,
        availability: cmd.availability.map(Some),
        first_session_on: cmd.first_session_on.map(Some),
        ..Default::default()
    };
    let updated = referrals::update(conn, &r.id, &changes, at)?;
    let parties = referrals::parties(conn, &r.id)?;
    let missing = intake::missing(
        &parties,
        updated.referrer_kind()?,
        referrer.name.clone(),
        court_ordered,
        court.as_ref(),
    );
    let by = By {
        user_id: Some(&actor.user_id),
        role: Some(actor.role),
    };
    let referral = complete_or_wait(conn, &updated, missing, by, now)?;
    Ok(Case {
        referral,
        parties,
        ..case
    })
}

/// Staff and whoever made the referral change it; some fields only staff; nothing once the
/// case has ended.
fn may_change(case: &Case, cmd: &PatchCmd) -> Result<(), AppError> {
    let staff = case.relation.is_staff(&[Role::OrgAdmin, Role::Coordinator]);
    if !staff && !case.relation.actors.contains(&lifecycle::Actor::Creator) {
        return Err(AppError::forbidden(
            "only staff and whoever made the referral may change it",
        ));
    }
    if let (false, Some(field)) = (staff, cmd.staff_only_field()) {
        return Err(AppError::forbidden(format!(
            "only staff may change {field}"
        )));
    }
    let r = &case.referral;
    if is_final(r.status()?) {
        return Err(AppError::conflict(
            ProblemType::CaseClosed,
            format!("a {} referral cannot be changed", r.status),
        ));
    }
    Ok(())
}

fn stored_court(text: &str) -> Result<Court, AppError> {
    let c: StoredCourt = stored_json(text)?;
    Ok(Court {
        court: c.court,
        case_number: c.case_number,
        order_date: c.order_date,
    })
}

/// Records what is missing and moves an intake on: to `awaiting_information` if details are
/// missing, else past the fee gate or to screening.
pub fn complete_or_wait(
    conn: &mut AnyConnection,
    referral: &Referral,
    missing: Vec<String>,
    by: By,
    now: OffsetDateTime,
) -> Result<Referral, AppError> {
    let status = referral.status()?;
    let mut changes = ReferralChanges {
        missing: Some(serde_json::to_string(&missing).unwrap_or_else(|_| "[]".into())),
        ..Default::default()
    };
    let waiting = matches!(
        status,
        ReferralStatus::Submitted | ReferralStatus::AwaitingInformation
    );
    if !waiting {
        return Ok(referrals::update(
            conn,
            &referral.id,
            &changes,
            stored(now),
        )?);
    }
    if missing.is_empty() {
        changes.complete_at = Some(Some(stored(now)));
        let fee_due = !workflow::outstanding(conn, &referral.id, LineKind::ReferralFee)?.is_zero();
        let event = Event::InformationComplete {
            referral_fee_due: fee_due,
        };
        workflow::transition(conn, referral, event, by, None, changes, now)
    } else if status == ReferralStatus::Submitted {
        workflow::transition(
            conn,
            referral,
            Event::InformationMissing,
            by,
            None,
            changes,
            now,
        )
    } else {
        Ok(referrals::update(
            conn,
            &referral.id,
            &changes,
            stored(now),
        )?)
    }
}
