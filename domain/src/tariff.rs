//! What a provider charges for one service: every fee component in domain.md, as data.
//!
//! A tariff says how much each part costs and when it falls due; [`crate::quote`] turns a
//! tariff and a family's circumstances into itemised charges. Presets for the two providers
//! described in domain.md are in [`crate::presets`].

use crate::money::{Money, MAX_INPUT};
use crate::{Funder, ReferrerKind, ServiceType};

/// The fee components of one service at one provider (or centre), as of one effective date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tariff {
    pub service: ServiceType,
    /// Admin or referral fee, due with the referral (CL: £30 admin, £55 handover, £35 indirect).
    pub referral_fee: Money,
    pub referral_fee_refundable: bool,
    /// Due when a place is offered: the balance of a contact fee (CL supported £110) or the rest
    /// of a processing fee (CL supervised £100 of £130). Must be paid before contact starts.
    pub balance: Money,
    pub balance_refundable: bool,
    /// What the referral fee and balance together pay for, when they buy contact itself.
    pub covers: Coverage,
    /// Charged before each session, by the session or by the hour.
    pub session_fee: Option<SessionFee>,
    /// Charged per indirect item forwarded, before it is sent.
    pub item_fee: Option<Money>,
    pub cancellation: CancellationRule,
    /// Circumstances in which a funder pays instead of the family.
    pub waivers: Vec<Waiver>,
    /// The provider publishes no price for this service; it quotes each family on application.
    pub price_on_application: bool,
}

/// The contact that the referral fee and balance pay for (empty for a processing fee).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Contact for up to this many months (CL supported: 6).
    pub months: Option<u32>,
    /// A block of this many sessions (FA supported: 6); more sessions buy more blocks.
    pub sessions: Option<u32>,
}

impl Coverage {
    pub fn is_empty(&self) -> bool {
        self.months.is_none() && self.sessions.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionFee {
    /// A fixed charge per session (CL handover: £16).
    PerSession(Money),
    /// A charge per hour of the session (CL supervised: £95).
    PerHour(Money),
}

impl SessionFee {
    /// The charge for one session lasting `minutes`, or `None` if it cannot be represented.
    pub fn for_session(self, minutes: u32) -> Option<Money> {
        match self {
            SessionFee::PerSession(amount) => Some(amount),
            SessionFee::PerHour(rate) => rate.per_hour_for(minutes),
        }
    }

    pub fn amount(self) -> Money {
        match self {
            SessionFee::PerSession(m) | SessionFee::PerHour(m) => m,
        }
    }
}

/// What a parent who cancels a session pays. A centre's own cancellation charges nobody.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancellationRule {
    NoCharge,
    /// The cancelling parent pays the charge of the cancelled session (CL supervised).
    SessionCharge,
    /// The cancelling parent pays a fixed amount.
    Fixed(Money),
}

/// A funder pays instead of the family when the referral matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub funder: Funder,
    /// Only referrals from this referrer (FA: referred directly by Cafcass); any if `None`.
    pub referred_by: Option<ReferrerKind>,
    /// Only court-ordered contact.
    pub court_ordered_only: bool,
}

impl Waiver {
    pub fn applies(&self, referrer: ReferrerKind, court_ordered: bool) -> bool {
        self.referred_by.is_none_or(|r| r == referrer)
            && (court_ordered || !self.court_ordered_only)
    }
}

/// A reason a tariff is not coherent, naming the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TariffIssue {
    pub field: &'static str,
    pub message: String,
}

impl Tariff {
    /// A tariff with no charges at all for `service`; presets and tests build on it.
    pub fn free(service: ServiceType) -> Tariff {
        Tariff {
            service,
            referral_fee: Money::ZERO,
            referral_fee_refundable: false,
            balance: Money::ZERO,
            balance_refundable: false,
            covers: Coverage::default(),
            session_fee: None,
            item_fee: None,
            cancellation: CancellationRule::NoCharge,
            waivers: Vec::new(),
            price_on_application: false,
        }
    }

    /// The first funder whose waiver covers this referral.
    pub fn waived_by(&self, referrer: ReferrerKind, court_ordered: bool) -> Option<Funder> {
        self.waivers
            .iter()
            .find(|w| w.applies(referrer, court_ordered))
            .map(|w| w.funder)
    }

