//! Retention: a provider's rules and legal minimums per record class, legal holds on cases,
//! and what applying a rule to a closed case does to each class of its records.
//!
//! A case's referral row itself is never deleted: attendance and money are kept (anonymised)
//! for statistics and point at it. "Deleting" its case records removes or blanks everything
//! about the people in it; what is left is an anonymous shell with dates and states.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use ccm_domain::retention::{RecordClass, RetentionAction};

use crate::db::AnyConnection;
use crate::schema::{
    assessments, calendar_feeds, disclosures, documents, incidents, indirect_items,
    indirect_schedules, keep_apart, ledger_entries, legal_holds, next_steps_meetings, people,
    referral_events, referral_parties, referrals, report_releases, reports, retention_actions,
    retention_rules, reviews, safeguarding_concerns, sessions, users,
};
use crate::{new_id, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = retention_rules)]
pub struct Rule {
    pub provider_id: String,
    pub record_class: String,
    pub years: i32,
    pub action: String,
    pub legal_minimum_years: Option<i32>,
    pub updated_by: String,
    pub updated_at: PrimitiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = legal_holds)]
pub struct Hold {
    pub id: String,
    pub referral_id: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: PrimitiveDateTime,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<PrimitiveDateTime>,
}

pub fn rules(conn: &mut AnyConnection, provider_id: &str) -> Result<Vec<Rule>, StoreError> {
    Ok(retention_rules::table
        .filter(retention_rules::provider_id.eq(provider_id))
        .select(Rule::as_select())
        .load(conn)?)
}

/// Sets the provider's rule for a class, replacing any before it.
pub fn save_rule(conn: &mut AnyConnection, rule: &Rule) -> Result<(), StoreError> {
    diesel::delete(
        retention_rules::table
            .filter(retention_rules::provider_id.eq(&rule.provider_id))
            .filter(retention_rules::record_class.eq(&rule.record_class)),
    )
    .execute(conn)?;
    diesel::insert_into(retention_rules::table)
        .values(rule)
        .execute(conn)?;
    Ok(())
}

pub fn insert_hold(conn: &mut AnyConnection, hold: &Hold) -> Result<(), StoreError> {
    diesel::insert_into(legal_holds::table)
        .values(hold)
        .execute(conn)?;
    Ok(())
}

pub fn hold(conn: &mut AnyConnection, id: &str) -> Result<Hold, StoreError> {
    Ok(legal_holds::table
        .find(id)
        .select(Hold::as_select())
        .get_result(conn)?)
}

