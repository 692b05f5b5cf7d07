//! The closed vocabularies of the domain. Each is a lower_snake_case string on the wire and in
//! the database; `as_str` and `FromStr` are the one mapping both use.

/// A string that is not one of an enumeration's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind}; expected one of: {}", allowed.join(", "))]
pub struct UnknownValue {
    pub kind: &'static str,
    pub allowed: &'static [&'static str],
}

string_enum! {
    /// The four services a contact centre offers.
    ServiceType {
        /// Several families share a large room; staff present, not always in sight and sound.
        Supported = "supported",
        /// One family, a trained supervisor in constant sight and sound, a report per session.
        Supervised = "supervised",
        /// The child is passed between parents at the centre; contact happens elsewhere.
        Handover = "handover",
        /// Letterbox: the centre checks and forwards letters, cards and gifts.
        Indirect = "indirect",
    }
}

string_enum! {
    /// What a user account is for. Staff roles belong to one provider; `platform_admin` to none.
    Role {
        PlatformAdmin = "platform_admin",
        OrgAdmin = "org_admin",
        Coordinator = "coordinator",
        Supervisor = "supervisor",
        Volunteer = "volunteer",
        Finance = "finance",
        Referrer = "referrer",
        Parent = "parent",
    }
}

impl Role {
    /// Staff of a provider (as opposed to referrers and parents, who only see their own cases).
    pub fn is_provider_staff(self) -> bool {
        matches!(
            self,
            Role::OrgAdmin | Role::Coordinator | Role::Supervisor | Role::Volunteer | Role::Finance
        )
    }
}

string_enum! {
    /// Who referred a family to the centre.
    ReferrerKind {
        /// The parent referred themselves.
        SelfReferral = "self",
        Solicitor = "solicitor",
        /// The court welfare service; funds short supervised programmes (CCIs).
        Cafcass = "cafcass",
        Court = "court",
        LocalAuthority = "local_authority",
        OtherCentre = "other_centre",
    }
}

string_enum! {
    /// A body that may pay a family's fees instead of the family.
    Funder {
        Cafcass = "cafcass",
        LocalAuthority = "local_authority",
    }
}

impl Funder {
    pub fn name(self) -> &'static str {
        match self {
            Funder::Cafcass => "Cafcass",
            Funder::LocalAuthority => "the local authority",
        }
    }
}

string_enum! {
    /// A shared room holds several families at once (supported contact); a private room one.
    RoomKind {
        Shared = "shared",
        Private = "private",
    }
}

string_enum! {
    Weekday {
        Monday = "monday",
        Tuesday = "tuesday",
        Wednesday = "wednesday",
        Thursday = "thursday",
        Friday = "friday",
        Saturday = "saturday",
        Sunday = "sunday",
    }
}

impl Weekday {
    pub fn of(date: time::Date) -> Weekday {
        match date.weekday() {
            time::Weekday::Monday => Weekday::Monday,
            time::Weekday::Tuesday => Weekday::Tuesday,
            time::Weekday::Wednesday => Weekday::Wednesday,
            time::Weekday::Thursday => Weekday::Thursday,
            time::Weekday::Friday => Weekday::Friday,
            time::Weekday::Saturday => Weekday::Saturday,
            time::Weekday::Sunday => Weekday::Sunday,
        }
    }

    /// "Saturday"; used in descriptions people read.
    pub fn title(self) -> &'static str {
        match self {
            Weekday::Monday => "Monday",
            Weekday::Tuesday => "Tuesday",
            Weekday::Wednesday => "Wednesday",
            Weekday::Thursday => "Thursday",
            Weekday::Friday => "Friday",
            Weekday::Saturday => "Saturday",
            Weekday::Sunday => "Sunday",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_read_back() {
        for s in ServiceType::ALL {
            assert_eq!(s.as_str().parse::<ServiceType>(), Ok(*s));
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(*r));
        }
        assert_eq!(
            "self".parse::<ReferrerKind>(),
            Ok(ReferrerKind::SelfReferral)
        );
    }

    #[test]
    fn an_unknown_value_lists_the_allowed_ones() {
        let err = "letterbox".parse::<ServiceType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown ServiceType; expected one of: supported, supervised, handover, indirect"
        );
    }

    #[test]
    fn only_provider_staff_are_staff() {
        assert!(Role::Coordinator.is_provider_staff());
        assert!(!Role::PlatformAdmin.is_provider_staff());
        assert!(!Role::Parent.is_provider_staff());
        assert!(!Role::Referrer.is_provider_staff());
    }
}
