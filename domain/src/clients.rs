//! Partner API clients (a Cafcass office's, a local authority's or a solicitors' firm's case
//! system) and what each scope lets them do.
//!
//! A client acts as a referrer: it sees only the referrals it created and the reports released
//! to its organisation. Scopes narrow that further, endpoint by endpoint; anything no scope
//! names is for people, not machines, and a client is refused it (403).

string_enum! {
    /// What a provider grants a partner client.
    Scope {
        /// Create referrals and act on its own referrals (withdraw, answer requests).
        ReferralsWrite = "referrals:write",
        /// Read its own referrals, their status and attendance.
        ReferralsRead = "referrals:read",
        /// Read the reports released to its organisation on its referrals.
        ReportsRead = "reports:read",
        /// Register webhook endpoints, read their delivery log and ask for redelivery.
        WebhooksManage = "webhooks:manage",
    }
}

/// Why a client may not call an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The endpoint is for people (staff, parents, referrers signing in), not API clients.
    NotForClients,
    /// The client lacks the scope the endpoint needs.
    MissingScope(Scope),
}

/// The scope a client needs to call `method` on the route `pattern` (as routed, with
/// `{placeholders}`, e.g. `/v1/referrals/{id}`). Endpoints without authentication (the
/// catalogue, quotes) never ask.
pub fn required_scope(method: &str, pattern: &str) -> Result<Scope, Refusal> {
    let read = method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD");
    let Some(rest) = pattern.strip_prefix("/v1/") else {
        return Err(Refusal::NotForClients);
    };
    let resource = rest.split('/').next().unwrap_or_default();
    match resource {
        "me" if read => Ok(Scope::ReferralsRead),
        "webhook-subscriptions" | "webhook-deliveries" => Ok(Scope::WebhooksManage),
        "referrals" if pattern.ends_with("/released-reports") && read => Ok(Scope::ReportsRead),
        "referrals" if is_referral_route(rest) => {
            if read {
                Ok(Scope::ReferralsRead)
            } else {
                Ok(Scope::ReferralsWrite)
            }
        }
        _ => Err(Refusal::NotForClients),
    }
}

/// The case routes a referrer may use: the case itself (reading it, or supplying missing
/// information), withdrawing it, and its attendance.
/// Session lists, documents, reports in draft and the rest are staff or party views.
fn is_referral_route(rest: &str) -> bool {
    let parts: Vec<&str> = rest.split('/').collect();
    matches!(
        parts.as_slice(),
        ["referrals"]
            | ["referrals", "{id}"]
            | ["referrals", "{id}", "attendance"]
            | ["referrals", "{id}", "withdraw"]
    )
}

/// Reads a client's granted scopes from their stored, space-separated form. Unknown words are
/// skipped, so a scope retired later does not lock a client out of the rest.
pub fn parse_scopes(stored: &str) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = stored
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// The stored form of a set of scopes (space-separated, as OAuth2 writes them).
pub fn format_scopes(scopes: &[Scope]) -> String {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a client holding `granted` may call the endpoint.
pub fn check(granted: &[Scope], method: &str, pattern: &str) -> Result<(), Refusal> {
    let needed = required_scope(method, pattern)?;
    if granted.contains(&needed) {
        Ok(())
    } else {
        Err(Refusal::MissingScope(needed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creating_a_referral_needs_referrals_write_and_reading_it_referrals_read() {
        assert_eq!(
            required_scope("POST", "/v1/referrals"),
            Ok(Scope::ReferralsWrite)
        );
        assert_eq!(
            required_scope("GET", "/v1/referrals/{id}"),
            Ok(Scope::ReferralsRead)
        );
        assert_eq!(
            required_scope("GET", "/v1/referrals"),
            Ok(Scope::ReferralsRead)
        );
        assert_eq!(
            required_scope("POST", "/v1/referrals/{id}/withdraw"),
            Ok(Scope::ReferralsWrite)
        );
    }

    #[test]
    fn released_reports_need_reports_read() {
        assert_eq!(
            required_scope("GET", "/v1/referrals/{id}/released-reports"),
            Ok(Scope::ReportsRead)
        );
    }

    #[test]
    fn staff_work_is_not_for_clients_whatever_their_scopes() {
        let all = Scope::ALL;
        for (method, pattern) in [
            ("POST", "/v1/referrals/{id}/accept"),
            ("GET", "/v1/referrals/{id}/sessions"),
            ("GET", "/v1/referrals/{id}/documents"),
            ("GET", "/v1/audit"),
            ("POST", "/v1/api-clients"),
            ("GET", "/v1/users"),
            ("GET", "/v1/people/{id}/contact"),
        ] {
            assert_eq!(
                check(all, method, pattern),
                Err(Refusal::NotForClients),
                "{method} {pattern}"
            );
        }
    }

    #[test]
    fn a_client_without_the_scope_is_told_which_one_it_needs() {
        assert_eq!(
            check(&[Scope::ReferralsRead], "POST", "/v1/referrals"),
            Err(Refusal::MissingScope(Scope::ReferralsWrite))
        );
        assert_eq!(
            check(&[Scope::ReferralsWrite], "POST", "/v1/referrals"),
            Ok(())
        );
    }

    #[test]
    fn webhook_management_needs_its_own_scope() {
        assert_eq!(
            required_scope("POST", "/v1/webhook-subscriptions"),
            Ok(Scope::WebhooksManage)
        );
        assert_eq!(
            required_scope("POST", "/v1/webhook-deliveries/{id}/redeliver"),
            Ok(Scope::WebhooksManage)
        );
    }

    #[test]
    fn scopes_are_stored_space_separated_and_read_back_skipping_unknown_words() {
        let stored = format_scopes(&[
            Scope::ReportsRead,
            Scope::ReferralsWrite,
            Scope::ReportsRead,
        ]);
        assert_eq!(stored, "referrals:write reports:read");
        assert_eq!(
            parse_scopes("reports:read retired:scope referrals:write"),
            vec![Scope::ReferralsWrite, Scope::ReportsRead]
        );
    }
}
