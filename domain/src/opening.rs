//! When a centre is open: weekly or alternate-week rules such as "alternate Saturdays
//! 10:00-12:00", in the centre's local (Europe/London) wall-clock time.

use serde::{Deserialize, Serialize};
use time::{Date, Time};

use crate::Weekday;

/// One recurring opening: a weekday, local hours, and how often.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningRule {
    pub weekday: Weekday,
    #[serde(with = "hhmm")]
    pub opens: Time,
    #[serde(with = "hhmm")]
    pub closes: Time,
    /// 1 for every week, 2 for alternate weeks, up to 4.
    pub every_weeks: u8,
    /// A date the centre is open on, fixing which weeks count when `every_weeks` > 1.
    pub starting: Option<Date>,
}

/// All the rules of one centre; open whenever any rule says so.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningPattern {
    pub rules: Vec<OpeningRule>,
}

/// A problem with one rule, naming the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternIssue {
    pub index: usize,
    pub field: &'static str,
    pub message: &'static str,
}

impl OpeningRule {
    fn runs_on(&self, date: Date) -> bool {
        if Weekday::of(date) != self.weekday {
            return false;
        }
        match (self.every_weeks, self.starting) {
            (0 | 1, None) => true,
            (n, Some(start)) if date >= start => {
                let weeks = (date - start).whole_weeks();
                weeks % i64::from(n.max(1)) == 0
            }
            (_, Some(_)) => false,
            // An alternating rule without an anchor is refused by `issues`; never open.
            (_, None) => false,
        }
    }

    fn describe(&self) -> String {
        let hours = format!("{}-{}", hhmm::text(self.opens), hhmm::text(self.closes));
        let day = self.weekday.title();
        match self.every_weeks {
            0 | 1 => format!("{day}s {hours}"),
            2 => format!("alternate {day}s {hours}"),
            n => format!("every {n} weeks on {day} {hours}"),
        }
    }
}

impl OpeningPattern {
    /// Every way the pattern is not usable, in rule order.
    pub fn issues(&self) -> Vec<PatternIssue> {
        let mut issues = Vec::new();
        if self.rules.len() > 28 {
            issues.push(PatternIssue {
                index: 28,
                field: "rules",
                message: "at most 28 rules",
            });
        }
        for (index, rule) in self.rules.iter().enumerate() {
            let mut issue = |field, message| {
                issues.push(PatternIssue {
                    index,
                    field,
                    message,
                })
            };
            if rule.opens >= rule.closes {
                issue("closes", "must be later than opens on the same day");
            }
            if !(1..=4).contains(&rule.every_weeks) {
                issue("every_weeks", "must be between 1 and 4");
            }
            match rule.starting {
                None if rule.every_weeks > 1 => issue(
                    "starting",
                    "is needed to know which weeks an alternating rule runs",
                ),
                Some(d) if Weekday::of(d) != rule.weekday => {
                    issue("starting", "must fall on the rule's weekday")
                }
                _ => {}
            }
        }
        issues
    }

    /// "alternate Saturdays 10:00-12:00; Wednesdays 16:00-18:00"; empty when never open.
    pub fn describe(&self) -> String {
        self.rules
            .iter()
            .map(OpeningRule::describe)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether the centre is open for the whole of `from`..`to` on local `date`.
    pub fn is_open(&self, date: Date, from: Time, to: Time) -> bool {
        self.rules
            .iter()
            .any(|r| r.runs_on(date) && r.opens <= from && to <= r.closes)
    }
}

/// Local wall-clock times as "HH:MM".
pub mod hhmm {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Time;

    pub fn text(t: Time) -> String {
        format!("{:02}:{:02}", t.hour(), t.minute())
    }

    /// Reads "HH:MM" (24-hour clock); anything else is `None`.
    pub fn parse(s: &str) -> Option<Time> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
    }

    pub fn serialize<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom("must be a time of day as \"HH:MM\""))
    }

    /// The same for an optional field (use with `#[serde(default)]`).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Time;

        pub fn serialize<S: Serializer>(t: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(s) => super::parse(&s)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom("must be a time of day as \"HH:MM\"")),
                None => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    fn alternate_saturdays() -> OpeningPattern {
        OpeningPattern {
            rules: vec![OpeningRule {
                weekday: Weekday::Saturday,
                opens: time!(10:00),
                closes: time!(12:00),
                every_weeks: 2,
                starting: Some(date!(2026 - 01 - 03)),
            }],
        }
    }

    #[test]
    fn fa_supported_runs_alternate_saturdays_ten_to_twelve() {
        let p = alternate_saturdays();
        assert_eq!(p.describe(), "alternate Saturdays 10:00-12:00");
        assert!(p.issues().is_empty());
        assert!(p.is_open(date!(2026 - 01 - 17), time!(10:00), time!(12:00)));
        assert!(
            !p.is_open(date!(2026 - 01 - 10), time!(10:00), time!(12:00)),
            "the off week"
        );
        assert!(
            !p.is_open(date!(2026 - 01 - 17), time!(11:00), time!(12:30)),
            "past closing"
        );
        assert!(
            !p.is_open(date!(2026 - 01 - 14), time!(10:00), time!(11:00)),
            "a Wednesday"
        );
        assert!(
            !p.is_open(date!(2025 - 12 - 20), time!(10:00), time!(11:00)),
            "before it started"
        );
    }

    #[test]
    fn weekly_rules_need_no_starting_date() {
        let p = OpeningPattern {
            rules: vec![OpeningRule {
                weekday: Weekday::Wednesday,
                opens: time!(16:00),
                closes: time!(18:00),
                every_weeks: 1,
                starting: None,
            }],
        };
        assert!(p.issues().is_empty());
        assert_eq!(p.describe(), "Wednesdays 16:00-18:00");
        assert!(p.is_open(date!(2026 - 03 - 25), time!(16:30), time!(17:30)));
    }

    #[test]
    fn a_rule_must_close_after_it_opens_and_alternate_from_a_matching_day() {
        let p = OpeningPattern {
            rules: vec![OpeningRule {
                weekday: Weekday::Saturday,
                opens: time!(12:00),
                closes: time!(10:00),
                every_weeks: 2,
                starting: Some(date!(2026 - 01 - 05)),
            }],
        };
        let fields: Vec<_> = p.issues().iter().map(|i| i.field).collect();
        assert_eq!(fields, ["closes", "starting"]);
    }

    #[test]
    fn times_are_read_as_hh_mm_only() {
        assert_eq!(hhmm::parse("09:15"), Some(time!(09:15)));
        for bad in ["9:15", "24:00", "12:60", "12:00:00", "noon", ""] {
            assert_eq!(hhmm::parse(bad), None, "{bad}");
        }
    }
}
