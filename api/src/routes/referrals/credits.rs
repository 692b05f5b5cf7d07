//! Using a payer's credit on request: what they had paid for sessions that will not happen
//! settles another charge of theirs. (It settles their next charge by itself as it is raised.)

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::ledger::{record, LedgerView};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http;
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_app::ledger::{MoneyCmd, Movement};
use ccm_domain::Money;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"charge_id": "0193...", "amount": "95.00"}))]
pub struct CreditUseIn {
    /// A charge still owed; the credit used is its payer's own.
    pub charge_id: String,
    /// As much as the credit and the charge allow when left out.
    #[serde(default, with = "http::money::option")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "95.00")]
    pub amount: Option<Money>,
}

/// Settle a charge from its payer's credit. 409 when the payer holds no credit or nothing is
/// owed on the charge.
#[utoipa::path(tag = "payments", params(ReferralId), request_body = CreditUseIn, responses((status = 201, description = "Recorded; the ledger after it.", body = LedgerView,
        headers(("Location" = String, description = "The ledger's URL"))), error::CreateErrors))]
#[post("/referrals/{id}/credits")]
pub async fn use_credit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<CreditUseIn>,
) -> Result<HttpResponse, ApiError> {
    let c = body.0;
    let cmd = MoneyCmd {
        charge_id: c.charge_id,
        kind: Movement::CreditUse { amount: c.amount },
    };
    record(state, principal, id.into_inner().0, cmd).await
}
