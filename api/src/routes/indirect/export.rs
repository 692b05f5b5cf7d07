//! The complete item log of a case as one CSV file, for the case file or a court bundle.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use super::{fees, indirect_case, view, IndirectItemView, HANDLERS};
use crate::error::{self, ApiError};
use crate::extract::Principal;
use crate::http::Instant;
use crate::ids::ReferralId;
use crate::state::AppState;
use ccm_persistence::indirect as store;

const COLUMNS: &[&str] = &[
    "id",
    "received_at",
    "direction",
    "kind",
    "from_whom",
    "description",
    "large_or_valuable",
    "status",
    "check_notes",
    "checked_at",
    "decided_at",
    "withheld_reason",
    "fee",
    "fee_outstanding",
    "postage",
    "tracking_number",
    "sent_at",
    "delivered_at",
    "returned_at",
    "return_reason",
    "escalated_at",
    "escalation_notes",
];

/// One CSV field (RFC 4180). Text staff typed may open in a spreadsheet, so a field that a
/// spreadsheet would run as a formula is prefixed with an apostrophe.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn row(i: &IndirectItemView) -> String {
    let at = |t: Option<Instant>| {
        t.map(|t| {
            t.0.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        })
        .unwrap_or_default()
    };
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let values = [
        i.id.clone(),
        at(Some(i.received_at)),
        i.direction.as_str().into(),
        i.kind.as_str().into(),
        i.from_whom.clone(),
        text(&i.description),
        i.large_or_valuable.to_string(),
        i.status.as_str().into(),
        text(&i.check_notes),
        at(i.checked_at),
        at(i.decided_at),
        text(&i.withheld_reason),
        i.fee
            .as_ref()
            .map(|f| f.amount.to_string())
            .unwrap_or_default(),
        i.fee
            .as_ref()
            .map(|f| f.outstanding.to_string())
            .unwrap_or_default(),
        i.postage
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        text(&i.tracking_number),
        at(i.sent_at),
        at(i.delivered_at),
        at(i.returned_at),
        text(&i.return_reason),
        at(i.escalated_at),
        text(&i.escalation_notes),
    ];
    let mut line = values
        .iter()
        .map(|v| field(v))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The case's complete item log as CSV (`text/csv`, RFC 4180, a header row, then one row per
/// item in the order logged; times in UTC; money in pounds). Coordinators and org admins
/// only: an export leaves the system. Addresses are never in it.
#[utoipa::path(tag = "indirect", params(ReferralId), responses((status = 200, description = "The log as CSV, with a header row: id, received_at, direction, kind, from_whom, description, \
large_or_valuable, status, check_notes, checked_at, decided_at, withheld_reason, fee, fee_outstanding, postage, tracking_number, \
sent_at, delivered_at, returned_at, return_reason, escalated_at, escalation_notes.",
        content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "attachment; filename=\"indirect-log-{referral id}.csv\"")),
        example = json!("id,received_at,direction,kind,...\r\n0193...,2027-01-04T09:30:00Z,to_child,letter,...\r\n")),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound),
    (status = 422, response = error::Unprocessable)))]
#[get("/referrals/{id}/indirect-items/export")]
pub async fn export_items(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let (referral_id, csv) = state
        .read(move |conn| {
            let case = indirect_case(conn, &id, &principal, false, HANDLERS)?;
            let fees = fees(conn, &case.referral.id)?;
            let mut csv = COLUMNS.join(",");
            csv.push_str("\r\n");
            for item in store::for_referral(conn, &case.referral.id)? {
                csv.push_str(&row(&view(item, &fees)?));
            }
            Ok((case.referral.id, csv))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"indirect-log-{referral_id}.csv\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(csv))
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_as_csv_needs_and_never_run_as_formulas() {
        assert_eq!(field("Dad"), "Dad");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-5"), "'-5");
    }
}
