//! Making a referral: who may refer and as what, whether a centre takes referrals for a
//! service, the fee raised on referral, and the status a new referral starts in.

use crate::money::Money;
use crate::quote::{self, LineKind, QuoteError, QuoteLine, QuoteRequest};
use crate::referral::lifecycle::{self, Event, ReferralStatus, TransitionError};
use crate::referral::PartyRole;
use crate::tariff::Tariff;
use crate::{Funder, ReferrerKind, Role};

/// Who is making a referral, and as what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Referring {
    /// A provider's coordinator or org admin, for any family.
    Staff,
    /// A referrer account (a solicitor, Cafcass, a partner's system), on behalf of others.
    Referrer,
    /// A parent referring themselves, as the side given.
    Parent(PartyRole),
}

impl Referring {
    /// Only staff link a party to a parent's account: anyone else could claim someone's.
    pub fn may_link_accounts(self) -> bool {
        self == Referring::Staff
    }
}

/// Why an account may not make this referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotReferring {
    #[error(
        "a referrer account refers on behalf of others; use its own kind (solicitor, cafcass, ...)"
    )]
    ReferrerAsSelf,
    #[error("a parent's own account makes self-referrals")]
    ParentForOthers,
    #[error("say which parent you are")]
    SideRequired,
    #[error("your role does not make referrals")]
    Role,
}

/// How an account of `role` refers as `kind`; a self-referring parent names their side.
pub fn referring(
    role: Role,
    kind: ReferrerKind,
    self_party: Option<PartyRole>,
) -> Result<Referring, NotReferring> {
    let own = kind == ReferrerKind::SelfReferral;
    match role {
        Role::OrgAdmin | Role::Coordinator => Ok(Referring::Staff),
        Role::Referrer if own => Err(NotReferring::ReferrerAsSelf),
        Role::Referrer => Ok(Referring::Referrer),
        Role::Parent if !own => Err(NotReferring::ParentForOthers),
        Role::Parent => match self_party.filter(|p| p.is_parent()) {
            Some(side) => Ok(Referring::Parent(side)),
            None => Err(NotReferring::SideRequired),
        },
        _ => Err(NotReferring::Role),
    }
}

/// Why a centre takes no referral for a service now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotTaking {
    #[error("the centre does not offer this contact")]
    NotOffered,
    #[error("the centre's waiting list for this contact is closed")]
    WaitingListClosed,
}

/// What decides whether a centre's offering of a service takes referrals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offered {
    pub active: bool,
    pub waiting_list_open: bool,
}

/// Whether a centre takes a referral: it must be open and offer the service (`None`: it does
/// not), with its waiting list open.
pub fn takes_referrals(centre_active: bool, offering: Option<Offered>) -> Result<(), NotTaking> {
    match offering {
        Some(o) if o.active && centre_active => {
            if o.waiting_list_open {
                Ok(())
            } else {
                Err(NotTaking::WaitingListClosed)
            }
        }
        _ => Err(NotTaking::NotOffered),
    }
}

/// A partner's system refers as the kind of body it was registered for, so the reports it can
/// read are the ones released to that body.
pub fn client_refers_as(organisation_kind: &str, kind: ReferrerKind) -> bool {
    organisation_kind == kind.as_str()
}

/// What a tariff raises on referral: the lines of `kind`, and the funder who waives them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fees {
    pub lines: Vec<QuoteLine>,
    pub funder: Option<Funder>,
}

impl Fees {
    /// Each line's charge (unit price times quantity), leaving out lines that cost nothing.
    pub fn charges(&self) -> Vec<(&QuoteLine, Money)> {
        self.lines
            .iter()
            .filter_map(|l| {
                let pence = l.unit_amount.pence() * i64::from(l.quantity);
                (pence > 0).then(|| (l, Money::from_pence(pence)))
            })
            .collect()
    }

    /// What the family owes of these charges when they are raised: nothing if a funder
    /// waives them.
    pub fn family_owes(&self) -> Money {
        if self.funder.is_some() {
            return Money::ZERO;
        }
        Money::from_pence(self.charges().iter().map(|(_, m)| m.pence()).sum())
    }
}

/// The tariff's charges of `kind` for a case referred by `referrer`. A price the provider does
/// not publish raises no charges (a funder may still cover the family).
pub fn fees(
    tariff: &Tariff,
    referrer: ReferrerKind,
    court_ordered: bool,
    session_minutes: u32,
    kind: LineKind,
) -> Result<Fees, QuoteError> {
    let request = QuoteRequest {
        referrer,
        court_ordered,
        sessions: 0,
        session_minutes,
        items: 0,
    };
    match quote::quote(tariff, &request) {
        Ok(q) => Ok(Fees {
            lines: q.lines.into_iter().filter(|l| l.kind == kind).collect(),
            funder: q.funded_by,
        }),
        Err(QuoteError::PriceOnApplication(_)) => Ok(Fees {
            lines: Vec::new(),
            funder: tariff.waived_by(referrer, court_ordered),
        }),
        Err(e) => Err(e),
    }
}

