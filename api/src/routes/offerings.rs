//! Service offerings: which services a centre offers, on which days, at what session length,
//! under which tariff, and whether its waiting list is open.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    created, list_response, next_cursor, ok_tagged, utc, IfMatch, Instant, PageParams,
};
use crate::ids::OfferingId;
use crate::state::AppState;
use ccm_app::offerings::{self, Offering};
use ccm_domain::{ServiceType, Weekday};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_offerings)
        .service(create_offering)
        .service(get_offering)
        .service(update_offering);
}

#[derive(Serialize, ToSchema)]
pub struct OfferingView {
    pub id: String,
    pub centre_id: String,
    pub service_type: ServiceType,
    /// The tariff that prices this service here.
    pub tariff_id: String,
    #[schema(example = 120)]
    pub default_session_minutes: u32,
    pub days_offered: Vec<Weekday>,
    /// Whether new referrals may join the waiting list.
    pub waiting_list_open: bool,
    /// Families the service takes at once. When set, a place freed is offered to the next
    /// family on the waiting list automatically; when null, coordinators offer places by hand.
    pub places: Option<u32>,
    pub active: bool,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

impl OfferingView {
    fn new(o: &Offering) -> Result<OfferingView, ApiError> {
        Ok(OfferingView {
            id: o.id.clone(),
            centre_id: o.centre_id.clone(),
            service_type: o.service()?,
            tariff_id: o.tariff_id.clone(),
            default_session_minutes: u32::try_from(o.default_session_minutes).unwrap_or(0),
            days_offered: o.days()?,
            waiting_list_open: o.waiting_list_open,
            places: o.places.and_then(|p| u32::try_from(p).ok()),
            active: o.active,
            version: o.version,
            created_at: utc(o.created_at),
            updated_at: utc(o.updated_at),
        })
    }
}

list_response!(OfferingList, OfferingView);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service_type": "supervised", "tariff_id": "0193...", "default_session_minutes": 120, "days_offered": ["wednesday", "saturday"]}))]
pub struct NewOffering {
    pub service_type: ServiceType,
    /// A tariff of the same provider and service.
    pub tariff_id: String,
    /// 15 to 480, in steps of 15.
    #[schema(example = 120)]
    pub default_session_minutes: u32,
    /// Handover runs on Saturdays only.
    #[validate(length(min = 1, max = 7))]
    #[schema(min_items = 1, max_items = 7)]
    pub days_offered: Vec<Weekday>,
    #[serde(default = "yes")]
    pub waiting_list_open: bool,
    /// Families the service takes at once (0 to 500); omit to offer places by hand.
    #[validate(range(max = 500))]
    #[schema(maximum = 500)]
    pub places: Option<u32>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferingPatch {
    pub tariff_id: Option<String>,
    pub default_session_minutes: Option<u32>,
    #[validate(length(min = 1, max = 7))]
    #[schema(min_items = 1, max_items = 7)]
    pub days_offered: Option<Vec<Weekday>>,
    pub waiting_list_open: Option<bool>,
    /// Families the service takes at once; null offers places by hand.
    #[serde(default, deserialize_with = "crate::http::nullable")]
    #[validate(range(max = 500))]
    #[schema(value_type = Option<u32>, maximum = 500)]
    pub places: Option<Option<u32>>,
    pub active: Option<bool>,
}

impl NewOffering {
    fn command(self) -> offerings::NewOffering {
        offerings::NewOffering {
            service_type: self.service_type,
            tariff_id: self.tariff_id,
            default_session_minutes: self.default_session_minutes,
            days_offered: self.days_offered,
            waiting_list_open: self.waiting_list_open,
            places: self.places,
            active: self.active,
        }
    }
}

impl OfferingPatch {
    fn command(self) -> offerings::OfferingPatch {
        offerings::OfferingPatch {
            tariff_id: self.tariff_id,
            default_session_minutes: self.default_session_minutes,
            days_offered: self.days_offered,
            waiting_list_open: self.waiting_list_open,
            places: self.places,
            active: self.active,
        }
    }
}

/// The services a centre offers.
#[utoipa::path(
    tag = "centres",
    params(("centre_id" = String, Path, description = "Centre id"), PageParams),
    responses(
        (status = 200, description = "A page of offerings, oldest first.", body = OfferingList),
        (status = 400, response = error::BadRequest),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/centres/{centre_id}/offerings")]
pub async fn list_offerings(
    state: web::Data<AppState>,
    centre_id: web::Path<String>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let centre_id = centre_id.into_inner();
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let page = state
        .read(move |conn| Ok(offerings::list(conn, &centre_id, after.as_deref(), limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(OfferingList {
        items: page
            .items
            .iter()
            .map(OfferingView::new)
            .collect::<Result<_, _>>()?,
        next_cursor: next_cursor(&page, |o| &o.id),
    }))
}

/// Offer a service at a centre (one offering per service per centre).
#[utoipa::path(
    tag = "centres",
    params(("centre_id" = String, Path, description = "Centre id")),
    request_body = NewOffering,
    responses(
        (status = 201, description = "Created.", body = OfferingView,
            headers(("Location" = String, description = "The offering's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/centres/{centre_id}/offerings")]
pub async fn create_offering(
    state: web::Data<AppState>,
    principal: Principal,
    centre_id: web::Path<String>,
    body: ValidJson<NewOffering>,
) -> Result<HttpResponse, ApiError> {
    let (actor, new) = (principal.caller(), body.0.command());
    let centre_id = centre_id.into_inner();
    let offering = state
        .write(move |conn| {
            let offering = offerings::create(conn, &actor, &centre_id, new)?;
            crate::audit::subject("offering", &offering.id);
            Ok(offering)
        })
        .await?;
    Ok(created(
        &format!("/v1/offerings/{}", offering.id),
        &OfferingView::new(&offering)?,
        offering.version,
    ))
}

/// Read a service offering.
#[utoipa::path(
    tag = "centres",
    params(OfferingId),
    responses(
        (status = 200, description = "The offering.", body = OfferingView, headers(("ETag" = String, description = "Version tag"))),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/offerings/{id}")]
pub async fn get_offering(
    state: web::Data<AppState>,
    id: web::Path<OfferingId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let offering = state
        .read(move |conn| Ok(offerings::get(conn, &id)?))
        .await?;
    Ok(ok_tagged(&OfferingView::new(&offering)?, offering.version))
}

/// Update a service offering: its tariff, days, session length, waiting list or active flag.
#[utoipa::path(
    tag = "centres",
    params(OfferingId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = OfferingPatch,
    responses(
        (status = 200, description = "Updated.", body = OfferingView, headers(("ETag" = String, description = "Version tag"))),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 412, response = error::PreconditionFailed),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
    )
)]
#[patch("/offerings/{id}")]
pub async fn update_offering(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    id: web::Path<OfferingId>,
    body: ValidJson<OfferingPatch>,
) -> Result<HttpResponse, ApiError> {
    let (actor, patch, if_match) = (
        principal.caller(),
        body.0.command(),
        if_match.precondition(),
    );
    let id = id.into_inner().0;
    let offering = state
        .write(move |conn| Ok(offerings::update(conn, &actor, &id, patch, &if_match)?))
        .await?;
    Ok(ok_tagged(&OfferingView::new(&offering)?, offering.version))
}
