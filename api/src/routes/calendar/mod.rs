//! Calendar feeds (RFC 5545) of contact sessions, for a parent's or a staff member's calendar
//! app. A feed's URL carries an unguessable token, because calendar apps cannot send a bearer
//! token; it works until revoked. Only the token's SHA-256 is stored, so it is shown once.
//!
//! Calendars sync to phones and get shared, so a feed holds times and places only: no names,
//! addresses, phone numbers or risk information of anyone, and a parent's feed carries their
//! own arrival and departure times, never the other parent's.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::cases::{self, person_in};
use crate::error::{self, ApiError};
use crate::extract::{Principal, ValidJson, ValidQuery};
use crate::http::{list_response, next_cursor, utc, Instant, PageParams};
use crate::ids::{FeedId, ReferralId};
use crate::routes::referrals::require_deciding_staff;
use crate::security;
use crate::state::AppState;
use ccm_domain::referral::disclosure::Viewer;
use ccm_domain::referral::PartyRole;
use ccm_domain::Role;
use ccm_persistence::calendar::{self, CalendarFeed};
use ccm_persistence::{new_id, now, AnyConnection, Page};

mod feed;
mod ical;

/// Distinguishes feed tokens from refresh tokens in logs and secret scanners.
const TOKEN_PREFIX: &str = "ccmc_";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_for_referral)
        .service(list_for_referral)
        .service(create_for_me)
        .service(list_for_me)
        .service(get_feed)
        .service(revoke)
        .service(feed::serve);
}

/// A parent of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedParty {
    ResidentParent,
    NonResidentParent,
}

impl From<FeedParty> for PartyRole {
    fn from(p: FeedParty) -> PartyRole {
        match p {
            FeedParty::ResidentParent => PartyRole::ResidentParent,
            FeedParty::NonResidentParent => PartyRole::NonResidentParent,
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "resident_parent"}))]
pub struct NewPartyFeed {
    /// Whose sessions and times the feed shows.
    pub party: FeedParty,
}

/// A feed, without its token.
#[derive(Serialize, ToSchema)]
pub struct FeedView {
    pub id: String,
    /// For a parent's feed: the case.
    pub referral_id: Option<String>,
    /// For a parent's feed: which parent.
    pub party: Option<FeedParty>,
    /// For a staff member's feed: whose.
    pub user_id: Option<String>,
    pub created_by: String,
    pub created_at: Instant,
    /// Set once revoked; a revoked feed's URL answers 404.
    pub revoked_at: Option<Instant>,
}

/// A feed just made: its URL and token, shown only this once.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0193...", "referral_id": "0193...", "party": "resident_parent", "user_id": null,
    "created_by": "0193...", "created_at": "2026-12-01T10:00:00Z", "revoked_at": null,
    "url": "https://ccm.example.org/v1/calendar/ccmc_3q2-7wE...", "token": "ccmc_3q2-7wE..."}))]
pub struct NewFeedView {
    #[serde(flatten)]
    pub feed: FeedView,
    /// The address to subscribe to in a calendar app. Whoever has it sees the feed.
    pub url: String,
    pub token: String,
}

list_response!(CalendarFeedList, FeedView);

impl FeedView {
    fn from_row(row: &CalendarFeed) -> Result<FeedView, ApiError> {
        let party = match row.party.as_deref() {
            None => None,
            Some("resident_parent") => Some(FeedParty::ResidentParent),
            Some("non_resident_parent") => Some(FeedParty::NonResidentParent),
            Some(other) => {
                return Err(ApiError::Internal(format!(
                    "calendar_feeds.party: unknown value {other:?}"
                )))
            }
        };
        Ok(FeedView {
            id: row.id.clone(),
            referral_id: row.referral_id.clone(),
            party,
            user_id: row.user_id.clone(),
            created_by: row.created_by.clone(),
            created_at: utc(row.created_at),
            revoked_at: row.revoked_at.map(utc),
        })
    }
}

/// Where feeds are fetched, as the caller reached this server (a proxy's forwarded host and
/// scheme count), so the URL works from where they are.
fn feed_base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}/v1/calendar/", info.scheme(), info.host())
}

