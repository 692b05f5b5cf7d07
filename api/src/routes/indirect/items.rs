//! Logging items as they arrive, reading the log, and the one place a recipient's address is
//! shown (to a coordinator or org admin, while the item waits to be sent).

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use validator::Validate;

use super::{
    fees, indirect_case, item_case, status_of, view, view_one, IndirectItemView, HANDLERS,
    LOG_STAFF,
};
use crate::cases::{self, workflow};
use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{created, list_response, next_cursor, ok_tagged, PageParams};
use crate::ids::{IndirectItemId, ReferralId};
use crate::state::AppState;
use ccm_domain::records::indirect::{
    forwards_items, postage_for, Direction, ItemKind, ItemStatus, Postage,
};
use ccm_persistence::indirect::{self as store, Item};
use ccm_persistence::new_id;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"direction": "to_child", "kind": "letter", "from_whom": "Dad",
    "description": "A two-page letter and a drawing", "received_at": "2027-01-04T09:30:00Z"}))]
pub struct IndirectItemIn {
    pub direction: Direction,
    pub kind: ItemKind,
    /// Who it is from, as the item names them ("Dad", "Cal and Mum").
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub from_whom: String,
    /// What came in, as staff would describe it in the log.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: Option<String>,
    /// Larger or valuable: goes tracked and signed for. Gifts always do.
    #[serde(default)]
    pub large_or_valuable: bool,
    /// When it reached the centre, with an offset; not in the future.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
}

/// Log an item received for a case (coordinators, org admins, supervisors, volunteers). The
/// case must be indirect (422 otherwise) and in contact (active or review due; 409 otherwise).
#[utoipa::path(tag = "indirect", params(ReferralId), request_body = IndirectItemIn, responses((status = 201, description = "Logged as received.", body = IndirectItemView,
        headers(("Location" = String, description = "The item's URL"), ("ETag" = String, description = "Version tag"))), error::CreateErrors))]
#[post("/referrals/{id}/indirect-items")]
pub async fn record_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<IndirectItemIn>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let id = id.into_inner().0;
    let view = state
        .write(move |conn| {
            let case = indirect_case(conn, &id, &principal, true, LOG_STAFF)?;
            let status = case.referral.status()?;
            if !forwards_items(status) {
                return Err(ApiError::conflict(
                    ProblemType::CaseNotActive,
                    format!(
                        "a case that is {} takes no items: items pass while contact is active",
                        status.as_str()
                    ),
                ));
            }
            let now = OffsetDateTime::now_utc();
            if b.received_at > now {
                return Err(ApiError::invalid(
                    "received_at",
                    "in_future",
                    "is in the future",
                ));
            }
            let at = workflow::stored(now);
            let item = Item {
                id: new_id(),
                referral_id: case.referral.id.clone(),
                direction: b.direction.as_str().into(),
                kind: b.kind.as_str().into(),
                from_whom: b.from_whom.trim().to_string(),
                description: b.description.map(|d| d.trim().to_string()),
                large_or_valuable: b.large_or_valuable,
                received_at: workflow::stored(b.received_at),
                status: ItemStatus::Received.as_str().into(),
                check_notes: None,
                checked_by: None,
                checked_at: None,
                decided_by: None,
                decided_at: None,
                withheld_reason: None,
                charge_id: None,
                postage: None,
                tracking_number: None,
                sent_by: None,
                sent_at: None,
                delivered_at: None,
                returned_at: None,
                return_reason: None,
                escalated_at: None,
                escalation_notes: None,
                recorded_by: principal.user_id.clone(),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            store::insert(conn, &item)?;
            view(item, &[])
        })
        .await?;
    Ok(created(
        &format!("/v1/indirect-items/{}", view.id),
        &view,
        view.version,
    ))
}

list_response!(IndirectItemList, IndirectItemView);

/// The case's item log, in the order items were logged (coordinators, org admins,
/// supervisors, volunteers). For the whole log as a file, see `.../indirect-items/export`.
#[utoipa::path(tag = "indirect", params(ReferralId, PageParams), responses((status = 200, description = "A page of the log, oldest first.", body = IndirectItemList), (status = 400, response = error::BadRequest),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
    (status = 422, response = error::Unprocessable)))]
