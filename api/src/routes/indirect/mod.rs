//! Indirect (letterbox) contact: the schedule agreed for a case and the log of every item the
//! centre receives and sends on. An item is received, checked and read, approved (which raises
//! its fee) or withheld with a reason; an approved item is sent once its fee is paid, by the
//! postage its kind needs; a withheld one is returned to its sender or escalated.
//!
//! Who does what: the provider's coordinators and org admins do everything; supervisors and
//! volunteers log items as they arrive and read the log and the schedule; finance records the
//! fees through the ledger's payments. Parents and referrers see none of it (404, as for a
//! case that is not theirs). Items carry no addresses: a coordinator reads the recipient's
//! address from one endpoint, only while the item waits to be sent.

use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::{self, Case};
use crate::error::ApiError;
use crate::error::ProblemType;
use crate::extract::Principal;
use crate::http::{self, utc, Instant};
use ccm_domain::records::indirect::{
    self, allowed_actions, Direction, ItemKind, ItemStatus, Postage,
};
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::ledger::ChargeState;
use ccm_domain::{Money, Role, ServiceType};
use ccm_persistence::indirect::{self as store, Item};
use ccm_persistence::ledger::{self, Charge};
use ccm_persistence::AnyConnection;

mod export;
mod items;
mod schedule;
mod steps;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(schedule::get_indirect_schedule)
        .service(schedule::put_indirect_schedule)
        .service(export::export_items)
        .service(items::record_item)
        .service(items::list_items)
        .service(items::get_item)
        .service(items::recipient_address)
        .service(steps::check_item)
        .service(steps::approve_item)
        .service(steps::withhold_item)
        .service(steps::send_item)
        .service(steps::deliver_item)
        .service(steps::return_item)
        .service(steps::escalate_item);
}

/// Staff who log items as they arrive and read the log and the schedule.
const LOG_STAFF: &[Role] = &[
    Role::OrgAdmin,
    Role::Coordinator,
    Role::Supervisor,
    Role::Volunteer,
];

/// Staff who read items, decide on them, send them, set the schedule and export the log.
const HANDLERS: &[Role] = &[Role::OrgAdmin, Role::Coordinator];

/// The case, if it is an indirect case the caller may work on with one of `roles`. Parents,
/// referrers and other providers get 404 (the case's existence is not revealed); the
/// provider's other staff 403; a case of another service 422.
fn indirect_case(
    conn: &mut AnyConnection,
    referral_id: &str,
    principal: &Principal,
    lock: bool,
    roles: &[Role],
) -> Result<Case, ApiError> {
    let case = cases::load(conn, referral_id, principal, lock)?;
    allowed(&case, roles, "referral")?;
    Ok(case)
}

fn allowed(case: &Case, roles: &[Role], what: &str) -> Result<(), ApiError> {
    if !matches!(case.relation.viewer, Viewer::Staff(_)) {
        return Err(ApiError::not_found(what));
    }
    if !case.relation.is_staff(roles) {
        return Err(ApiError::forbidden(if roles == HANDLERS {
            "indirect items are checked, decided on and sent by the centre's coordinators and org admins"
        } else {
            "the indirect item log is kept by the centre's coordinators, org admins, supervisors and volunteers"
        }));
    }
    let service = case.referral.service()?;
    if service != ServiceType::Indirect {
        return Err(ApiError::rule(
            ProblemType::IndirectOnly,
            format!(
                "only an indirect (letterbox) case keeps an item log; this case is {} contact",
                service.as_str()
            ),
        ));
    }
    Ok(())
}

/// The item and its case, for one of `roles`; locked for a step. Anyone who may not see the
/// case gets 404 for the item.
fn item_case(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
    lock: bool,
    roles: &[Role],
) -> Result<(Item, Case), ApiError> {
    let gone = || ApiError::not_found("indirect item");
    let item = if lock {
        store::find_locked(conn, id)
    } else {
        store::find(conn, id)
    }
    .map_err(|_| gone())?;
    let case = cases::load(conn, &item.referral_id, principal, lock).map_err(|_| gone())?;
    allowed(&case, roles, "indirect item")?;
    Ok((item, case))
}

/// The item's per-item fee and where it stands.
#[derive(Serialize, ToSchema)]
pub struct ItemFeeView {
    /// The charge on the case's ledger; pay it with `POST /v1/referrals/{id}/payments`.
    pub charge_id: String,
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "6.00")]
    pub amount: Money,
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "0.00")]
    pub outstanding: Money,
    /// `non_resident_parent` or `resident_parent`: the side that sent the item.
    pub payer: String,
}

