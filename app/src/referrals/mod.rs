//! Referrals: making one. Everything it needs is read once (the centre with its offering, the
//! tariff version in force), the rules are asked in `ccm-domain`, and every table is written in
//! one statement, nothing read back.

pub mod actions;
pub mod intake;
mod people;
pub mod read;
pub mod update;

use crate::problem::ProblemType;
use time::{OffsetDateTime, PrimitiveDateTime};

use ccm_domain::quote::LineKind;
use ccm_domain::referral::lifecycle::{Event, ReferralStatus, TransitionError};
use ccm_domain::referral::readiness::Readiness;
use ccm_domain::referral::referring::{self, Fees, NotReferring, NotTaking, Offered};
use ccm_domain::referral::PartyRole;
use ccm_domain::{london, Money, ReferrerKind, Role, ServiceType};
use ccm_persistence::clients::{self, Client};
use ccm_persistence::ledger::{self, Charge, Entry};
use ccm_persistence::offerings::{self, Offering};
use ccm_persistence::people::Person;
use ccm_persistence::referrals::{self, Party, Referral};
use ccm_persistence::webhooks::{self, Change};
use ccm_persistence::{new_id, tariffs, AnyConnection, StoreError};

use crate::error::AppError;
use intake::{Adult, Attendee, Child, Court};

/// Who is asking.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: String,
    pub role: Role,
    pub provider_id: Option<String>,
    /// The partner API client the caller acts through, if any.
    pub client_id: Option<String>,
}

/// A referral to make. The JSON fields are stored as the caller renders them.
#[derive(Clone, Debug)]
pub struct NewReferral {
    pub centre_id: String,
    pub service: ServiceType,
    pub referrer_kind: ReferrerKind,
    pub referrer_name: Option<String>,
    /// The referrer's details as stored and shown back to staff (JSON).
    pub referrer_details: String,
    pub external_ref: Option<String>,
    pub court_ordered: bool,
    /// The order's details intake asks for, and the whole order as stored (JSON).
    pub court: Option<(Court, String)>,
    /// The risk factors as stored (JSON).
    pub risk: String,
    pub availability: Option<String>,
    /// For a parent referring themselves: which side they are.
    pub self_party: Option<PartyRole>,
    pub resident_parent: Option<Adult>,
    pub non_resident_parent: Option<Adult>,
    pub children: Vec<Child>,
    pub attendees: Vec<Attendee>,
}

/// A referral just made, with what its first view shows.
#[derive(Clone, Debug)]
pub struct Created {
    pub referral: Referral,
    /// In role and position order.
    pub parties: Vec<(Party, Person)>,
    /// What the family owes now (the referral fee, unless a funder covers it).
    pub outstanding: Money,
    pub readiness: Readiness,
}

/// Makes a referral. What is missing puts it into `awaiting_information` rather than refusing
/// it; the referral fee is raised from the centre's tariff (and waived at once if a funder
/// pays), and the new case moves past the gates it can.
pub fn create_referral(
    conn: &mut AnyConnection,
    caller: &Caller,
    cmd: NewReferral,
    now: OffsetDateTime,
) -> Result<Created, AppError> {
    let referring = referring::referring(caller.role, cmd.referrer_kind, cmd.self_party)
        .map_err(not_referring)?;
    let today = london::local_date(now);
    intake::check(
        cmd.resident_parent.as_ref(),
        cmd.non_resident_parent.as_ref(),
        &cmd.children,
        today,
    )?;
    let provider_id = caller
        .provider_id
        .clone()
        .ok_or_else(|| AppError::forbidden("your account belongs to no provider"))?;
    let offering = open_offering(conn, &provider_id, &cmd)?;
    let client = referring_client(conn, caller, cmd.referrer_kind)?;
    let at = stored(now);
    let id = new_id();
    let scope = people::Scope {
        referral_id: &id,
        provider_id: &provider_id,
        by: &caller.user_id,
        at,
    };
    let parties = people::parties(conn, &scope, referring, caller, &cmd)?;
    let fees = fees_on_referral(conn, &offering, &cmd, today)?;
    let missing = intake::missing(
        &parties,
        cmd.referrer_kind,
        cmd.referrer_name.clone(),
        cmd.court_ordered,
        cmd.court.as_ref().map(|(c, _)| c),
    );
    let outstanding = fees.family_owes();
    let (event, status) = referring::first_step(!missing.is_empty(), !outstanding.is_zero())
        .map_err(transition_refused)?;
    let referral = new_referral(&scope, caller, referring, &offering, &fees, cmd);
    let referral = Referral {
        status: status.as_str().to_string(),
        missing: serde_json::to_string(&missing).unwrap_or_else(|_| "[]".into()),
        complete_at: missing.is_empty().then_some(at),
        ..referral
    };
    let first = first_event(&referral, event, status, caller, at);
    let (charges, waivers) = ledger_rows(&referral, &fees, &caller.user_id, at);
    referrals::insert_unpublished(conn, &referral, &first)?;
    let (links, persons): (Vec<Party>, Vec<Person>) = parties.iter().cloned().unzip();
    ccm_persistence::people::insert_all(conn, &persons)?;
    referrals::insert_parties(conn, &links)?;
    ledger::insert_charges(conn, &charges)?;
    ledger::insert_entries_unpublished(conn, &waivers)?;
    publish(conn, client.as_ref(), &referral, &first, &waivers)?;
    Ok(Created {
        referral,
        parties,
        outstanding,
        // A case just made has no assessment, visit or place yet.
        readiness: Readiness::default(),
    })
}

