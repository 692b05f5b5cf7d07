//! Tariffs: a provider's fees for one service, versioned by the date they take effect. Public
//! to read: a family must be able to see what contact will cost.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    self, created, list_response, next_cursor, ok_tagged, utc, IfMatch, Instant, PageParams,
    CURRENCY,
};
use crate::ids::TariffId;
use crate::state::AppState;

mod fees;
pub use ccm_app::tariffs::today;
use ccm_app::tariffs::{self, TariffFilter, TariffRow, TariffVersion};
use ccm_domain::presets;
use ccm_domain::ServiceType;
pub use fees::Fees;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_presets)
        .service(list_tariffs)
        .service(create_tariff)
        .service(get_tariff)
        .service(update_tariff)
        .service(add_version);
}

#[derive(Serialize, ToSchema)]
pub struct TariffVersionView {
    pub id: String,
    /// The fees apply from this local date on, until the next version.
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date)]
    pub effective_from: Date,
    pub fees: Fees,
    pub created_at: Instant,
}

#[derive(Serialize, ToSchema)]
pub struct TariffView {
    pub id: String,
    pub provider_id: String,
    #[schema(example = "CL supervised contact")]
    pub name: String,
    pub service_type: ServiceType,
    #[schema(example = "GBP")]
    pub currency: &'static str,
    /// The version in force today (Europe/London); null if every version starts later.
    pub current: Option<TariffVersionView>,
    /// Every version, oldest first.
    pub versions: Vec<TariffVersionView>,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

fn version_view(v: &TariffVersion, service: ServiceType) -> Result<TariffVersionView, ApiError> {
    Ok(TariffVersionView {
        id: v.id.clone(),
        effective_from: v.effective_from,
        fees: Fees::from_tariff(&v.to_domain(service)?),
        created_at: utc(v.created_at),
    })
}

impl TariffView {
    fn new(t: &TariffRow, versions: &[TariffVersion]) -> Result<TariffView, ApiError> {
        let service = t.service()?;
        let today = today();
        let current = versions.iter().rev().find(|v| v.effective_from <= today);
        Ok(TariffView {
            id: t.id.clone(),
            provider_id: t.provider_id.clone(),
            name: t.name.clone(),
            service_type: service,
            currency: CURRENCY,
            current: current.map(|v| version_view(v, service)).transpose()?,
            versions: versions
                .iter()
                .map(|v| version_view(v, service))
                .collect::<Result<_, _>>()?,
            version: t.version,
            created_at: utc(t.created_at),
            updated_at: utc(t.updated_at),
        })
    }
}

list_response!(TariffList, TariffView);

#[derive(Serialize, ToSchema)]
pub struct PresetView {
    #[schema(example = "cl_supervised")]
    pub key: &'static str,
    #[schema(example = "CL supervised contact")]
    pub name: &'static str,
    pub service_type: ServiceType,
    pub currency: &'static str,
    pub fees: Fees,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Supervised contact 2026", "service_type": "supervised", "preset": "cl_supervised"}))]
pub struct NewTariff {
    /// An org admin's own provider by default.
    pub provider_id: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub service_type: ServiceType,
    /// Defaults to today (Europe/London).
    #[serde(default, with = "http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_from: Option<Date>,
    /// The fees; give these or a `preset`, not both.
    #[validate(nested)]
    pub fees: Option<Fees>,
    /// Start from a published preset (see `GET /v1/tariff-presets`).
    pub preset: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TariffPatch {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTariffVersion {
    /// Must be after the latest version's date.
    #[serde(with = "http::date::format")]
    #[schema(value_type = String, format = Date)]
    pub effective_from: Date,
    #[validate(nested)]
    pub fees: Fees,
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TariffQuery {
    /// Tariffs of this provider.
    pub provider: Option<String>,
    /// Tariffs for this service.
    pub service: Option<ServiceType>,
}

/// The published presets a tariff can start from (the two providers in the domain notes).
#[utoipa::path(
    tag = "tariffs",
    responses((status = 200, description = "Every preset.", body = Vec<PresetView>))
)]
#[get("/tariff-presets")]
pub async fn list_presets() -> HttpResponse {
    let presets: Vec<PresetView> = presets::ALL
        .iter()
        .map(|p| {
            let t = (p.build)();
            PresetView {
                key: p.key,
                name: p.name,
                service_type: t.service,
                currency: CURRENCY,
                fees: Fees::from_tariff(&t),
            }
        })
        .collect();
    HttpResponse::Ok().json(presets)
}

/// List tariffs.
#[utoipa::path(
    tag = "tariffs",
    params(TariffQuery, PageParams),
    responses(
        (status = 200, description = "A page of tariffs, oldest first.", body = TariffList),
        (status = 400, response = error::BadRequest),
    )
)]
#[get("/tariffs")]
pub async fn list_tariffs(
    state: web::Data<AppState>,
    query: ValidQuery<TariffQuery>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = TariffFilter {
        provider_id: query.0.provider,
        service: query.0.service,
    };
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let (page, mut versions) = state
        .read(move |conn| Ok(tariffs::list(conn, &filter, after.as_deref(), limit)?))
        .await?;
    let items = page
        .items
        .iter()
        .map(|t| TariffView::new(t, &versions.remove(&t.id).unwrap_or_default()))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(TariffList {
        items,
        next_cursor: next_cursor(&page, |t| &t.id),
    }))
}

