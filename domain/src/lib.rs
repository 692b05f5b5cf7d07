//! The rules of a child contact centre, as plain types and functions.
//!
//! This crate is where the product's knowledge lives: what each service costs and when each
//! part is due ([`tariff`], [`quote`], [`presets`]), who may do what ([`access`]), when a centre
//! is open ([`opening`]). It does no I/O; the API and persistence crates call into it.

#[macro_use]
mod macros;

pub mod access;
pub mod accounts;
pub mod catalogue;
pub mod clients;
pub mod confidential;
pub mod dates;
pub mod enums;
pub mod events;
pub mod lockout;
pub mod london;
pub mod money;
pub mod opening;
pub mod presets;
pub mod quote;
pub mod records;
pub mod referral;
pub mod retention;
pub mod schedule;
pub mod subject_access;
pub mod tariff;
pub mod webhooks;

pub use enums::{Funder, ReferrerKind, Role, RoomKind, ServiceType, Weekday};
pub use money::Money;
