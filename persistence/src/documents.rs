//! The descriptions of documents kept on cases; their contents are in a
//! [`DocumentStore`](crate::document_store::DocumentStore) under `storage_key`.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::AnyConnection;
use crate::schema::documents;
use crate::{Page, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub referral_id: String,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the contents, to tell a damaged file from the one uploaded.
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub created_at: PrimitiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, document: &Document) -> Result<(), StoreError> {
    diesel::insert_into(documents::table)
        .values(document)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Document, StoreError> {
    Ok(documents::table
        .find(id)
        .select(Document::as_select())
        .get_result(conn)?)
}

/// A page of the case's documents of the given kinds, oldest first.
pub fn list_for_referral(
    conn: &mut AnyConnection,
    referral_id: &str,
    kinds: &[&str],
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Document>, StoreError> {
    let mut query = documents::table
        .filter(documents::referral_id.eq(referral_id))
        .filter(documents::kind.eq_any(kinds.to_vec()))
        .select(Document::as_select())
        .order(documents::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(documents::id.gt(after.to_string()));
    }
    Ok(Page::from_overfetch(query.load(conn)?, limit))
}

/// Every document of the case, oldest first.
pub fn for_referral(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<Document>, StoreError> {
    Ok(documents::table
        .filter(documents::referral_id.eq(referral_id))
        .order(documents::id.asc())
        .select(Document::as_select())
        .load(conn)?)
}
