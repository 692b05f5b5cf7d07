//! People of a provider's cases, read one at a time: a parent reads their own record, the
//! provider's staff read what their role may see. Anyone else, including the other parent,
//! gets 404: a person's existence is not revealed.

use actix_web::{get, web, HttpResponse};

use crate::error::{self, ApiError, OrNotFound};
use crate::extract::Principal;
use crate::routes::referrals::view::{project_party, PartyView};
use crate::state::AppState;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::PartyRole;
use ccm_persistence::people;
use ccm_persistence::referrals::{self, Party};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_person);
}

/// One person, as the caller may see them.
#[utoipa::path(tag = "referrals", params(("id" = String, Path, description = "Person id")), security(("bearer" = [])),
    responses((status = 200, description = "The person.", body = PartyView), (status = 401, response = error::Unauthorized),
    (status = 404, response = error::NotFound)))]
#[get("/people/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .read(move |conn| {
            let person = people::find(conn, &id).or_not_found("person")?;
            let role: PartyRole = referrals::roles_of(conn, &person.id)?
                .first()
                .and_then(|r| r.parse().ok())
                .ok_or_else(|| ApiError::not_found("person"))?;
            let viewer = if person.user_id.as_deref() == Some(principal.user_id.as_str()) {
                Viewer::Party(role)
            } else if principal.role.is_provider_staff()
                && principal.provider_id.as_deref() == Some(person.provider_id.as_str())
            {
                Viewer::Staff(principal.role)
            } else {
                return Err(ApiError::not_found("person"));
            };
            let party = Party {
                referral_id: String::new(),
                person_id: person.id.clone(),
                role: role.as_str().into(),
                relationship: None,
                position: 0,
            };
            project_party(viewer, role, &party, &person, false)
                .ok_or_else(|| ApiError::not_found("person"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
