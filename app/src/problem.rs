//! The closed list of problem types: every `type` a problem+json answer can carry, with its HTTP
//! status and title, so an integrator can switch on it. The OpenAPI document and the README list
//! the same table ([`ProblemType::markdown_table`]).
//!
//! A variant's name is its code in CamelCase (`duplicate-name` is `DuplicateName`); its URN is
//! `urn:ccm:problem:<code>`.

use ccm_domain::referral::readiness::NotReady;

macro_rules! problem_types {
    ($($variant:ident = $code:literal, $status:literal, $meaning:literal;)+) => {
        /// One kind of problem a caller can meet.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ProblemType {
            $(#[doc = $meaning] $variant,)+
        }

        impl ProblemType {
            /// Every problem type, in the order the documentation lists them.
            pub const ALL: &'static [ProblemType] = &[$(ProblemType::$variant),+];

            /// The kebab-case code, the URN's last part.
            pub fn code(self) -> &'static str {
                match self {
                    $(ProblemType::$variant => $code,)+
                }
            }

            /// The HTTP status every problem of this type is answered with.
            pub fn status(self) -> u16 {
                match self {
                    $(ProblemType::$variant => $status,)+
                }
            }

            /// When a caller meets it, for the documentation.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(ProblemType::$variant => $meaning,)+
                }
            }
        }
    };
}

