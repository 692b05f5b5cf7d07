//! Fee quotes: what contact will cost a family, itemised, from the centre's tariff. Public, so a
//! parent can find out before referring.

use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::{Validate, ValidationError};

use crate::error::{self, ApiError};
use crate::extract::ValidJson;
use crate::http::{self, CURRENCY};
use crate::state::AppState;
use ccm_app::quotes::{self, QuoteCmd, Quoted};
use ccm_domain::quote::{ChargeDue, LineKind, Payer};
use ccm_domain::{Funder, Money, ReferrerKind, ServiceType};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_quote);
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"centre_id": "0193...", "service_type": "supervised", "referrer": "self", "sessions": 6, "hours_per_session": 2}))]
pub struct QuoteRequest {
    /// The centre; give it with `service_type`, or give `tariff_id` instead.
    pub centre_id: Option<String>,
    pub service_type: Option<ServiceType>,
    /// Price under this tariff directly, without a centre.
    pub tariff_id: Option<String>,
    /// Who refers the family (default `self`).
    #[serde(default = "self_referral")]
    pub referrer: ReferrerKind,
    /// Whether a court ordered the contact.
    #[serde(default)]
    pub court_ordered: bool,
    /// Sessions to price (0 to 500).
    #[serde(default)]
    #[validate(range(max = 500))]
    #[schema(maximum = 500)]
    pub sessions: u32,
    /// Hours per session in quarter hours (0.25 to 24); defaults to the centre's session
    /// length for the service, or 2.
    #[validate(custom(function = "quarter_hours"))]
    #[schema(minimum = 0.25, maximum = 24, multiple_of = 0.25, example = 2)]
    pub hours_per_session: Option<f64>,
    /// Indirect items to forward (0 to 1000).
    #[serde(default)]
    #[validate(range(max = 1000))]
    #[schema(maximum = 1000)]
    pub items: u32,
    /// Price under the tariff version in force on this date (default today, Europe/London).
    #[serde(default, with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<Date>,
}

fn self_referral() -> ReferrerKind {
    ReferrerKind::SelfReferral
}

fn quarter_hours(hours: f64) -> Result<(), ValidationError> {
    let quarters = hours * 4.0;
    if !(0.25..=24.0).contains(&hours) || quarters.fract() != 0.0 {
        let mut e = ValidationError::new("quarter_hours");
        e.message = Some("must be 0.25 to 24 hours in quarter hours".into());
        return Err(e);
    }
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct QuoteLineView {
    pub kind: LineKind,
    #[schema(example = "Session of 2 h at £95.00 an hour")]
    pub description: String,
    pub quantity: u32,
    /// The price of one unit before any waiver.
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "190.00")]
    pub unit_amount: Money,
    /// What the payer is charged: zero where a funder covers it.
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "1140.00")]
    pub amount: Money,
    pub due: ChargeDue,
    pub refundable: bool,
    /// The family's named payer (usually the non-resident parent), or `funder`.
    pub payer: Payer,
    /// Set when `payer` is `funder`.
    pub funder: Option<Funder>,
}

#[derive(Serialize, ToSchema)]
pub struct QuoteCancellationView {
    /// What a parent who cancels one session of the quoted length pays.
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "190.00")]
    pub charge: Money,
    #[schema(example = "cancelling_parent")]
    pub payer: &'static str,
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct QuoteView {
    pub centre_id: Option<String>,
    pub service_type: ServiceType,
    pub tariff_id: String,
    pub tariff_name: String,
    pub tariff_version_id: String,
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date)]
    pub effective_from: Date,
    pub referrer: ReferrerKind,
    pub court_ordered: bool,
    pub sessions: u32,
    pub hours_per_session: f64,
    pub items: u32,
    #[schema(example = "GBP")]
    pub currency: &'static str,
    pub lines: Vec<QuoteLineView>,
    /// The sum of the lines' amounts.
    #[serde(with = "http::money")]
    #[schema(value_type = String, example = "1270.00")]
    pub total: Money,
    /// Set when a funder covers the family's fees.
    pub funded_by: Option<Funder>,
    /// Set when cancelling a session costs the cancelling parent something.
    pub cancellation: Option<QuoteCancellationView>,
}

/// What the family would pay: itemised, with when each part falls due and who pays it.
#[utoipa::path(
    tag = "quotes",
    request_body = QuoteRequest,
    responses(
        (status = 200, description = "The quote.", body = QuoteView),
        error::BodyErrors,
    )
)]
#[post("/quotes")]
pub async fn create_quote(
    state: web::Data<AppState>,
    body: ValidJson<QuoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.0.command();
    let asked = cmd.clone();
    let quoted = state
        .read(move |conn| Ok(quotes::quote(conn, cmd)?))
        .await?;
    Ok(HttpResponse::Ok().json(view(&asked, quoted)))
}

impl QuoteRequest {
    fn command(self) -> QuoteCmd {
        QuoteCmd {
            centre_id: self.centre_id,
            service_type: self.service_type,
            tariff_id: self.tariff_id,
            referrer: self.referrer,
            court_ordered: self.court_ordered,
            sessions: self.sessions,
            // Quarter hours only (validated), so this is exact.
            session_minutes: self.hours_per_session.map(|h| (h * 60.0).round() as u32),
            items: self.items,
            as_of: self.as_of,
        }
    }
}

fn view(asked: &QuoteCmd, quoted: Quoted) -> QuoteView {
    let Quoted {
        tariff,
        version,
        service,
        session_minutes: minutes,
        quote,
    } = quoted;
    let lines = quote
        .lines
        .iter()
        .map(|l| QuoteLineView {
            kind: l.kind,
            description: l.description.clone(),
            quantity: l.quantity,
            unit_amount: l.unit_amount,
            amount: l.amount,
            due: l.due,
            refundable: l.refundable,
            payer: l.payer,
            funder: l.funder,
        })
        .collect();
    QuoteView {
        centre_id: asked.centre_id.clone(),
        service_type: service,
        tariff_id: tariff.id,
        tariff_name: tariff.name,
        tariff_version_id: version.id,
        effective_from: version.effective_from,
        referrer: asked.referrer,
        court_ordered: asked.court_ordered,
        sessions: asked.sessions,
        hours_per_session: f64::from(minutes) / 60.0,
        items: asked.items,
        currency: CURRENCY,
        lines,
        total: quote.total,
        funded_by: quote.funded_by,
        cancellation: quote.cancellation.map(|c| QuoteCancellationView {
            charge: c.charge,
            payer: "cancelling_parent",
            description: c.description,
        }),
    }
}
