//! Provider organisations. Public to read; a platform admin registers them, their org admins
//! keep their details up to date.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    created, list_response, next_cursor, nullable, ok_tagged, utc, IfMatch, Instant, PageParams,
};
use crate::ids::ProviderId;
use crate::state::AppState;
use ccm_app::providers::{self, Provider};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_providers)
        .service(create_provider)
        .service(get_provider)
        .service(update_provider);
}

#[derive(Serialize, ToSchema)]
pub struct ProviderView {
    pub id: String,
    #[schema(example = "Family Contact Trust")]
    pub name: String,
    /// The Charity Commission registration number.
    pub charity_number: Option<String>,
    pub website: Option<String>,
    /// The public contact address of the organisation (not a person's).
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

impl From<&Provider> for ProviderView {
    fn from(p: &Provider) -> Self {
        ProviderView {
            id: p.id.clone(),
            name: p.name.clone(),
            charity_number: p.charity_number.clone(),
            website: p.website.clone(),
            contact_email: p.contact_email.clone(),
            contact_phone: p.contact_phone.clone(),
            version: p.version,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
        }
    }
}

list_response!(ProviderList, ProviderView);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Family Contact Trust", "charity_number": "1234567", "website": "https://contact-trust.example"}))]
pub struct NewProvider {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(length(min = 1, max = 20), custom(function = "crate::http::not_blank"))]
    #[schema(min_length = 1, max_length = 20)]
    pub charity_number: Option<String>,
    #[validate(url, length(max = 300))]
    #[schema(format = "uri", max_length = 300)]
    pub website: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub contact_email: Option<String>,
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30)]
    pub contact_phone: Option<String>,
}

/// Fields to change; `null` clears an optional field, an absent field stays as it is.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderPatch {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub charity_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Option<String>>,
}

impl ProviderPatch {
    /// The nullable fields, checked as `NewProvider` checks them.
    fn check(&self) -> Result<(), ApiError> {
        let probe = NewProvider {
            name: self.name.clone().unwrap_or_else(|| "x".into()),
            charity_number: self.charity_number.clone().flatten(),
            website: self.website.clone().flatten(),
            contact_email: self.contact_email.clone().flatten(),
            contact_phone: self.contact_phone.clone().flatten(),
        };
        probe
            .validate()
            .map_err(|e| ApiError::validation(crate::extract::field_errors(&e)))
    }
}

/// List provider organisations.
#[utoipa::path(
    tag = "providers",
    params(PageParams),
    responses(
        (status = 200, description = "A page of providers, oldest first.", body = ProviderList),
        (status = 400, response = error::BadRequest),
    )
)]
#[get("/providers")]
pub async fn list_providers(
    state: web::Data<AppState>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let page = state
        .read(move |conn| Ok(providers::list(conn, after.as_deref(), limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(ProviderList {
        items: page.items.iter().map(ProviderView::from).collect(),
        next_cursor: next_cursor(&page, |p| &p.id),
    }))
}

/// Register a provider organisation (platform admins).
#[utoipa::path(
    tag = "providers",
    request_body = NewProvider,
    responses(
        (status = 201, description = "Registered.", body = ProviderView,
            headers(("Location" = String, description = "The provider's URL"), ("ETag" = String, description = "Version tag"))),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 409, response = error::Conflict),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
    )
)]
#[post("/providers")]
pub async fn create_provider(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<NewProvider>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    let cmd = providers::NewProvider {
        name: new.name,
        charity_number: new.charity_number,
        website: new.website,
        contact_email: new.contact_email,
        contact_phone: new.contact_phone,
    };
    let provider = providers::prepare(&principal.caller(), cmd)?;
    crate::audit::subject("provider", &provider.id);
    let provider = state
        .write(move |conn| Ok(providers::create(conn, provider)?))
        .await?;
    Ok(created(
        &format!("/v1/providers/{}", provider.id),
        &ProviderView::from(&provider),
        provider.version,
    ))
}

/// Read a provider organisation.
#[utoipa::path(
    tag = "providers",
    params(ProviderId),
    responses(
        (status = 200, description = "The provider.", body = ProviderView, headers(("ETag" = String, description = "Version tag"))),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/providers/{id}")]
pub async fn get_provider(
    state: web::Data<AppState>,
    id: web::Path<ProviderId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let provider = state
        .read(move |conn| Ok(providers::get(conn, &id)?))
        .await?;
    Ok(ok_tagged(&ProviderView::from(&provider), provider.version))
}

/// Update a provider's details (its org admins, or a platform admin).
#[utoipa::path(
    tag = "providers",
    params(ProviderId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ProviderPatch,
    responses(
        (status = 200, description = "Updated.", body = ProviderView, headers(("ETag" = String, description = "Version tag"))),
        error::UpdateErrors,
    )
)]
#[patch("/providers/{id}")]
pub async fn update_provider(
    if_match: IfMatch,
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ProviderId>,
    body: ValidJson<ProviderPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0;
    patch.check()?;
    let cmd = providers::ProviderPatch {
        name: patch.name,
        charity_number: patch.charity_number,
        website: patch.website,
        contact_email: patch.contact_email,
        contact_phone: patch.contact_phone,
    };
    let (actor, if_match, id) = (
        principal.caller(),
        if_match.precondition(),
        id.into_inner().0,
    );
    let provider = state
        .write(move |conn| Ok(providers::update(conn, &actor, &id, cmd, &if_match)?))
        .await?;
    Ok(ok_tagged(&ProviderView::from(&provider), provider.version))
}