problem_types! {
    // What the HTTP layer and the request's shape refuse.
    BadRequest = "bad-request", 400, "Malformed JSON, query string, path value or header; or a request line or header the server cannot parse.";
    InvalidRequest = "invalid-request", 400, "A sign-in whose password opens accounts at several providers: name one with `provider_id` (OAuth2's `invalid_request`).";
    Unauthorized = "unauthorized", 401, "No bearer token, or it is invalid or expired.";
    Forbidden = "forbidden", 403, "Authenticated, but this role may not do this.";
    NotFound = "not-found", 404, "No such resource, or not one the caller may see.";
    MethodNotAllowed = "method-not-allowed", 405, "The path exists but not with this method; `Allow` lists those it takes.";
    RequestTimeout = "request-timeout", 408, "The request line and headers did not arrive in time.";
    LengthRequired = "length-required", 411, "A body was sent without a length.";
    PreconditionFailed = "precondition-failed", 412, "The If-Match ETag is stale: fetch the resource again.";
    PayloadTooLarge = "payload-too-large", 413, "The request body is larger than the server accepts.";
    UnsupportedMediaType = "unsupported-media-type", 415, "The body's Content-Type is not accepted here, or the file is not what it claims.";
    Validation = "validation", 422, "Well-formed but invalid input; `errors` names each field.";
    TooManyRequests = "too-many-requests", 429, "Too many attempts; retry after `Retry-After` seconds.";
    RequestHeaderFieldsTooLarge = "request-header-fields-too-large", 431, "The request line and headers are over 128 KiB, or there are more than 96 headers.";
    Internal = "internal", 500, "A fault of ours; quote the request id when reporting it.";
    Unavailable = "unavailable", 503, "The database is unavailable; retry shortly.";
    // Conflicts with the current state (409).
    Duplicate = "duplicate", 409, "Something unique already exists.";
    DuplicateName = "duplicate-name", 409, "The name is already taken by another record of the same owner.";
    DuplicateEmail = "duplicate-email", 409, "An account with this e-mail address already exists.";
    DuplicateOffering = "duplicate-offering", 409, "The centre already offers this service; update that offering.";
    InvalidTransition = "invalid-transition", 409, "The lifecycle has no such step from the current status; `current_status` and `allowed_actions` say what is possible.";
    BookingClash = "booking-clash", 409, "The room or supervisor is already booked; `clashing_session_id` names the session.";
    FeeUnpaid = "fee-unpaid", 409, "The step waits for a fee; `charge_id` names the charge to pay.";
    IdempotencyKeyInProgress = "idempotency-key-in-progress", 409, "A request with this Idempotency-Key is still being processed; retry shortly.";
    ApiClientAccount = "api-client-account", 409, "The account belongs to an API client; manage it at /v1/api-clients.";
    ClientRevoked = "client-revoked", 409, "A revoked API client cannot be given a new secret.";
    SubscriptionDeleted = "subscription-deleted", 409, "The webhook subscription was deleted; nothing is sent to it.";
    TooManySubscriptions = "too-many-subscriptions", 409, "The client has as many webhook subscriptions as allowed.";
    HoldLifted = "hold-lifted", 409, "The legal hold was already lifted.";
    CaseClosed = "case-closed", 409, "The referral is declined or closed and cannot be changed.";
    CaseNotActive = "case-not-active", 409, "The case's contact is not active, so this cannot happen now.";
    CaseHasNoPlace = "case-has-no-place", 409, "The case has no place yet; held dates are confirmed once it has.";
    NotWaiting = "not-waiting", 409, "The referral is not waiting for a place.";
    OfferExpired = "offer-expired", 409, "The offer expired and the place went to the next family.";
    NoFreePlace = "no-free-place", 409, "No place is free to offer.";
    PreVisitsIncomplete = "pre-visits-incomplete", 409, "Both parents must have attended their pre-visit first.";
    AssessmentRequired = "assessment-required", 409, "A suitability assessment must be recorded first.";
    AssessedUnsuitable = "assessed-unsuitable", 409, "The assessment found the family unsuitable: decline and signpost instead.";
    NotAtPreVisits = "not-at-pre-visits", 409, "Pre-visits are booked once a place is accepted.";
    PreVisitNotStarted = "pre-visit-not-started", 409, "The pre-visit has not started yet.";
    MeetingRecorded = "meeting-recorded", 409, "The next-steps meeting is already recorded.";
    NextStepsMeetingRequired = "next-steps-meeting-required", 409, "A court-ordered case closes only after its next-steps meeting is recorded.";
    NotReferable = "not-referable", 409, "The safeguarding concern cannot be referred on now.";
    ReferralOutstanding = "referral-outstanding", 409, "The safeguarding concern's referral on is still outstanding.";
    NotRefundable = "not-refundable", 409, "The payment cannot be refunded.";
    NothingOwed = "nothing-owed", 409, "Nothing is owed on this case.";
    NoCredit = "no-credit", 409, "There is no credit to use.";
    AttendanceRecorded = "attendance-recorded", 409, "The session's attendance is already recorded.";
    SessionNotStarted = "session-not-started", 409, "The session has not started; cancel it instead.";
    SessionChargePaid = "session-charge-paid", 409, "The session's charge is paid; cancel and book again to change its length.";
    SeriesOver = "series-over", 409, "No session of the series is still to come.";
    ReportNotDue = "report-not-due", 409, "A report is written once its session is over.";
    // Rules broken by well-formed input (422).
    IdempotencyKeyReused = "idempotency-key-reused", 422, "The Idempotency-Key was already used with a different request; use a new key.";
    ServiceNotOffered = "service-not-offered", 422, "The centre does not offer this service.";
    WaitingListClosed = "waiting-list-closed", 422, "The centre's waiting list for this service is closed.";
    NoTariffInForce = "no-tariff-in-force", 422, "No version of the tariff is in force on that date.";
    PriceOnApplication = "price-on-application", 422, "The tariff prices this on application: no quote can be computed.";
    NotEligible = "not-eligible", 422, "The referral fails the screening rules: decline and signpost.";
    OverrideRequired = "override-required", 422, "The screening rules advise against accepting: give an `override_reason` or signpost.";
    NotCourtOrdered = "not-court-ordered", 422, "Next-steps meetings close court-ordered cases only.";
    PreVisitRule = "pre-visit-rule", 422, "The pre-visit breaks a booking rule.";
    OwnAccount = "own-account", 422, "A user cannot do this to their own account.";
    IndirectOnly = "indirect-only", 422, "Only an indirect (letterbox) case keeps an item log.";
    RecipientUnreachable = "recipient-unreachable", 422, "The recipient has no address on file for this way of sending.";
    NoSessions = "no-sessions", 422, "This kind of contact has no sessions.";
    NoNotes = "no-notes", 422, "This kind of contact has no observation notes or reports.";
}

impl ProblemType {
    /// The problem's `type`: a URN clients can match on.
    pub fn urn(self) -> String {
        format!("urn:ccm:problem:{}", self.code())
    }