    /// Every way this tariff contradicts itself or leaves the range people can pay.
    pub fn issues(&self) -> Vec<TariffIssue> {
        let mut issues = Vec::new();
        let mut issue = |field: &'static str, message: &str| {
            issues.push(TariffIssue {
                field,
                message: message.to_string(),
            })
        };
        let amounts = [
            ("referral_fee", Some(self.referral_fee)),
            ("balance", Some(self.balance)),
            (
                "session_fee.amount",
                self.session_fee.map(SessionFee::amount),
            ),
            ("item_fee", self.item_fee),
            (
                "cancellation.amount",
                match self.cancellation {
                    CancellationRule::Fixed(m) => Some(m),
                    _ => None,
                },
            ),
        ];
        for (field, amount) in amounts {
            match amount {
                Some(m) if m < Money::ZERO => issue(field, "must not be negative"),
                Some(m) if m > MAX_INPUT => issue(field, "must be at most £10,000,000.00"),
                _ => {}
            }
        }
        if self.covers.months.is_some_and(|m| !(1..=24).contains(&m)) {
            issue("covers.months", "must be between 1 and 24");
        }
        if self
            .covers
            .sessions
            .is_some_and(|s| !(1..=100).contains(&s))
        {
            issue("covers.sessions", "must be between 1 and 100");
        }
        if !self.covers.is_empty() && self.referral_fee.is_zero() && self.balance.is_zero() {
            issue(
                "covers",
                "a tariff that covers contact must charge a referral fee or a balance",
            );
        }
        if self.cancellation == CancellationRule::SessionCharge && self.session_fee.is_none() {
            issue(
                "cancellation.rule",
                "session_charge needs a session fee to charge",
            );
        }
        for (i, w) in self.waivers.iter().enumerate() {
            if self.waivers[..i].contains(w) {
                issue("waivers", "lists the same waiver twice");
            }
        }
        if self.price_on_application && self.has_any_fee() {
            issue(
                "price_on_application",
                "a tariff priced on application lists no fees",
            );
        }
        issues
    }

    fn has_any_fee(&self) -> bool {
        !self.referral_fee.is_zero()
            || !self.balance.is_zero()
            || self.session_fee.is_some()
            || self.item_fee.is_some()
            || matches!(self.cancellation, CancellationRule::Fixed(_))
    }
}

/// A new version of a tariff takes effect from today or later, and after every earlier
/// version: what was quoted and charged under earlier prices is history and is not rewritten.
pub fn check_new_version_date(
    latest: Option<time::Date>,
    today: time::Date,
    effective_from: time::Date,
) -> Result<(), String> {
    if effective_from < today {
        return Err(format!(
            "must not be before today ({today}): past prices are not rewritten"
        ));
    }
    match latest {
        Some(latest) if effective_from <= latest => Err(format!(
            "must be after {latest}, the date the latest version took effect"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_version_cannot_rewrite_the_past() {
        use time::macros::date;
        let today = date!(2026 - 03 - 01);
        let latest = Some(date!(2026 - 04 - 01));
        assert!(check_new_version_date(None, today, today).is_ok());
        assert!(check_new_version_date(None, today, date!(2026 - 02 - 28)).is_err());
        assert!(check_new_version_date(latest, today, date!(2026 - 04 - 02)).is_ok());
        assert!(check_new_version_date(latest, today, date!(2026 - 04 - 01)).is_err());
    }

    #[test]
    fn a_waiver_for_cafcass_court_ordered_referrals_needs_both() {
        let w = Waiver {
            funder: Funder::Cafcass,
            referred_by: Some(ReferrerKind::Cafcass),
            court_ordered_only: true,
        };
        assert!(w.applies(ReferrerKind::Cafcass, true));
        assert!(!w.applies(ReferrerKind::Cafcass, false));
        assert!(!w.applies(ReferrerKind::SelfReferral, true));
    }

    #[test]
    fn a_waiver_for_any_referrer_only_needs_the_court_order() {
        let w = Waiver {
            funder: Funder::LocalAuthority,
            referred_by: None,
            court_ordered_only: false,
        };
        assert!(w.applies(ReferrerKind::Solicitor, false));
    }

    #[test]
    fn cancellation_at_the_session_charge_needs_a_session_fee() {
        let mut t = Tariff::free(ServiceType::Supervised);
        t.cancellation = CancellationRule::SessionCharge;
        assert_eq!(t.issues()[0].field, "cancellation.rule");
        t.session_fee = Some(SessionFee::PerHour(Money::pounds(95)));
        assert!(t.issues().is_empty());
    }

    #[test]
    fn a_tariff_priced_on_application_lists_no_fees() {
        let mut t = Tariff::free(ServiceType::Supervised);
        t.price_on_application = true;
        assert!(t.issues().is_empty());
        t.referral_fee = Money::pounds(30);
        assert_eq!(t.issues()[0].field, "price_on_application");
    }

    #[test]
    fn coverage_must_be_a_real_period_and_paid_for() {
        let mut t = Tariff::free(ServiceType::Supported);
        t.covers.months = Some(0);
        let fields: Vec<_> = t.issues().into_iter().map(|i| i.field).collect();
        assert_eq!(fields, ["covers.months", "covers"]);
    }

    #[test]
    fn negative_and_huge_fees_are_refused() {
        let mut t = Tariff::free(ServiceType::Handover);
        t.referral_fee = Money::from_pence(-1);
        t.item_fee = Some(Money::from_pence(MAX_INPUT.pence() + 1));
        let fields: Vec<_> = t.issues().into_iter().map(|i| i.field).collect();
        assert_eq!(fields, ["referral_fee", "item_fee"]);
    }
}
