//! The placement pipeline booking and moving share. Before any lock: the centre, its policy,
//! tariff and the room (one query), who hears of the change (one), and the families the slots
//! may share a room with, with their arrival offsets and keep-apart pairs (one each). Then the
//! room's and supervisor's locks, and one read of every session that can clash or share. The
//! rules come from `ccm-domain`; the caller writes.

use std::collections::{HashMap, HashSet};

use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::Placed;
use crate::AppError;
use ccm_domain::opening::hhmm;
use ccm_domain::schedule::arrival::ArrivalPolicy;
use ccm_domain::schedule::booking::{exclusive_clash, shared_clash};
use ccm_domain::schedule::place;
use ccm_domain::schedule::Slot;
use ccm_domain::tariff::Tariff;
use ccm_domain::{london, Role, RoomKind, ServiceType};
use ccm_persistence::clients::Client;
use ccm_persistence::placement::{self, Families, Holders, Neighbour, Site};
use ccm_persistence::referrals::Referral;
use ccm_persistence::scheduling::{KeepApart, Policy};
use ccm_persistence::sessions::{self, Session, SessionParty};
use ccm_persistence::webhooks::Subscription;
use ccm_persistence::{users, AnyConnection, StoreError};

pub use crate::clock::stored;

pub(super) fn slot_of(start: PrimitiveDateTime, end: PrimitiveDateTime) -> Slot {
    Slot {
        start: start.assume_utc(),
        end: end.assume_utc(),
    }
}

/// Where a session happens, as asked for.
#[derive(Clone, Debug, Default)]
pub struct Where {
    pub room_id: Option<String>,
    pub supervisor_id: Option<String>,
    pub community_place: Option<String>,
}

/// What a placement knows before it takes a lock.
pub struct Context {
    pub referral: Referral,
    pub place: Where,
    pub site: Site,
    /// The room, its kind and capacity.
    pub room: Option<(String, RoomKind, u32)>,
    pub centre_policy: ArrivalPolicy,
    pub tariff: Option<Tariff>,
    pub audience: Option<(Client, Vec<Subscription>)>,
    /// Each family read so far, with its latest assessment's arrival offset.
    pub(super) offsets: HashMap<String, Option<u32>>,
    pub(super) pairs: Vec<KeepApart>,
}

impl Context {
    /// The session charge for a session of so many minutes, if any.
    pub fn price(&self, minutes: u32) -> Option<i64> {
        super::money::price(
            self.tariff.as_ref(),
            self.referral.funder.is_some(),
            minutes,
        )
    }

    /// The staggering for this case's own sessions: the centre's, with the case's larger offset.
    pub fn case_policy(&self) -> ArrivalPolicy {
        let own = self.offsets.get(&self.referral.id).copied().flatten();
        self.centre_policy.with_case_offset(own)
    }
}

fn invalid(e: place::PlaceError) -> AppError {
    AppError::invalid(e.field(), e.code(), e.to_string())
}

fn centre_policy(p: Option<&Policy>) -> Result<ArrivalPolicy, StoreError> {
    let Some(p) = p else {
        return Ok(ArrivalPolicy::default());
    };
    let corrupt = |what: String| StoreError::Corrupt(format!("scheduling_policies.{what}"));
    Ok(ArrivalPolicy {
        order: p
            .arrival_order
            .parse()
            .map_err(|e| corrupt(format!("arrival_order: {e}")))?,
        offset_minutes: u32::try_from(p.arrival_offset_minutes)
            .map_err(|_| corrupt("arrival_offset_minutes".into()))?,
    })
}

