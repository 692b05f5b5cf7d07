//! Centres: where contact happens. Public to read (a parent must find a centre without an
//! account); written by the provider's org admins.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::ProblemType;
use crate::error::{self, ApiError, OrNotFound, Require};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    created, list_response, next_cursor, nullable, ok_tagged, utc, IfMatch, Instant, PageParams,
};
use crate::state::AppState;

mod opening;
pub mod policy;
use ccm_domain::catalogue::normalise_postcode;
use ccm_domain::ServiceType;
use ccm_persistence::centres::{self, pattern_json, Centre, CentreChanges, CentreFilter};
use ccm_persistence::{new_id, now, providers, AnyConnection, StoreError};
pub use opening::{OpeningPatternInput, OpeningPatternView, OpeningRuleDto};

pub const TIME_ZONE: &str = "Europe/London";

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

fn postcode(raw: &str, field: &str) -> Result<String, ApiError> {
    normalise_postcode(raw)
        .ok_or_else(|| ApiError::invalid(field, "postcode", "is not a UK postcode"))
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
        .read(move |conn| {
            let page = centres::list(conn, &filter, after.as_deref(), limit)?;
            let ids: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
            let services = centres::services_of(conn, &ids)?;
            Ok((page, services))
        })
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
    let new = body.0;
    let provider_id = match new.provider_id.or_else(|| principal.provider_id.clone()) {
        Some(p) => p,
        None => return Err(ApiError::invalid("provider_id", "required", "is required")),
    };
    principal
        .actor()
        .manage_catalogue(&provider_id)
        .require("provider")?;
    if new.time_zone.as_deref().is_some_and(|tz| tz != TIME_ZONE) {
        return Err(ApiError::invalid(
            "time_zone",
            "unsupported",
            "only Europe/London is supported",
        ));
    }
    let pattern = new.opening_pattern.to_domain()?;
    let at = now();
    let centre = Centre {
        id: new_id(),
        provider_id,
        name: new.name.trim().to_string(),
        address_line1: new.address.line1,
        address_line2: new.address.line2,
        town: new.address.town.trim().to_string(),
        postcode: postcode(&new.address.postcode, "address.postcode")?,
        phone: new.phone,
        time_zone: TIME_ZONE.to_string(),
        opening_pattern: pattern_json(&pattern),
        active: new.active,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    crate::audit::subject("centre", &centre.id);
    let centre = state
        .write(move |conn| {
            match providers::find(conn, &centre.provider_id) {
                Err(StoreError::NotFound) => {
                    return Err(ApiError::invalid(
                        "provider_id",
                        "not_found",
                        "no such provider",
                    ))
                }
                other => other?,
            };
            ensure_unique_name(conn, &centre.provider_id, &centre.name, None)?;
            centres::insert(conn, &centre)?;
            Ok(centre)
        })
        .await?;
    Ok(created(
        &format!("/v1/centres/{}", centre.id),
        &CentreView::new(&centre, vec![])?,
        centre.version,
    ))
}

fn ensure_unique_name(
    conn: &mut AnyConnection,
    provider_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    if centres::name_taken(conn, provider_id, name, except)? {
        return Err(ApiError::conflict(
            ProblemType::DuplicateName,
            "this provider already has a centre with this name",
        ));
    }
    Ok(())
}

/// Read a centre.
#[utoipa::path(
    tag = "centres",
    params(("id" = String, Path, description = "Centre id")),
    responses(
        (status = 200, description = "The centre.", body = CentreView, headers(("ETag" = String, description = "Version tag"))),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/centres/{id}")]
pub async fn get_centre(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (centre, services) = state
        .read(move |conn| {
            let centre = centres::find(conn, &id).or_not_found("centre")?;
            let services = centres::services_of(conn, &[&centre.id])?.remove(&centre.id);
            Ok((centre, services.unwrap_or_default()))
        })
        .await?;
    Ok(ok_tagged(
        &CentreView::new(&centre, services)?,
        centre.version,
    ))
}

/// Update a centre. Send `If-Match` with the ETag to refuse the change if someone else
/// changed the centre first.
#[utoipa::path(
    tag = "centres",
    params(("id" = String, Path, description = "Centre id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
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
    id: web::Path<String>,
    body: ValidJson<CentrePatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0;
    let pattern = patch
        .opening_pattern
        .as_ref()
        .map(OpeningPatternInput::to_domain)
        .transpose()?;
    let address = patch.address.unwrap_or(AddressPatch {
        line1: None,
        line2: None,
        town: None,
        postcode: None,
    });
    let changes = CentreChanges {
        name: patch.name.map(|n| n.trim().to_string()),
        address_line1: address.line1,
        address_line2: address.line2,
        town: address.town.map(|t| t.trim().to_string()),
        postcode: address
            .postcode
            .map(|p| postcode(&p, "address.postcode"))
            .transpose()?,
        phone: patch.phone,
        opening_pattern: pattern.as_ref().map(pattern_json),
        active: patch.active,
    };
    let id = id.into_inner();
    let (centre, services) = state
        .write(move |conn| {
            let current = centres::find_locked(conn, &id).or_not_found("centre")?;
            principal
                .actor()
                .manage_catalogue(&current.provider_id)
                .require("centre")?;
            if let Some(name) = &changes.name {
                ensure_unique_name(conn, &current.provider_id, name, Some(&current.id))?;
            }
            // Preconditions last: a request that is wrong anyway gets that answer first.
            if_match.check(current.version)?;
            let centre = centres::update(conn, &current.id, &changes, now())?;
            let services = centres::services_of(conn, &[&centre.id])?.remove(&centre.id);
            Ok((centre, services.unwrap_or_default()))
        })
        .await?;
    Ok(ok_tagged(
        &CentreView::new(&centre, services)?,
        centre.version,
    ))
}
