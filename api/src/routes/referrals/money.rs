//! A case's ledger: the charges raised from the tariff, and payments, refunds and waivers
//! against each. Every balance is a sum of entries, in pence.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::{self, utc, Instant, CURRENCY};
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::ledger::{self, Ledger, MoneyCmd, Movement};
use ccm_domain::referral::ledger::{balances_by_payer, ChargeDue, EntryKind, Payer};
use ccm_domain::{Funder, Money};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_ledger)
        .service(super::credits::use_credit)
        .service(pay)
        .service(refund)
        .service(waive);
}

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

fn ledger_view(ledger: Ledger) -> Result<LedgerView, ApiError> {
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

/// The case's charges, payments, refunds and waivers (staff who handle money, and the
/// paying parent).
#[utoipa::path(tag = "payments", params(ReferralId), responses((status = 200, description = "The ledger.", body = LedgerView), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/ledger")]
pub async fn get_ledger(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let actor = cases::actor(&principal);
    let view = state
        .read(move |conn| {
            let ledger = ledger::read(conn, &actor, &id)?;
            crate::audit::case(&ledger.referral_id);
            ledger_view(ledger)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// How money was paid.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Card,
    BankTransfer,
    Cash,
    Cheque,
    Other,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Card => "card",
            Method::BankTransfer => "bank_transfer",
            Method::Cash => "cash",
            Method::Cheque => "cheque",
            Method::Other => "other",
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"charge_id": "0193...", "amount": "30.00", "method": "card", "payer": "non_resident_parent", "reference": "TX-8842"}))]
pub struct PaymentIn {
    pub charge_id: String,
    /// More than 0.00 and no more than is owed on the charge.
    #[serde(with = "http::money")]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "30.00")]
    pub amount: Money,
    pub method: Method,
    /// Who paid; the charge's payer when left out.
    pub payer: Option<Payer>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub reference: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundIn {
    pub charge_id: String,
    #[serde(with = "http::money")]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "110.00")]
    pub amount: Money,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
    /// Who is repaid; the charge's payer when left out.
    pub payer: Option<Payer>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverIn {
    pub charge_id: String,
    pub funder: Funder,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
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

/// Record a payment against a charge. Paying off the referral fee or the balance moves a case
/// waiting on it forward.
#[utoipa::path(tag = "payments", params(ReferralId), request_body = PaymentIn, responses((status = 201, description = "Recorded; the ledger after it.", body = LedgerView,
        headers(("Location" = String, description = "The ledger's URL"))), error::CreateErrors))]
#[post("/referrals/{id}/payments")]
pub async fn pay(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<PaymentIn>,
) -> Result<HttpResponse, ApiError> {
    let p = body.0;
    let kind = Movement::Payment {
        amount: p.amount,
        method: p.method.as_str().into(),
        payer: p.payer,
        reference: p.reference,
    };
    let cmd = MoneyCmd {
        charge_id: p.charge_id,
        kind,
    };
    record(state, principal, id.into_inner().0, cmd).await
}

/// Refund money paid on a charge. Admin and referral fees are never refunded (409). On a
/// session's charge written off (the session will not happen) it repays the payer's credit
/// from it, as far as that credit is not used.
#[utoipa::path(tag = "payments", params(ReferralId), request_body = RefundIn, responses((status = 201, description = "Recorded; the ledger after it.", body = LedgerView,
        headers(("Location" = String, description = "The ledger's URL"))), error::CreateErrors))]
#[post("/referrals/{id}/refunds")]
pub async fn refund(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<RefundIn>,
) -> Result<HttpResponse, ApiError> {
    let r = body.0;
    let kind = Movement::Refund {
        amount: r.amount,
        reason: r.reason,
        payer: r.payer,
    };
    let cmd = MoneyCmd {
        charge_id: r.charge_id,
        kind,
    };
    record(state, principal, id.into_inner().0, cmd).await
}

/// A funder covers what is still owed on a charge.
#[utoipa::path(tag = "payments", params(ReferralId), request_body = WaiverIn, responses((status = 201, description = "Recorded; the ledger after it.", body = LedgerView,
        headers(("Location" = String, description = "The ledger's URL"))), error::CreateErrors))]
#[post("/referrals/{id}/waivers")]
pub async fn waive(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<WaiverIn>,
) -> Result<HttpResponse, ApiError> {
    let w = body.0;
    let kind = Movement::Waiver {
        funder: w.funder,
        reason: w.reason,
    };
    let cmd = MoneyCmd {
        charge_id: w.charge_id,
        kind,
    };
    record(state, principal, id.into_inner().0, cmd).await
}
