//! The two providers' published tariffs (domain.md), as data. A provider starts from one of
//! these and changes any figure; nothing in the engine knows which provider it is pricing.

use crate::money::Money;
use crate::tariff::{CancellationRule, Coverage, SessionFee, Tariff, Waiver};
use crate::{Funder, ReferrerKind, ServiceType};

/// A named starting point for a tariff.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub key: &'static str,
    pub name: &'static str,
    pub build: fn() -> Tariff,
}

pub const ALL: &[Preset] = &[
    Preset {
        key: "cl_supported",
        name: "CL supported contact",
        build: cl_supported,
    },
    Preset {
        key: "cl_supervised",
        name: "CL supervised contact",
        build: cl_supervised,
    },
    Preset {
        key: "cl_supervised_no_admin_fee",
        name: "CL supervised contact, no admin fee on referral",
        build: cl_supervised_no_admin_fee,
    },
    Preset {
        key: "cl_handover",
        name: "CL handover",
        build: cl_handover,
    },
    Preset {
        key: "cl_indirect",
        name: "CL indirect (letterbox) contact",
        build: cl_indirect,
    },
    Preset {
        key: "fa_supported",
        name: "FA supported contact",
        build: fa_supported,
    },
    Preset {
        key: "fa_supervised",
        name: "FA supervised contact",
        build: fa_supervised,
    },
    Preset {
        key: "fa_handover",
        name: "FA handover",
        build: || on_application(ServiceType::Handover),
    },
    Preset {
        key: "fa_indirect",
        name: "FA indirect (letterbox) contact",
        build: || on_application(ServiceType::Indirect),
    },
];

pub fn find(key: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.key == key)
}

/// £140 covers contact for up to 6 months: £30 non-refundable admin fee due on referral, £110
/// balance when a place becomes available, paid before contact starts.
pub fn cl_supported() -> Tariff {
    Tariff {
        referral_fee: Money::pounds(30),
        balance: Money::pounds(110),
        balance_refundable: true,
        covers: Coverage {
            months: Some(6),
            sessions: None,
        },
        ..Tariff::free(ServiceType::Supported)
    }
}

/// Processing fee from £130 (£30 non-refundable admin fee on referral, the rest once assessed
/// and a space is available); sessions from £95 an hour, paid before each session; a parent
/// who cancels pays the charge of the cancelled session.
pub fn cl_supervised() -> Tariff {
    Tariff {
        referral_fee: Money::pounds(30),
        balance: Money::pounds(100),
        session_fee: Some(SessionFee::PerHour(Money::pounds(95))),
        cancellation: CancellationRule::SessionCharge,
        ..Tariff::free(ServiceType::Supervised)
    }
}

/// CL supervised where the tariff takes no admin fee on referral: all £130 after assessment.
pub fn cl_supervised_no_admin_fee() -> Tariff {
    Tariff {
        referral_fee: Money::ZERO,
        balance: Money::pounds(130),
        ..cl_supervised()
    }
}

/// £55 referral fee paid with the referral; £16 per handover, paid before booking.
pub fn cl_handover() -> Tariff {
    Tariff {
        referral_fee: Money::pounds(55),
        session_fee: Some(SessionFee::PerSession(Money::pounds(16))),
        ..Tariff::free(ServiceType::Handover)
    }
}

/// £35 referral fee with the referral; £6 per item forwarded, paid before it is sent.
pub fn cl_indirect() -> Tariff {
    Tariff {
        referral_fee: Money::pounds(35),
        item_fee: Some(Money::pounds(6)),
        ..Tariff::free(ServiceType::Indirect)
    }
}

/// Six sessions for £180, usually paid in advance by the non-resident parent.
pub fn fa_supported() -> Tariff {
    Tariff {
        balance: Money::pounds(180),
        covers: Coverage {
            months: None,
            sessions: Some(6),
        },
        ..Tariff::free(ServiceType::Supported)
    }
}

/// No charge for court-ordered parents referred directly by Cafcass, who funds it. FA
/// publishes no price for self-referred supervised contact, so it is quoted on application.
pub fn fa_supervised() -> Tariff {
    Tariff {
        waivers: vec![Waiver {
            funder: Funder::Cafcass,
            referred_by: Some(ReferrerKind::Cafcass),
            court_ordered_only: true,
        }],
        ..on_application(ServiceType::Supervised)
    }
}

