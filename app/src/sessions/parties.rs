//! Sessions with their parents' rows, as their views need them.

use ccm_persistence::sessions::{self, Session, SessionParty};
use ccm_persistence::AnyConnection;

use crate::AppError;

/// Each session with its parents' rows, read in one statement.
pub fn with_parties(
    conn: &mut AnyConnection,
    rows: Vec<Session>,
) -> Result<Vec<(Session, Vec<SessionParty>)>, AppError> {
    let ids: Vec<String> = rows.iter().map(|s| s.id.clone()).collect();
    let mut parties = sessions::parties(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let (mine, rest) = parties.drain(..).partition(|p| p.session_id == s.id);
            parties = rest;
            (s, mine)
        })
        .collect())
}
