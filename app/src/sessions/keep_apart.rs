//! Keep-apart pairs: an adult of this case who must not meet an adult of another family (an
//! order between them, a known threat). Shared sessions plan the two into different arrival
//! windows; recording a pair re-plans the shared sessions to come.

use time::OffsetDateTime;

use ccm_domain::referral::PartyRole;
use ccm_domain::Role;
pub use ccm_persistence::scheduling::KeepApart;
use ccm_persistence::scheduling::{self as store};
use ccm_persistence::{new_id, referrals, rooms, sessions, AnyConnection};

use crate::cases::{self, scheduling};
use crate::clock::stored;
use crate::{Actor, AppError};

/// A pair to record: an adult of this case and one of another case of the same provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeepApartCmd {
    pub party: PartyRole,
    pub other_referral_id: String,
    pub other_party: PartyRole,
    pub reason: String,
}

/// Records the pair (the provider's deciding staff) and re-plans the case's shared sessions
/// to come around it.
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
    cmd: KeepApartCmd,
) -> Result<KeepApart, AppError> {
    let case = cases::load(conn, referral_id, actor, true)?;
    case.relation.require_deciding_staff()?;
    let r = &case.referral;
    let other = referrals::find(conn, &cmd.other_referral_id)
        .ok()
        .filter(|o| o.provider_id == r.provider_id && o.id != r.id);
    let Some(other) = other else {
        return Err(AppError::invalid(
            "other_referral_id",
            "not_found",
            "no other case of this provider has that id",
        ));
    };
    let now = OffsetDateTime::now_utc();
    let pair = KeepApart {
        id: new_id(),
        referral_id: r.id.clone(),
        party: cmd.party.as_str().into(),
        other_referral_id: other.id.clone(),
        other_party: cmd.other_party.as_str().into(),
        reason: cmd.reason.trim().to_string(),
        created_by: actor.user_id.clone(),
        created_at: stored(now),
    };
    store::insert_keep_apart(conn, &pair)?;
    for s in sessions::upcoming(conn, &r.id, stored(now))? {
        let Some(room_id) = &s.room_id else { continue };
        if rooms::find(conn, room_id)?.kind == "shared" {
            scheduling::replan_shared(conn, &s.centre_id, room_id, s.starts_at, s.ends_at)?;
        }
    }
    Ok(pair)
}

/// The pairs naming this case, on either side. The reasons (orders, threats) are sensitive:
/// for those who plan and run sessions.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Vec<KeepApart>, AppError> {
    let case = cases::load(conn, referral_id, actor, false)?;
    if !case
        .relation
        .is_staff(&[Role::OrgAdmin, Role::Coordinator, Role::Supervisor])
    {
        return Err(AppError::forbidden(
            "keep-apart pairs are for the centre's coordinators, admins and supervisors",
        ));
    }
    Ok(store::keep_apart_for(
        conn,
        std::slice::from_ref(&case.referral.id),
    )?)
}
