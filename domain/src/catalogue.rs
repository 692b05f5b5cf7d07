//! Rules for describing a provider's centres: room capacity, the days a service may run,
//! session lengths and UK postcodes.

use crate::{RoomKind, ServiceType, Weekday};

/// The most families one shared room can be booked for.
pub const MAX_SHARED_CAPACITY: u32 = 50;

/// The capacity a room gets: a private room holds one family; a shared room needs a capacity.
pub fn room_capacity(kind: RoomKind, requested: Option<u32>) -> Result<u32, &'static str> {
    match (kind, requested) {
        (RoomKind::Private, None | Some(1)) => Ok(1),
        (RoomKind::Private, Some(_)) => Err("a private room holds one family: capacity must be 1"),
        (RoomKind::Shared, Some(c)) if (1..=MAX_SHARED_CAPACITY).contains(&c) => Ok(c),
        (RoomKind::Shared, Some(_)) => Err("a shared room holds 1 to 50 families"),
        (RoomKind::Shared, None) => Err("a shared room needs its capacity in families"),
    }
}

/// Whether a service may run on these days. Handover happens on Saturdays only (CL's two
/// Saturday slots); every other service may run on any day. At least one day is needed.
pub fn check_days(service: ServiceType, days: &[Weekday]) -> Result<(), &'static str> {
    if days.is_empty() {
        return Err("name at least one day the service runs");
    }
    if service == ServiceType::Handover && days.iter().any(|d| *d != Weekday::Saturday) {
        return Err("handover runs on Saturdays only");
    }
    Ok(())
}

/// Session lengths a centre may set: 15 minutes to 8 hours, in quarter hours.
pub fn check_session_minutes(minutes: u32) -> Result<(), &'static str> {
    if !(15..=480).contains(&minutes) || !minutes.is_multiple_of(15) {
        return Err("must be 15 to 480 minutes in steps of 15");
    }
    Ok(())
}

/// A UK postcode in its standard form ("sw1a1aa" -> "SW1A 1AA"), or `None` if it is not one.
pub fn normalise_postcode(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = {
        let b = inward.as_bytes();
        b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
    };
    let o = outward.as_bytes();
    let outward_ok = o[0].is_ascii_alphabetic()
        && o.iter().all(u8::is_ascii_alphanumeric)
        && o.iter().any(u8::is_ascii_digit)
        && (2..=4).contains(&o.len());
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_room_holds_one_family() {
        assert_eq!(room_capacity(RoomKind::Private, None), Ok(1));
        assert!(room_capacity(RoomKind::Private, Some(3)).is_err());
    }

    #[test]
    fn a_shared_room_says_how_many_families_it_holds() {
        assert_eq!(room_capacity(RoomKind::Shared, Some(8)), Ok(8));
        assert!(room_capacity(RoomKind::Shared, None).is_err());
        assert!(room_capacity(RoomKind::Shared, Some(0)).is_err());
        assert!(room_capacity(RoomKind::Shared, Some(51)).is_err());
    }

    #[test]
    fn handover_is_saturday_only() {
        assert_eq!(
            check_days(ServiceType::Handover, &[Weekday::Saturday]),
            Ok(())
        );
        assert!(check_days(
            ServiceType::Handover,
            &[Weekday::Saturday, Weekday::Wednesday]
        )
        .is_err());
        assert_eq!(
            check_days(ServiceType::Supervised, &[Weekday::Wednesday]),
            Ok(())
        );
        assert!(check_days(ServiceType::Supported, &[]).is_err());
    }

    #[test]
    fn sessions_are_whole_quarter_hours_up_to_eight_hours() {
        assert!(check_session_minutes(120).is_ok());
        assert!(check_session_minutes(100).is_err());
        assert!(check_session_minutes(0).is_err());
        assert!(check_session_minutes(495).is_err());
    }

    #[test]
    fn postcodes_are_read_in_any_case_and_spacing() {
        assert_eq!(normalise_postcode("sw1a1aa").as_deref(), Some("SW1A 1AA"));
        assert_eq!(normalise_postcode("M1 1AE").as_deref(), Some("M1 1AE"));
        assert_eq!(normalise_postcode(" b33 8th ").as_deref(), Some("B33 8TH"));
        for bad in ["", "12345", "SW1A", "SW1A 1A1", "ABCDEFG", "SW1A 1AA X"] {
            assert_eq!(normalise_postcode(bad), None, "{bad}");
        }
    }
}