/// Makes and stores a feed; its token is in the result and nowhere else.
fn issue(
    conn: &mut AnyConnection,
    owner: (Option<String>, Option<PartyRole>, Option<String>),
    created_by: &str,
    base: &str,
) -> Result<NewFeedView, ApiError> {
    let (referral_id, party, user_id) = owner;
    // The refresh tokens' 256 random bits and encoding, under the feeds' own prefix.
    let (random, _) = security::new_refresh_token()?;
    let random = random.split_once('_').map_or(random.as_str(), |(_, r)| r);
    let token = format!("{TOKEN_PREFIX}{random}");
    let row = CalendarFeed {
        id: new_id(),
        token_hash: security::token_hash(&token),
        referral_id,
        party: party.map(|p| p.as_str().to_string()),
        user_id,
        created_by: created_by.to_string(),
        created_at: now(),
        revoked_at: None,
    };
    calendar::insert(conn, &row)?;
    Ok(NewFeedView {
        feed: FeedView::from_row(&row)?,
        url: format!("{base}{token}"),
        token,
    })
}

fn created(view: &NewFeedView) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/calendar-feeds/{}", view.feed.id),
        ))
        .json(view)
}

fn list(page: Page<CalendarFeed>) -> Result<CalendarFeedList, ApiError> {
    Ok(CalendarFeedList {
        next_cursor: next_cursor(&page, |f| &f.id),
        items: page
            .items
            .iter()
            .map(FeedView::from_row)
            .collect::<Result<_, _>>()?,
    })
}

fn require_staff(principal: &Principal) -> Result<(), ApiError> {
    if principal.role.is_provider_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only a provider's staff have a calendar of their own; parents subscribe to a case's",
        ))
    }
}

/// A calendar feed of one parent's sessions of a case, with that parent's own arrival and
/// departure times. The provider's coordinators and org admins make one for either parent; a
/// parent with an account, for themselves only (403 for the other parent's).
#[utoipa::path(tag = "calendar", params(ReferralId),
    request_body = NewPartyFeed, responses((status = 201, description = "Made: the URL and token are shown only now.", body = NewFeedView,
        headers(("Location" = String, description = "The feed's URL in this API"))), error::CreateErrors))]
#[post("/referrals/{id}/calendar-feeds")]
pub async fn create_for_referral(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    body: ValidJson<NewPartyFeed>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, party, base) = (
        id.into_inner().0,
        PartyRole::from(body.0.party),
        feed_base(&req),
    );
    let view = state
        .write(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            match case.relation.viewer {
                Viewer::Staff(_) => {
                    require_deciding_staff(&case.relation)?;
                    if person_in(&case.parties, party).is_none() {
                        return Err(ApiError::invalid(
                            "party",
                            "absent",
                            "the case has no such parent yet",
                        ));
                    }
                }
                Viewer::Party(own) if own == party => {}
                Viewer::Party(_) => {
                    return Err(ApiError::forbidden(
                        "a parent may have a calendar of their own sessions only",
                    ))
                }
                Viewer::Referrer => return Err(ApiError::not_found("referral")),
            }
            issue(
                conn,
                (Some(case.referral.id), Some(party), None),
                &principal.user_id,
                &base,
            )
        })
        .await?;
    Ok(created(&view))
}

/// The case's live calendar feeds, oldest first, without their tokens: all of them for the
/// provider's staff, a parent's own for a parent.
#[utoipa::path(tag = "calendar", params(ReferralId, PageParams),
    responses((status = 200, description = "A page of feeds, oldest first.", body = CalendarFeedList),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden), (status = 404, response = error::NotFound)))]
#[get("/referrals/{id}/calendar-feeds")]
pub async fn list_for_referral(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ReferralId>,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let body = state
        .read(move |conn| {
            let case = cases::load(conn, &id, &principal, false)?;
            let party = match case.relation.viewer {
                Viewer::Staff(_) => None,
                Viewer::Party(p) if p.is_parent() => Some(p.as_str()),
                Viewer::Party(_) => {
                    return Err(ApiError::forbidden("only parents have calendar feeds"))
                }
                Viewer::Referrer => return Err(ApiError::not_found("referral")),
            };
            list(calendar::for_referral(
                conn,
                &case.referral.id,
                party,
                after.as_deref(),
                limit,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// A calendar feed of your own work, for any staff role (403 for others). It holds the
/// sessions you supervise and, for a coordinator or org admin, every session at your
/// provider's centres; your role and provider are read each time the feed is fetched. Sessions
/// that ended more than 90 days before are left out.
#[utoipa::path(tag = "calendar", responses((status = 201, description = "Made: the URL and token are shown only now.", body = NewFeedView,
        headers(("Location" = String, description = "The feed's URL in this API"))),
        (status = 401, response = error::Unauthorized), (status = 403, response = error::Forbidden)))]
#[post("/me/calendar-feeds")]
pub async fn create_for_me(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    require_staff(&principal)?;
    let base = feed_base(&req);
    let view = state
        .write(move |conn| {
            let owner = (None, None, Some(principal.user_id.clone()));
            issue(conn, owner, &principal.user_id, &base)
        })
        .await?;
    Ok(created(&view))
}

/// Your own live calendar feeds (staff), oldest first, without their tokens.
#[utoipa::path(tag = "calendar", params(PageParams), responses((status = 200, description = "A page of feeds, oldest first.", body = CalendarFeedList),
        (status = 400, response = error::BadRequest), (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden)))]
