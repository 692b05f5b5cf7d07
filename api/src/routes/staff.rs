//! The staff directory: who a coordinator can book. Ids, names and roles of the caller's own
//! provider's active staff, nothing more (no e-mail addresses, no other provider's people).

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidQuery};
use crate::http::{list_response, next_cursor, PageParams};
use crate::state::AppState;
use ccm_app::staff;
use ccm_domain::Role;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_staff);
}

/// One member of staff, as a colleague who books them sees them.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0193b2c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "display_name": "Pat Supervisor", "role": "supervisor"}))]
pub struct StaffMember {
    pub id: String,
    pub display_name: String,
    pub role: Role,
}

list_response!(StaffList, StaffMember);

/// A role held by a provider's staff (the roles a directory lists).
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    OrgAdmin,
    Coordinator,
    Supervisor,
    Volunteer,
    Finance,
}

impl From<StaffRole> for Role {
    fn from(role: StaffRole) -> Role {
        match role {
            StaffRole::OrgAdmin => Role::OrgAdmin,
            StaffRole::Coordinator => Role::Coordinator,
            StaffRole::Supervisor => Role::Supervisor,
            StaffRole::Volunteer => Role::Volunteer,
            StaffRole::Finance => Role::Finance,
        }
    }
}

#[derive(Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Only staff with this role. The schema lists the staff roles, so a parent's or a
    /// referrer's role is refused as any unknown value is (400 naming `role`).
    #[param(inline)]
    pub role: Option<StaffRole>,
}

/// The caller's provider's active staff, to book supervisors and volunteers: coordinators and
/// org admins only.
#[utoipa::path(
    tag = "users",
    params(StaffQuery, PageParams),
    responses(
        (status = 200, description = "A page of staff, by id.", body = StaffList),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
    )
)]
#[get("/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<StaffQuery>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let role = query.0.role.map(Role::from);
    let actor = principal.caller();
    let page = state
        .read(move |conn| Ok(staff::list(conn, &actor, role, after.as_deref(), limit)?))
        .await?;
    let items = page
        .items
        .iter()
        .map(|u| {
            Ok(StaffMember {
                id: u.id.clone(),
                display_name: u.display_name.clone(),
                role: u.role()?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok().json(StaffList {
        next_cursor: next_cursor(&page, |u| &u.id),
        items,
    }))
}
