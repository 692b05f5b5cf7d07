//! A minimal iCalendar (RFC 5545) writer for session feeds: events in Europe/London local time
//! with the zone's definition, text escaped, lines folded at 75 octets and ended with CRLF.
//! Hand-written because a feed needs a dozen properties, fewer lines than adapting a crate.

use ccm_domain::london;
use time::PrimitiveDateTime;

const TZID: &str = "Europe/London";

/// The zone as the domain's `london` module defines it: BST from 01:00 GMT on the last Sunday
/// of March to 01:00 GMT (02:00 BST) on the last Sunday of October.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "X-LIC-LOCATION:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19960331T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19961027T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Tentative,
    Confirmed,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Tentative => "TENTATIVE",
            Status::Confirmed => "CONFIRMED",
            Status::Cancelled => "CANCELLED",
        }
    }
}

/// One event. Instants are UTC, as stored.
#[derive(Clone, Debug)]
pub struct Event {
    pub uid: String,
    pub sequence: i64,
    /// When the event's information last changed.
    pub stamp: PrimitiveDateTime,
    pub start: PrimitiveDateTime,
    pub end: PrimitiveDateTime,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub status: Status,
}

/// A whole calendar: `name` as the calendar's display name, then the zone and the events.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    for fixed in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ccm//Contact sessions//EN",
        "CALSCALE:GREGORIAN",
        // Calendar apps poll at their own pace; this asks for roughly hourly.
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ] {
        line(&mut out, fixed);
    }
    line(&mut out, &format!("NAME:{}", text(name)));
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{TZID}"));
    for zone in VTIMEZONE {
        line(&mut out, zone);
    }
    for event in events {
        write_event(&mut out, event);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn write_event(out: &mut String, e: &Event) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}", text(&e.uid)));
    // Without a METHOD, DTSTAMP is when the event's information last changed (RFC 5545
    // 3.8.7.2), which keeps a feed byte-identical between polls while nothing changes.
    line(out, &format!("DTSTAMP:{}Z", stamp(e.stamp)));
    line(out, &format!("DTSTART{}", local(e.start)));
    line(out, &format!("DTEND{}", local(e.end)));
    line(out, &format!("SEQUENCE:{}", e.sequence.max(0)));
    line(out, &format!("STATUS:{}", e.status.as_str()));
    line(out, &format!("SUMMARY:{}", text(&e.summary)));
    if let Some(location) = &e.location {
        line(out, &format!("LOCATION:{}", text(location)));
    }
    if let Some(description) = &e.description {
        line(out, &format!("DESCRIPTION:{}", text(description)));
    }
    line(out, "TRANSP:OPAQUE");
    line(out, "END:VEVENT");
}

fn stamp(at: PrimitiveDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A UTC instant as a DTSTART/DTEND value: London wall-clock time with its TZID. In the hour
/// that happens twice when clocks go back, a local time means its first (BST) occurrence
/// (RFC 5545 3.3.5), so an instant in the second one is written in UTC instead.
fn local(at: PrimitiveDateTime) -> String {
    let instant = at.assume_utc();
    let wall = london::to_local(instant);
    let back = london::at(wall.date(), wall.time());
    if back == instant {
        let wall = PrimitiveDateTime::new(wall.date(), wall.time());
        format!(";TZID={TZID}:{}", stamp(wall))
    } else {
        format!(":{}Z", stamp(at))
    }
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped;
/// other control characters, which TEXT may not hold, dropped.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so no physical line exceeds 75 octets (a continuation's
/// leading space counts), never splitting a UTF-8 character.
pub fn line(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        let width = c.len_utf8();
        if used + width > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn event(start: PrimitiveDateTime, end: PrimitiveDateTime) -> Event {
        Event {
            uid: "s1-resident_parent@ccm".into(),
            sequence: 3,
            stamp: datetime!(2027-01-02 08:30:05),
            start,
            end,
            summary: "Supported contact at CL Dover".into(),
            location: Some("CL Dover, Dover".into()),
            description: None,
            status: Status::Confirmed,
        }
    }

    #[test]
    fn text_escapes_what_rfc_5545_reserves() {
        assert_eq!(text(r"a,b;c\d"), r"a\,b\;c\\d");
        assert_eq!(text("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(text("bell\u{7}\ttab"), "bell\ttab");
        assert_eq!(text("Pontypŵl"), "Pontypŵl");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "x".repeat(200)));
        let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 2);
        assert!(physical.iter().all(|l| l.len() <= 75), "{physical:?}");
        assert!(physical[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "x".repeat(200)));

        let mut out = String::new();
        let welsh = format!("LOCATION:{}", "ŵ".repeat(60));
        line(&mut out, &welsh);
        for l in out.trim_end_matches("\r\n").split("\r\n") {
            assert!(l.len() <= 75 && std::str::from_utf8(l.as_bytes()).is_ok());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("{welsh}\r\n"));

        let mut out = String::new();
        line(&mut out, &"y".repeat(75));
        assert_eq!(out, format!("{}\r\n", "y".repeat(75)), "75 octets fit");
    }

    #[test]
    fn times_are_london_wall_clock_in_winter_summer_and_the_repeated_hour() {
        assert_eq!(
            local(datetime!(2027-01-09 10:00)),
            ";TZID=Europe/London:20270109T100000"
        );
        assert_eq!(
            local(datetime!(2027-06-05 09:00)),
            ";TZID=Europe/London:20270605T100000"
        );
        // 31 October 2027: 00:30 UTC is the first 01:30 (BST), 01:30 UTC the second (GMT).
        assert_eq!(
            local(datetime!(2027-10-31 00:30)),
            ";TZID=Europe/London:20271031T013000"
        );
        assert_eq!(local(datetime!(2027-10-31 01:30)), ":20271031T013000Z");
    }

    #[test]
    fn a_calendar_has_crlf_lines_the_zone_and_each_event() {
        let cal = calendar(
            "Contact, sessions",
            &[event(
                datetime!(2027-01-09 10:00),
                datetime!(2027-01-09 12:00),
            )],
        );
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(cal.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(!cal.replace("\r\n", "").contains('\n'), "bare LF");
        for expected in [
            "X-WR-CALNAME:Contact\\, sessions\r\n",
            "TZID:Europe/London\r\n",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n",
            "UID:s1-resident_parent@ccm\r\n",
            "DTSTAMP:20270102T083005Z\r\n",
            "DTSTART;TZID=Europe/London:20270109T100000\r\n",
            "DTEND;TZID=Europe/London:20270109T120000\r\n",
            "SEQUENCE:3\r\n",
            "STATUS:CONFIRMED\r\n",
            "LOCATION:CL Dover\\, Dover\r\n",
        ] {
            assert!(cal.contains(expected), "{expected:?} missing from {cal}");
        }
    }
}
