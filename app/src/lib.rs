//! ccm's workflows, one function per thing a caller can ask for: `book`, `create_referral`, ...
//!
//! Each takes the transaction it runs in, the caller and a command type of its own (never an
//! HTTP DTO), loads what it needs once, asks `ccm-domain` what may happen, writes once, and
//! returns a domain result or an [`AppError`]. The layers depend in one direction only:
//!
//! ```text
//! ccm-api (actix-web, utoipa: parse, call, map to DTO)
//!   -> ccm-app (workflows)
//!        -> ccm-domain (rules: no I/O)
//!        -> ccm-persistence (diesel: rows and statements)
//! ```
//!
//! This crate never depends on actix or utoipa; `ccm-api` maps [`AppError`] to problem+json in
//! one place.

pub mod actor;
pub mod cases;
pub mod casework;
pub mod clock;
pub mod credit;
pub mod error;
pub mod ledger;
pub mod problem;
pub mod referrals;
pub mod reports;
pub mod sessions;

pub use actor::Actor;
pub use error::{AppError, FieldError};
pub use problem::ProblemType;
