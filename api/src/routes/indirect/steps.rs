//! An item's steps after it is logged, each through the domain's item lifecycle: checked and
//! read, approved (raising its fee) or withheld with a reason, sent once its fee is paid by
//! the postage its kind needs, delivered or returned; a withheld item returned or escalated.
//! Coordinators and org admins take every step; a step its status does not allow is 409 with
//! the status and the steps it does allow.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{item_case, parse, status_of, view_one, IndirectItemView, HANDLERS};
use crate::cases::{self, workflow, Case};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson};
use crate::http::ok_tagged;
use crate::ids::IndirectItemId;
use crate::state::AppState;
use ccm_domain::quote::ChargeDue;
use ccm_domain::records::indirect::{
    self, check_postage, forwards_items, Direction, ItemError, ItemEvent, ItemKind, Postage,
    PostageError,
};
use ccm_domain::ServiceType;
use ccm_persistence::indirect::{self as store, Item, ItemChanges};
use ccm_persistence::ledger::{self, Charge};
use ccm_persistence::{new_id, AnyConnection};

/// Runs one step on the item (locked, for a coordinator or org admin) in a write transaction
/// and answers with the item as it then is.
async fn step<F>(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    f: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection, &Item, &Case, &Principal) -> Result<ItemChanges, ApiError>
        + Send
        + 'static,
{
    let view = state
        .write(move |conn| {
            let (item, case) = item_case(conn, &id, &principal, true, HANDLERS)?;
            let changes = f(conn, &item, &case, &principal)?;
            let updated = store::update(
                conn,
                &item.id,
                &changes,
                workflow::stored(OffsetDateTime::now_utc()),
            )?;
            view_one(conn, updated)
        })
        .await?;
    Ok(ok_tagged(&view, view.version))
}

/// The changes that move the item on by `event`.
fn to(item: &Item, event: ItemEvent) -> Result<ItemChanges, ApiError> {
    Ok(ItemChanges {
        status: Some(indirect::apply(status_of(item)?, event)?.as_str().into()),
        ..Default::default()
    })
}

fn now() -> Option<Option<time::PrimitiveDateTime>> {
    Some(Some(workflow::stored(OffsetDateTime::now_utc())))
}

fn by(principal: &Principal) -> Option<Option<String>> {
    Some(Some(principal.user_id.clone()))
}

fn text(s: &str) -> Option<Option<String>> {
    Some(Some(s.trim().to_string()))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"notes": "Read in full; nothing of concern."}))]
pub struct ItemNotesIn {
    /// What the reader found (check), or to whom and why (escalate).
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub notes: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The gift card is of a value the agreement does not allow."}))]
pub struct ItemReasonIn {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"postage": "tracked_signed", "tracking_number": "AB123456789GB"}))]
pub struct ItemSendIn {
    /// Must be the postage the item needs (its `postage_required`).
    pub postage: Postage,
    /// Required for `tracked_signed`; refused for anything else.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub tracking_number: Option<String>,
}

/// Record that the item has been read and checked, with what the reader found.
#[utoipa::path(tag = "indirect", params(IndirectItemId), request_body = ItemNotesIn, responses((status = 200, description = "Checked.", body = IndirectItemView), error::CreateErrors))]
#[post("/indirect-items/{id}/check")]
pub async fn check_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
    body: ValidJson<ItemNotesIn>,
) -> Result<HttpResponse, ApiError> {
    let notes = body.0.notes;
    step(state, principal, id.into_inner().0, move |_, item, _, p| {
        Ok(ItemChanges {
            check_notes: text(&notes),
            checked_by: by(p),
            checked_at: now(),
            ..to(item, ItemEvent::Check)?
        })
    })
    .await
}

