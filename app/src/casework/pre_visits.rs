//! Each side's pre-visit, booked separately and never overlapping; each parent sees only their
//! own.

use time::OffsetDateTime;

use ccm_domain::referral::casework::{self, PreVisit as Visit};
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::referral::pre_visit;
use ccm_domain::referral::PartyRole;
use ccm_domain::{london, Role};
use ccm_persistence::casework::{self as records, PreVisit};
use ccm_persistence::{centres, new_id, AnyConnection};

use crate::cases::{self, readiness::domain_visits};
use crate::clock::stored;
use crate::{Actor, AppError, ProblemType};

/// A pre-visit to book for one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreVisitCmd {
    pub party: PartyRole,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

/// Books one side's pre-visit: once a place is accepted, ahead, while the centre is open, one
/// per side, never overlapping the other side's, and for supported contact not on the day of
/// the first session.
pub fn book(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    cmd: PreVisitCmd,
) -> Result<PreVisit, AppError> {
    let case = cases::load(conn, referral_id, actor, true)?;
    case.relation.require_deciding_staff()?;
    let r = &case.referral;
    if !matches!(
        r.status()?,
        ReferralStatus::AwaitingBalance | ReferralStatus::PreVisits
    ) {
        return Err(AppError::conflict(
            ProblemType::NotAtPreVisits,
            format!(
                "pre-visits are booked once a place is accepted; this referral is {}",
                r.status
            ),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let opening = centres::find(conn, &r.centre_id)?.opening_pattern()?;
    pre_visit::check_booking(cmd.starts_at, cmd.ends_at, now, &opening)
        .map_err(|e| AppError::invalid(e.field(), e.code(), e.to_string()))?;
    let existing = records::pre_visits(conn, &r.id)?;
    let new = Visit {
        party: cmd.party,
        starts_at: cmd.starts_at,
        ends_at: cmd.ends_at,
        attended: false,
    };
    casework::check_pre_visit(
        &domain_visits(&existing)?,
        new,
        london::local_date(cmd.starts_at),
        r.service()?,
        r.first_session_on,
    )
    .map_err(|why| AppError::rule(ProblemType::PreVisitRule, why))?;
    let row = PreVisit {
        id: new_id(),
        referral_id: r.id.clone(),
        party_role: new.party.as_str().into(),
        starts_at: stored(cmd.starts_at),
        ends_at: stored(cmd.ends_at),
        attended: false,
        created_at: stored(now),
    };
    records::insert_pre_visit(conn, &row)?;
    Ok(row)
}

/// The case's pre-visits the caller may see: staff both, each parent their own; a referrer
/// none (403).
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Vec<PreVisit>, AppError> {
    let case = cases::load(conn, referral_id, actor, false)?;
    let visible = |party: &str| match case.relation.viewer {
        Viewer::Staff(_) => true,
        Viewer::Party(me) => me.as_str() == party,
        Viewer::Referrer => false,
    };
    if case.relation.viewer == Viewer::Referrer {
        return Err(AppError::forbidden(
            "pre-visit times are for the family and the centre",
        ));
    }
    Ok(records::pre_visits(conn, &case.referral.id)?
        .into_iter()
        .filter(|v| visible(&v.party_role))
        .collect())
}

/// Records that a side attended its pre-visit, once it has started (409 before).
pub fn mark_attended(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    visit_id: &str,
) -> Result<PreVisit, AppError> {
    let case = cases::load(conn, referral_id, actor, true)?;
    let centre_staff = [
        Role::OrgAdmin,
        Role::Coordinator,
        Role::Supervisor,
        Role::Volunteer,
    ];
    if !case.relation.is_staff(&centre_staff) {
        return Err(AppError::forbidden("the centre's staff record attendance"));
    }
    let visit = records::pre_visits(conn, &case.referral.id)?
        .into_iter()
        .find(|v| v.id == visit_id)
        .ok_or_else(|| AppError::not_found("pre-visit"))?;
    pre_visit::check_attended(visit.starts_at.assume_utc(), OffsetDateTime::now_utc())
        .map_err(|e| AppError::conflict(ProblemType::PreVisitNotStarted, e.to_string()))?;
    records::mark_attended(conn, &visit.id)?;
    Ok(PreVisit {
        attended: true,
        ..visit
    })
}