/// One item in a case's log. No addresses: see `GET /v1/indirect-items/{id}/recipient-address`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a7c2-4e1b-7d20-8f3a-5b6c7d8e9f01", "referral_id": "0193a7c0-1111-7d20-8f3a-5b6c7d8e9f01",
    "direction": "to_child", "kind": "letter", "from_whom": "Dad", "description": "A two-page letter and a drawing",
    "large_or_valuable": false, "received_at": "2027-01-04T09:30:00Z", "status": "sent", "allowed_actions": ["deliver", "return"],
    "postage_required": "first_class", "check_notes": "Read in full; nothing of concern.", "checked_by": "0193...", "checked_at": "2027-01-04T10:00:00Z",
    "decided_by": "0193...", "decided_at": "2027-01-04T10:05:00Z", "withheld_reason": null,
    "fee": {"charge_id": "0193...", "amount": "6.00", "outstanding": "0.00", "payer": "non_resident_parent"},
    "postage": "first_class", "tracking_number": null, "sent_by": "0193...", "sent_at": "2027-01-05T11:00:00Z",
    "delivered_at": null, "returned_at": null, "return_reason": null, "escalated_at": null, "escalation_notes": null,
    "recorded_by": "0193...", "version": 5, "created_at": "2027-01-04T09:31:00Z", "updated_at": "2027-01-05T11:00:00Z"}))]
pub struct IndirectItemView {
    pub id: String,
    pub referral_id: String,
    pub direction: Direction,
    pub kind: ItemKind,
    /// Who it is from, as the item names them.
    pub from_whom: String,
    pub description: Option<String>,
    pub large_or_valuable: bool,
    pub received_at: Instant,
    pub status: ItemStatus,
    /// The steps its status allows, named as their endpoints are.
    pub allowed_actions: Vec<String>,
    /// How it must go: first class for letters and cards, tracked and signed for gifts and
    /// larger or valuable items, e-mail for e-mails.
    pub postage_required: Postage,
    pub check_notes: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<Instant>,
    /// Who approved or withheld it, and when.
    pub decided_by: Option<String>,
    pub decided_at: Option<Instant>,
    pub withheld_reason: Option<String>,
    /// The fee raised when it was approved; null where none is charged.
    pub fee: Option<ItemFeeView>,
    pub postage: Option<Postage>,
    pub tracking_number: Option<String>,
    pub sent_by: Option<String>,
    pub sent_at: Option<Instant>,
    pub delivered_at: Option<Instant>,
    /// Returned to its sender (withheld) or undeliverable (sent), and why.
    pub returned_at: Option<Instant>,
    pub return_reason: Option<String>,
    pub escalated_at: Option<Instant>,
    pub escalation_notes: Option<String>,
    pub recorded_by: String,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

fn parse<T: std::str::FromStr>(text: &str, column: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| ApiError::Internal(format!("indirect_items.{column}: {e}")))
}

pub fn status_of(item: &Item) -> Result<ItemStatus, ApiError> {
    parse(&item.status, "status")
}

/// The case's charges and where each stands, to show items' fees.
fn fees(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<(Charge, ChargeState)>, ApiError> {
    Ok(ledger::states(conn, referral_id)?)
}

fn view(item: Item, fees: &[(Charge, ChargeState)]) -> Result<IndirectItemView, ApiError> {
    let status = status_of(&item)?;
    let kind: ItemKind = parse(&item.kind, "kind")?;
    let fee = match &item.charge_id {
        Some(id) => {
            let (charge, state) = fees
                .iter()
                .find(|(c, _)| &c.id == id)
                .ok_or_else(|| ApiError::Internal(format!("item {}: no charge {id}", item.id)))?;
            Some(ItemFeeView {
                charge_id: charge.id.clone(),
                amount: state.amount,
                outstanding: state.outstanding(),
                payer: charge.payer.clone(),
            })
        }
        None => None,
    };
    let postage = item
        .postage
        .as_deref()
        .map(|p| parse(p, "postage"))
        .transpose()?;
    Ok(IndirectItemView {
        direction: parse(&item.direction, "direction")?,
        postage_required: indirect::postage_for(kind, item.large_or_valuable),
        kind,
        allowed_actions: allowed_actions(status)
            .iter()
            .map(|a| a.to_string())
            .collect(),
        status,
        fee,
        postage,
        received_at: utc(item.received_at),
        checked_at: item.checked_at.map(utc),
        decided_at: item.decided_at.map(utc),
        sent_at: item.sent_at.map(utc),
        delivered_at: item.delivered_at.map(utc),
        returned_at: item.returned_at.map(utc),
        escalated_at: item.escalated_at.map(utc),
        created_at: utc(item.created_at),
        updated_at: utc(item.updated_at),
        id: item.id,
        referral_id: item.referral_id,
        from_whom: item.from_whom,
        description: item.description,
        large_or_valuable: item.large_or_valuable,
        check_notes: item.check_notes,
        checked_by: item.checked_by,
        decided_by: item.decided_by,
        withheld_reason: item.withheld_reason,
        tracking_number: item.tracking_number,
        sent_by: item.sent_by,
        return_reason: item.return_reason,
        escalation_notes: item.escalation_notes,
        recorded_by: item.recorded_by,
        version: item.version,
    })
}

/// One item's view, reading its case's fees.
fn view_one(conn: &mut AnyConnection, item: Item) -> Result<IndirectItemView, ApiError> {
    let fees = fees(conn, &item.referral_id)?;
    view(item, &fees)
}
