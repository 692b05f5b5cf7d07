//! A case's ledger: the charges raised from the tariff, and payments, refunds and waivers
//! against each. Every balance is a sum of entries, in pence.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::cases;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http;
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::ledger::{self, MoneyCmd, Movement};
use ccm_domain::referral::ledger::Payer;
use ccm_domain::{Funder, Money};

use super::ledger::{ledger_view, record, LedgerView};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_ledger)
        .service(super::credits::use_credit)
        .service(pay)
        .service(refund)
        .service(waive);
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
