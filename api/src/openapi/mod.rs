//! The OpenAPI document: collected from the handlers' `#[utoipa::path]` annotations as they are
//! registered, so a route cannot exist undocumented. `ccm openapi` prints it; `make openapi`
//! writes `openapi.yaml`; a test fails when the committed file drifts from this.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{self, FieldError, Problem, ProblemType, ProviderChoice};

mod security;

pub use security::{is_public, PUBLIC};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ccm: child contact centre management",
        description = "The API behind child contact centres: providers, centres, rooms, services, \
tariffs and fee quotes; accounts and roles. Money is a decimal string in pounds (\"95.00\") with \
`currency: \"GBP\"`; timestamps are RFC 3339 UTC; errors are RFC 9457 problem details. \
Lists are cursor-paginated (`?limit=`, `?cursor=`, ordered by creation). Get a token from \
`POST /v1/auth/token` and use it as `Authorization: Bearer <token>`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    components(
        schemas(Problem, FieldError, ProviderChoice),
        responses(
            error::BadRequest,
            error::Unauthorized,
            error::Forbidden,
            error::NotFound,
            error::Conflict,
            error::PreconditionFailed,
            error::PayloadTooLarge,
            error::UnsupportedMediaType,
            error::DocumentTooLarge,
            error::DocumentTypeRefused,
            error::Unprocessable,
            error::TooManyRequests,
            error::Unavailable,
        )
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness."),
        (name = "auth", description = "Access and refresh tokens."),
        (name = "users", description = "Accounts and roles; an org admin manages its own provider's users."),
        (name = "providers", description = "Provider organisations (charities running centres)."),
        (name = "centres", description = "Centres, their rooms and the services they offer. Public to read."),
        (name = "tariffs", description = "Fees per service, versioned by effective date. Public to read."),
        (name = "quotes", description = "What contact will cost, itemised. Public."),
        (name = "referrals", description = "Referrals and cases: intake, the lifecycle's actions, waiting lists. Each response is what the caller may see: a parent never sees the other parent."),
        (name = "payments", description = "A case's charges, payments, refunds and waivers."),
        (name = "casework", description = "Assessments, pre-visits, reviews and next-steps meetings."),
        (name = "sessions", description = "Contact sessions: booking without double-booking a room or supervisor, each parent's own staggered arrival and departure times, cancellation and its charge."),
        (name = "reports", description = "Supervised session reports: written by the supervisor in sections, checked by someone else, released only to the recipients the court order names, amended without rewriting what was released. Supported and handover contact keep no notes: writing one is refused."),
        (name = "indirect", description = "Indirect (letterbox) contact: the schedule agreed for a case and the log of every item received and sent on. Items are checked and read, approved (raising the per-item fee, paid through the case's payments before sending) or withheld with a reason, sent by the postage their kind needs, delivered or returned; withheld items are returned or escalated. Coordinators and org admins do everything; supervisors and volunteers log arrivals and read the log; parents and referrers see none of it. Items carry no addresses."),
        (name = "documents", description = "Documents filed on a case (court order, referral form, exported reports): PDF, JPEG, PNG or DOCX, checked by their first bytes, up to a configured size. Seen only by the provider's staff who need them: org admins and coordinators all, supervisors the court order and exported reports."),
        (name = "availability", description = "Free times for a service at a centre or across a provider's centres, by the rules a booking is checked against; for the provider's coordinators and org admins."),
        (name = "calendar", description = "iCalendar feeds of contact sessions for a parent (their own sessions and arrival times) or a staff member, behind an unguessable, revocable URL."),
        (name = "safeguarding", description = "Safeguarding concerns about a child (raised by anyone at the centre, decided by the designated lead, referred out, closed; raising one can suspend the case), the attendance record that is all a referrer learns of supported and handover contact, and the register of disclosures beyond it, each with its safeguarding reason."),
        (name = "api-clients", description = "Partner API clients (a Cafcass office's, a local authority's or a solicitors' firm's case system), registered by the provider's org admins with scopes (`referrals:write`, `referrals:read`, `reports:read`, `webhooks:manage`). A client gets tokens with the OAuth2 client-credentials grant at `POST /v1/auth/token`, acts as a referrer: it sees only the referrals it created and the reports released to its kind of organisation on them, and is refused everything for people (403). Secrets are shown once, kept hashed, rotatable; revoking a client ends its tokens at once. Each client may make `CCM_CLIENT_RATE_PER_MINUTE` requests a minute per server (600 by default); beyond that, 429 with `Retry-After`."),
        (name = "webhooks", description = "Signed webhooks for API clients: subscribe a URL to events (`<kind>.<state>` over referrals, sessions, reports, payments and indirect items; `referral.*`; `*`). Each change is queued in the same transaction that makes it, whatever made it (a client with `referrals:read` hears of its referrals and their sessions, payments and letterbox items; a report is published only when it is released to the client's own kind of body, to a client with `reports:read`), and posted as JSON carrying ids, kinds, states and times only, signed `Ccm-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the subscription's secret>`. A failed delivery (no 2xx in time) is retried after 30 s, then 1, 2, 4, 8, 16 and 32 minutes (8 attempts over about an hour); every attempt is logged with its status code, and any delivery can be sent again."),
        (name = "retention", description = "How long each class of record is kept after a case closes (attendance, case records, reports, incidents, safeguarding concerns, letterbox items, documents, money) and whether it is then anonymised or deleted; attendance and money are anonymised, never deleted, because statistics need them. A provider sets its own rules and the legal minimums no rule may undercut; a legal hold on a case keeps everything. `ccm retention run` applies the rules and prints what it changed."),
        (name = "audit", description = "The append-only audit trail: every write, and every read of confidential contact details or special-category data, with who, role, when, request id and the fields (never their values). Read by org admins; nobody can change or delete an event."),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /v1/auth/token."))
                    .build(),
            ),
        );
    }
}