/// Reads what the placement needs before any lock, and checks the place suits the service.
/// The families a shared room may plan together are those at one of `starts` in the room asked
/// for (if shared) or in one of `vacated_rooms` (rooms moved sessions leave).
pub fn context(
    conn: &mut AnyConnection,
    referral: Referral,
    service: ServiceType,
    place: Where,
    vacated_rooms: &[String],
    starts: &[PrimitiveDateTime],
) -> Result<Context, AppError> {
    let asked = place::Asked {
        room: place.room_id.is_some(),
        supervisor: place.supervisor_id.is_some(),
        community_place: place.community_place.is_some(),
    };
    place::check(service, asked).map_err(invalid)?;
    if let Some(sup) = &place.supervisor_id {
        let fits = users::find(conn, sup).ok().is_some_and(|u| {
            u.active
                && u.role == Role::Supervisor.as_str()
                && u.provider_id.as_deref() == Some(referral.provider_id.as_str())
        });
        if !fits {
            return Err(AppError::invalid(
                "supervisor_id",
                "not_supervisor",
                "not an active supervisor of this provider",
            ));
        }
    }
    let today = london::local_date(OffsetDateTime::now_utc());
    let site = placement::site(
        conn,
        &referral.centre_id,
        service.as_str(),
        place.room_id.as_deref(),
        today,
    )?;
    let room = match &place.room_id {
        None => None,
        Some(_) => {
            let Some(room) = site.room.as_ref().filter(|r| r.active) else {
                return Err(AppError::invalid(
                    "room_id",
                    "not_found",
                    "no such room at the case's centre",
                ));
            };
            let kind = room.kind()?;
            place::check_room(service, kind).map_err(invalid)?;
            Some((
                room.id.clone(),
                kind,
                u32::try_from(room.capacity).unwrap_or(1),
            ))
        }
    };
    let centre_policy = centre_policy(site.policy.as_ref())?;
    let tariff = site
        .tariff
        .as_ref()
        .map(|v| v.to_domain(service))
        .transpose()?;
    let audience = match &referral.created_by {
        Some(creator) => placement::audience(conn, creator)?,
        None => None,
    };
    let mut ctx = Context {
        referral,
        place,
        site,
        room,
        centre_policy,
        tariff,
        audience,
        offsets: HashMap::new(),
        pairs: Vec::new(),
    };
    let mine = [ctx.referral.id.clone()];
    let mut sharing = vacated_rooms.to_vec();
    if let Some((room_id, RoomKind::Shared, _)) = &ctx.room {
        sharing.push(room_id.clone());
    }
    let pairs = !sharing.is_empty();
    read_families(conn, &mut ctx, &mine, &sharing, starts, pairs)?;
    Ok(ctx)
}

/// Reads the families' offsets and, where families may share a room, their keep-apart pairs.
pub(super) fn read_families(
    conn: &mut AnyConnection,
    ctx: &mut Context,
    referrals: &[String],
    rooms: &[String],
    starts: &[PrimitiveDateTime],
    pairs: bool,
) -> Result<(), AppError> {
    let f = Families {
        referrals,
        rooms,
        starts,
    };
    let rows = placement::families(conn, &f, pairs)?;
    let mut latest: HashMap<String, (Option<String>, Option<i32>)> = HashMap::new();
    for (referral, assessment, offset) in rows.offsets {
        let seen = latest.entry(referral).or_insert((None, None));
        if assessment > seen.0 {
            *seen = (assessment, offset);
        }
    }
    for (referral, (_, offset)) in latest {
        let offset = offset.and_then(|m| u32::try_from(m).ok());
        ctx.offsets.insert(referral, offset);
    }
    let known: HashSet<String> = ctx.pairs.iter().map(|k| k.id.clone()).collect();
    ctx.pairs
        .extend(rows.pairs.into_iter().filter(|k| !known.contains(&k.id)));
    Ok(())
}

