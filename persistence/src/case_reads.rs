//! A case gathered in one round trip: the referral, its parties and (for the case's own view)
//! what its ledger comes to. Nearly every authenticated read of a case starts here.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::AnyConnection;
use crate::people::Person;
use crate::referrals::{sort_parties, Party, Referral};
use crate::schema::{people, referral_parties, referrals};
use crate::StoreError;
use ccm_domain::referral::ledger::EntryKind;

/// A case's parties, each with the person, in the order a case lists them.
pub type Parties = Vec<(Party, Person)>;

/// What a case's ledger comes to: its charges' amounts, and its entries summed by kind (pence).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerTotals {
    pub charged: i64,
    pub entries: Vec<(EntryKind, i64)>,
}

/// Every kind of entry, in the order the query sums them.
const KINDS: [EntryKind; 6] = [
    EntryKind::Payment,
    EntryKind::Refund,
    EntryKind::Waiver,
    EntryKind::Credit,
    EntryKind::CreditUsed,
    EntryKind::CreditRefund,
];

/// The referral with its parties, in one statement (a left join: a case may have none yet).
pub fn find_case(conn: &mut AnyConnection, id: &str) -> Result<(Referral, Parties), StoreError> {
    let rows: Vec<(Referral, Option<Party>, Option<Person>)> = referrals::table
        .left_join(referral_parties::table.inner_join(people::table))
        .filter(referrals::id.eq(id))
        .select((
            Referral::as_select(),
            Option::<Party>::as_select(),
            Option::<Person>::as_select(),
        ))
        .load(conn)?;
    let referral = rows.first().ok_or(StoreError::NotFound)?.0.clone();
    Ok((referral, parties(rows.into_iter().map(|(_, a, b)| (a, b)))))
}

/// The joined rows' parties, in the order a case lists them.
fn parties(rows: impl Iterator<Item = (Option<Party>, Option<Person>)>) -> Parties {
    let mut parties: Parties = rows
        .filter_map(|(party, person)| party.zip(person))
        .collect();
    sort_parties(&mut parties);
    parties
}

/// [`find_case`] with the case's ledger totals, still one statement: the totals are scalar
/// subqueries on the ledger's `(referral_id, ...)` indexes.
pub fn find_case_owing(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<(Referral, Parties, LedgerTotals), StoreError> {
    // The totals are the same on every row, so they ride along with each party.
    let total = |from: &str, kind: Option<EntryKind>| {
        let kind = kind.map_or(String::new(), |k| format!(" AND t.kind = '{}'", k.as_str()));
        sql::<BigInt>(&format!(
            "(SELECT COALESCE(CAST(SUM(t.amount_pence) AS BIGINT), 0) FROM {from} t \
             WHERE t.referral_id = referrals.id{kind})"
        ))
    };
    let [payment, refund, waiver, credit, credit_used, credit_refund] =
        KINDS.map(|k| total("ledger_entries", Some(k)));
    type Row = (
        Referral,
        Option<Party>,
        Option<Person>,
        (i64, i64, i64, i64, i64, i64, i64),
    );
    let rows: Vec<Row> = referrals::table
        .left_join(referral_parties::table.inner_join(people::table))
        .filter(referrals::id.eq(id))
        .select((
            Referral::as_select(),
            Option::<Party>::as_select(),
            Option::<Person>::as_select(),
            (
                total("charges", None),
                payment,
                refund,
                waiver,
                credit,
                credit_used,
                credit_refund,
            ),
        ))
        .load(conn)?;
    let (referral, _, _, sums) = rows.first().cloned().ok_or(StoreError::NotFound)?;
    let totals = LedgerTotals {
        charged: sums.0,
        entries: KINDS
            .into_iter()
            .zip([sums.1, sums.2, sums.3, sums.4, sums.5, sums.6])
            .collect(),
    };
    let parties = parties(rows.into_iter().map(|(_, a, b, _)| (a, b)));
    Ok((referral, parties, totals))
}