#[get("/me/calendar-feeds")]
pub async fn list_for_me(
    state: web::Data<AppState>,
    principal: Principal,
    page: ValidQuery<PageParams>,
) -> Result<HttpResponse, ApiError> {
    require_staff(&principal)?;
    let (limit, after) = (page.0.limit(), page.0.after()?);
    let body = state
        .read(move |conn| {
            list(calendar::for_user(
                conn,
                &principal.user_id,
                after.as_deref(),
                limit,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Whether the caller may see and revoke a feed: its creator, its owner (the staff member, or
/// the parent now linked to the party), or the coordinators and org admins of the provider
/// concerned. Anyone else is told it does not exist.
fn authorise(
    conn: &mut AnyConnection,
    feed: &CalendarFeed,
    principal: &Principal,
) -> Result<(), ApiError> {
    let hidden = || ApiError::not_found("calendar feed");
    let me = principal.user_id.as_str();
    if feed.created_by == me || feed.user_id.as_deref() == Some(me) {
        return Ok(());
    }
    if let (Some(referral_id), Some(party)) = (&feed.referral_id, &feed.party) {
        let case = cases::load(conn, referral_id, principal, false).map_err(|e| match e {
            ApiError::NotFound(_) => hidden(),
            other => other,
        })?;
        let relation = &case.relation;
        if relation.is_staff(&[Role::OrgAdmin, Role::Coordinator])
            || relation.party.map(PartyRole::as_str) == Some(party.as_str())
        {
            return Ok(());
        }
    } else if let Some(owner) = &feed.user_id {
        let owner = ccm_persistence::users::find(conn, owner)?;
        let deciding = matches!(principal.role, Role::OrgAdmin | Role::Coordinator);
        if deciding && principal.provider_id.is_some() && principal.provider_id == owner.provider_id
        {
            return Ok(());
        }
    }
    Err(hidden())
}

fn find_visible(
    conn: &mut AnyConnection,
    id: &str,
    principal: &Principal,
) -> Result<CalendarFeed, ApiError> {
    let feed = calendar::find_live(conn, id).map_err(|e| match e {
        ccm_persistence::StoreError::NotFound => ApiError::not_found("calendar feed"),
        other => other.into(),
    })?;
    authorise(conn, &feed, principal)?;
    Ok(feed)
}

/// One live feed, without its token (its creator, its owner, or the provider's coordinators
/// and org admins).
#[utoipa::path(tag = "calendar", params(FeedId),
    responses((status = 200, description = "The feed.", body = FeedView),
        (status = 401, response = error::Unauthorized), (status = 404, response = error::NotFound)))]
#[get("/calendar-feeds/{id}")]
pub async fn get_feed(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<FeedId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .read(move |conn| FeedView::from_row(&find_visible(conn, &id, &principal)?))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Revoke a feed: its URL answers 404 from now on, and so does the feed here. For its
/// creator, its owner, or the provider's coordinators and org admins.
#[utoipa::path(tag = "calendar", params(FeedId),
    responses((status = 200, description = "Revoked.", body = FeedView),
        (status = 401, response = error::Unauthorized), (status = 404, response = error::NotFound)))]
#[post("/calendar-feeds/{id}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<FeedId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let view = state
        .write(move |conn| {
            let mut feed = find_visible(conn, &id, &principal)?;
            let at = now();
            if !calendar::revoke(conn, &feed.id, at)? {
                return Err(ApiError::not_found("calendar feed"));
            }
            feed.revoked_at = Some(at);
            FeedView::from_row(&feed)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