#[get("/referrals/{id}/indirect-items")]
pub async fn list_items(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let id = id.into_inner().0;
    let list = state
        .read(move |conn| {
            let case = indirect_case(conn, &id, &principal, false, LOG_STAFF)?;
            let page = store::page(conn, &case.referral.id, after.as_deref(), limit)?;
            let next_cursor = next_cursor(&page, |i| &i.id);
            let fees = fees(conn, &case.referral.id)?;
            let items = page
                .items
                .into_iter()
                .map(|i| view(i, &fees))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(IndirectItemList { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One item of the log (coordinators, org admins, supervisors, volunteers).
#[utoipa::path(tag = "indirect", params(IndirectItemId), responses((status = 200, description = "The item.", body = IndirectItemView, headers(("ETag" = String, description = "Version tag"))),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
    (status = 422, response = error::Unprocessable)))]
#[get("/indirect-items/{id}")]
pub async fn get_item(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| {
            let (item, _) = item_case(conn, &id, &principal, false, LOG_STAFF)?;
            view_one(conn, item)
        })
        .await?;
    Ok(ok_tagged(&view, view.version))
}

/// Where an item goes: the recipient household's name and postal address (or e-mail address
/// for an e-mail). Confidential: both parents' addresses are kept from each other.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"item_id": "0193...", "recipient": "resident_parent", "name": "Ann Smith",
    "postage": "first_class", "address_line1": "1 High St", "address_line2": null, "town": "Chatham", "postcode": "ME4 4AB", "email": null}))]
pub struct ItemRecipientAddress {
    pub item_id: String,
    /// The party whose household it goes to (a child's post goes to the parent they live with).
    pub recipient: ccm_domain::referral::PartyRole,
    pub name: String,
    pub postage: Postage,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    /// Only for an item that goes by e-mail.
    pub email: Option<String>,
}

/// The recipient's address for an approved item, to send it (coordinators and org admins
/// only; 409 unless the item is approved and waiting to go). Nothing else in the log carries
/// an address.
#[utoipa::path(tag = "indirect", params(IndirectItemId), responses((status = 200, description = "Where to send it.", body = ItemRecipientAddress), (status = 401, response = error::Unauthorized),
    (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound), (status = 409, response = error::Conflict),
    (status = 422, response = error::Unprocessable)))]
#[get("/indirect-items/{id}/recipient-address")]
pub async fn recipient_address(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<IndirectItemId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let address = state
        .read(move |conn| {
            let (item, case) = item_case(conn, &id, &principal, false, HANDLERS)?;
            let status = status_of(&item)?;
            if status != ItemStatus::Approved {
                return Err(ApiError::Transition {
                    detail: format!(
                        "an item's recipient address is shown only while it waits to be sent; this one is {}",
                        status.as_str()
                    ),
                    current_status: status.as_str().into(),
                    allowed_actions: ccm_domain::records::indirect::allowed_actions(status)
                        .iter()
                        .map(|a| a.to_string())
                        .collect(),
                });
            }
            let direction: Direction = super::parse(&item.direction, "direction")?;
            let postage = postage_for(super::parse(&item.kind, "kind")?, item.large_or_valuable);
            let recipient = direction.recipient();
            let person = cases::person_in(&case.parties, recipient).ok_or_else(|| {
                ApiError::Internal(format!("case {} has no {}", case.referral.id, recipient))
            })?;
            let name = [person.given_name.as_deref(), person.family_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let by_email = postage == Postage::Email;
            // The one place an indirect item's destination is disclosed: on the trail as a read
            // of the recipient's contact details.
            crate::audit::read(
                "person",
                &person.id,
                Some(&item.referral_id),
                &[if by_email { "contact.email" } else { "contact.address" }],
            );
            Ok(ItemRecipientAddress {
                item_id: item.id,
                recipient,
                name,
                postage,
                address_line1: person.address_line1.clone().filter(|_| !by_email),
                address_line2: person.address_line2.clone().filter(|_| !by_email),
                town: person.town.clone().filter(|_| !by_email),
                postcode: person.postcode.clone().filter(|_| !by_email),
                email: person.email.clone().filter(|_| by_email),
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .json(address))
}
