//! Walking the contract as one parent: every GET of the served OpenAPI document, its path
//! parameters filled with the case's ids, and every answer searched for the other parent.

use std::collections::BTreeSet;

use ccm_domain::london;
use ccm_tests::{json, TestApp};
use time::OffsetDateTime;

use super::{instant, rfc, Case};
use crate::support::*;

/// An id nothing has, for the path parameters of things outside the case.
const NOBODY: &str = "0193a2c4-1f00-7abc-8def-0123456789ab";

/// Every form in which an instant could be shown: as the API writes it, in whole seconds, in
/// iCalendar's UTC and London forms, and (`wall`) as a London wall-clock time.
fn forms(at: OffsetDateTime) -> (Vec<String>, String) {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let local = london::to_local(at);
    let ical = |t: OffsetDateTime| {
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let whole = utc.replace_nanosecond(0).unwrap();
    (
        vec![rfc(utc), rfc(whole), format!("{}Z", ical(utc)), ical(local)],
        format!("{:02}:{:02}", local.hour(), local.minute()),
    )
}

/// What the parent at `me` must never read: the other parent's planned and actual times (as
/// staff see them) and who they are.
fn secrets_of_the_other(app: &TestApp, case: &Case, me: usize) -> (Vec<String>, Vec<String>) {
    let (other, _, _) = &case.parents[1 - me];
    let sessions = app
        .get(&format!("/v1/referrals/{}/sessions", case.id))
        .token(&app.token(COORDINATOR))
        .send()
        .ok(200);
    let mut exact = other.identity();
    let mut wall = Vec::new();
    for s in sessions.as_array().unwrap() {
        for field in [
            "expected_arrival",
            "expected_departure",
            "arrived_at",
            "departed_at",
        ] {
            let v = party_time(s, other.role, field);
            if v.is_string() {
                let (all, local) = forms(instant(&v));
                exact.extend(all);
                wall.push(local);
            }
        }
    }
    assert!(
        wall.len() >= 4,
        "the other parent has times to keep: {sessions}"
    );
    (exact, wall)
}

/// Whether `hhmm` stands alone in `text` (not inside a longer time such as 10:12:15).
fn shows_wall_clock(text: &str, hhmm: &str) -> bool {
    text.match_indices(hhmm).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + hhmm.len()..].chars().next();
        let part_of_time = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == ':');
        !part_of_time(before) && !part_of_time(after)
    })
}

/// The ids a path parameter may take, by the collection it follows.
fn fill(template: &str, case: &Case, feeds: &[(String, String)]) -> Vec<String> {
    let Some(open) = template.find('{') else {
        return vec![template.to_string()];
    };
    let collection = template[..open].trim_end_matches('/').rsplit('/').next();
    let persons = case.parents.iter().map(|(_, _, p)| p.clone()).collect();
    let ids: Vec<String> = match collection.unwrap_or_default() {
        "referrals" => vec![case.id.clone()],
        "sessions" => case.sessions.clone(),
        "reports" => case.reports.clone(),
        "documents" => vec![case.document.clone()],
        "centres" => vec![case.centre.clone()],
        "people" => persons,
        "calendar" => feeds.iter().map(|(_, token)| token.clone()).collect(),
        "calendar-feeds" => feeds.iter().map(|(id, _)| id.clone()).collect(),
        _ => vec![NOBODY.to_string()],
    };
    let close = template.find('}').unwrap();
    ids.iter()
        .flat_map(|id| {
            let path = format!("{}{id}{}", &template[..open], &template[close + 1..]);
            fill(&path, case, feeds)
        })
        .collect()
}

/// Walks every GET of the contract as the parent at `me`; returns the operations that
/// answered 200, having checked that none of them shows the other parent.
pub(super) fn walk(app: &TestApp, case: &Case, me: usize) -> BTreeSet<String> {
    let (adult, token, _) = &case.parents[me];
    let feed = app
        .post(&format!("/v1/referrals/{}/calendar-feeds", case.id))
        .token(token)
        .json(&json!({"party": adult.role}))
        .ok(201);
    let feeds = vec![(
        feed["id"].as_str().unwrap().to_string(),
        feed["token"].as_str().unwrap().to_string(),
    )];
    let (exact, wall) = secrets_of_the_other(app, case, me);
    let document = app.get("/openapi.json").send().ok(200);
    let mut covered = BTreeSet::new();
    for (template, operations) in document["paths"].as_object().unwrap() {
        if operations.get("get").is_none() {
            continue;
        }
        for path in fill(template, case, &feeds) {
            let response = app.get(&path).token(token).send();
            if response.status != 200 {
                continue;
            }
            covered.insert(format!("GET {template}"));
            let text = &response.text;
            for secret in &exact {
                assert!(
                    !text.contains(secret.as_str()),
                    "{} read {secret:?} of the other parent in GET {path}: {text}",
                    adult.role
                );
            }
            // Opening hours and free slots are the centre's, not anyone's times.
            let catalogue = [
                "/v1/centres",
                "/v1/providers",
                "/v1/offerings",
                "/v1/tariffs",
            ]
            .iter()
            .any(|p| template.starts_with(p) && !template.contains("calendar"));
            for hhmm in wall.iter().filter(|_| !catalogue) {
                assert!(
                    !shows_wall_clock(text, hhmm),
                    "{} read the other parent's {hhmm} in GET {path}: {text}",
                    adult.role
                );
            }
        }
    }
    covered
}
