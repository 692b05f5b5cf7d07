//! A centre's opening pattern as it crosses the API: rules in, rules with a readable
//! description out, each broken rule named by its index and field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use ccm_domain::opening::{hhmm, OpeningPattern, OpeningRule};
use ccm_domain::Weekday;

/// One recurring opening, in Europe/London wall-clock time.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekday": "saturday", "opens": "10:00", "closes": "12:00", "every_weeks": 2, "starting": "2026-01-03"}))]
pub struct OpeningRuleDto {
    pub weekday: Weekday,
    #[serde(with = "hhmm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "10:00")]
    pub opens: time::Time,
    #[serde(with = "hhmm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "12:00")]
    pub closes: time::Time,
    /// 1 every week, 2 alternate weeks, up to 4.
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 4, default = 1)]
    pub every_weeks: u8,
    /// A date the rule runs on, fixing which weeks count when `every_weeks` > 1.
    #[serde(default, with = "crate::http::date::format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub starting: Option<time::Date>,
}

fn one() -> u8 {
    1
}

/// When a centre is open, as rules (input).
#[derive(Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningPatternInput {
    #[validate(length(max = 28))]
    #[schema(max_items = 28)]
    pub rules: Vec<OpeningRuleDto>,
}

/// When a centre is open: the rules and a description people can read.
#[derive(Serialize, ToSchema)]
pub struct OpeningPatternView {
    pub rules: Vec<OpeningRuleDto>,
    #[schema(example = "alternate Saturdays 10:00-12:00")]
    pub description: String,
}

impl OpeningPatternInput {
    /// The pattern as sent; ccm-app checks its rules.
    pub fn pattern(&self) -> OpeningPattern {
        OpeningPattern {
            rules: self
                .rules
                .iter()
                .map(|r| OpeningRule {
                    weekday: r.weekday,
                    opens: r.opens,
                    closes: r.closes,
                    every_weeks: r.every_weeks,
                    starting: r.starting,
                })
                .collect(),
        }
    }
}

impl From<&OpeningPattern> for OpeningPatternView {
    fn from(p: &OpeningPattern) -> Self {
        OpeningPatternView {
            rules: p
                .rules
                .iter()
                .map(|r| OpeningRuleDto {
                    weekday: r.weekday,
                    opens: r.opens,
                    closes: r.closes,
                    every_weeks: r.every_weeks,
                    starting: r.starting,
                })
                .collect(),
            description: p.describe(),
        }
    }
}