/// `at` in UTC as the database keeps it: PostgreSQL keeps microseconds, so what is answered
/// from memory matches what a later read shows.
pub(crate) fn stored(at: OffsetDateTime) -> PrimitiveDateTime {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let t = utc.time();
    let micros = t.replace_microsecond(t.microsecond()).unwrap_or(t);
    PrimitiveDateTime::new(utc.date(), micros)
}

fn not_referring(why: NotReferring) -> AppError {
    let message = why.to_string();
    match why {
        NotReferring::ReferrerAsSelf => AppError::invalid("referrer.kind", "not_self", message),
        NotReferring::ParentForOthers => AppError::invalid("referrer.kind", "self_only", message),
        NotReferring::SideRequired => AppError::invalid("self_party", "required", message),
        NotReferring::Role => AppError::forbidden(message),
    }
}

fn transition_refused(e: TransitionError) -> AppError {
    AppError::Transition {
        detail: e.to_string(),
        current_status: e.status.as_str().to_string(),
        allowed_actions: e.allowed.iter().map(|a| a.as_str().to_string()).collect(),
    }
}

/// The centre's offering of the service, if the centre is the caller's provider's and takes
/// referrals for it now.
fn open_offering(
    conn: &mut AnyConnection,
    provider_id: &str,
    cmd: &NewReferral,
) -> Result<Offering, AppError> {
    let found = offerings::centre_offering(conn, &cmd.centre_id, cmd.service)?;
    let Some((centre, offering)) = found.filter(|(c, _)| c.provider_id == provider_id) else {
        return Err(AppError::invalid(
            "centre_id",
            "not_found",
            "no such centre",
        ));
    };
    let offered = offering.as_ref().map(|o| Offered {
        active: o.active,
        waiting_list_open: o.waiting_list_open,
    });
    let (name, service) = (&centre.name, cmd.service);
    match (referring::takes_referrals(centre.active, offered), offering) {
        (Ok(()), Some(o)) => Ok(o),
        (Err(NotTaking::WaitingListClosed), _) => Err(AppError::rule(
            ProblemType::WaitingListClosed,
            format!("{name}'s waiting list for {service} contact is closed"),
        )),
        _ => Err(AppError::rule(
            ProblemType::ServiceNotOffered,
            format!("{name} does not offer {service} contact"),
        )),
    }
}

/// The partner API client making the referral, if any: it must refer as the kind of body it
/// was registered for. Only referrer accounts act for clients.
fn referring_client(
    conn: &mut AnyConnection,
    caller: &Caller,
    kind: ReferrerKind,
) -> Result<Option<Client>, AppError> {
    let client = match (&caller.client_id, caller.role) {
        (Some(id), _) => Some(clients::find(conn, id)?),
        (None, Role::Referrer) => clients::for_user(conn, &caller.user_id)?,
        (None, _) => None,
    };
    if caller.client_id.is_some() {
        if let Some(c) = client
            .as_ref()
            .filter(|c| !referring::client_refers_as(&c.organisation_kind, kind))
        {
            return Err(AppError::invalid(
                "referrer.kind",
                "client_kind",
                format!(
                    "this API client refers as {}; referrer.kind must be that",
                    c.organisation_kind
                ),
            ));
        }
    }
    Ok(client)
}

/// What today's version of the offering's tariff raises on referral (nothing without one).
fn fees_on_referral(
    conn: &mut AnyConnection,
    offering: &Offering,
    cmd: &NewReferral,
    today: time::Date,
) -> Result<Fees, AppError> {
    let Some(version) = tariffs::version_on(conn, &offering.tariff_id, today)? else {
        return Ok(Fees::default());
    };
    let tariff = version.to_domain(cmd.service)?;
    let minutes = u32::try_from(offering.default_session_minutes).unwrap_or(120);
    referring::fees(
        &tariff,
        cmd.referrer_kind,
        cmd.court_ordered,
        minutes,
        LineKind::ReferralFee,
    )
    .map_err(|e| StoreError::Corrupt(format!("tariff {}: {e}", offering.tariff_id)).into())
}