/// A service whose price the provider does not publish.
pub fn on_application(service: ServiceType) -> Tariff {
    Tariff {
        price_on_application: true,
        ..Tariff::free(service)
    }
}

#[cfg(test)]
// Pence are written pounds_pence (110_00 is £110.00) so the figures read as in domain.md.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::quote::{
        cancellation_charge, quote, CancelledBy, ChargeDue, LineKind, Payer, QuoteError,
        QuoteRequest,
    };

    fn request(
        referrer: ReferrerKind,
        sessions: u32,
        session_minutes: u32,
        items: u32,
    ) -> QuoteRequest {
        QuoteRequest {
            referrer,
            court_ordered: false,
            sessions,
            session_minutes,
            items,
        }
    }

    fn self_referral(sessions: u32, session_minutes: u32) -> QuoteRequest {
        request(ReferrerKind::SelfReferral, sessions, session_minutes, 0)
    }

    /// (kind, amount in pence, due, refundable) for each line, to compare with domain.md.
    fn lines(q: &crate::quote::Quote) -> Vec<(LineKind, i64, ChargeDue, bool)> {
        q.lines
            .iter()
            .map(|l| (l.kind, l.amount.pence(), l.due, l.refundable))
            .collect()
    }

    #[test]
    fn every_preset_is_a_coherent_tariff() {
        for p in ALL {
            assert_eq!((p.build)().issues(), vec![], "{}", p.key);
        }
        assert_eq!(find("cl_handover").map(|p| p.key), Some("cl_handover"));
        assert!(find("nope").is_none());
    }

    #[test]
    fn cl_supported_is_140_pounds_in_two_parts() {
        let q = quote(&cl_supported(), &self_referral(12, 120)).unwrap();
        assert_eq!(
            lines(&q),
            [
                (LineKind::ReferralFee, 30_00, ChargeDue::OnReferral, false),
                (LineKind::Balance, 110_00, ChargeDue::OnPlaceOffered, true),
            ]
        );
        assert_eq!(q.total, Money::pounds(140));
        assert_eq!(q.lines[0].payer, Payer::NonResidentParent);
        assert!(
            q.lines[1].description.contains("up to 6 months"),
            "{}",
            q.lines[1].description
        );
        assert_eq!(q.cancellation, None);
    }

    #[test]
    fn cl_supervised_is_a_130_pound_processing_fee_and_95_pounds_an_hour() {
        let q = quote(&cl_supervised(), &self_referral(6, 120)).unwrap();
        assert_eq!(
            lines(&q),
            [
                (LineKind::ReferralFee, 30_00, ChargeDue::OnReferral, false),
                (LineKind::Balance, 100_00, ChargeDue::OnPlaceOffered, false),
                (
                    LineKind::Session,
                    6 * 190_00,
                    ChargeDue::BeforeSession,
                    false
                ),
            ]
        );
        assert_eq!(q.lines[2].unit_amount, Money::pounds(190));
        assert_eq!(q.lines[2].quantity, 6);
        assert_eq!(q.total, Money::pounds(130 + 6 * 190));
    }

    #[test]
    fn cl_supervised_may_take_no_admin_fee_on_referral() {
        let q = quote(&cl_supervised_no_admin_fee(), &self_referral(1, 60)).unwrap();
        assert_eq!(
            lines(&q),
            [
                (LineKind::Balance, 130_00, ChargeDue::OnPlaceOffered, false),
                (LineKind::Session, 95_00, ChargeDue::BeforeSession, false),
            ]
        );
    }

    #[test]
    fn a_parent_who_cancels_a_two_hour_supervised_session_pays_190_pounds() {
        let t = cl_supervised();
        assert_eq!(
            cancellation_charge(&t, 120, CancelledBy::NonResidentParent),
            Some(Money::pounds(190))
        );
        assert_eq!(
            cancellation_charge(&t, 120, CancelledBy::ResidentParent),
            Some(Money::pounds(190))
        );
        let terms = quote(&t, &self_referral(6, 120))
            .unwrap()
            .cancellation
            .unwrap();
        assert_eq!(terms.charge, Money::pounds(190));
    }

    #[test]
    fn a_centre_that_cancels_charges_nobody() {
        assert_eq!(
            cancellation_charge(&cl_supervised(), 120, CancelledBy::Centre),
            Some(Money::ZERO)
        );
    }

    #[test]
    fn cl_handover_is_55_pounds_and_16_a_session() {
        let q = quote(&cl_handover(), &self_referral(10, 195)).unwrap();
        assert_eq!(
            lines(&q),
            [
                (LineKind::ReferralFee, 55_00, ChargeDue::OnReferral, false),
                (
                    LineKind::Session,
                    10 * 16_00,
                    ChargeDue::BeforeSession,
                    false
                ),
            ]
        );
        assert_eq!(q.total, Money::pounds(215));
    }

    #[test]
    fn cl_indirect_is_35_pounds_and_6_an_item() {
        let q = quote(&cl_indirect(), &request(ReferrerKind::Solicitor, 0, 0, 4)).unwrap();
        assert_eq!(
            lines(&q),
            [
                (LineKind::ReferralFee, 35_00, ChargeDue::OnReferral, false),
                (LineKind::Item, 4 * 6_00, ChargeDue::BeforeSending, false),
            ]
        );
        assert_eq!(q.total, Money::pounds(59));
    }

    #[test]
    fn fa_supported_is_180_pounds_for_six_sessions() {
        let q = quote(&fa_supported(), &self_referral(6, 120)).unwrap();
        assert_eq!(
            lines(&q),
            [(LineKind::Balance, 180_00, ChargeDue::OnPlaceOffered, false)]
        );
        assert_eq!(q.total, Money::pounds(180));
        // Twelve sessions are two blocks of six.
        let q = quote(&fa_supported(), &self_referral(12, 120)).unwrap();
        assert_eq!(q.lines[0].quantity, 2);
        assert_eq!(q.total, Money::pounds(360));
    }

    #[test]
    fn fa_supervised_court_ordered_via_cafcass_costs_the_family_nothing() {
        let cafcass = QuoteRequest {
            court_ordered: true,
            ..request(ReferrerKind::Cafcass, 6, 120, 0)
        };
        let q = quote(&fa_supervised(), &cafcass).unwrap();
        assert_eq!(q.total, Money::ZERO);
        assert_eq!(q.funded_by, Some(Funder::Cafcass));
    }

    #[test]
    fn fa_supervised_self_referred_is_priced_on_application() {
        let err = quote(&fa_supervised(), &self_referral(6, 120)).unwrap_err();
        assert_eq!(err, QuoteError::PriceOnApplication(ServiceType::Supervised));
        // Cafcass referral without a court order is not what FA waives.
        let not_ordered = request(ReferrerKind::Cafcass, 6, 120, 0);
        assert!(quote(&fa_supervised(), &not_ordered).is_err());
    }

    #[test]
    fn a_waived_line_keeps_its_price_but_charges_the_funder_nothing() {
        let mut t = cl_supervised();
        t.waivers.push(Waiver {
            funder: Funder::LocalAuthority,
            referred_by: Some(ReferrerKind::LocalAuthority),
            court_ordered_only: false,
        });
        let q = quote(&t, &request(ReferrerKind::LocalAuthority, 2, 120, 0)).unwrap();
        assert_eq!(q.total, Money::ZERO);
        assert!(q.lines.iter().all(|l| l.amount.is_zero()
            && l.payer == Payer::Funder
            && l.funder == Some(Funder::LocalAuthority)));
        assert_eq!(q.lines[2].unit_amount, Money::pounds(190));
        assert!(q.lines[0]
            .description
            .ends_with("(funded by the local authority)"));
    }

    #[test]
    fn absurd_quantities_are_refused_not_overflowed() {
        let err = quote(&cl_supervised(), &self_referral(100_000, 120)).unwrap_err();
        assert_eq!(
            err,
            QuoteError::TooLarge {
                field: "sessions",
                max: crate::quote::MAX_SESSIONS
            }
        );
    }
}