/// The whole document, as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    security::document_security(&mut api);
    document_idempotency(&mut api);
    document_problem_types(&mut api);
    api
}

/// The Problem schema's `type` as the closed list it is (`ProblemType`): an enum of every URN,
/// so generated clients and readers can switch on it, with a table of their statuses and
/// meanings. utoipa derives a `String` for the field, which is what the Rust side keeps.
fn document_problem_types(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
    let problem = api
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("Problem"));
    let Some(RefOr::T(Schema::Object(problem))) = problem else {
        return;
    };
    let urns: Vec<String> = ProblemType::ALL.iter().map(|t| t.urn()).collect();
    let description = format!(
        "A URN naming the kind of problem, stable for clients to switch on; one of this closed \
         list (its status is the problem's):\n\n{}",
        ProblemType::markdown_table()
    );
    problem.properties.insert(
        "type".to_string(),
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(urns))
            .description(Some(description))
            .into(),
    );
}

/// The `Idempotency-Key` header, on exactly the operations the middleware honours it for.
fn document_idempotency(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Ref, Required, Type};
    for (path, item) in api.paths.paths.iter_mut() {
        let Some(op) = item
            .post
            .as_mut()
            .filter(|_| crate::idempotency::applies("POST", path))
        else {
            continue;
        };
        let parameter = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes a retry safe: the same key and body replay the first response (with \
                 `Idempotent-Replayed: true`); the same key with another body is refused (422). \
                 Keys are per caller and kept for 24 hours.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(200))
                    .pattern(Some("^[!-~]+$")),
            ))
            .build();
        op.parameters
            .get_or_insert_with(Vec::new)
            .push(parameter.into());
        // A malformed key (400), a key in use (409) or reused with another body (422).
        for (status, response) in [
            ("400", "BadRequest"),
            ("409", "Conflict"),
            ("422", "Unprocessable"),
        ] {
            op.responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| Ref::from_response_name(response).into());
        }
    }
}

pub fn yaml() -> String {
    document()
        .to_yaml()
        .unwrap_or_else(|e| format!("# the document could not be rendered: {e}\n"))
}
