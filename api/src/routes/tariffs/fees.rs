//! The fee components of a tariff as they cross the API: decimal strings in pounds in and out,
//! turned into (and from) the domain's `Tariff`, with every incoherence named by field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::http;
use ccm_app::tariffs::{checked, FeesInput};
use ccm_app::AppError;
use ccm_domain::tariff::{CancellationRule, Coverage, SessionFee, Tariff, Waiver};
use ccm_domain::{Funder, Money, ReferrerKind, ServiceType};

/// Every fee component of a service. Amounts are decimal strings in pounds; an omitted fee is
/// zero (or absent).
#[derive(Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "referral_fee": "30.00", "referral_fee_refundable": false,
    "balance": "100.00", "balance_refundable": false,
    "session_fee": {"basis": "per_hour", "amount": "95.00"},
    "cancellation": {"rule": "session_charge"}
}))]
pub struct Fees {
    /// Admin or referral fee, due with the referral.
    #[serde(default, with = "http::money")]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "30.00")]
    pub referral_fee: Money,
    #[serde(default)]
    pub referral_fee_refundable: bool,
    /// Due when a place is offered (the balance of a contact fee, or the rest of a processing
    /// fee); paid before contact starts.
    #[serde(default, with = "http::money")]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "110.00")]
    pub balance: Money,
    #[serde(default)]
    pub balance_refundable: bool,
    /// What the referral fee and balance buy, if contact itself (rather than processing).
    #[serde(default)]
    pub covers: Covers,
    /// Charged before each session.
    #[serde(default)]
    pub session_fee: Option<SessionFeeDto>,
    /// Charged per indirect item, before it is sent.
    #[serde(default, with = "http::money::option")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "6.00")]
    pub item_fee: Option<Money>,
    #[serde(default)]
    pub cancellation: Cancellation,
    /// When a funder pays instead of the family.
    #[serde(default)]
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub waivers: Vec<WaiverDto>,
    /// The provider publishes no price: the centre quotes each family on application.
    #[serde(default)]
    pub price_on_application: bool,
}

#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Covers {
    /// Contact for up to this many months (1 to 24).
    pub months: Option<u32>,
    /// A block of this many sessions (1 to 100); more sessions buy more blocks.
    pub sessions: Option<u32>,
}

#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionBasis {
    PerSession,
    PerHour,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionFeeDto {
    pub basis: SessionBasis,
    #[serde(with = "http::money")]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "95.00")]
    pub amount: Money,
}

#[derive(Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancellationBasis {
    /// Cancelling costs nothing.
    #[default]
    NoCharge,
    /// The cancelling parent pays the cancelled session's charge.
    SessionCharge,
    /// The cancelling parent pays `amount`.
    Fixed,
}

#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    pub rule: CancellationBasis,
    /// Only for the `fixed` rule.
    #[serde(
        default,
        with = "http::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$")]
    pub amount: Option<Money>,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverDto {
    pub funder: Funder,
    /// Only referrals from this referrer; any referrer if absent.
    #[serde(default)]
    pub referred_by: Option<ReferrerKind>,
    /// Only court-ordered contact.
    #[serde(default)]
    pub court_ordered_only: bool,
}

impl FeesInput for Fees {
    /// The domain tariff these fees describe, or 422 naming every incoherent field.
    fn tariff(&self, service: ServiceType, field_prefix: &str) -> Result<Tariff, AppError> {
        let cancellation = match (self.cancellation.rule, self.cancellation.amount) {
            (CancellationBasis::NoCharge, None) => CancellationRule::NoCharge,
            (CancellationBasis::SessionCharge, None) => CancellationRule::SessionCharge,
            (CancellationBasis::Fixed, Some(amount)) => CancellationRule::Fixed(amount),
            (CancellationBasis::Fixed, None) => {
                return Err(AppError::invalid(
                    &format!("{field_prefix}cancellation.amount"),
                    "required",
                    "is required for the fixed rule",
                ))
            }
            (_, Some(_)) => {
                return Err(AppError::invalid(
                    &format!("{field_prefix}cancellation.amount"),
                    "not_allowed",
                    "is only for the fixed rule",
                ))
            }
        };
        let tariff = Tariff {
            service,
            referral_fee: self.referral_fee,
            referral_fee_refundable: self.referral_fee_refundable,
            balance: self.balance,
            balance_refundable: self.balance_refundable,
            covers: Coverage {
                months: self.covers.months,
                sessions: self.covers.sessions,
            },
            session_fee: self.session_fee.as_ref().map(|s| match s.basis {
                SessionBasis::PerSession => SessionFee::PerSession(s.amount),
                SessionBasis::PerHour => SessionFee::PerHour(s.amount),
            }),
            item_fee: self.item_fee,
            cancellation,
            waivers: self
                .waivers
                .iter()
                .map(|w| Waiver {
                    funder: w.funder,
                    referred_by: w.referred_by,
                    court_ordered_only: w.court_ordered_only,
                })
                .collect(),
            price_on_application: self.price_on_application,
        };
        checked(tariff, field_prefix)
    }
}

impl Fees {
    pub fn from_tariff(t: &Tariff) -> Fees {
        let (rule, amount) = match t.cancellation {
            CancellationRule::NoCharge => (CancellationBasis::NoCharge, None),
            CancellationRule::SessionCharge => (CancellationBasis::SessionCharge, None),
            CancellationRule::Fixed(m) => (CancellationBasis::Fixed, Some(m)),
        };
        Fees {
            referral_fee: t.referral_fee,
            referral_fee_refundable: t.referral_fee_refundable,
            balance: t.balance,
            balance_refundable: t.balance_refundable,
            covers: Covers {
                months: t.covers.months,
                sessions: t.covers.sessions,
            },
            session_fee: t.session_fee.map(|s| match s {
                SessionFee::PerSession(amount) => SessionFeeDto {
                    basis: SessionBasis::PerSession,
                    amount,
                },
                SessionFee::PerHour(amount) => SessionFeeDto {
                    basis: SessionBasis::PerHour,
                    amount,
                },
            }),
            item_fee: t.item_fee,
            cancellation: Cancellation { rule, amount },
            waivers: t
                .waivers
                .iter()
                .map(|w| WaiverDto {
                    funder: w.funder,
                    referred_by: w.referred_by,
                    court_ordered_only: w.court_ordered_only,
                })
                .collect(),
            price_on_application: t.price_on_application,
        }
    }
}
