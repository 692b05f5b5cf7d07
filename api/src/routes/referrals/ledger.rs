//! A case's ledger as the API shows it, and recording money against one of its charges
//! (payments, refunds and waivers in `money`, credit used in `credits`).

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases;
use crate::error::ApiError;
use crate::extract::Principal;
use crate::http::{self, utc, Instant, CURRENCY};
use crate::state::AppState;
use ccm_app::ledger::{self, Ledger, MoneyCmd};
use ccm_domain::referral::ledger::{balances_by_payer, ChargeDue, EntryKind, Payer};
use ccm_domain::{Funder, Money};

#[derive(Serialize, ToSchema)]
pub struct LedgerView {
    pub referral_id: String,
    #[schema(example = "GBP")]
    pub currency: &'static str,
    pub charges: Vec<ChargeView>,
    /// Every payment, refund and waiver, oldest first.
    pub entries: Vec<EntryView>,
    /// Each payer's charges and where they stand; they add up to the totals here.
    pub by_payer: Vec<PayerBalanceView>,
    /// The family still owes this across all charges.
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "110.00")]
    pub outstanding: Money,
}

#[derive(Serialize, ToSchema)]
pub struct PayerBalanceView {
    pub payer: Payer,
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "140.00")]
    pub charged: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub paid: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub refunded: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub waived: Money,
    /// Paid for sessions that will not happen, not yet used or refunded: it settles this
    /// payer's next charge, or is refunded. `paid - refunded - credit = charged - waived -
    /// outstanding`.
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "142.50")]
    pub credit: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "110.00")]
    pub outstanding: Money,
}

#[derive(Serialize, ToSchema)]
pub struct ChargeView {
    pub id: String,
    /// referral_fee, balance, session, item or cancellation.
    pub kind: String,
    pub description: String,
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "30.00")]
    pub amount: Money,
    pub refundable: bool,
    /// Whose account it is on: the parent who cancelled pays a cancellation charge, the
    /// sending side an indirect item's fee.
    pub payer: Payer,
    pub funder: Option<Funder>,
    pub due: ChargeDue,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub paid: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub refunded: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub waived: Money,
    /// Paid on it, then moved to the payer's credit when it was written off.
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub credited: Money,
    /// Settled from the payer's credit.
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub credit_used: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub outstanding: Money,
    pub created_at: Instant,
}

#[derive(Serialize, ToSchema)]
pub struct EntryView {
    pub id: String,
    pub charge_id: String,
    pub kind: EntryKind,
    #[serde(with = "http::money")]
    #[schema(value_type = String)]
    pub amount: Money,
    pub method: Option<String>,
    pub reference: Option<String>,
    /// Who paid (payments) or was repaid (refunds).
    pub payer: Option<String>,
    pub funder: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub created_at: Instant,
}

pub(super) fn ledger_view(ledger: Ledger) -> Result<LedgerView, ApiError> {
    let states = ledger.charges;
    let outstanding = Money::from_pence(states.iter().map(|(_, s)| s.outstanding().pence()).sum());
    let by_payer = balances_by_payer(
        states
            .iter()
            .map(|(c, s)| (c.payer().unwrap_or(Payer::Other), s)),
    )
    .into_iter()
    .map(|b| PayerBalanceView {
        payer: b.payer,
        charged: b.charged,
        paid: b.paid,
        refunded: b.refunded,
        waived: b.waived,
        credit: b.credit,
        outstanding: b.outstanding,
    })
    .collect();
    let charges = states
        .into_iter()
        .map(|(c, s)| {
            Ok(ChargeView {
                payer: c.payer()?,
                due: c.due()?,
                amount: s.amount,
                paid: s.paid,
                refunded: s.refunded,
                waived: s.waived,
                credited: s.credited,
                credit_used: s.credit_used,
                outstanding: s.outstanding(),
                funder: c.funder.as_deref().and_then(|f| f.parse().ok()),
                id: c.id,
                kind: c.kind,
                description: c.description,
                refundable: c.refundable,
                created_at: utc(c.created_at),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    let entries = ledger
        .entries
        .into_iter()
        .map(|e| {
            Ok(EntryView {
                kind: e.kind()?,
                amount: Money::from_pence(e.amount_pence),
                created_at: utc(e.created_at),
                id: e.id,
                charge_id: e.charge_id,
                method: e.method,
                reference: e.reference,
                payer: e.payer,
                funder: e.funder,
                reason: e.reason,
                recorded_by: e.recorded_by,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(LedgerView {
        referral_id: ledger.referral_id,
        currency: CURRENCY,
        charges,
        entries,
        by_payer,
        outstanding,
    })
}

/// Records money against one charge of the case and answers with the ledger after it.
pub(super) async fn record(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    cmd: MoneyCmd,
) -> Result<HttpResponse, ApiError> {
    let actor = cases::actor(&principal);
    let view = state
        .write(move |conn| {
            let ledger = ledger::record(conn, &actor, &id, cmd)?;
            crate::audit::case(&ledger.referral_id);
            ledger_view(ledger)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/referrals/{}/ledger", view.referral_id),
        ))
        .json(view))
}
