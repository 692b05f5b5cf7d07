//! The fee engine: from a tariff and a family's circumstances to itemised charges, each saying
//! what it is for, how much, when it falls due, whether it can be refunded and who pays.

use crate::money::Money;
pub use crate::money::{ChargeDue, Payer};
use crate::tariff::{CancellationRule, SessionFee, Tariff};
use crate::{Funder, ReferrerKind};

/// The most sessions, items and minutes one quote may cover; beyond these a quote is a typo.
pub const MAX_SESSIONS: u32 = 500;
pub const MAX_ITEMS: u32 = 1_000;
pub const MAX_SESSION_MINUTES: u32 = 24 * 60;

/// What a family wants priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteRequest {
    pub referrer: ReferrerKind,
    pub court_ordered: bool,
    pub sessions: u32,
    /// Length of each session, for hourly rates.
    pub session_minutes: u32,
    /// Indirect items to forward.
    pub items: u32,
}

string_enum! {
    /// What a charge is for.
    LineKind {
        ReferralFee = "referral_fee",
        Balance = "balance",
        Session = "session",
        Item = "item",
    }
}

string_enum! {
    /// Who cancelled a session.
    CancelledBy {
        ResidentParent = "resident_parent",
        NonResidentParent = "non_resident_parent",
        Centre = "centre",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteLine {
    pub kind: LineKind,
    pub description: String,
    pub quantity: u32,
    /// The price of one unit before any waiver.
    pub unit_amount: Money,
    /// What the payer is charged for this line: zero where a funder waives it.
    pub amount: Money,
    pub due: ChargeDue,
    pub refundable: bool,
    /// The family's named payer (usually the non-resident parent), or `Funder`.
    pub payer: Payer,
    /// Set when `payer` is `Funder`.
    pub funder: Option<Funder>,
}

/// What a parent who cancels one session of the quoted length pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancellationTerms {
    pub charge: Money,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    /// The sum of the lines' amounts.
    pub total: Money,
    /// Set when a funder covers the family's fees.
    pub funded_by: Option<Funder>,
    /// Set when cancelling a session costs the cancelling parent something.
    pub cancellation: Option<CancellationTerms>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("the provider publishes no price for {0} contact here: the centre quotes each family on application")]
    PriceOnApplication(crate::ServiceType),
    #[error("{field} must be at most {max}")]
    TooLarge { field: &'static str, max: u32 },
    /// Only reachable with a tariff whose amounts were never validated (edited by hand).
    #[error("the amounts in this tariff are too large to add up")]
    Overflow,
}

/// Prices a family's contact under `tariff`.
pub fn quote(tariff: &Tariff, request: &QuoteRequest) -> Result<Quote, QuoteError> {
    for (field, value, max) in [
        ("sessions", request.sessions, MAX_SESSIONS),
        ("items", request.items, MAX_ITEMS),
        (
            "session_minutes",
            request.session_minutes,
            MAX_SESSION_MINUTES,
        ),
    ] {
        if value > max {
            return Err(QuoteError::TooLarge { field, max });
        }
    }
    let funded_by = tariff.waived_by(request.referrer, request.court_ordered);
    if tariff.price_on_application && funded_by.is_none() {
        return Err(QuoteError::PriceOnApplication(tariff.service));
    }
    let payer = match funded_by {
        Some(_) => Payer::Funder,
        None => Payer::NonResidentParent,
    };
    let line = |kind, description: String, quantity: u32, unit: Money, due, refundable| {
        let full = unit.checked_mul(quantity).ok_or(QuoteError::Overflow)?;
        Ok::<_, QuoteError>(QuoteLine {
            kind,
            description: match funded_by {
                Some(f) => format!("{description} (funded by {})", f.name()),
                None => description,
            },
            quantity,
            unit_amount: unit,
            amount: if funded_by.is_some() {
                Money::ZERO
            } else {
                full
            },
            due,
            refundable,
            payer,
            funder: funded_by,
        })
    };

    let mut lines = Vec::new();
    let package = package_name(tariff);
    if !tariff.referral_fee.is_zero() {
        let what = if tariff.balance.is_zero() {
            "Referral fee".to_string()
        } else {
            format!("Admin fee, part of the {package}")
        };
        lines.push(line(
            LineKind::ReferralFee,
            format!(
                "{what}, {}",
                refundable_text(tariff.referral_fee_refundable)
            ),
            1,
            tariff.referral_fee,
            ChargeDue::OnReferral,
            tariff.referral_fee_refundable,
        )?);
    }
    if !tariff.balance.is_zero() {
        let blocks = match tariff.covers.sessions {
            Some(per_block) if request.sessions > per_block => request.sessions.div_ceil(per_block),
            _ => 1,
        };
        let what = if tariff.referral_fee.is_zero() {
            capitalise(&package)
        } else {
            format!("Balance of the {package}")
        };
        lines.push(line(
            LineKind::Balance,
            format!("{what}, {}", refundable_text(tariff.balance_refundable)),
            blocks,
            tariff.balance,
            ChargeDue::OnPlaceOffered,
            tariff.balance_refundable,
        )?);
    }
    if let (Some(fee), true) = (tariff.session_fee, request.sessions > 0) {
        let unit = fee
            .for_session(request.session_minutes)
            .ok_or(QuoteError::Overflow)?;
        let what = match fee {
            SessionFee::PerSession(m) => format!("Session at £{m}"),
            SessionFee::PerHour(rate) => format!(
                "Session of {} at £{rate} an hour",
                duration_text(request.session_minutes)
            ),
        };
        lines.push(line(
            LineKind::Session,
            what,
            request.sessions,
            unit,
            ChargeDue::BeforeSession,
            false,
        )?);
    }
    if let (Some(fee), true) = (tariff.item_fee, request.items > 0) {
        lines.push(line(
            LineKind::Item,
            format!("Item forwarded at £{fee}"),
            request.items,
            fee,
            ChargeDue::BeforeSending,
            false,
        )?);
    }
    // A funder pays whatever the sessions asked for cost, priced or not: the family sees each
    // at £0.00 with the funder named rather than an empty quote.
    if funded_by.is_some() && tariff.session_fee.is_none() && request.sessions > 0 {
        lines.push(line(
            LineKind::Session,
            format!("Session of {}", duration_text(request.session_minutes)),
            request.sessions,
            Money::ZERO,
            ChargeDue::BeforeSession,
            false,
        )?);
    }

    let total = Money::sum(lines.iter().map(|l| l.amount)).ok_or(QuoteError::Overflow)?;
    let cancellation = match cancellation_charge(
        tariff,
        request.session_minutes,
        CancelledBy::NonResidentParent,
    ) {
        Some(charge) if !charge.is_zero() => Some(CancellationTerms {
            charge,
            description: format!(
                "A parent who cancels a session of {} pays £{charge}",
                duration_text(request.session_minutes)
            ),
        }),
        _ => None,
    };
    Ok(Quote {
        lines,
        total,
        funded_by,
        cancellation,
    })
}

/// The charge for one session of `minutes` under `tariff` (zero where sessions are not charged).
pub fn session_charge(tariff: &Tariff, minutes: u32) -> Option<Money> {
    match tariff.session_fee {
        Some(fee) => fee.for_session(minutes),
        None => Some(Money::ZERO),
    }
}

/// What `cancelled_by` pays for cancelling a session of `minutes`. The centre's own
/// cancellations charge nobody; `None` only if the amount cannot be represented.
pub fn cancellation_charge(
    tariff: &Tariff,
    minutes: u32,
    cancelled_by: CancelledBy,
) -> Option<Money> {
    if cancelled_by == CancelledBy::Centre {
        return Some(Money::ZERO);
    }
    match tariff.cancellation {
        CancellationRule::NoCharge => Some(Money::ZERO),
        CancellationRule::SessionCharge => session_charge(tariff, minutes),
        CancellationRule::Fixed(amount) => Some(amount),
    }
}

/// "contact fee of £140.00 covering up to 6 months" / "processing fee of £130.00".
fn package_name(tariff: &Tariff) -> String {
    let total = tariff
        .referral_fee
        .checked_add(tariff.balance)
        .unwrap_or(tariff.balance);
    let covers = match (tariff.covers.months, tariff.covers.sessions) {
        (Some(m), Some(s)) => format!(" covering up to {s} sessions within {m} months"),
        (Some(m), None) => format!(" covering contact for up to {m} months"),
        (None, Some(s)) => format!(" for a block of {s} sessions"),
        (None, None) => String::new(),
    };
    if tariff.covers.is_empty() {
        format!("processing fee of £{total}")
    } else {
        format!("contact fee of £{total}{covers}")
    }
}

fn refundable_text(refundable: bool) -> &'static str {
    if refundable {
        "refundable"
    } else {
        "non-refundable"
    }
}