/// Where a new referral goes from `submitted`: to `awaiting_information` if details are
/// missing, else past the information gate (to the fee gate if the fee is owed).
pub fn first_step(
    missing: bool,
    referral_fee_due: bool,
) -> Result<(Event, ReferralStatus), TransitionError> {
    let event = if missing {
        Event::InformationMissing
    } else {
        Event::InformationComplete { referral_fee_due }
    };
    Ok((event, lifecycle::apply(ReferralStatus::Submitted, event)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    #[test]
    fn staff_referrers_and_parents_refer_as_their_role_allows() {
        use ReferrerKind::{SelfReferral, Solicitor};
        let nrp = Some(PartyRole::NonResidentParent);
        assert_eq!(
            referring(Role::Coordinator, SelfReferral, None),
            Ok(Referring::Staff)
        );
        assert_eq!(
            referring(Role::OrgAdmin, Solicitor, None),
            Ok(Referring::Staff)
        );
        assert_eq!(
            referring(Role::Referrer, Solicitor, None),
            Ok(Referring::Referrer)
        );
        assert_eq!(
            referring(Role::Referrer, SelfReferral, None),
            Err(NotReferring::ReferrerAsSelf)
        );
        assert_eq!(
            referring(Role::Parent, SelfReferral, nrp),
            Ok(Referring::Parent(PartyRole::NonResidentParent))
        );
        assert_eq!(
            referring(Role::Parent, Solicitor, nrp),
            Err(NotReferring::ParentForOthers)
        );
        assert_eq!(
            referring(Role::Parent, SelfReferral, None),
            Err(NotReferring::SideRequired)
        );
        assert_eq!(
            referring(Role::Parent, SelfReferral, Some(PartyRole::Child)),
            Err(NotReferring::SideRequired)
        );
        for role in [
            Role::Supervisor,
            Role::Volunteer,
            Role::Finance,
            Role::PlatformAdmin,
        ] {
            assert_eq!(
                referring(role, Solicitor, None),
                Err(NotReferring::Role),
                "{role}"
            );
        }
    }

    #[test]
    fn only_staff_link_accounts() {
        assert!(Referring::Staff.may_link_accounts());
        assert!(!Referring::Referrer.may_link_accounts());
        assert!(!Referring::Parent(PartyRole::ResidentParent).may_link_accounts());
    }

    #[test]
    fn a_centre_takes_referrals_only_for_an_open_offering_with_an_open_list() {
        let open = Offered {
            active: true,
            waiting_list_open: true,
        };
        assert_eq!(takes_referrals(true, Some(open)), Ok(()));
        assert_eq!(takes_referrals(true, None), Err(NotTaking::NotOffered));
        assert_eq!(
            takes_referrals(false, Some(open)),
            Err(NotTaking::NotOffered)
        );
        let inactive = Offered {
            active: false,
            ..open
        };
        assert_eq!(
            takes_referrals(true, Some(inactive)),
            Err(NotTaking::NotOffered)
        );
        let closed = Offered {
            waiting_list_open: false,
            ..open
        };
        assert_eq!(
            takes_referrals(true, Some(closed)),
            Err(NotTaking::WaitingListClosed)
        );
    }

    #[test]
    fn a_client_refers_as_its_registered_kind() {
        assert!(client_refers_as("cafcass", ReferrerKind::Cafcass));
        assert!(!client_refers_as("cafcass", ReferrerKind::Solicitor));
    }

    #[test]
    fn the_referral_fee_is_raised_and_owed_unless_funded() {
        let fees = fees(
            &presets::cl_supported(),
            ReferrerKind::Solicitor,
            false,
            120,
            LineKind::ReferralFee,
        )
        .unwrap();
        assert_eq!(fees.funder, None);
        assert_eq!(fees.charges().len(), 1);
        assert_eq!(fees.charges()[0].1, Money::pounds(30));
        assert_eq!(fees.family_owes(), Money::pounds(30));
    }

    #[test]
    fn a_tariff_without_a_referral_fee_raises_nothing() {
        let fees = fees(
            &presets::cl_supervised_no_admin_fee(),
            ReferrerKind::Solicitor,
            false,
            120,
            LineKind::ReferralFee,
        )
        .unwrap();
        assert!(fees.charges().is_empty());
        assert_eq!(fees.family_owes(), Money::ZERO);
    }

    #[test]
    fn a_price_on_application_raises_nothing_but_keeps_its_funder() {
        let tariff = presets::fa_supervised();
        let funded = fees(
            &tariff,
            ReferrerKind::Cafcass,
            true,
            120,
            LineKind::ReferralFee,
        );
        assert_eq!(
            funded,
            Ok(Fees {
                lines: Vec::new(),
                funder: Some(Funder::Cafcass)
            })
        );
        let unfunded = fees(
            &tariff,
            ReferrerKind::Solicitor,
            true,
            120,
            LineKind::ReferralFee,
        );
        assert_eq!(unfunded, Ok(Fees::default()));
    }

    #[test]
    fn a_funded_fee_is_raised_but_not_owed() {
        let fees = Fees {
            funder: Some(Funder::Cafcass),
            ..fees(
                &presets::cl_supported(),
                ReferrerKind::Solicitor,
                false,
                120,
                LineKind::ReferralFee,
            )
            .unwrap()
        };
        assert_eq!(fees.charges().len(), 1);
        assert_eq!(fees.family_owes(), Money::ZERO);
    }

    #[test]
    fn a_new_referral_waits_for_information_or_moves_past_the_gate() {
        assert_eq!(
            first_step(true, true),
            Ok((
                Event::InformationMissing,
                ReferralStatus::AwaitingInformation
            ))
        );
        let (_, paid_up) = first_step(false, false).unwrap();
        let (_, owing) = first_step(false, true).unwrap();
        assert_eq!(owing, ReferralStatus::AwaitingReferralFee);
        assert_ne!(paid_up, ReferralStatus::AwaitingReferralFee);
        assert_ne!(paid_up, ReferralStatus::AwaitingInformation);
    }
}