/// Takes the room's and supervisor's locks (a concurrent placement of either waits here until
/// this one commits, then sees it), and reads every session of the room, the supervisor, the
/// family or `more_rooms` (rooms being left) around `slots` and `vacated`.
pub fn lock_and_read(
    conn: &mut AnyConnection,
    ctx: &Context,
    slots: &[Slot],
    vacated: &[Slot],
    more_rooms: &[String],
    turnaround: Duration,
) -> Result<Vec<Neighbour>, AppError> {
    if let Some((room_id, _, _)) = &ctx.room {
        sessions::lock_room(conn, room_id)?;
    }
    if let Some(sup) = &ctx.place.supervisor_id {
        sessions::lock_supervisor(conn, sup)?;
    }
    let all = slots.iter().chain(vacated);
    let (Some(first), Some(last)) = (all.clone().map(|s| s.start).min(), all.map(|s| s.end).max())
    else {
        return Ok(Vec::new());
    };
    let mut rooms: Vec<String> = more_rooms.to_vec();
    rooms.extend(ctx.room.iter().map(|(id, _, _)| id.clone()));
    let holders = Holders {
        rooms: &rooms,
        supervisor: ctx.place.supervisor_id.as_deref(),
        referral: &ctx.referral.id,
    };
    Ok(placement::neighbours(
        conn,
        &holders,
        stored(first - turnaround),
        stored(last + turnaround),
    )?)
}

fn clash(id: &str, what: &str, slot: &Slot) -> AppError {
    let local = london::to_local(slot.start);
    AppError::Clash {
        detail: format!(
            "the {what} is already booked around {} {}",
            local.date(),
            hhmm::text(local.time())
        ),
        session_id: id.to_string(),
    }
}

/// Refuses the slots if any would clash with a session holding the room or the supervisor, or
/// overlap the family's own sessions (those in `moving` are being replaced and do not count).
pub fn check(
    ctx: &Context,
    neighbours: &[Neighbour],
    slots: &[Slot],
    moving: &[String],
    turnaround: Duration,
) -> Result<(), AppError> {
    let held = |keep: &dyn Fn(&Neighbour) -> bool| -> Vec<(String, Slot)> {
        neighbours
            .iter()
            .filter(|n| !moving.contains(&n.id) && keep(n))
            .map(|n| (n.id.clone(), slot_of(n.starts_at, n.ends_at)))
            .collect()
    };
    if let Some((room_id, kind, capacity)) = &ctx.room {
        let taken = held(&|n| n.room_id.as_ref() == Some(room_id));
        for slot in slots {
            let hit = match kind {
                RoomKind::Shared => shared_clash(&taken, slot, *capacity),
                RoomKind::Private => exclusive_clash(&taken, slot, turnaround),
            };
            if let Some(other) = hit {
                return Err(clash(other, "room", slot));
            }
        }
    }
    if let Some(sup) = &ctx.place.supervisor_id {
        let taken = held(&|n| n.supervisor_id.as_ref() == Some(sup));
        for slot in slots {
            if let Some(other) = exclusive_clash(&taken, slot, turnaround) {
                return Err(clash(other, "supervisor", slot));
            }
        }
    }
    let mine = held(&|n| n.referral_id == ctx.referral.id);
    for slot in slots {
        if let Some(other) = exclusive_clash(&mine, slot, Duration::ZERO) {
            return Err(clash(other, "family", slot));
        }
    }
    Ok(())
}

/// The placed sessions with their parents' rows, earliest first.
pub fn placed(referral_id: &str, sessions: Vec<Session>, parties: &[SessionParty]) -> Placed {
    let mut sessions: Vec<(Session, Vec<SessionParty>)> = sessions
        .into_iter()
        .map(|s| {
            let mut mine: Vec<SessionParty> = parties
                .iter()
                .filter(|p| p.session_id == s.id)
                .cloned()
                .collect();
            mine.sort_by(|a, b| a.party.cmp(&b.party));
            (s, mine)
        })
        .collect();
    sessions.sort_by(|a, b| (a.0.starts_at, &a.0.id).cmp(&(b.0.starts_at, &b.0.id)));
    Placed {
        referral_id: referral_id.to_string(),
        sessions,
    }
}