/// Create a tariff with its first version, from fees or a preset.
#[utoipa::path(
    tag = "tariffs",
    request_body = NewTariff,
    responses(
        (status = 201, description = "Created.", body = TariffView,
            headers(("Location" = String, description = "The tariff's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/tariffs")]
pub async fn create_tariff(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<NewTariff>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    let cmd = tariffs::NewTariff {
        provider_id: new.provider_id,
        name: new.name,
        service_type: new.service_type,
        effective_from: new.effective_from,
        fees: new.fees,
        preset: new.preset,
    };
    let prepared = tariffs::prepare(&principal.caller(), cmd)?;
    crate::audit::subject("tariff", &prepared.0.id);
    let (row, versions) = state
        .write(move |conn| Ok(tariffs::create(conn, prepared)?))
        .await?;
    Ok(created(
        &format!("/v1/tariffs/{}", row.id),
        &TariffView::new(&row, &versions)?,
        row.version,
    ))
}

/// Read a tariff with every version.
#[utoipa::path(
    tag = "tariffs",
    params(TariffId),
    responses(
        (status = 200, description = "The tariff.", body = TariffView, headers(("ETag" = String, description = "Version tag"))),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/tariffs/{id}")]
pub async fn get_tariff(
    state: web::Data<AppState>,
    id: web::Path<TariffId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let (row, versions) = state.read(move |conn| Ok(tariffs::get(conn, &id)?)).await?;
    Ok(ok_tagged(&TariffView::new(&row, &versions)?, row.version))
}

/// Rename a tariff. Fees are never edited in place: add a version instead.
#[utoipa::path(
    tag = "tariffs",
    params(TariffId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = TariffPatch,
    responses(
        (status = 200, description = "Renamed.", body = TariffView, headers(("ETag" = String, description = "Version tag"))),
        error::UpdateErrors,
    )
)]
#[patch("/tariffs/{id}")]
pub async fn update_tariff(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    id: web::Path<TariffId>,
    body: ValidJson<TariffPatch>,
) -> Result<HttpResponse, ApiError> {
    let (actor, name, if_match) = (principal.caller(), body.0.name, if_match.precondition());
    let id = id.into_inner().0;
    let (row, versions) = state
        .write(move |conn| Ok(tariffs::rename(conn, &actor, &id, &name, &if_match)?))
        .await?;
    Ok(ok_tagged(&TariffView::new(&row, &versions)?, row.version))
}

/// Add a version: new fees from a later date on. Earlier versions stay as they were.
#[utoipa::path(
    tag = "tariffs",
    params(TariffId),
    request_body = NewTariffVersion,
    responses(
        (status = 201, description = "Added; the tariff with all its versions.", body = TariffView,
            headers(("Location" = String, description = "The tariff's URL"), ("ETag" = String, description = "Version tag"))),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
    )
)]
#[post("/tariffs/{id}/versions")]
pub async fn add_version(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<TariffId>,
    body: ValidJson<NewTariffVersion>,
) -> Result<HttpResponse, ApiError> {
    let (actor, new) = (principal.caller(), body.0);
    let id = id.into_inner().0;
    let (row, versions) = state
        .write(move |conn| {
            let added = tariffs::add_version(conn, &actor, &id, new.effective_from, new.fees)?;
            Ok(added)
        })
        .await?;
    Ok(created(
        &format!("/v1/tariffs/{}", row.id),
        &TariffView::new(&row, &versions)?,
        row.version,
    ))
}
