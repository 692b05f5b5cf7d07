//! People of a provider's cases, read one at a time: a parent reads their own record, the
//! provider's staff read what their role may see. Anyone else, including the other parent,
//! gets 404: a person's existence is not revealed.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

mod export;
mod export_dto;

use crate::audit;
use crate::error::{self, ApiError, OrNotFound};
use crate::extract::{Principal, ValidQuery};
use crate::ids::PersonId;
use crate::routes::referrals::view::{project_party, ContactView, PartyView};
use crate::state::AppState;
use ccm_domain::confidential::{contact_access, reason_for_contact, ContactAccess, ReasonError};
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::provenance::ContactParts;
use ccm_domain::referral::PartyRole;
use ccm_persistence::people;
use ccm_persistence::referrals::{self, Party};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_person)
        .service(get_contact)
        .service(export::export_person);
}

/// One person, as the caller may see them.
#[utoipa::path(tag = "referrals", params(PersonId), responses((status = 200, description = "The person.", body = PartyView), (status = 401, response = error::Unauthorized),
    (status = 404, response = error::NotFound)))]
#[get("/people/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<PersonId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
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
            let view = project_party(viewer, role, &party, &person, ContactParts::NONE)
                .ok_or_else(|| ApiError::not_found("person"))?;
            let mut read = Vec::new();
            if view.contact.is_some() {
                read.push("contact");
            }
            if view.needs.is_some() {
                read.push("needs");
            }
            audit::read("person", &person.id, None, &read);
            Ok(view)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Why you need these details. Required of supervisors and finance staff, for whom a
    /// family's contact details are outside their normal view; kept on the audit trail.
    #[validate(length(max = 500))]
    #[param(
        max_length = 500,
        example = "Mum is late and not answering the centre phone"
    )]
    pub reason: Option<String>,
}

/// A person's contact details (address, phones, e-mail) for the staff who must reach them.
///
/// Coordinators and org admins open them in their normal work; supervisors and finance staff
/// only with a `reason`; volunteers never (403). A parent reads their own. Every opening is on
/// the audit trail, with its reason.
#[utoipa::path(tag = "referrals", params(PersonId, ContactQuery), responses((status = 200, description = "The contact details.", body = ContactView), (status = 400, response = error::BadRequest),
    (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden),
    (status = 404, response = error::NotFound)))]
#[get("/people/{id}/contact")]
pub async fn get_contact(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<PersonId>,
    query: ValidQuery<ContactQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| {
            let person = people::find(conn, &id).or_not_found("person")?;
            let own = person.user_id.as_deref() == Some(principal.user_id.as_str());
            let staff = principal.role.is_provider_staff()
                && principal.provider_id.as_deref() == Some(person.provider_id.as_str());
            if !own && !staff {
                return Err(ApiError::not_found("person"));
            }
            if !own {
                if contact_access(principal.role) == ContactAccess::Never {
                    return Err(ApiError::forbidden(
                        "volunteers do not open families' contact details",
                    ));
                }
                match reason_for_contact(principal.role, query.0.reason.as_deref()) {
                    Ok(Some(reason)) => audit::reason(&reason),
                    Ok(None) => {}
                    Err(ReasonError::Missing) => {
                        return Err(ApiError::forbidden(
                            "these details are outside your normal view: say why you need them in `reason`",
                        ))
                    }
                    Err(e) => return Err(ApiError::bad_query("reason", e.to_string())),
                }
            }
            audit::read("person", &person.id, None, &["contact"]);
            Ok(ContactView {
                address_line1: person.address_line1,
                address_line2: person.address_line2,
                town: person.town,
                postcode: person.postcode,
                phone: person.phone,
                email: person.email,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
