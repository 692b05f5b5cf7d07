//! Centres: where contact happens. Public to read (a parent must find a centre without an
//! account); written by the provider's org admins.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    created, list_response, next_cursor, nullable, ok_tagged, utc, IfMatch, Instant, PageParams,
};
use crate::ids::CentreId;
use crate::state::AppState;

mod opening;
pub mod policy;
use ccm_app::centres::{self, Centre, CentreFilter};
use ccm_domain::ServiceType;
pub use opening::{OpeningPatternInput, OpeningPatternView, OpeningRuleDto};

pub use ccm_app::centres::TIME_ZONE;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_centres)
        .service(create_centre)
        .service(get_centre)
        .service(update_centre)
        .service(policy::get_policy)
        .service(policy::put_policy);
}

/// A centre's public address.
#[derive(Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"line1": "12 Station Road", "line2": null, "town": "Ashford", "postcode": "TN23 1PP"}))]
pub struct Address {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub line1: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub line2: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub town: String,
    /// A UK postcode; stored in its standard form ("TN23 1PP").
    #[validate(length(min = 5, max = 10))]
    #[schema(
        min_length = 5,
        max_length = 10,
        pattern = r"^ ?[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2} ?$"
    )]
    pub postcode: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressPatch {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub line1: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub line2: Option<Option<String>>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub town: Option<String>,
    #[validate(length(min = 5, max = 10))]
    #[schema(
        min_length = 5,
        max_length = 10,
        pattern = r"^ ?[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2} ?$"
    )]
    pub postcode: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CentreView {
    pub id: String,
    pub provider_id: String,
    #[schema(example = "Ashford Family Centre")]
    pub name: String,
    pub address: Address,
    /// The centre's public phone number.
    pub phone: Option<String>,
    #[schema(example = "Europe/London")]
    pub time_zone: String,
    pub opening_pattern: OpeningPatternView,
    /// The services the centre actively offers.
    pub services: Vec<ServiceType>,
    pub active: bool,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

impl CentreView {
    pub fn new(c: &Centre, services: Vec<ServiceType>) -> Result<CentreView, ApiError> {
        Ok(CentreView {
            id: c.id.clone(),
            provider_id: c.provider_id.clone(),
            name: c.name.clone(),
            address: Address {
                line1: c.address_line1.clone(),
                line2: c.address_line2.clone(),
                town: c.town.clone(),
                postcode: c.postcode.clone(),
            },
            phone: c.phone.clone(),
            time_zone: c.time_zone.clone(),
            opening_pattern: OpeningPatternView::from(&c.opening_pattern()?),
            services,
            active: c.active,
            version: c.version,
            created_at: utc(c.created_at),
            updated_at: utc(c.updated_at),
        })
    }
}

list_response!(CentreList, CentreView);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Ashford Family Centre",
    "address": {"line1": "12 Station Road", "town": "Ashford", "postcode": "TN23 1PP"},
    "opening_pattern": {"rules": [{"weekday": "saturday", "opens": "10:00", "closes": "12:00", "every_weeks": 2, "starting": "2026-01-03"}]}
}))]
pub struct NewCentre {
    /// The provider running the centre; an org admin's own provider by default.
    pub provider_id: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(nested)]
    pub address: Address,
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30)]
    pub phone: Option<String>,
    /// Only `Europe/London` is supported.
    #[schema(example = "Europe/London")]
    pub time_zone: Option<String>,
    #[serde(default)]
    #[validate(nested)]
    pub opening_pattern: OpeningPatternInput,
    #[serde(default = "yes")]
    pub active: bool,
}

impl Address {
    fn command(self) -> centres::Address {
        centres::Address {
            line1: self.line1,
            line2: self.line2,
            town: self.town,
            postcode: self.postcode,
        }
    }
}

impl NewCentre {
    fn command(self) -> centres::NewCentre {
        centres::NewCentre {
            provider_id: self.provider_id,
            name: self.name,
            address: self.address.command(),
            phone: self.phone,
            time_zone: self.time_zone,
            opening_pattern: self.opening_pattern.pattern(),
            active: self.active,
        }
    }
}

