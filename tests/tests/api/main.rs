//! Black-box tests: the real application over HTTP on a fresh database per test, on SQLite or
//! (with CCM_TEST_BACKEND=postgres) PostgreSQL. One binary, so the app is linked once.

mod attendance;
mod audit;
mod auth;
mod availability;
mod calendar;
mod cases;
mod casework;
mod catalogue;
mod clients;
mod concurrency;
mod documents;
mod idempotency;
mod indirect;
mod ledger;
mod metrics;
mod openapi;
mod parents_eye;
mod plumbing;
mod quotes;
mod rate_limit;
mod referrals;
mod reports;
mod retention;
mod safeguarding;
mod series;
mod sessions;
mod shared_sessions;
mod subject_access;
mod support;
mod tariffs;
mod users;
mod waiting_lists;
mod webhooks;