/// The referral row as `submitted`; intake then sets its first step.
fn new_referral(
    scope: &people::Scope,
    caller: &Caller,
    referring: referring::Referring,
    offering: &Offering,
    fees: &Fees,
    cmd: NewReferral,
) -> Referral {
    let at = scope.at;
    Referral {
        id: scope.referral_id.to_string(),
        provider_id: scope.provider_id.to_string(),
        centre_id: offering.centre_id.clone(),
        service_type: cmd.service.as_str().to_string(),
        status: ReferralStatus::Submitted.as_str().to_string(),
        status_changed_at: at,
        referrer_kind: cmd.referrer_kind.as_str().to_string(),
        referrer_user_id: (referring == referring::Referring::Referrer)
            .then(|| caller.user_id.clone()),
        referrer_details: cmd.referrer_details,
        external_ref: cmd.external_ref.map(|r| r.trim().to_string()),
        court_ordered: cmd.court_ordered,
        court: cmd.court.map(|(_, stored)| stored),
        risk: cmd.risk,
        availability: cmd.availability,
        missing: "[]".into(),
        funder: fees.funder.map(|f| f.as_str().to_string()),
        session_minutes: offering.default_session_minutes,
        complete_at: None,
        priority: 0,
        priority_reason: None,
        offer_expires_at: None,
        decline_reason: None,
        signposted_service: None,
        override_reason: None,
        suspension_reason: None,
        closure_reason: None,
        closure_notes: None,
        activated_on: None,
        next_review_on: None,
        first_session_on: None,
        created_by: Some(caller.user_id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// The transition from `submitted` that intake made, logged as the caller's.
fn first_event(
    referral: &Referral,
    event: Event,
    to: ReferralStatus,
    caller: &Caller,
    at: PrimitiveDateTime,
) -> referrals::Event {
    let action = match event {
        Event::InformationMissing => "information_missing",
        _ => "information_complete",
    };
    referrals::Event {
        id: new_id(),
        referral_id: referral.id.clone(),
        from_status: ReferralStatus::Submitted.as_str().to_string(),
        to_status: to.as_str().to_string(),
        action: action.to_string(),
        actor_user_id: Some(caller.user_id.clone()),
        actor_role: Some(caller.role.as_str().to_string()),
        reason: None,
        at,
    }
}

/// The charges the fees raise, and a funder's waiver of each, so the ledger shows what the
/// funder covered.
fn ledger_rows(
    referral: &Referral,
    fees: &Fees,
    recorded_by: &str,
    at: PrimitiveDateTime,
) -> (Vec<Charge>, Vec<Entry>) {
    let mut charges = Vec::new();
    let mut waivers = Vec::new();
    for (line, amount) in fees.charges() {
        let charge = Charge {
            id: new_id(),
            referral_id: referral.id.clone(),
            kind: line.kind.as_str().to_string(),
            description: line.description.clone(),
            amount_pence: amount.pence(),
            refundable: line.refundable,
            payer: line.payer.as_str().to_string(),
            funder: line.funder.map(|f| f.as_str().to_string()),
            due: line.due.as_str().to_string(),
            created_at: at,
        };
        if let Some(f) = fees.funder {
            waivers.push(Entry {
                id: new_id(),
                referral_id: referral.id.clone(),
                charge_id: charge.id.clone(),
                kind: "waiver".into(),
                amount_pence: amount.pence(),
                method: None,
                reference: None,
                payer: None,
                funder: Some(f.as_str().to_string()),
                reason: Some(format!("funded by {}", f.name())),
                recorded_by: recorded_by.to_string(),
                created_at: at,
            });
        }
        charges.push(charge);
    }
    (charges, waivers)
}

/// Tells the client that made the referral what happened, in order: received, any fee
/// waived, then the first step.
fn publish(
    conn: &mut AnyConnection,
    client: Option<&Client>,
    referral: &Referral,
    first: &referrals::Event,
    waivers: &[Entry],
) -> Result<(), AppError> {
    let change = |state| Change {
        referral_id: &referral.id,
        kind: ccm_domain::events::EventKind::Referral,
        id: &referral.id,
        state,
        at: referral.created_at,
    };
    let mut changes = vec![change(ReferralStatus::Submitted.as_str())];
    changes.extend(waivers.iter().filter_map(ledger::entry_change));
    changes.push(change(&first.to_status));
    Ok(webhooks::publish(conn, client, &changes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_kept_to_the_microsecond_as_the_database_keeps_them() {
        let at = time::macros::datetime!(2026-12-03 16:07:43.687608734 UTC);
        assert_eq!(
            stored(at),
            time::macros::datetime!(2026-12-03 16:07:43.687608)
        );
        let london = time::macros::datetime!(2026-07-01 10:00:00.000000999 +01:00);
        assert_eq!(stored(london), time::macros::datetime!(2026-07-01 09:00:00));
    }
}