/// Approve a checked item to be sent on. Its fee (the tariff's per-item fee, CL £6) is raised
/// at once on the case's ledger, to the side that sent it; none where the tariff has no item
/// fee or a funder pays for the case. Pay it with `POST /v1/referrals/{id}/payments`.
#[utoipa::path(tag = "indirect", params(IndirectItemId), responses((status = 200, description = "Approved; `fee` names the charge raised.", body = IndirectItemView), error::CreateErrors))]
#[post("/indirect-items/{id}/approve")]
pub async fn approve_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
) -> Result<HttpResponse, ApiError> {
    step(
        state,
        principal,
        id.into_inner().0,
        |conn, item, case, p| {
            let changes = to(item, ItemEvent::Approve)?;
            let charge_id = raise_fee(conn, item, case)?;
            Ok(ItemChanges {
                decided_by: by(p),
                decided_at: now(),
                charge_id: Some(charge_id),
                ..changes
            })
        },
    )
    .await
}

/// Raises the item's fee as a charge to the side that sent it; `None` where none is due.
fn raise_fee(
    conn: &mut AnyConnection,
    item: &Item,
    case: &Case,
) -> Result<Option<String>, ApiError> {
    let r = &case.referral;
    let tariff =
        workflow::current_tariff(conn, &r.centre_id, ServiceType::Indirect)?.map(|(_, t)| t);
    let Some(fee) = indirect::item_fee(tariff.as_ref(), r.funder.is_some()) else {
        return Ok(None);
    };
    let direction: Direction = parse(&item.direction, "direction")?;
    let kind: ItemKind = parse(&item.kind, "kind")?;
    let charge = Charge {
        id: new_id(),
        referral_id: r.id.clone(),
        kind: "item".into(),
        description: format!(
            "{} from {} received {}, forwarded",
            kind.as_str(),
            item.from_whom,
            item.received_at.date()
        ),
        amount_pence: fee.pence(),
        // Like the quote's item line: the fee pays for forwarding and is not refunded.
        refundable: false,
        payer: direction.sender().as_str().into(),
        funder: None,
        due: ChargeDue::BeforeSending.as_str().into(),
        created_at: workflow::stored(OffsetDateTime::now_utc()),
    };
    ledger::insert_charge(conn, &charge)?;
    Ok(Some(charge.id))
}

/// Withhold a checked item, with the reason. It is then returned to its sender or escalated.
#[utoipa::path(tag = "indirect", params(IndirectItemId), request_body = ItemReasonIn, responses((status = 200, description = "Withheld.", body = IndirectItemView), error::CreateErrors))]
#[post("/indirect-items/{id}/withhold")]
pub async fn withhold_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
    body: ValidJson<ItemReasonIn>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason;
    step(state, principal, id.into_inner().0, move |_, item, _, p| {
        Ok(ItemChanges {
            decided_by: by(p),
            decided_at: now(),
            withheld_reason: text(&reason),
            ..to(item, ItemEvent::Withhold)?
        })
    })
    .await
}

/// Send an approved item on, by the postage it needs (first class for letters and cards,
/// tracked and signed for gifts and larger or valuable items, with the tracking number;
/// e-mail for e-mails). 409 `invalid-transition` before approval; 409 `fee-unpaid` naming
/// the charge while its fee is owed; 409 `case-not-active` while the case is suspended or
/// closed; 422 for the wrong postage, a missing tracking number, or a recipient with no
/// address on file.
#[utoipa::path(tag = "indirect", params(IndirectItemId), request_body = ItemSendIn, responses((status = 200, description = "Sent.", body = IndirectItemView), error::CreateErrors))]
#[post("/indirect-items/{id}/send")]
pub async fn send_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
    body: ValidJson<ItemSendIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    step(
        state,
        principal,
        id.into_inner().0,
        move |conn, item, case, p| {
            let fee_settled = match &item.charge_id {
                Some(charge_id) => ledger::states(conn, &item.referral_id)?
                    .iter()
                    .find(|(c, _)| &c.id == charge_id)
                    .is_some_and(|(_, s)| s.outstanding().is_zero()),
                None => true,
            };
            let status = match indirect::apply(status_of(item)?, ItemEvent::Send { fee_settled }) {
                Err(ItemError::FeeUnpaid) => {
                    let charge_id = item.charge_id.clone().unwrap_or_default();
                    return Err(ApiError::FeeUnpaid {
                        detail: format!(
                            "the item's fee must be paid before it is sent: pay charge {charge_id}"
                        ),
                        charge_id,
                    });
                }
                other => other?,
            };
            let case_status = case.referral.status()?;
            if !forwards_items(case_status) {
                return Err(ApiError::conflict(
                    ProblemType::CaseNotActive,
                    format!(
                        "nothing is sent on for a case that is {}",
                        case_status.as_str()
                    ),
                ));
            }
            let kind: ItemKind = parse(&item.kind, "kind")?;
            check_postage(
                kind,
                item.large_or_valuable,
                b.postage,
                b.tracking_number.as_deref(),
            )
            .map_err(|e| match e {
                PostageError::Wrong { .. } => {
                    ApiError::invalid("postage", "postage", e.to_string())
                }
                PostageError::TrackingMissing => {
                    ApiError::invalid("tracking_number", "required", e.to_string())
                }
                PostageError::TrackingUnexpected => {
                    ApiError::invalid("tracking_number", "not_tracked", e.to_string())
                }
            })?;
            reachable(case, item, b.postage)?;
            Ok(ItemChanges {
                status: Some(status.as_str().into()),
                postage: Some(Some(b.postage.as_str().into())),
                tracking_number: Some(b.tracking_number.map(|t| t.trim().to_string())),
                sent_by: by(p),
                sent_at: now(),
                ..Default::default()
            })
        },
    )
    .await
}

