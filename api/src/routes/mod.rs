//! One module per resource, each with its DTOs, handlers and OpenAPI annotations. Handlers are
//! thin: parse, authorise through `ccm_domain::access`, call domain and persistence, map to DTO.

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub mod audit;
pub mod auth;
pub mod availability;
pub mod calendar;
pub mod centres;
pub mod clients;
pub mod documents;
pub mod health;
pub mod indirect;
pub mod me;
pub mod offerings;
pub mod people;
pub mod providers;
pub mod quotes;
pub mod referrals;
pub mod reports;
pub mod retention;
pub mod rooms;
pub mod safeguarding;
pub mod sessions;
pub mod staff;
pub mod tariffs;
pub mod users;
pub mod waiting_lists;
pub mod webhooks;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(scope::scope("/v1").configure(v1));
}

fn v1(cfg: &mut ServiceConfig) {
    auth::configure(cfg);
    me::configure(cfg);
    users::configure(cfg);
    staff::configure(cfg);
    referrals::configure(cfg);
    people::configure(cfg);
    waiting_lists::configure(cfg);
    sessions::configure(cfg);
    reports::configure(cfg);
    indirect::configure(cfg);
    documents::configure(cfg);
    calendar::configure(cfg);
    providers::configure(cfg);
    centres::configure(cfg);
    rooms::configure(cfg);
    offerings::configure(cfg);
    tariffs::configure(cfg);
    quotes::configure(cfg);
    availability::configure(cfg);
    audit::configure(cfg);
    safeguarding::configure(cfg);
    clients::configure(cfg);
    webhooks::configure(cfg);
    retention::configure(cfg);
}