fn duration_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} h"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MAX_INPUT;
    use crate::tariff::{Coverage, Waiver};
    use crate::ServiceType;
    use proptest::prelude::*;

    fn money() -> impl Strategy<Value = Money> {
        (0i64..=MAX_INPUT.pence()).prop_map(Money::from_pence)
    }

    fn referrer() -> impl Strategy<Value = ReferrerKind> {
        proptest::sample::select(ReferrerKind::ALL)
    }

    fn tariff() -> impl Strategy<Value = Tariff> {
        (
            (money(), any::<bool>(), money(), any::<bool>()),
            (
                proptest::option::of(1u32..=24),
                proptest::option::of(1u32..=100),
            ),
            proptest::option::of((any::<bool>(), money())),
            proptest::option::of(money()),
            (0u8..3, money()),
            proptest::option::of((referrer(), any::<bool>())),
        )
            .prop_map(
                |(
                    (rf, rfr, bal, balr),
                    (months, sessions),
                    session,
                    item,
                    (cancel, fixed),
                    waiver,
                )| Tariff {
                    service: ServiceType::Supervised,
                    referral_fee: rf,
                    referral_fee_refundable: rfr,
                    balance: bal,
                    balance_refundable: balr,
                    covers: Coverage { months, sessions },
                    session_fee: session.map(|(hourly, m)| {
                        if hourly {
                            SessionFee::PerHour(m)
                        } else {
                            SessionFee::PerSession(m)
                        }
                    }),
                    item_fee: item,
                    cancellation: match cancel {
                        0 => CancellationRule::NoCharge,
                        1 => CancellationRule::SessionCharge,
                        _ => CancellationRule::Fixed(fixed),
                    },
                    waivers: waiver
                        .map(|(r, c)| {
                            vec![Waiver {
                                funder: Funder::Cafcass,
                                referred_by: Some(r),
                                court_ordered_only: c,
                            }]
                        })
                        .unwrap_or_default(),
                    price_on_application: false,
                },
            )
    }

    fn request() -> impl Strategy<Value = QuoteRequest> {
        (
            referrer(),
            any::<bool>(),
            0..=MAX_SESSIONS,
            0..=MAX_SESSION_MINUTES,
            0..=MAX_ITEMS,
        )
            .prop_map(
                |(referrer, court_ordered, sessions, session_minutes, items)| QuoteRequest {
                    referrer,
                    court_ordered,
                    sessions,
                    session_minutes,
                    items,
                },
            )
    }

    proptest! {
        #[test]
        fn the_total_is_the_sum_of_the_lines(t in tariff(), r in request()) {
            let q = quote(&t, &r).unwrap();
            let sum: i64 = q.lines.iter().map(|l| l.amount.pence()).sum();
            prop_assert_eq!(q.total.pence(), sum);
        }

        #[test]
        fn nothing_is_negative(t in tariff(), r in request()) {
            let q = quote(&t, &r).unwrap();
            prop_assert!(q.total >= Money::ZERO);
            for l in &q.lines {
                prop_assert!(l.amount >= Money::ZERO && l.unit_amount >= Money::ZERO);
            }
        }

        #[test]
        fn each_line_is_its_quantity_times_its_unit_to_the_penny(t in tariff(), r in request()) {
            let q = quote(&t, &r).unwrap();
            for l in &q.lines {
                let full = l.unit_amount.pence() * i64::from(l.quantity);
                let expected = if q.funded_by.is_some() { 0 } else { full };
                prop_assert_eq!(l.amount.pence(), expected);
            }
        }

        #[test]
        fn a_funded_quote_costs_the_family_nothing(t in tariff(), r in request()) {
            let q = quote(&t, &r).unwrap();
            if q.funded_by.is_some() {
                prop_assert_eq!(q.total, Money::ZERO);
                prop_assert!(q.lines.iter().all(|l| l.payer == Payer::Funder && l.funder == q.funded_by));
            }
        }

        #[test]
        fn an_hourly_session_is_charged_to_the_penny(rate in money(), minutes in 0..=MAX_SESSION_MINUTES) {
            let charged = SessionFee::PerHour(rate).for_session(minutes).unwrap().pence();
            let exact_sixtieths = rate.pence() * i64::from(minutes);
            // Never more than half a penny from the exact amount.
            prop_assert!((charged * 60 - exact_sixtieths).abs() <= 30);
        }
    }

    #[test]
    fn a_funded_quote_for_an_unpublished_price_lists_its_sessions_at_nothing_with_the_funder() {
        let mut t = Tariff::free(ServiceType::Supervised);
        t.price_on_application = true;
        t.waivers.push(Waiver {
            funder: Funder::Cafcass,
            referred_by: Some(ReferrerKind::Cafcass),
            court_ordered_only: true,
        });
        let r = QuoteRequest {
            referrer: ReferrerKind::Cafcass,
            court_ordered: true,
            sessions: 6,
            session_minutes: 120,
            items: 0,
        };
        let q = quote(&t, &r).unwrap();
        assert_eq!(q.lines.len(), 1);
        let l = &q.lines[0];
        assert_eq!(
            (l.kind, l.quantity, l.amount),
            (LineKind::Session, 6, Money::ZERO)
        );
        assert_eq!((l.payer, l.funder), (Payer::Funder, Some(Funder::Cafcass)));
        assert_eq!(l.due, ChargeDue::BeforeSession);
    }

    #[test]
    fn no_sessions_means_no_session_line() {
        let q = quote(
            &crate::presets::cl_supervised(),
            &QuoteRequest {
                referrer: ReferrerKind::SelfReferral,
                court_ordered: false,
                sessions: 0,
                session_minutes: 120,
                items: 0,
            },
        )
        .unwrap();
        assert!(q.lines.iter().all(|l| l.kind != LineKind::Session));
    }

    #[test]
    fn a_hand_edited_tariff_too_large_to_add_up_is_an_error_not_a_panic() {
        let mut t = Tariff::free(ServiceType::Handover);
        t.session_fee = Some(SessionFee::PerSession(Money::from_pence(i64::MAX / 2)));
        let r = QuoteRequest {
            referrer: ReferrerKind::SelfReferral,
            court_ordered: false,
            sessions: 3,
            session_minutes: 60,
            items: 0,
        };
        assert_eq!(quote(&t, &r), Err(QuoteError::Overflow));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(120), "2 h");
        assert_eq!(duration_text(45), "45 min");
        assert_eq!(duration_text(90), "1 h 30 min");
    }
}
