//! Referrals (cases), the people linked to them as parties, and the log of their transitions.

use crate::webhooks::Change;
use ccm_domain::events::EventKind;
use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use crate::db::AnyConnection;
use crate::error::parse_stored;
use crate::people::Person;
use crate::schema::{people, referral_events, referral_parties, referrals};
use crate::{Page, StoreError};
use ccm_domain::referral::lifecycle::ReferralStatus;
use ccm_domain::referral::PartyRole;
use ccm_domain::{ReferrerKind, ServiceType};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals)]
pub struct Referral {
    pub id: String,
    pub provider_id: String,
    pub centre_id: String,
    pub service_type: String,
    pub status: String,
    pub status_changed_at: PrimitiveDateTime,
    pub referrer_kind: String,
    /// The referrer account that made the referral, if it was made by one.
    pub referrer_user_id: Option<String>,
    /// JSON: name, organisation, e-mail, phone.
    pub referrer_details: String,
    pub external_ref: Option<String>,
    pub court_ordered: bool,
    /// JSON: the order's details.
    pub court: Option<String>,
    /// JSON: the domain's `Risk`.
    pub risk: String,
    pub availability: Option<String>,
    /// JSON list of what intake still needs.
    pub missing: String,
    pub funder: Option<String>,
    pub session_minutes: i32,
    /// When the referral became complete: its place in the waiting list's order.
    pub complete_at: Option<PrimitiveDateTime>,
    pub priority: i32,
    pub priority_reason: Option<String>,
    pub offer_expires_at: Option<PrimitiveDateTime>,
    pub decline_reason: Option<String>,
    pub signposted_service: Option<String>,
    pub override_reason: Option<String>,
    pub suspension_reason: Option<String>,
    pub closure_reason: Option<String>,
    pub closure_notes: Option<String>,
    pub activated_on: Option<Date>,
    pub next_review_on: Option<Date>,
    pub first_session_on: Option<Date>,
    /// The account that submitted it (staff, referrer or parent).
    pub created_by: Option<String>,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl Referral {
    pub fn status(&self) -> Result<ReferralStatus, StoreError> {
        parse_stored("referrals.status", &self.status)
    }

    pub fn service(&self) -> Result<ServiceType, StoreError> {
        parse_stored("referrals.service_type", &self.service_type)
    }

    pub fn referrer_kind(&self) -> Result<ReferrerKind, StoreError> {
        parse_stored("referrals.referrer_kind", &self.referrer_kind)
    }

    pub fn missing(&self) -> Result<Vec<String>, StoreError> {
        Ok(serde_json::from_str(&self.missing)?)
    }

    pub fn risk(&self) -> Result<ccm_domain::referral::eligibility::Risk, StoreError> {
        Ok(serde_json::from_str(&self.risk)?)
    }
}

/// Fields to change; `Some(None)` clears a nullable one.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = referrals)]
pub struct ReferralChanges {
    pub status: Option<String>,
    pub status_changed_at: Option<PrimitiveDateTime>,
    pub referrer_details: Option<String>,
    pub external_ref: Option<Option<String>>,
    pub court_ordered: Option<bool>,
    pub court: Option<Option<String>>,
    pub risk: Option<String>,
    pub availability: Option<Option<String>>,
    pub missing: Option<String>,
    pub complete_at: Option<Option<PrimitiveDateTime>>,
    pub priority: Option<i32>,
    pub priority_reason: Option<Option<String>>,
    pub offer_expires_at: Option<Option<PrimitiveDateTime>>,
    pub decline_reason: Option<Option<String>>,
    pub signposted_service: Option<Option<String>>,
    pub override_reason: Option<Option<String>>,
    pub suspension_reason: Option<Option<String>>,
    pub closure_reason: Option<Option<String>>,
    pub closure_notes: Option<Option<String>>,
    pub activated_on: Option<Option<Date>>,
    pub next_review_on: Option<Option<Date>>,
    pub first_session_on: Option<Option<Date>>,
}

pub fn insert(conn: &mut AnyConnection, referral: &Referral) -> Result<(), StoreError> {
    diesel::insert_into(referrals::table)
        .values(referral)
        .execute(conn)?;
    crate::webhooks::emit(
        conn,
        Change {
            referral_id: &referral.id,
            kind: EventKind::Referral,
            id: &referral.id,
            state: &referral.status,
            at: referral.created_at,
        },
    )
}

/// A new referral in the status intake leaves it in, with the transition that took it there,
/// unpublished: the caller publishes both changes with [`crate::webhooks::publish`], since it
/// knows who made the referral without reading it back.
pub fn insert_unpublished(
    conn: &mut AnyConnection,
    referral: &Referral,
    first: &Event,
) -> Result<(), StoreError> {
    diesel::insert_into(referrals::table)
        .values(referral)
        .execute(conn)?;
    diesel::insert_into(referral_events::table)
        .values(first)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Referral, StoreError> {
    Ok(referrals::table
        .find(id)
        .select(Referral::as_select())
        .get_result(conn)?)
}

find_locked!(referrals, Referral);

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &ReferralChanges,
    now: PrimitiveDateTime,
) -> Result<Referral, StoreError> {
    diesel::update(referrals::table.find(id))
        .set((
            changes,
            referrals::version.eq(referrals::version + 1),
            referrals::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Which referrals a list shows. The scope fields come from who is asking.
#[derive(Clone, Debug, Default)]
pub struct ReferralFilter {
    /// Staff: their provider's referrals.
    pub provider_id: Option<String>,
    /// A referrer: the referrals it made.
    pub referrer_user_id: Option<String>,
    /// A parent: the referrals they are a party to.
    pub party_user_id: Option<String>,
    pub status: Option<ReferralStatus>,
    pub centre_id: Option<String>,
    pub service: Option<ServiceType>,
    pub referrer_kind: Option<ReferrerKind>,
    pub external_ref: Option<String>,
    /// Submitted on or after (UTC).
    pub from: Option<PrimitiveDateTime>,
    /// Submitted before (UTC).
    pub to: Option<PrimitiveDateTime>,
}

/// Referrals in id (submission) order, after the cursor.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ReferralFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Referral>, StoreError> {
    let mut query = referrals::table
        .select(Referral::as_select())
        .order(referrals::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(p) = &filter.provider_id {
        query = query.filter(referrals::provider_id.eq(p.clone()));
    }
    if let Some(u) = &filter.referrer_user_id {
        query = query.filter(referrals::referrer_user_id.eq(u.clone()));
    }
    if let Some(u) = &filter.party_user_id {
        query = query.filter(
            referrals::id.eq_any(
                referral_parties::table
                    .inner_join(people::table)
                    .filter(people::user_id.eq(u.clone()))
                    .select(referral_parties::referral_id),
            ),
        );
    }
    if let Some(s) = filter.status {
        query = query.filter(referrals::status.eq(s.as_str()));
    }
    if let Some(c) = &filter.centre_id {
        query = query.filter(referrals::centre_id.eq(c.clone()));
    }
    if let Some(s) = filter.service {
        query = query.filter(referrals::service_type.eq(s.as_str()));
    }
    if let Some(k) = filter.referrer_kind {
        query = query.filter(referrals::referrer_kind.eq(k.as_str()));
    }
    if let Some(r) = &filter.external_ref {
        query = query.filter(referrals::external_ref.eq(r.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(referrals::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(referrals::created_at.lt(to));
    }
    if let Some(after) = after {
        query = query.filter(referrals::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

/// The families waiting for a centre's service: (id, priority, complete_at).
pub fn waiting(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
) -> Result<Vec<(String, i32, Option<PrimitiveDateTime>)>, StoreError> {
    Ok(referrals::table
        .filter(referrals::centre_id.eq(centre_id))
        .filter(referrals::service_type.eq(service.as_str()))
        .filter(referrals::status.eq(ReferralStatus::Waitlisted.as_str()))
        .select((referrals::id, referrals::priority, referrals::complete_at))
        .load(conn)?)
}

/// How many cases of a centre's service hold one of its places.
pub fn holding_places(
    conn: &mut AnyConnection,
    centre_id: &str,
    service: ServiceType,
) -> Result<i64, StoreError> {
    let holding: Vec<&str> = ReferralStatus::ALL
        .iter()
        .filter(|s| ccm_domain::referral::lifecycle::holds_place(**s))
        .map(|s| s.as_str())
        .collect();
    Ok(referrals::table
        .filter(referrals::centre_id.eq(centre_id))
        .filter(referrals::service_type.eq(service.as_str()))
        .filter(referrals::status.eq_any(holding))
        .count()
        .get_result(conn)?)
}

/// Offers that lapsed before `now`.
pub fn expired_offers(
    conn: &mut AnyConnection,
    now: PrimitiveDateTime,
) -> Result<Vec<String>, StoreError> {
    Ok(referrals::table
        .filter(referrals::status.eq(ReferralStatus::PlaceOffered.as_str()))
        .filter(referrals::offer_expires_at.lt(now))
        .select(referrals::id)
        .load(conn)?)
}

/// Active cases whose review date has come.
pub fn reviews_due(conn: &mut AnyConnection, today: Date) -> Result<Vec<String>, StoreError> {
    Ok(referrals::table
        .filter(referrals::status.eq(ReferralStatus::Active.as_str()))
        .filter(referrals::next_review_on.le(today))
        .select(referrals::id)
        .load(conn)?)
}

/// Centres and services with someone waiting: where freed places may be offered.
pub fn lists_with_waiting(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, StoreError> {
    Ok(referrals::table
        .filter(referrals::status.eq(ReferralStatus::Waitlisted.as_str()))
        .select((referrals::centre_id, referrals::service_type))
        .distinct()
        .load(conn)?)
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_parties, treat_none_as_default_value = false)]
pub struct Party {
    pub referral_id: String,
    pub person_id: String,
    pub role: String,
    /// For the non-resident side or an attendee: how they are related ("grandmother").
    pub relationship: Option<String>,
    /// Order within the role (children in the order given).
    pub position: i32,
}

impl Party {
    pub fn role(&self) -> Result<PartyRole, StoreError> {
        parse_stored("referral_parties.role", &self.role)
    }
}

pub fn insert_party(conn: &mut AnyConnection, party: &Party) -> Result<(), StoreError> {
    diesel::insert_into(referral_parties::table)
        .values(party)
        .execute(conn)?;
    Ok(())
}

/// Several parties in one statement.
pub fn insert_parties(conn: &mut AnyConnection, parties: &[Party]) -> Result<(), StoreError> {
    insert_rows!(conn, referral_parties::table, parties)?;
    Ok(())
}

pub fn remove_party(
    conn: &mut AnyConnection,
    referral_id: &str,
    person_id: &str,
) -> Result<(), StoreError> {
    diesel::delete(referral_parties::table.find((referral_id, person_id))).execute(conn)?;
    Ok(())
}

/// The parties of a referral with their people, in role and position order.
pub fn parties(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<(Party, Person)>, StoreError> {
    let mut rows: Vec<(Party, Person)> = referral_parties::table
        .inner_join(people::table)
        .filter(referral_parties::referral_id.eq(referral_id))
        .select((Party::as_select(), Person::as_select()))
        .load(conn)?;
    sort_parties(&mut rows);
    Ok(rows)
}

/// Parties in the order a case lists them: by role, then as given within a role.
pub(crate) fn sort_parties(rows: &mut [(Party, Person)]) {
    rows.sort_by_key(|(p, _)| (p.role().map(|r| r as u8).unwrap_or(u8::MAX), p.position));
}

/// The parties of several referrals at once (a page of a list), by referral id.
pub fn parties_of(
    conn: &mut AnyConnection,
    referral_ids: &[&str],
) -> Result<std::collections::HashMap<String, Vec<(Party, Person)>>, StoreError> {
    let rows: Vec<(Party, Person)> = referral_parties::table
        .inner_join(people::table)
        .filter(referral_parties::referral_id.eq_any(referral_ids))
        .select((Party::as_select(), Person::as_select()))
        .load(conn)?;
    let mut map: std::collections::HashMap<String, Vec<(Party, Person)>> =
        std::collections::HashMap::new();
    for row in rows {
        map.entry(row.0.referral_id.clone()).or_default().push(row);
    }
    for parties in map.values_mut() {
        sort_parties(parties);
    }
    Ok(map)
}

/// The roles a person has across cases (for deciding what a viewer sees of them).
pub fn roles_of(conn: &mut AnyConnection, person_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(referral_parties::table
        .filter(referral_parties::person_id.eq(person_id))
        .select(referral_parties::role)
        .load(conn)?)
}

/// The cases a person is a party to, with their part in each, oldest case first.
pub fn cases_of(
    conn: &mut AnyConnection,
    person_id: &str,
) -> Result<Vec<(Party, Referral)>, StoreError> {
    Ok(referral_parties::table
        .inner_join(referrals::table)
        .filter(referral_parties::person_id.eq(person_id))
        .order(referrals::id.asc())
        .select((Party::as_select(), Referral::as_select()))
        .load(conn)?)
}

/// One row of the append-only transition log.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_events, treat_none_as_default_value = false)]
pub struct Event {
    pub id: String,
    pub referral_id: String,
    pub from_status: String,
    pub to_status: String,
    pub action: String,
    pub actor_user_id: Option<String>,
    pub actor_role: Option<String>,
    pub reason: Option<String>,
    pub at: PrimitiveDateTime,
}

pub fn insert_event(conn: &mut AnyConnection, event: &Event) -> Result<(), StoreError> {
    diesel::insert_into(referral_events::table)
        .values(event)
        .execute(conn)?;
    // A review recorded leaves the state as it was: nothing new to publish.
    crate::webhooks::emit_if_changed(
        conn,
        Some(event.from_status.clone()),
        Change {
            referral_id: &event.referral_id,
            kind: EventKind::Referral,
            id: &event.referral_id,
            state: &event.to_status,
            at: event.at,
        },
    )
}

pub fn events(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Event>, StoreError> {
    Ok(referral_events::table
        .filter(referral_events::referral_id.eq(referral_id))
        .order(referral_events::id.asc())
        .select(Event::as_select())
        .load(conn)?)
}
