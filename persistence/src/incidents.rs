//! Incidents recorded at sessions.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::incidents;
use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = incidents)]
pub struct Incident {
    pub id: String,
    pub session_id: String,
    pub referral_id: String,
    pub kind: String,
    pub occurred_at: PrimitiveDateTime,
    pub description: String,
    pub action_taken: String,
    pub recorded_by: String,
    pub created_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, incident: &Incident) -> Result<(), StoreError> {
    diesel::insert_into(incidents::table)
        .values(incident)
        .execute(conn)?;
    Ok(())
}

/// The session's incidents in the order they happened.
pub fn for_session(
    conn: &mut AnyConnection,
    session_id: &str,
) -> Result<Vec<Incident>, StoreError> {
    Ok(incidents::table
        .filter(incidents::session_id.eq(session_id))
        .order((incidents::occurred_at, incidents::id))
        .select(Incident::as_select())
        .load(conn)?)
}
