//! Accounts belong to a provider: someone who works for two providers has two accounts with the
//! same e-mail address, each with its own password, role and deactivation. Signing in with an
//! address therefore picks one of its accounts: the password decides, and when the same password
//! opens accounts at several providers the caller names the provider.

/// How a caller names the account that belongs to no provider (a platform admin's).
pub const NO_PROVIDER: &str = "";

/// Whether an account of `provider_id` is a candidate when the caller named `requested`
/// (nothing named: every account is).
pub fn is_named(requested: Option<&str>, provider_id: Option<&str>) -> bool {
    requested.is_none_or(|named| named == provider_id.unwrap_or(NO_PROVIDER))
}

/// The outcome of a password sign-in, given the candidate accounts the password matched.
#[derive(Debug, PartialEq, Eq)]
pub enum SignIn<T> {
    /// No account matched: the same answer as for an unknown address.
    Refused,
    Account(T),
    /// The password opens accounts at several providers; the caller must name one. Listing
    /// them reveals nothing: the caller has just proved the password of each.
    ChooseProvider(Vec<T>),
}

pub fn choose<T>(mut matching: Vec<T>) -> SignIn<T> {
    match matching.len() {
        0 => SignIn::Refused,
        1 => SignIn::Account(matching.remove(0)),
        _ => SignIn::ChooseProvider(matching),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_nothing_keeps_every_account() {
        assert!(is_named(None, Some("p1")));
        assert!(is_named(None, None));
    }

    #[test]
    fn naming_a_provider_keeps_only_its_account() {
        assert!(is_named(Some("p1"), Some("p1")));
        assert!(!is_named(Some("p1"), Some("p2")));
        assert!(!is_named(Some("p1"), None));
    }

    #[test]
    fn an_empty_name_is_the_account_without_a_provider() {
        assert!(is_named(Some(NO_PROVIDER), None));
        assert!(!is_named(Some(NO_PROVIDER), Some("p1")));
    }

    #[test]
    fn one_match_signs_in_several_ask_and_none_is_refused() {
        assert_eq!(choose::<&str>(vec![]), SignIn::Refused);
        assert_eq!(choose(vec!["a"]), SignIn::Account("a"));
        assert_eq!(
            choose(vec!["a", "b"]),
            SignIn::ChooseProvider(vec!["a", "b"])
        );
    }
}
