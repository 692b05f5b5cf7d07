//! Fee quotes: what contact will cost a family, itemised, from the centre's tariff. Public, so a
//! parent can find out before referring.

use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::{Validate, ValidationError};

use crate::error::ProblemType;
use crate::error::{self, ApiError};
use crate::extract::ValidJson;
use crate::http::{self, CURRENCY};
use crate::routes::tariffs::today;
use crate::state::AppState;
use ccm_domain::quote::{
    self, ChargeDue, LineKind, Payer, QuoteError, QuoteRequest as DomainRequest,
};
use ccm_domain::{Funder, Money, ReferrerKind, ServiceType};
use ccm_persistence::{offerings, tariffs, StoreError};

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
    let req = body.0;
    let as_of = req.as_of.unwrap_or_else(today);
    enum Source {
        Centre(String, ServiceType),
        Tariff(String),
    }
    let source = match (
        req.centre_id.clone(),
        req.service_type,
        req.tariff_id.clone(),
    ) {
        (Some(c), Some(s), None) => Source::Centre(c, s),
        (None, _, Some(t)) => Source::Tariff(t),
        (Some(_), None, None) => {
            return Err(ApiError::invalid(
                "service_type",
                "required",
                "is required with centre_id",
            ))
        }
        (Some(_), _, Some(_)) => {
            return Err(ApiError::invalid(
                "tariff_id",
                "one_of",
                "give centre_id or tariff_id, not both",
            ))
        }
        (None, _, None) => {
            return Err(ApiError::invalid(
                "centre_id",
                "required",
                "give centre_id and service_type, or tariff_id",
            ))
        }
    };
    let asked_service = req.service_type;
    let (tariff, version, default_minutes) = state
        .read(move |conn| {
            let (tariff, minutes) = match &source {
                Source::Centre(centre_id, service) => {
                    let Some(centre) = offerings::priced(conn, centre_id, *service)? else {
                        return Err(ApiError::invalid(
                            "centre_id",
                            "not_found",
                            "no such centre",
                        ));
                    };
                    let offered = centre.offered.filter(|(o, _)| o.active && centre.active);
                    let Some((offering, tariff)) = offered else {
                        return Err(ApiError::rule(
                            ProblemType::ServiceNotOffered,
                            format!("{} does not offer {service} contact", centre.name),
                        ));
                    };
                    (tariff, u32::try_from(offering.default_session_minutes).ok())
                }
                Source::Tariff(id) => match tariffs::find(conn, id) {
                    Err(StoreError::NotFound) => {
                        return Err(ApiError::invalid(
                            "tariff_id",
                            "not_found",
                            "no such tariff",
                        ))
                    }
                    other => (other?, None),
                },
            };
            if let (Source::Tariff(_), Some(asked)) = (&source, asked_service) {
                if tariff.service()? != asked {
                    return Err(ApiError::invalid(
                        "service_type",
                        "service_mismatch",
                        format!(
                            "the tariff prices {} contact, not {asked}",
                            tariff.service_type
                        ),
                    ));
                }
            }
            let Some(version) = tariffs::version_on(conn, &tariff.id, as_of)? else {
                return Err(ApiError::rule(
                    ProblemType::NoTariffInForce,
                    format!(
                        "no version of the tariff \"{}\" is in force on {as_of}",
                        tariff.name
                    ),
                ));
            };
            Ok((tariff, version, minutes))
        })
        .await?;
    let service = tariff.service()?;
    let minutes = match req.hours_per_session {
        // Quarter hours only (validated), so this is exact.
        Some(hours) => (hours * 60.0).round() as u32,
        None => default_minutes.unwrap_or(120),
    };
    let domain_tariff = version.to_domain(service)?;
    let request = DomainRequest {
        referrer: req.referrer,
        court_ordered: req.court_ordered,
        sessions: req.sessions,
        session_minutes: minutes,
        items: req.items,
    };
    let quote = quote::quote(&domain_tariff, &request).map_err(|e| match e {
        QuoteError::PriceOnApplication(_) => {
            ApiError::rule(ProblemType::PriceOnApplication, e.to_string())
        }
        QuoteError::TooLarge { field, .. } => ApiError::invalid(field, "range", e.to_string()),
        QuoteError::Overflow => ApiError::Internal(format!("tariff version {}: {e}", version.id)),
    })?;
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
    Ok(HttpResponse::Ok().json(QuoteView {
        centre_id: req.centre_id,
        service_type: service,
        tariff_id: tariff.id,
        tariff_name: tariff.name,
        tariff_version_id: version.id,
        effective_from: version.effective_from,
        referrer: req.referrer,
        court_ordered: req.court_ordered,
        sessions: req.sessions,
        hours_per_session: f64::from(minutes) / 60.0,
        items: req.items,
        currency: CURRENCY,
        lines,
        total: quote.total,
        funded_by: quote.funded_by,
        cancellation: quote.cancellation.map(|c| QuoteCancellationView {
            charge: c.charge,
            payer: "cancelling_parent",
            description: c.description,
        }),
    }))
}
