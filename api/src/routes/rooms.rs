//! Rooms in a centre. A shared room (supported contact) holds several families; a private room
//! (supervised contact) one.

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
use crate::ids::RoomId;
use crate::state::AppState;
use ccm_app::rooms::{self, Room};
use ccm_domain::RoomKind;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_rooms)
        .service(create_room)
        .service(get_room)
        .service(update_room);
}

#[derive(Serialize, ToSchema)]
pub struct RoomView {
    pub id: String,
    pub centre_id: String,
    #[schema(example = "Garden Room")]
    pub name: String,
    pub kind: RoomKind,
    /// Families at once (1 for a private room).
    #[schema(example = 6)]
    pub capacity: u32,
    pub active: bool,
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
}

impl RoomView {
    fn new(r: &Room) -> Result<RoomView, ApiError> {
        Ok(RoomView {
            id: r.id.clone(),
            centre_id: r.centre_id.clone(),
            name: r.name.clone(),
            kind: r.kind()?,
            capacity: u32::try_from(r.capacity).unwrap_or(1),
            active: r.active,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        })
    }
}

list_response!(RoomList, RoomView);

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Garden Room", "kind": "shared", "capacity": 6}))]
pub struct NewRoom {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub kind: RoomKind,
    /// Families at once: required for a shared room (1 to 50); 1 for a private room.
    #[schema(minimum = 1, maximum = 50)]
    pub capacity: Option<u32>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomPatch {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    pub kind: Option<RoomKind>,
    #[schema(minimum = 1, maximum = 50)]
    pub capacity: Option<u32>,
    pub active: Option<bool>,
}

impl NewRoom {
    fn command(self) -> rooms::NewRoom {
        rooms::NewRoom {
            name: self.name,
            kind: self.kind,
            capacity: self.capacity,
            active: self.active,
        }
    }
}

impl RoomPatch {
    fn command(self) -> rooms::RoomPatch {
        rooms::RoomPatch {
            name: self.name,
            kind: self.kind,
            capacity: self.capacity,
            active: self.active,
        }
    }
}

/// The rooms of a centre.
#[utoipa::path(
    tag = "centres",
    params(("centre_id" = String, Path, description = "Centre id"), PageParams),
    responses(
        (status = 200, description = "A page of rooms, oldest first.", body = RoomList),
        (status = 400, response = error::BadRequest),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/centres/{centre_id}/rooms")]
pub async fn list_rooms(
    state: web::Data<AppState>,
    centre_id: web::Path<String>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let centre_id = centre_id.into_inner();
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let page = state
        .read(move |conn| Ok(rooms::list(conn, &centre_id, after.as_deref(), limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(RoomList {
        items: page
            .items
            .iter()
            .map(RoomView::new)
            .collect::<Result<_, _>>()?,
        next_cursor: next_cursor(&page, |r| &r.id),
    }))
}

/// Add a room to a centre.
#[utoipa::path(
    tag = "centres",
    params(("centre_id" = String, Path, description = "Centre id")),
    request_body = NewRoom,
    responses(
        (status = 201, description = "Created.", body = RoomView,
            headers(("Location" = String, description = "The room's URL"), ("ETag" = String, description = "Version tag"))),
        error::CreateErrors,
    )
)]
#[post("/centres/{centre_id}/rooms")]
pub async fn create_room(
    state: web::Data<AppState>,
    principal: Principal,
    centre_id: web::Path<String>,
    body: ValidJson<NewRoom>,
) -> Result<HttpResponse, ApiError> {
    let (actor, new) = (principal.caller(), body.0.command());
    let centre_id = centre_id.into_inner();
    let room = state
        .write(move |conn| {
            let room = rooms::create(conn, &actor, &centre_id, new)?;
            crate::audit::subject("room", &room.id);
            Ok(room)
        })
        .await?;
    Ok(created(
        &format!("/v1/rooms/{}", room.id),
        &RoomView::new(&room)?,
        room.version,
    ))
}

/// Read a room.
#[utoipa::path(
    tag = "centres",
    params(RoomId),
    responses(
        (status = 200, description = "The room.", body = RoomView, headers(("ETag" = String, description = "Version tag"))),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/rooms/{id}")]
pub async fn get_room(
    state: web::Data<AppState>,
    id: web::Path<RoomId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let room = state.read(move |conn| Ok(rooms::get(conn, &id)?)).await?;
    Ok(ok_tagged(&RoomView::new(&room)?, room.version))
}

/// Update a room.
#[utoipa::path(
    tag = "centres",
    params(RoomId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RoomPatch,
    responses(
        (status = 200, description = "Updated.", body = RoomView, headers(("ETag" = String, description = "Version tag"))),
        error::UpdateErrors,
    )
)]
#[patch("/rooms/{id}")]
pub async fn update_room(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    id: web::Path<RoomId>,
    body: ValidJson<RoomPatch>,
) -> Result<HttpResponse, ApiError> {
    let (actor, patch, if_match) = (
        principal.caller(),
        body.0.command(),
        if_match.precondition(),
    );
    let id = id.into_inner().0;
    let room = state
        .write(move |conn| Ok(rooms::update(conn, &actor, &id, patch, &if_match)?))
        .await?;
    Ok(ok_tagged(&RoomView::new(&room)?, room.version))
}
