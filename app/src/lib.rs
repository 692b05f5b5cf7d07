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

pub mod access;
pub mod actor;
pub mod audit;
pub mod auth;
pub mod availability;
pub mod cases;
pub mod casework;
pub mod centres;
pub mod clients;
pub mod clock;
pub mod credit;
pub mod error;
pub mod health;
pub mod ledger;
pub mod offerings;
pub mod problem;
pub mod providers;
pub mod quotes;
pub mod referrals;
pub mod reports;
pub mod rooms;
pub mod sessions;
pub mod staff;
pub mod tariffs;
pub mod users;
pub mod version;
pub mod waiting_lists;
pub mod webhooks;

pub use actor::Actor;
pub use ccm_persistence::Page;
pub use error::{AppError, FieldError, OrNotFound};
pub use problem::ProblemType;
pub use version::IfMatch;
