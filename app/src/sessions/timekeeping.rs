//! Timekeeping: how each parent of a case kept their times at recent sessions, and whether a
//! handover family has failed them consistently enough to end the service.

use time::{OffsetDateTime, PrimitiveDateTime};

use ccm_domain::referral::PartyRole;
use ccm_domain::schedule::attendance::{persistently_late, LatenessPolicy, Turnout};
use ccm_domain::{Role, ServiceType};
use ccm_persistence::sessions::{self, Session, SessionParty};
use ccm_persistence::AnyConnection;

use crate::cases::{self, scheduling};
use crate::clock::stored;
use crate::{Actor, AppError};

/// One parent at one recent session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub session_id: String,
    pub starts_at: PrimitiveDateTime,
    pub expected_arrival: PrimitiveDateTime,
    pub arrived_at: Option<PrimitiveDateTime>,
    pub late_minutes: Option<i32>,
    pub no_show: bool,
    /// Late beyond the centre's threshold, or absent.
    pub strike: bool,
}

/// One parent's recent sessions, most recent first, against the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyTurns {
    pub party: PartyRole,
    pub recent: Vec<Turn>,
    pub strikes: u32,
    pub persistently_late: bool,
}

/// A case's timekeeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timekeeping {
    pub referral_id: String,
    pub service: ServiceType,
    pub rule: LatenessPolicy,
    pub parties: Vec<PartyTurns>,
    /// A handover case where a parent broke the rule: the coordinator may end the service.
    pub flagged: bool,
}

/// Each parent's recent timekeeping against the centre's lateness policy, for the centre's
/// staff. Sessions with nothing recorded for a parent do not count.
pub fn read(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral_id: &str,
) -> Result<Timekeeping, AppError> {
    let case = cases::load(conn, referral_id, actor, false)?;
    let centre_staff = [
        Role::OrgAdmin,
        Role::Coordinator,
        Role::Supervisor,
        Role::Volunteer,
    ];
    if !case.relation.is_staff(&centre_staff) {
        return Err(AppError::forbidden("timekeeping is for the centre's staff"));
    }
    let r = &case.referral;
    let rule = scheduling::for_centre(conn, &r.centre_id)?.lateness;
    let history = sessions::attended_before(conn, &r.id, stored(OffsetDateTime::now_utc()))?;
    let parties: Vec<PartyTurns> = [PartyRole::ResidentParent, PartyRole::NonResidentParent]
        .into_iter()
        .map(|party| turns(&history, party, rule))
        .collect();
    let service = r.service()?;
    Ok(Timekeeping {
        referral_id: r.id.clone(),
        service,
        rule,
        flagged: service == ServiceType::Handover && parties.iter().any(|p| p.persistently_late),
        parties,
    })
}

fn turns(
    history: &[(Session, Vec<SessionParty>)],
    party: PartyRole,
    rule: LatenessPolicy,
) -> PartyTurns {
    let window = usize::try_from(rule.window).unwrap_or(usize::MAX);
    let mut recent = Vec::new();
    let mut turnout = Vec::new();
    for (session, rows) in history {
        let Some(p) = rows.iter().find(|p| p.party == party.as_str()) else {
            continue;
        };
        let t = match (p.no_show, p.late_minutes) {
            (true, _) => Turnout::NoShow,
            (false, Some(m)) => Turnout::Attended {
                late_minutes: u32::try_from(m).unwrap_or(0),
            },
            (false, None) => continue,
        };
        let strike = match t {
            Turnout::NoShow => true,
            Turnout::Attended { late_minutes } => late_minutes > rule.threshold_minutes,
        };
        turnout.push(t);
        recent.push(Turn {
            session_id: session.id.clone(),
            starts_at: session.starts_at,
            expected_arrival: p.expected_arrival,
            arrived_at: p.arrived_at,
            late_minutes: p.late_minutes,
            no_show: p.no_show,
            strike,
        });
        if recent.len() == window {
            break;
        }
    }
    let strikes = recent.iter().filter(|t| t.strike).count();
    PartyTurns {
        party,
        persistently_late: persistently_late(&turnout, rule),
        strikes: u32::try_from(strikes).unwrap_or(u32::MAX),
        recent,
    }
}