/// An item goes only where the recipient can be reached: a postal address for post, an
/// e-mail address for an e-mail. The address itself is not read into the response.
fn reachable(case: &Case, item: &Item, postage: Postage) -> Result<(), ApiError> {
    let direction: Direction = parse(&item.direction, "direction")?;
    let recipient = direction.recipient();
    let person = cases::person_in(&case.parties, recipient);
    let has = |v: Option<&String>| v.is_some_and(|s| !s.trim().is_empty());
    let ok = person.is_some_and(|p| match postage {
        Postage::Email => has(p.email.as_ref()),
        _ => has(p.address_line1.as_ref()) && has(p.postcode.as_ref()),
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::rule(
            ProblemType::RecipientUnreachable,
            format!(
                "the {} has no {} on file: add it to their details before sending",
                recipient.as_str().replace('_', " "),
                if postage == Postage::Email {
                    "e-mail address"
                } else {
                    "postal address"
                }
            ),
        ))
    }
}

/// Record that a sent item was delivered (signed for, or not come back).
#[utoipa::path(tag = "indirect", params(IndirectItemId), responses((status = 200, description = "Delivered.", body = IndirectItemView), error::CreateErrors))]
#[post("/indirect-items/{id}/deliver")]
pub async fn deliver_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
) -> Result<HttpResponse, ApiError> {
    step(state, principal, id.into_inner().0, |_, item, _, _| {
        Ok(ItemChanges {
            delivered_at: now(),
            ..to(item, ItemEvent::Deliver)?
        })
    })
    .await
}

/// Return an item, with the reason: a withheld item goes back to its sender; a sent item
/// came back undelivered.
#[utoipa::path(tag = "indirect", params(IndirectItemId), request_body = ItemReasonIn, responses((status = 200, description = "Returned.", body = IndirectItemView), error::CreateErrors))]
#[post("/indirect-items/{id}/return")]
pub async fn return_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
    body: ValidJson<ItemReasonIn>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason;
    step(state, principal, id.into_inner().0, move |_, item, _, _| {
        Ok(ItemChanges {
            returned_at: now(),
            return_reason: text(&reason),
            ..to(item, ItemEvent::Return)?
        })
    })
    .await
}

/// Escalate a withheld item (to the safeguarding lead, the referrer or the court), saying to
/// whom and why.
#[utoipa::path(tag = "indirect", params(IndirectItemId), request_body = ItemNotesIn, responses((status = 200, description = "Escalated.", body = IndirectItemView), error::CreateErrors))]
#[post("/indirect-items/{id}/escalate")]
pub async fn escalate_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
    body: ValidJson<ItemNotesIn>,
) -> Result<HttpResponse, ApiError> {
    let notes = body.0.notes;
    step(state, principal, id.into_inner().0, move |_, item, _, _| {
        Ok(ItemChanges {
            escalated_at: now(),
            escalation_notes: text(&notes),
            ..to(item, ItemEvent::Escalate)?
        })
    })
    .await
}
