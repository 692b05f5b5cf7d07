//! Rooms in a centre. A shared room (supported contact) holds several families; a private room
//! (supervised contact) one.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::ProblemType;
use crate::error::{self, ApiError, OrNotFound, Require};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{
    created, list_response, next_cursor, ok_tagged, utc, IfMatch, Instant, PageParams,
};
use crate::state::AppState;
use ccm_domain::catalogue::room_capacity;
use ccm_domain::RoomKind;
use ccm_persistence::rooms::{self, Room, RoomChanges};
use ccm_persistence::{centres, new_id, now, AnyConnection};

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

fn capacity(kind: RoomKind, requested: Option<u32>) -> Result<i32, ApiError> {
    room_capacity(kind, requested)
        .map(|c| i32::try_from(c).unwrap_or(1))
        .map_err(|why| ApiError::invalid("capacity", "capacity", why))
}

fn ensure_unique_name(
    conn: &mut AnyConnection,
    centre_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    if rooms::name_taken(conn, centre_id, name, except)? {
        return Err(ApiError::conflict(
            ProblemType::DuplicateName,
            "this centre already has a room with this name",
        ));
    }
    Ok(())
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
        .read(move |conn| {
            centres::find(conn, &centre_id).or_not_found("centre")?;
            Ok(rooms::list_for_centre(
                conn,
                &centre_id,
                after.as_deref(),
                limit,
            )?)
        })
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
    let new = body.0;
    let capacity = capacity(new.kind, new.capacity)?;
    let centre_id = centre_id.into_inner();
    let room = state
        .write(move |conn| {
            let centre = centres::find(conn, &centre_id).or_not_found("centre")?;
            principal
                .actor()
                .manage_catalogue(&centre.provider_id)
                .require("centre")?;
            let name = new.name.trim().to_string();
            ensure_unique_name(conn, &centre.id, &name, None)?;
            let at = now();
            let id = new_id();
            crate::audit::subject("room", &id);
            let room = Room {
                id,
                centre_id: centre.id,
                name,
                kind: new.kind.as_str().to_string(),
                capacity,
                active: new.active,
                version: 1,
                created_at: at,
                updated_at: at,
            };
            rooms::insert(conn, &room)?;
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
    params(("id" = String, Path, description = "Room id")),
    responses(
        (status = 200, description = "The room.", body = RoomView, headers(("ETag" = String, description = "Version tag"))),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/rooms/{id}")]
pub async fn get_room(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let room = state
        .read(move |conn| rooms::find(conn, &id).or_not_found("room"))
        .await?;
    Ok(ok_tagged(&RoomView::new(&room)?, room.version))
}

/// Update a room.
#[utoipa::path(
    tag = "centres",
    params(("id" = String, Path, description = "Room id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
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
    id: web::Path<String>,
    body: ValidJson<RoomPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.0;
    let id = id.into_inner();
    let room = state
        .write(move |conn| {
            let current = rooms::find_locked(conn, &id).or_not_found("room")?;
            let centre = centres::find(conn, &current.centre_id)?;
            principal
                .actor()
                .manage_catalogue(&centre.provider_id)
                .require("room")?;
            let kind = patch.kind.unwrap_or(current.kind()?);
            // Changing the kind re-checks the capacity: a shared room made private holds one.
            let capacity = match (patch.kind, patch.capacity) {
                (None, None) => None,
                (_, requested) => Some(capacity(
                    kind,
                    requested.or_else(|| {
                        (kind == RoomKind::Shared)
                            .then(|| u32::try_from(current.capacity).unwrap_or(1))
                    }),
                )?),
            };
            let name = patch.name.map(|n| n.trim().to_string());
            if let Some(name) = &name {
                ensure_unique_name(conn, &current.centre_id, name, Some(&current.id))?;
            }
            let changes = RoomChanges {
                name,
                kind: patch.kind.map(|k| k.as_str().to_string()),
                capacity,
                active: patch.active,
            };
            // Preconditions come last: a request that is wrong anyway gets that answer first.
            if_match.check(current.version)?;
            Ok(rooms::update(conn, &current.id, &changes, now())?)
        })
        .await?;
    Ok(ok_tagged(&RoomView::new(&room)?, room.version))
}
