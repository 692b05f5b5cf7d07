//! Retention: a provider's rules per record class (kept so many years after a case closes,
//! then anonymised or deleted) with the legal minimums it has set, and legal holds on cases.
//! `ccm retention run` applies them.

mod holds;

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::cases::retention::effective;
use crate::error::{self, ApiError, FieldError, OrNotFound, Require};
use crate::extract::{Principal, ValidJson};
use crate::ids::ProviderId;
use crate::state::AppState;
use ccm_domain::retention::{check_policy, Policy, PolicyError, RecordClass, RetentionAction};
use ccm_persistence::retention::{self as store, Rule};
use ccm_persistence::{now, providers};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_policy)
        .service(set_rule)
        .service(holds::place_hold)
        .service(holds::list_holds)
        .service(holds::lift_hold);
}

#[derive(Serialize, ToSchema)]
pub struct RetentionRuleView {
    pub record_class: RecordClass,
    /// Kept this many years after the case closes...
    pub years: u8,
    /// ... then anonymised or deleted.
    pub action: RetentionAction,
    /// The provider's legal minimum for the class: no rule may be shorter.
    pub legal_minimum_years: Option<u8>,
    /// True when the provider has not set its own rule and ccm's default applies.
    pub is_default: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RetentionPolicyView {
    pub provider_id: String,
    /// One rule per record class.
    pub rules: Vec<RetentionRuleView>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"years": 3, "action": "anonymise", "legal_minimum_years": 3}))]
pub struct RetentionRuleIn {
    #[validate(range(max = 100))]
    #[schema(maximum = 100)]
    pub years: u8,
    pub action: RetentionAction,
    /// Absent: the minimum stays as it is; null: none; a number: the new minimum.
    #[serde(default, deserialize_with = "crate::http::nullable")]
    #[validate(range(max = 100))]
    #[schema(value_type = Option<u8>, maximum = 100)]
    pub legal_minimum_years: Option<Option<u8>>,
}

/// The provider's retention rules, one per record class (org admins).
#[utoipa::path(
    tag = "retention",
    params(ProviderId),
    responses(
        (status = 200, description = "The rules.", body = RetentionPolicyView),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
    )
)]
#[get("/providers/{id}/retention-policy")]
pub async fn get_policy(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<ProviderId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let rules = state
        .read(move |conn| {
            providers::find(conn, &id).or_not_found("provider")?;
            principal
                .actor()
                .manage_catalogue(&id)
                .require("provider")?;
            Ok((id.clone(), store::rules(conn, &id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&rules.0, &rules.1)))
}

/// Set the rule for one record class, and the legal minimum if given. A rule shorter than the
/// legal minimum is refused (422 on `years`), as is deleting attendance or financial records,
/// which statistics need (422 on `action`: they are anonymised).
#[utoipa::path(
    tag = "retention",
    params(
        ("id" = String, Path, description = "Provider id"),
        ("class" = RecordClass, Path, description = "Record class"),
    ),
    request_body = RetentionRuleIn,
    responses(
        (status = 200, description = "The provider's rules after the change.", body = RetentionPolicyView),
        (status = 400, response = error::BadRequest),
        (status = 401, response = error::Unauthorized),
        (status = 403, response = error::Forbidden),
        (status = 404, response = error::NotFound),
        (status = 413, response = error::PayloadTooLarge),
        (status = 415, response = error::UnsupportedMediaType),
        (status = 422, response = error::Unprocessable),
    )
)]
#[put("/providers/{id}/retention-policy/{class}")]
pub async fn set_rule(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    body: ValidJson<RetentionRuleIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, class) = path.into_inner();
    let class: RecordClass = class
        .parse()
        .map_err(|e: ccm_domain::enums::UnknownValue| ApiError::BadRequest {
            detail: format!("path parameter class: {e}"),
            errors: vec![FieldError::new("class", "invalid", e.to_string())],
        })?;
    let rule = body.0;
    let by = principal.user_id.clone();
    let rules = state
        .write(move |conn| {
            providers::find(conn, &id).or_not_found("provider")?;
            principal
                .actor()
                .manage_catalogue(&id)
                .require("provider")?;
            let existing = store::rules(conn, &id)?;
            let (_, old_minimum) = effective(&existing, class);
            let minimum = rule.legal_minimum_years.unwrap_or(old_minimum);
            let policy = Policy {
                class,
                years: rule.years,
                action: rule.action,
            };
            check_policy(policy, minimum).map_err(|e| {
                let field = match e {
                    PolicyError::MustAnonymise(_) => "action",
                    PolicyError::BelowMinimum { .. } | PolicyError::TooLong => "years",
                };
                ApiError::invalid(field, "retention", e.to_string())
            })?;
            crate::audit::subject("retention_rule", &id);
            store::save_rule(
                conn,
                &Rule {
                    provider_id: id.clone(),
                    record_class: class.as_str().into(),
                    years: i32::from(rule.years),
                    action: rule.action.as_str().into(),
                    legal_minimum_years: minimum.map(i32::from),
                    updated_by: by,
                    updated_at: now(),
                },
            )?;
            Ok((id.clone(), store::rules(conn, &id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&rules.0, &rules.1)))
}

fn view(provider_id: &str, rules: &[Rule]) -> RetentionPolicyView {
    RetentionPolicyView {
        provider_id: provider_id.to_string(),
        rules: RecordClass::ALL
            .iter()
            .map(|&class| {
                let (policy, minimum) = effective(rules, class);
                RetentionRuleView {
                    record_class: class,
                    years: policy.years,
                    action: policy.action,
                    legal_minimum_years: minimum,
                    is_default: !rules.iter().any(|r| r.record_class == class.as_str()),
                }
            })
            .collect(),
    }
}