    /// The problem's `title`: its status's reason phrase, the same for every problem of a type.
    pub fn title(self) -> &'static str {
        match self.status() {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            408 => "Request Timeout",
            409 => "Conflict",
            411 => "Length Required",
            412 => "Precondition Failed",
            413 => "Payload Too Large",
            415 => "Unsupported Media Type",
            422 => "Unprocessable Entity",
            429 => "Too Many Requests",
            431 => "Request Header Fields Too Large",
            503 => "Service Unavailable",
            _ => "Internal Server Error",
        }
    }

    /// The type for an error answer raised outside ccm's code (by actix-web, a middleware), which
    /// knows only its status: the type of that status, else the nearest general one.
    pub fn for_status(status: u16) -> ProblemType {
        let general = [
            ProblemType::BadRequest,
            ProblemType::Unauthorized,
            ProblemType::Forbidden,
            ProblemType::NotFound,
            ProblemType::MethodNotAllowed,
            ProblemType::RequestTimeout,
            ProblemType::LengthRequired,
            ProblemType::PreconditionFailed,
            ProblemType::PayloadTooLarge,
            ProblemType::UnsupportedMediaType,
            ProblemType::Validation,
            ProblemType::TooManyRequests,
            ProblemType::RequestHeaderFieldsTooLarge,
            ProblemType::Unavailable,
        ];
        match general.into_iter().find(|t| t.status() == status) {
            Some(t) => t,
            None if (400..500).contains(&status) => ProblemType::BadRequest,
            None => ProblemType::Internal,
        }
    }

    /// The list as a Markdown table (type, status, meaning), for the OpenAPI document and the
    /// README.
    pub fn markdown_table() -> String {
        let mut table = String::from("| type | status | meaning |\n| --- | --- | --- |\n");
        for t in ProblemType::ALL {
            table.push_str(&format!(
                "| `{}` | {} | {} |\n",
                t.urn(),
                t.status(),
                t.meaning()
            ));
        }
        table
    }
}

impl From<NotReady> for ProblemType {
    fn from(why: NotReady) -> ProblemType {
        match why {
            NotReady::NoFreePlace => ProblemType::NoFreePlace,
            NotReady::PreVisitsIncomplete => ProblemType::PreVisitsIncomplete,
            NotReady::AssessmentRequired => ProblemType::AssessmentRequired,
            NotReady::AssessedUnsuitable => ProblemType::AssessedUnsuitable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_urn_is_unique_and_every_status_an_error() {
        let mut seen = HashSet::new();
        for t in ProblemType::ALL {
            assert!(seen.insert(t.urn()), "{} is listed twice", t.urn());
            assert!((400..600).contains(&t.status()), "{t:?}: {}", t.status());
            assert!(!t.meaning().is_empty(), "{t:?} has no meaning");
        }
    }

    #[test]
    fn a_variant_is_its_code_in_camel_case() {
        for t in ProblemType::ALL {
            let camel: String = t
                .code()
                .split('-')
                .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
                .collect();
            assert_eq!(format!("{t:?}"), camel);
        }
    }

    #[test]
    fn a_status_without_its_own_type_falls_back_to_the_general_one() {
        assert_eq!(ProblemType::for_status(404), ProblemType::NotFound);
        assert_eq!(ProblemType::for_status(406), ProblemType::BadRequest);
        assert_eq!(ProblemType::for_status(502), ProblemType::Internal);
    }

    #[test]
    fn a_readiness_refusal_keeps_the_domain_code() {
        for why in [
            NotReady::NoFreePlace,
            NotReady::PreVisitsIncomplete,
            NotReady::AssessmentRequired,
            NotReady::AssessedUnsuitable,
        ] {
            assert_eq!(ProblemType::from(why).code(), why.code());
        }
    }

    #[test]
    fn the_readme_lists_the_same_table() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&ProblemType::markdown_table()),
            "README.md's problem types differ from ProblemType::markdown_table()"
        );
    }

    #[test]
    fn the_table_has_a_row_per_type() {
        let table = ProblemType::markdown_table();
        assert_eq!(table.lines().count(), ProblemType::ALL.len() + 2);
        assert!(table.contains("| `urn:ccm:problem:duplicate-name` | 409 |"));
    }
}
