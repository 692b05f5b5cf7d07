//! Intake: what a referral must contain before it is complete, and what makes it wrong.
//! An incomplete referral waits for information (it is not refused); a wrong one is refused.

use time::{Date, Month};

use crate::ReferrerKind;

/// What intake knows about one adult.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Adult {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// At least one way to reach them: an address, a phone number or an e-mail address.
    pub reachable: bool,
    /// Lower-cased e-mail and digits of the phone, to recognise one person given twice.
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Child {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<Date>,
}

/// The parts of a referral that decide whether it is complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intake {
    pub resident_parent: Option<Adult>,
    pub non_resident_parent: Option<Adult>,
    pub children: Vec<Child>,
    pub referrer_kind: ReferrerKind,
    pub referrer_name: Option<String>,
    pub court_ordered: bool,
    pub court_name: Option<String>,
    pub court_case_number: Option<String>,
    pub court_order_date: Option<Date>,
}

/// What is still needed, as field paths; empty when the referral is complete. A referral
/// needs both adults' names and a way to reach each, every child's name and date of birth,
/// who referred it, and the order's details when a court ordered contact.
pub fn missing(intake: &Intake) -> Vec<String> {
    let mut missing = Vec::new();
    for (field, adult) in [
        ("resident_parent", &intake.resident_parent),
        ("non_resident_parent", &intake.non_resident_parent),
    ] {
        match adult {
            None => missing.push(field.to_string()),
            Some(a) => {
                if a.given_name.is_none() {
                    missing.push(format!("{field}.given_name"));
                }
                if a.family_name.is_none() {
                    missing.push(format!("{field}.family_name"));
                }
                if !a.reachable {
                    missing.push(format!("{field}.contact"));
                }
            }
        }
    }
    if intake.children.is_empty() {
        missing.push("children".to_string());
    }
    for (i, c) in intake.children.iter().enumerate() {
        for (name, present) in [
            ("given_name", c.given_name.is_some()),
            ("family_name", c.family_name.is_some()),
            ("date_of_birth", c.date_of_birth.is_some()),
        ] {
            if !present {
                missing.push(format!("children[{i}].{name}"));
            }
        }
    }
    if intake.referrer_kind != ReferrerKind::SelfReferral && intake.referrer_name.is_none() {
        missing.push("referrer.name".to_string());
    }
    if intake.court_ordered {
        for (name, present) in [
            ("court.court", intake.court_name.is_some()),
            ("court.case_number", intake.court_case_number.is_some()),
            ("court.order_date", intake.court_order_date.is_some()),
        ] {
            if !present {
                missing.push(name.to_string());
            }
        }
    }
    missing
}

/// A child's date of birth must be a real child's: not in the future, under 18 today.
pub fn check_child_birth(date_of_birth: Date, today: Date) -> Result<(), &'static str> {
    if date_of_birth > today {
        return Err("must not be in the future");
    }
    if date_of_birth <= years_before(today, 18) {
        return Err("must be less than 18 years ago: contact centres are for children");
    }
    Ok(())
}

/// The same calendar day `years` earlier (29 February falls back to the 28th).
fn years_before(today: Date, years: i32) -> Date {
    let year = today.year() - years;
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(today)
}

/// Whether two adults given as the two parents are the same person: the same e-mail address
/// or the same phone number. (Names alone are not enough: parents can share a surname.)
pub fn same_person(a: &Adult, b: &Adult) -> bool {
    let same = |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if !x.is_empty() && x == y);
    same(&a.email, &b.email) || same(&a.phone, &b.phone)
}

/// The digits of a phone number (with a leading + kept), so "01304 000 000" and
/// "01304000000" compare equal.
pub fn phone_key(phone: &str) -> String {
    phone
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn adult(name: &str) -> Adult {
        Adult {
            given_name: Some(name.into()),
            family_name: Some("Smith".into()),
            reachable: true,
            email: Some(format!("{name}@example.org")),
            phone: None,
        }
    }

    fn complete() -> Intake {
        Intake {
            resident_parent: Some(adult("ann")),
            non_resident_parent: Some(adult("bob")),
            children: vec![Child {
                given_name: Some("Cal".into()),
                family_name: Some("Smith".into()),
                date_of_birth: Some(date!(2019 - 04 - 01)),
            }],
            referrer_kind: ReferrerKind::SelfReferral,
            referrer_name: None,
            court_ordered: false,
            court_name: None,
            court_case_number: None,
            court_order_date: None,
        }
    }

    #[test]
    fn a_referral_with_both_adults_reachable_and_the_children_named_is_complete() {
        assert!(missing(&complete()).is_empty());
    }

    #[test]
    fn what_is_missing_is_listed_by_field() {
        let mut i = complete();
        i.non_resident_parent = None;
        i.resident_parent.as_mut().unwrap().reachable = false;
        i.children[0].date_of_birth = None;
        assert_eq!(
            missing(&i),
            [
                "resident_parent.contact",
                "non_resident_parent",
                "children[0].date_of_birth"
            ]
        );
    }

    #[test]
    fn a_court_order_needs_its_court_case_number_and_date_and_a_referrer_its_name() {
        let mut i = complete();
        i.court_ordered = true;
        i.referrer_kind = ReferrerKind::Cafcass;
        i.court_name = Some("Family Court at Canterbury".into());
        assert_eq!(
            missing(&i),
            ["referrer.name", "court.case_number", "court.order_date"]
        );
    }

    #[test]
    fn a_child_is_born_in_the_past_and_under_eighteen() {
        let today = date!(2026 - 11 - 22);
        assert!(check_child_birth(date!(2026 - 11 - 22), today).is_ok());
        assert!(check_child_birth(date!(2026 - 11 - 23), today).is_err());
        assert!(check_child_birth(date!(2008 - 11 - 23), today).is_ok());
        assert!(
            check_child_birth(date!(2008 - 11 - 22), today).is_err(),
            "eighteen today"
        );
        assert!(check_child_birth(date!(2000 - 02 - 29), date!(2024 - 02 - 29)).is_err());
    }

    #[test]
    fn one_person_cannot_be_both_parents() {
        let a = adult("ann");
        let mut b = adult("bob");
        assert!(!same_person(&a, &b));
        b.email = a.email.clone();
        assert!(same_person(&a, &b));
        let mut c = adult("cat");
        c.email = None;
        c.phone = Some(phone_key("01304 000 000"));
        let mut d = adult("dan");
        d.email = None;
        d.phone = Some(phone_key("01304000000"));
        assert!(same_person(&c, &d));
    }
}