impl CentrePatch {
    fn command(self) -> centres::CentrePatch {
        let address = self.address;
        let (line1, line2, town, postcode) = match address {
            Some(a) => (a.line1, a.line2, a.town, a.postcode),
            None => (None, None, None, None),
        };
        centres::CentrePatch {
            name: self.name,
            line1,
            line2,
            town,
            postcode,
            phone: self.phone,
            opening_pattern: self
                .opening_pattern
                .as_ref()
                .map(OpeningPatternInput::pattern),
            active: self.active,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CentrePatch {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(nested)]
    pub address: Option<AddressPatch>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 5, max = 30))]
    #[schema(value_type = Option<String>, min_length = 5, max_length = 30)]
    pub phone: Option<Option<String>>,
    #[validate(nested)]
    pub opening_pattern: Option<OpeningPatternInput>,
    pub active: Option<bool>,
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CentreQuery {
    /// Centres with this exact name, in any case and spacing (`cl  dover` finds `CL Dover`):
    /// an exact match, not a search for part of a name.
    pub name: Option<String>,
    /// Centres in this town (any case).
    pub town: Option<String>,
    /// Centres actively offering this service.
    pub service: Option<ServiceType>,
    /// Centres of this provider.
    pub provider: Option<String>,
    /// Only active (`true`) or inactive (`false`) centres.
    pub active: Option<bool>,
}

/// Find centres, by name, town, service or provider.
#[utoipa::path(
    tag = "centres",
    params(CentreQuery, PageParams),
    responses(
        (status = 200, description = "A page of centres, oldest first.", body = CentreList),
        (status = 400, response = error::BadRequest),
    )
)]
#[get("/centres")]
pub async fn list_centres(
    state: web::Data<AppState>,
    query: ValidQuery<CentreQuery>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let filter = CentreFilter {
        name: q.name,
        town: q.town,
        provider_id: q.provider,
        service: q.service,
        active: q.active,
    };
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let (page, mut services) = state
        .read(move |conn| Ok(centres::list(conn, &filter, after.as_deref(), limit)?))
        .await?;
    let items = page
        .items
        .iter()
        .map(|c| CentreView::new(c, services.remove(&c.id).unwrap_or_default()))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(CentreList {
        items,
        next_cursor: next_cursor(&page, |c| &c.id),
    }))
}

/// Add a centre to a provider.
#[utoipa::path(
    tag = "centres",
    request_body = NewCentre,
    responses(
        (status = 201, description = "Created.", body = CentreView,
            headers(("Location" = String, description = "The centre's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/centres")]
pub async fn create_centre(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<NewCentre>,
) -> Result<HttpResponse, ApiError> {
    let centre = centres::prepare(&principal.caller(), body.0.command())?;
    crate::audit::subject("centre", &centre.id);
    let centre = state
        .write(move |conn| Ok(centres::create(conn, centre)?))
        .await?;
    Ok(created(
        &format!("/v1/centres/{}", centre.id),
        &CentreView::new(&centre, vec![])?,
        centre.version,
    ))
}

/// Read a centre.
#[utoipa::path(
    tag = "centres",
    params(CentreId),
    responses(
        (status = 200, description = "The centre.", body = CentreView, headers(("ETag" = String, description = "Version tag"))),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/centres/{id}")]
pub async fn get_centre(
    state: web::Data<AppState>,
    id: web::Path<CentreId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let (centre, services) = state.read(move |conn| Ok(centres::get(conn, &id)?)).await?;
    Ok(ok_tagged(
        &CentreView::new(&centre, services)?,
        centre.version,
    ))
}

/// Update a centre. Send `If-Match` with the ETag to refuse the change if someone else
/// changed the centre first.
#[utoipa::path(
    tag = "centres",
    params(CentreId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = CentrePatch,
    responses(
        (status = 200, description = "Updated.", body = CentreView, headers(("ETag" = String, description = "Version tag"))),
        error::UpdateErrors,
    )
)]
#[patch("/centres/{id}")]
pub async fn update_centre(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    id: web::Path<CentreId>,
    body: ValidJson<CentrePatch>,
) -> Result<HttpResponse, ApiError> {
    let (actor, patch, if_match) = (
        principal.caller(),
        body.0.command(),
        if_match.precondition(),
    );
    let id = id.into_inner().0;
    let (centre, services) = state
        .write(move |conn| Ok(centres::update(conn, &actor, &id, patch, &if_match)?))
        .await?;
    Ok(ok_tagged(
        &CentreView::new(&centre, services)?,
        centre.version,
    ))
}
