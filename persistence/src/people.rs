//! People: the adults and children of a provider's cases. Contact details and needs are
//! confidential and kept here once, whichever cases a person is in.

use ccm_domain::referral::provenance::Provenance;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::people;
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = people, treat_none_as_default_value = false)]
pub struct Person {
    pub id: String,
    pub provider_id: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<time::Date>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The accounts that supplied the current address, phone and e-mail.
    pub address_supplied_by: Option<String>,
    pub phone_supplied_by: Option<String>,
    pub email_supplied_by: Option<String>,
    pub interpreter_language: Option<String>,
    pub access_needs: Option<String>,
    /// The person's own (parent) account, once linked.
    pub user_id: Option<String>,
    pub version: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl Person {
    /// Any way to reach them: an address, a phone number or an e-mail address.
    pub fn reachable(&self) -> bool {
        self.address_line1.is_some() || self.phone.is_some() || self.email.is_some()
    }

    pub fn provenance(&self) -> Provenance {
        Provenance {
            address: self.address_supplied_by.clone(),
            phone: self.phone_supplied_by.clone(),
            email: self.email_supplied_by.clone(),
        }
    }
}

/// `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = people)]
pub struct PersonChanges {
    pub given_name: Option<Option<String>>,
    pub family_name: Option<Option<String>>,
    pub date_of_birth: Option<Option<time::Date>>,
    pub address_line1: Option<Option<String>>,
    pub address_line2: Option<Option<String>>,
    pub town: Option<Option<String>>,
    pub postcode: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub address_supplied_by: Option<Option<String>>,
    pub phone_supplied_by: Option<Option<String>>,
    pub email_supplied_by: Option<Option<String>>,
    pub interpreter_language: Option<Option<String>>,
    pub access_needs: Option<Option<String>>,
    pub user_id: Option<Option<String>>,
}

pub fn insert(conn: &mut AnyConnection, person: &Person) -> Result<(), StoreError> {
    diesel::insert_into(people::table)
        .values(person)
        .execute(conn)?;
    Ok(())
}

/// Several people in one statement.
pub fn insert_all(conn: &mut AnyConnection, people: &[Person]) -> Result<(), StoreError> {
    insert_rows!(conn, people::table, people)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Person, StoreError> {
    Ok(people::table
        .find(id)
        .select(Person::as_select())
        .get_result(conn)?)
}

find_locked!(people, Person);

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &PersonChanges,
    now: PrimitiveDateTime,
) -> Result<Person, StoreError> {
    diesel::update(people::table.find(id))
        .set((
            changes,
            people::version.eq(people::version + 1),
            people::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)
}