pub fn holds(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Hold>, StoreError> {
    Ok(legal_holds::table
        .filter(legal_holds::referral_id.eq(referral_id))
        .order(legal_holds::id.asc())
        .select(Hold::as_select())
        .load(conn)?)
}

pub fn lift_hold(
    conn: &mut AnyConnection,
    id: &str,
    by: &str,
    at: PrimitiveDateTime,
) -> Result<Hold, StoreError> {
    diesel::update(legal_holds::table.find(id))
        .set((legal_holds::lifted_by.eq(by), legal_holds::lifted_at.eq(at)))
        .execute(conn)?;
    hold(conn, id)
}

pub fn is_held(conn: &mut AnyConnection, referral_id: &str) -> Result<bool, StoreError> {
    let n: i64 = legal_holds::table
        .filter(legal_holds::referral_id.eq(referral_id))
        .filter(legal_holds::lifted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A closed case, as retention sees it.
#[derive(Clone, Debug, Queryable)]
pub struct Closed {
    pub referral_id: String,
    pub provider_id: String,
    pub closed_at: PrimitiveDateTime,
}

/// Every closed or declined case (both final), oldest first.
pub fn closed_cases(conn: &mut AnyConnection) -> Result<Vec<Closed>, StoreError> {
    Ok(referrals::table
        .filter(referrals::status.eq_any(["closed", "declined"]))
        .order(referrals::id.asc())
        .select((
            referrals::id,
            referrals::provider_id,
            referrals::status_changed_at,
        ))
        .load(conn)?)
}

/// The classes already dealt with for a case.
pub fn applied(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(retention_actions::table
        .filter(retention_actions::referral_id.eq(referral_id))
        .select(retention_actions::record_class)
        .load(conn)?)
}

/// What applying a rule changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Records deleted or anonymised.
    pub records: i64,
    /// Document contents to remove from the store once this transaction commits.
    pub storage_keys: Vec<String>,
}

/// Applies `action` to the case's records of `class` and records that it was done.
pub fn apply(
    conn: &mut AnyConnection,
    referral_id: &str,
    class: RecordClass,
    action: RetentionAction,
    at: PrimitiveDateTime,
) -> Result<Applied, StoreError> {
    let applied = match class {
        RecordClass::Attendance => attendance(conn, referral_id)?,
        RecordClass::Financial => financial(conn, referral_id)?,
        RecordClass::Reports => counted(delete_reports(conn, referral_id)?),
        RecordClass::Incidents => counted(
            diesel::delete(incidents::table.filter(incidents::referral_id.eq(referral_id)))
                .execute(conn)?,
        ),
        RecordClass::SafeguardingConcerns => counted(concerns(conn, referral_id)?),
        RecordClass::IndirectItems => counted(letterbox(conn, referral_id)?),
        RecordClass::Documents => delete_documents(conn, referral_id)?,
        RecordClass::CaseRecords => counted(case_records(conn, referral_id, action)?),
    };
    diesel::insert_into(retention_actions::table)
        .values((
            retention_actions::id.eq(new_id()),
            retention_actions::referral_id.eq(referral_id),
            retention_actions::record_class.eq(class.as_str()),
            retention_actions::action.eq(action.as_str()),
            retention_actions::records.eq(i32::try_from(applied.records).unwrap_or(i32::MAX)),
            retention_actions::applied_at.eq(at),
        ))
        .execute(conn)?;
    Ok(applied)
}

fn counted(n: usize) -> Applied {
    Applied {
        records: i64::try_from(n).unwrap_or(i64::MAX),
        storage_keys: vec![],
    }
}

/// Sessions stay (dates, rooms, who came); the free text that can name people goes.
fn attendance(conn: &mut AnyConnection, referral_id: &str) -> Result<Applied, StoreError> {
    let n = diesel::update(sessions::table.filter(sessions::referral_id.eq(referral_id)))
        .set((
            sessions::cancel_reason.eq(None::<String>),
            sessions::ended_early_reason.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(counted(n))
}

/// Charges and amounts stay for the accounts; payment references and reasons go.
fn financial(conn: &mut AnyConnection, referral_id: &str) -> Result<Applied, StoreError> {
    let n =
        diesel::update(ledger_entries::table.filter(ledger_entries::referral_id.eq(referral_id)))
            .set((
                ledger_entries::reference.eq(None::<String>),
                ledger_entries::reason.eq(None::<String>),
            ))
            .execute(conn)?;
    Ok(counted(n))
}

fn delete_reports(conn: &mut AnyConnection, referral_id: &str) -> Result<usize, StoreError> {
    let ids: Vec<String> = reports::table
        .filter(reports::referral_id.eq(referral_id))
        .select(reports::id)
        .load(conn)?;
    diesel::delete(report_releases::table.filter(report_releases::report_id.eq_any(&ids)))
        .execute(conn)?;
    Ok(diesel::delete(reports::table.filter(reports::id.eq_any(&ids))).execute(conn)?)
}

fn concerns(conn: &mut AnyConnection, referral_id: &str) -> Result<usize, StoreError> {
    diesel::update(disclosures::table.filter(disclosures::referral_id.eq(referral_id)))
        .set(disclosures::concern_id.eq(None::<String>))
        .execute(conn)?;
    Ok(diesel::delete(
        safeguarding_concerns::table.filter(safeguarding_concerns::referral_id.eq(referral_id)),
    )
    .execute(conn)?)
}

fn letterbox(conn: &mut AnyConnection, referral_id: &str) -> Result<usize, StoreError> {
    diesel::delete(
        indirect_schedules::table.filter(indirect_schedules::referral_id.eq(referral_id)),
    )
    .execute(conn)?;
    Ok(
        diesel::delete(indirect_items::table.filter(indirect_items::referral_id.eq(referral_id)))
            .execute(conn)?,
    )
}

fn delete_documents(conn: &mut AnyConnection, referral_id: &str) -> Result<Applied, StoreError> {
    let storage_keys: Vec<String> = documents::table
        .filter(documents::referral_id.eq(referral_id))
        .select(documents::storage_key)
        .load(conn)?;
    diesel::delete(documents::table.filter(documents::referral_id.eq(referral_id)))
        .execute(conn)?;
    Ok(Applied {
        records: i64::try_from(storage_keys.len()).unwrap_or(i64::MAX),
        storage_keys,
    })
}

/// The people of the case lose everything that identifies them (unless another case that is
/// still kept needs them); the referral keeps its dates and states, nothing said about anyone.
/// Deleting also removes assessments, reviews, meetings, keep-apart rules, calendar feeds and
/// disclosures; anonymising keeps those records with their free text blanked where it can be.
fn case_records(
    conn: &mut AnyConnection,
    referral_id: &str,
    action: RetentionAction,
) -> Result<usize, StoreError> {
    let mut n = 0;
    let persons: Vec<String> = referral_parties::table
        .filter(referral_parties::referral_id.eq(referral_id))
        .select(referral_parties::person_id)
        .load(conn)?;
    for person in persons {
        if still_needed(conn, &person, referral_id)? {
            continue;
        }
        let account: Option<String> = people::table
            .find(&person)
            .select(people::user_id)
            .get_result(conn)?;
        if let Some(account) = account {
            anonymise_account(conn, &account, &person)?;
        }
        n += diesel::update(people::table.find(&person))
            .set((
                people::given_name.eq(None::<String>),
                people::family_name.eq(None::<String>),
                people::date_of_birth.eq(None::<time::Date>),
                people::address_line1.eq(None::<String>),
                people::address_line2.eq(None::<String>),
                people::town.eq(None::<String>),
                people::postcode.eq(None::<String>),
                people::phone.eq(None::<String>),
                people::email.eq(None::<String>),
                people::interpreter_language.eq(None::<String>),
                people::access_needs.eq(None::<String>),
                people::address_supplied_by.eq(None::<String>),
                people::phone_supplied_by.eq(None::<String>),
                people::email_supplied_by.eq(None::<String>),
                people::user_id.eq(None::<String>),
                people::version.eq(people::version + 1),
            ))
            .execute(conn)?;
    }
    n += diesel::update(referrals::table.find(referral_id))
        .set((
            referrals::referrer_details.eq("{}"),
            referrals::external_ref.eq(None::<String>),
            referrals::court.eq(None::<String>),
            referrals::availability.eq(None::<String>),
            referrals::priority_reason.eq(None::<String>),
            referrals::decline_reason.eq(None::<String>),
            referrals::override_reason.eq(None::<String>),
            referrals::suspension_reason.eq(None::<String>),
            referrals::closure_notes.eq(None::<String>),
            referrals::version.eq(referrals::version + 1),
        ))
        .execute(conn)?;
    diesel::update(referral_events::table.filter(referral_events::referral_id.eq(referral_id)))
        .set(referral_events::reason.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(
        keep_apart::table.filter(
            keep_apart::referral_id
                .eq(referral_id)
                .or(keep_apart::other_referral_id.eq(referral_id)),
        ),
    )
    .execute(conn)?;
    diesel::delete(calendar_feeds::table.filter(calendar_feeds::referral_id.eq(referral_id)))
        .execute(conn)?;
    match action {
        RetentionAction::Delete => {
            n +=
                diesel::delete(assessments::table.filter(assessments::referral_id.eq(referral_id)))
                    .execute(conn)?;
            n += diesel::delete(reviews::table.filter(reviews::referral_id.eq(referral_id)))
                .execute(conn)?;
            n += diesel::delete(
                next_steps_meetings::table.filter(next_steps_meetings::referral_id.eq(referral_id)),
            )
            .execute(conn)?;
            n +=
                diesel::delete(disclosures::table.filter(disclosures::referral_id.eq(referral_id)))
                    .execute(conn)?;
        }
        RetentionAction::Anonymise => {
            diesel::update(assessments::table.filter(assessments::referral_id.eq(referral_id)))
                .set(assessments::controls_notes.eq(None::<String>))
                .execute(conn)?;
            diesel::update(reviews::table.filter(reviews::referral_id.eq(referral_id)))
                .set((
                    reviews::notes.eq(None::<String>),
                    reviews::continue_reason.eq(None::<String>),
                ))
                .execute(conn)?;
        }
    }
    Ok(n)
}

/// A parent's own account goes with their record, unless it is also another record's: it can
/// no longer sign in, and its address and name are replaced.
fn anonymise_account(
    conn: &mut AnyConnection,
    user_id: &str,
    person_id: &str,
) -> Result<(), StoreError> {
    let others: i64 = people::table
        .filter(people::user_id.eq(user_id))
        .filter(people::id.ne(person_id))
        .count()
        .get_result(conn)?;
    if others > 0 {
        return Ok(());
    }
    diesel::update(users::table.find(user_id))
        .set((
            users::email.eq(format!("anonymised-{user_id}@accounts.invalid")),
            users::display_name.eq("Anonymised"),
            users::password_hash.eq("!"),
            users::active.eq(false),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    crate::tokens::revoke_user(conn, user_id, crate::now())?;
    Ok(())
}

/// Whether the person is also in another case whose case records are still kept.
fn still_needed(
    conn: &mut AnyConnection,
    person_id: &str,
    referral_id: &str,
) -> Result<bool, StoreError> {
    let others: Vec<String> = referral_parties::table
        .filter(referral_parties::person_id.eq(person_id))
        .filter(referral_parties::referral_id.ne(referral_id))
        .select(referral_parties::referral_id)
        .load(conn)?;
    for other in others {
        let done: i64 = retention_actions::table
            .filter(retention_actions::referral_id.eq(&other))
            .filter(retention_actions::record_class.eq(RecordClass::CaseRecords.as_str()))
            .count()
            .get_result(conn)?;
        if done == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
