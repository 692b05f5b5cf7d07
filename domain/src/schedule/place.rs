//! Where each service's sessions happen, said once: supervised contact needs a supervisor and
//! either a private room or a place in the community; supported contact a shared room (whose
//! capacity the clash check counts); handover needs no room, and may use a shared or a private
//! one; letterbox (indirect) contact has no sessions.

use crate::{RoomKind, ServiceType};

/// What a session of one service needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceNeeds {
    /// The service has sessions at all.
    pub sessions: bool,
    /// A supervisor is required (and only this service has one).
    pub supervisor: bool,
    /// A room is required (else optional, where any room kind is allowed).
    pub room_required: bool,
    /// The room kinds that will do.
    pub room_kinds: &'static [RoomKind],
    /// A place in the community will do instead of a room.
    pub community_place: bool,
}

pub fn needs(service: ServiceType) -> PlaceNeeds {
    match service {
        ServiceType::Supervised => PlaceNeeds {
            sessions: true,
            supervisor: true,
            room_required: false,
            room_kinds: &[RoomKind::Private],
            community_place: true,
        },
        ServiceType::Supported => PlaceNeeds {
            sessions: true,
            supervisor: false,
            room_required: true,
            room_kinds: &[RoomKind::Shared],
            community_place: false,
        },
        ServiceType::Handover => PlaceNeeds {
            sessions: true,
            supervisor: false,
            room_required: false,
            room_kinds: &[RoomKind::Shared, RoomKind::Private],
            community_place: false,
        },
        ServiceType::Indirect => PlaceNeeds {
            sessions: false,
            supervisor: false,
            room_required: false,
            room_kinds: &[],
            community_place: false,
        },
    }
}

/// What a booking asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Asked {
    pub room: bool,
    pub supervisor: bool,
    pub community_place: bool,
}

/// Why a booking's place does not suit its service; each names the field at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    #[error("{0} contact has no sessions")]
    NoSessions(ServiceType),
    #[error("only supervised contact happens in the community")]
    CommunityNotAllowed,
    #[error("only supervised contact has a supervisor")]
    SupervisorNotAllowed,
    #[error("supervised contact needs a supervisor")]
    SupervisorRequired,
    #[error("supervised contact needs a private room or a community place, not both")]
    RoomOrCommunity,
    #[error("{0} contact needs a {1} room")]
    RoomRequired(ServiceType, &'static str),
    #[error("{0} contact needs a {1} room")]
    WrongRoomKind(ServiceType, &'static str),
}

impl PlaceError {
    pub fn field(self) -> &'static str {
        match self {
            PlaceError::NoSessions(_) => "service_type",
            PlaceError::CommunityNotAllowed => "community_place",
            PlaceError::SupervisorNotAllowed | PlaceError::SupervisorRequired => "supervisor_id",
            PlaceError::RoomOrCommunity
            | PlaceError::RoomRequired(..)
            | PlaceError::WrongRoomKind(..) => "room_id",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PlaceError::NoSessions(_) => "no_sessions",
            PlaceError::CommunityNotAllowed | PlaceError::SupervisorNotAllowed => "supervised_only",
            PlaceError::SupervisorRequired | PlaceError::RoomRequired(..) => "required",
            PlaceError::RoomOrCommunity => "one_of",
            PlaceError::WrongRoomKind(..) => "room_kind",
        }
    }
}

fn kinds(n: &PlaceNeeds) -> &'static str {
    match n.room_kinds {
        [RoomKind::Shared] => "shared",
        [RoomKind::Private] => "private",
        _ => "",
    }
}

/// Whether what a booking asks for suits `service` (before the room is looked up).
pub fn check(service: ServiceType, asked: Asked) -> Result<(), PlaceError> {
    let n = needs(service);
    if !n.sessions {
        return Err(PlaceError::NoSessions(service));
    }
    if asked.community_place && !n.community_place {
        return Err(PlaceError::CommunityNotAllowed);
    }
    if asked.supervisor && !n.supervisor {
        return Err(PlaceError::SupervisorNotAllowed);
    }
    if n.supervisor && !asked.supervisor {
        return Err(PlaceError::SupervisorRequired);
    }
    if n.community_place && asked.room == asked.community_place {
        return Err(PlaceError::RoomOrCommunity);
    }
    if n.room_required && !asked.room {
        return Err(PlaceError::RoomRequired(service, kinds(&n)));
    }
    Ok(())
}

/// Whether a room of `kind` will do for `service`.
pub fn check_room(service: ServiceType, kind: RoomKind) -> Result<(), PlaceError> {
    let n = needs(service);
    if n.room_kinds.contains(&kind) {
        Ok(())
    } else {
        Err(PlaceError::WrongRoomKind(service, kinds(&n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RoomKind::*;
    use ServiceType::*;

    const ROOM: Asked = Asked {
        room: true,
        supervisor: false,
        community_place: false,
    };

    #[test]
    fn supervised_needs_a_supervisor_and_a_private_room_or_a_community_place() {
        let with = |a: Asked| Asked {
            supervisor: true,
            ..a
        };
        assert_eq!(check(Supervised, with(ROOM)), Ok(()));
        assert_eq!(check_room(Supervised, Private), Ok(()));
        assert!(check_room(Supervised, Shared).is_err());
        let park = Asked {
            community_place: true,
            ..with(Asked::default())
        };
        assert_eq!(check(Supervised, park), Ok(()));
        assert_eq!(check(Supervised, ROOM), Err(PlaceError::SupervisorRequired));
        assert_eq!(
            check(Supervised, with(Asked::default())),
            Err(PlaceError::RoomOrCommunity)
        );
    }

    #[test]
    fn supported_needs_a_shared_room() {
        assert_eq!(check(Supported, ROOM), Ok(()));
        assert_eq!(check_room(Supported, Shared), Ok(()));
        assert_eq!(
            check(Supported, Asked::default()).unwrap_err().field(),
            "room_id"
        );
        assert!(check_room(Supported, Private).is_err());
    }

    #[test]
    fn handover_takes_a_room_of_either_kind_or_none() {
        assert_eq!(check(Handover, Asked::default()), Ok(()));
        assert_eq!(check(Handover, ROOM), Ok(()));
        assert_eq!(check_room(Handover, Shared), Ok(()));
        assert_eq!(check_room(Handover, Private), Ok(()));
        let supervised = Asked {
            supervisor: true,
            ..ROOM
        };
        assert_eq!(
            check(Handover, supervised),
            Err(PlaceError::SupervisorNotAllowed)
        );
    }

    #[test]
    fn letterbox_contact_has_no_sessions() {
        assert_eq!(
            check(Indirect, Asked::default()),
            Err(PlaceError::NoSessions(Indirect))
        );
    }
}
