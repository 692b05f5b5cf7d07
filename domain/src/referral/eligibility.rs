//! Which service a family may use given its risks (domain.md): supported centres must refuse
//! proven domestic abuse and known convictions for harming a child, signposting supervised
//! contact; supervised contact is generally needed where there is a non-molestation order or
//! criminal proceedings for domestic violence, so those need a coordinator's reasoned
//! override; handover needs unsupervised contact to be appropriate; indirect needs no meeting.

use time::Date;

use crate::ServiceType;

string_enum! {
    /// What is known of domestic abuse between the adults.
    AbuseLevel {
        None = "none",
        Alleged = "alleged",
        /// Found by a court or admitted.
        Proven = "proven",
    }
}

/// The risk factors screening weighs (special-category data: staff only).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Risk {
    pub domestic_abuse: AbuseLevel,
    /// A non-molestation order between the adults, if there is one.
    pub non_molestation_order: Option<ProtectiveOrder>,
    /// A known conviction for harming a child.
    pub child_harm_conviction: bool,
    /// Criminal proceedings for domestic violence.
    pub dv_criminal_proceedings: bool,
    pub substance_misuse: bool,
    pub social_services_involved: bool,
}

/// A protective order and when it ends (none: until further order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProtectiveOrder {
    #[serde(default, with = "crate::dates::iso_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<Date>,
}

impl Default for Risk {
    fn default() -> Self {
        Risk {
            domestic_abuse: AbuseLevel::None,
            non_molestation_order: None,
            child_harm_conviction: false,
            dv_criminal_proceedings: false,
            substance_misuse: false,
            social_services_involved: false,
        }
    }
}

impl Risk {
    fn order_in_force(&self, today: Date) -> bool {
        self.non_molestation_order
            .is_some_and(|o| o.expires_on.is_none_or(|expires| expires >= today))
    }
}

/// The screening decision the rules allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Eligible,
    /// The service must be refused; `signpost` is the service to suggest instead.
    Refused {
        reason: &'static str,
        signpost: ServiceType,
    },
    /// The rules expect another service, but a coordinator may accept with a recorded reason.
    NeedsOverride {
        reason: &'static str,
        signpost: ServiceType,
    },
}

/// What the rules say about offering `service` to a family with `risk`.
/// `unsupervised_ok` is the assessment's judgement that unsupervised contact is appropriate
/// (needed for handover).
pub fn decide(
    service: ServiceType,
    risk: &Risk,
    unsupervised_ok: Option<bool>,
    today: Date,
) -> Decision {
    use ServiceType as S;
    let refuse = |reason| Decision::Refused {
        reason,
        signpost: S::Supervised,
    };
    let override_needed = |reason| Decision::NeedsOverride {
        reason,
        signpost: S::Supervised,
    };
    match service {
        S::Supervised | S::Indirect => Decision::Eligible,
        S::Supported => {
            if risk.domestic_abuse == AbuseLevel::Proven {
                refuse("supported centres must refuse proven domestic abuse")
            } else if risk.child_harm_conviction {
                refuse("supported centres must refuse a known conviction for harming a child")
            } else if risk.order_in_force(today) {
                override_needed(
                    "a non-molestation order is in force: supervised contact is generally needed",
                )
            } else if risk.dv_criminal_proceedings {
                override_needed("there are criminal proceedings for domestic violence: supervised contact is generally needed")
            } else {
                Decision::Eligible
            }
        }
        S::Handover => {
            if risk.child_harm_conviction {
                refuse("unsupervised contact is not appropriate after a conviction for harming a child")
            } else {
                match unsupervised_ok {
                    Some(true) => Decision::Eligible,
                    Some(false) => {
                        refuse("the assessment found unsupervised contact not appropriate")
                    }
                    None => refuse(
                        "handover needs an assessment saying unsupervised contact is appropriate",
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    #[test]
    fn supported_contact_refuses_proven_abuse_and_child_harm_and_signposts_supervised() {
        let proven = Risk {
            domestic_abuse: AbuseLevel::Proven,
            ..Risk::default()
        };
        assert!(matches!(
            decide(ServiceType::Supported, &proven, None, TODAY),
            Decision::Refused {
                signpost: ServiceType::Supervised,
                ..
            }
        ));
        let conviction = Risk {
            child_harm_conviction: true,
            ..Risk::default()
        };
        assert!(matches!(
            decide(ServiceType::Supported, &conviction, None, TODAY),
            Decision::Refused { .. }
        ));
        let alleged = Risk {
            domestic_abuse: AbuseLevel::Alleged,
            ..Risk::default()
        };
        assert_eq!(
            decide(ServiceType::Supported, &alleged, None, TODAY),
            Decision::Eligible
        );
    }

    #[test]
    fn an_order_in_force_or_criminal_proceedings_need_a_reasoned_override_for_supported() {
        let order = Risk {
            non_molestation_order: Some(ProtectiveOrder {
                expires_on: Some(date!(2027 - 01 - 01)),
            }),
            ..Risk::default()
        };
        assert!(matches!(
            decide(ServiceType::Supported, &order, None, TODAY),
            Decision::NeedsOverride { .. }
        ));
        let expired = Risk {
            non_molestation_order: Some(ProtectiveOrder {
                expires_on: Some(date!(2026 - 01 - 01)),
            }),
            ..Risk::default()
        };
        assert_eq!(
            decide(ServiceType::Supported, &expired, None, TODAY),
            Decision::Eligible
        );
        let open_ended = Risk {
            non_molestation_order: Some(ProtectiveOrder { expires_on: None }),
            ..Risk::default()
        };
        assert!(matches!(
            decide(ServiceType::Supported, &open_ended, None, TODAY),
            Decision::NeedsOverride { .. }
        ));
        let proceedings = Risk {
            dv_criminal_proceedings: true,
            ..Risk::default()
        };
        assert!(matches!(
            decide(ServiceType::Supported, &proceedings, None, TODAY),
            Decision::NeedsOverride { .. }
        ));
    }

    #[test]
    fn handover_needs_unsupervised_contact_to_be_appropriate() {
        let none = Risk::default();
        assert_eq!(
            decide(ServiceType::Handover, &none, Some(true), TODAY),
            Decision::Eligible
        );
        assert!(matches!(
            decide(ServiceType::Handover, &none, Some(false), TODAY),
            Decision::Refused { .. }
        ));
        assert!(matches!(
            decide(ServiceType::Handover, &none, None, TODAY),
            Decision::Refused { .. }
        ));
        let conviction = Risk {
            child_harm_conviction: true,
            ..Risk::default()
        };
        assert!(matches!(
            decide(ServiceType::Handover, &conviction, Some(true), TODAY),
            Decision::Refused { .. }
        ));
    }

    #[test]
    fn supervised_and_indirect_contact_are_open_to_every_family() {
        let worst = Risk {
            domestic_abuse: AbuseLevel::Proven,
            non_molestation_order: Some(ProtectiveOrder { expires_on: None }),
            child_harm_conviction: true,
            dv_criminal_proceedings: true,
            substance_misuse: true,
            social_services_involved: true,
        };
        assert_eq!(
            decide(ServiceType::Supervised, &worst, None, TODAY),
            Decision::Eligible
        );
        assert_eq!(
            decide(ServiceType::Indirect, &worst, None, TODAY),
            Decision::Eligible
        );
    }
}
