//! Five-field cron expressions (`minute hour day-of-month month day-of-week`) read in
//! an IANA time zone, so "daily at 02:00" means 02:00 where the tenant is, across
//! daylight-saving changes: a time skipped by a change runs at the first instant after
//! the gap, a time repeated by one runs once (the first).

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::time::SystemTime;

/// What is wrong with an expression or a time zone.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CronError {
    /// Not five fields.
    #[error(
        "cron expression {0:?}: expected five fields (minute hour day-of-month month day-of-week) or @hourly/@daily/@weekly/@monthly/@yearly"
    )]
    Shape(String),
    /// A field that does not parse or is out of range.
    #[error("cron expression {expr:?}: {field} field {value:?}: {why}")]
    Field {
        /// The expression.
        expr: String,
        /// `minute`, `hour`, ...
        field: &'static str,
        /// The field's text.
        value: String,
        /// What was expected.
        why: String,
    },
    /// Not an IANA time zone name.
    #[error("time zone {0:?} is unknown: expected an IANA name such as UTC, Europe/Berlin or America/New_York")]
    TimeZone(String),
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    // Cron's rule: when both day fields are restricted, a day matching either runs.
    days_restricted: bool,
    weekdays_restricted: bool,
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Cron {
    /// Parses an expression.
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let expanded = match expr.trim() {
            "@hourly" => "0 * * * *",
            "@daily" | "@midnight" => "0 0 * * *",
            "@weekly" => "0 0 * * 0",
            "@monthly" => "0 0 1 * *",
            "@yearly" | "@annually" => "0 0 1 1 *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields[..] else { return Err(CronError::Shape(expr.into())) };
        let field = |name: &'static str, text: &str, lo: u32, hi: u32, names: &[&str]| {
            parse_field(text, lo, hi, names).map_err(|why| CronError::Field { expr: expr.into(), field: name, value: text.into(), why })
        };
        let mut weekdays = field("day-of-week", weekday, 0, 7, &WEEKDAYS)?;
        if weekdays[7] {
            weekdays[0] = true; // 7 is Sunday too
        }
        weekdays.truncate(7);
        Ok(Self {
            minutes: field("minute", minute, 0, 59, &[])?,
            hours: field("hour", hour, 0, 23, &[])?,
            days: field("day-of-month", day, 1, 31, &[])?,
            months: field("month", month, 1, 12, &MONTHS)?,
            weekdays,
            days_restricted: day != "*",
            weekdays_restricted: weekday != "*",
        })
    }

    fn day_matches(&self, d: Date) -> bool {
        let by_day = self.days[d.day() as usize];
        let by_weekday = self.weekdays[d.weekday().to_sunday_zero_offset() as usize];
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => by_day || by_weekday,
            (true, false) => by_day,
            (false, true) => by_weekday,
            (false, false) => true,
        }
    }

    /// The first time strictly after `after` that the expression names in `tz`; `None`
    /// if there is none within eight years (`0 0 31 2 *`).
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let start = after.to_zoned(tz.clone()).datetime();
        let mut date = start.date();
        for _ in 0..366 * 8 {
            if self.months[date.month() as usize] && self.day_matches(date) {
                for h in (0..24).filter(|h| self.hours[*h as usize]) {
                    for m in (0..60).filter(|m| self.minutes[*m as usize]) {
                        let civil = date.at(h, m, 0, 0);
                        if civil < start.date().at(start.hour(), start.minute(), 0, 0) {
                            continue;
                        }
                        let Ok(zoned) = tz.to_ambiguous_zoned(civil).compatible() else { continue };
                        if zoned.timestamp() > after {
                            return Some(zoned.timestamp());
                        }
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}

/// The set a field names, as a table indexed by value (`hi + 1` entries).
fn parse_field(text: &str, lo: u32, hi: u32, names: &[&str]) -> Result<Vec<bool>, String> {
    let mut set = vec![false; hi as usize + 1];
    let value = |s: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(i as u32 + if lo == 1 { 1 } else { 0 });
        }
        let v: u32 = s.parse().map_err(|_| format!("{s:?} is not a number{}", if names.is_empty() { "" } else { " or a name" }))?;
        if v < lo || v > hi {
            return Err(format!("{v} is outside {lo}-{hi}"));
        }
        Ok(v)
    };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(|| format!("step {s:?} must be a positive number"))?),
            None => (part, 1),
        };
        let (a, b) = match range {
            "*" => (lo, hi),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(r)?, hi),
                None => (value(r)?, value(r)?),
            },
        };
        if a > b {
            return Err(format!("range {a}-{b} runs backwards"));
        }
        for v in (a..=b).step_by(step as usize) {
            set[v as usize] = true;
        }
    }
    Ok(set)
}

/// Parses an IANA time zone name.
pub fn time_zone(name: &str) -> Result<TimeZone, CronError> {
    TimeZone::get(name).map_err(|_| CronError::TimeZone(name.into()))
}

/// The next run of `expr` in time zone `tz` after `after` (what the store's scheduler asks).
pub fn next_run(expr: &str, tz: &str, after: SystemTime) -> Option<SystemTime> {
    let cron = Cron::parse(expr).ok()?;
    let tz = time_zone(tz).ok()?;
    let after = Timestamp::try_from(after).ok()?;
    cron.next_after(after, &tz).map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(expr: &str, tz: &str, after: &str) -> String {
        let t: Timestamp = after.parse().unwrap();
        Cron::parse(expr).unwrap().next_after(t, &time_zone(tz).unwrap()).unwrap().to_string()
    }

    #[test]
    fn daily_at_two_is_two_in_the_tenant_s_zone() {
        assert_eq!(next("0 2 * * *", "UTC", "2026-11-23T08:00:00Z"), "2026-11-24T02:00:00Z");
        assert_eq!(next("0 2 * * *", "Europe/Berlin", "2026-11-23T08:00:00Z"), "2026-11-24T01:00:00Z");
        assert_eq!(next("0 2 * * *", "America/New_York", "2026-07-01T00:00:00Z"), "2026-07-01T06:00:00Z");
        // Exactly at a run time: the next one, not the same.
        assert_eq!(next("0 2 * * *", "UTC", "2026-11-24T02:00:00Z"), "2026-11-25T02:00:00Z");
        assert_eq!(next("@hourly", "UTC", "2026-11-23T08:59:59Z"), "2026-11-23T09:00:00Z");
    }

    #[test]
    fn daylight_saving_gaps_and_folds_run_once() {
        // 2026-03-29 02:30 does not exist in Berlin: it runs at 03:00 local (01:00 UTC).
        assert_eq!(next("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z"), "2026-03-29T01:30:00Z");
        // 2026-10-25 02:30 happens twice in Berlin: once, the first time (00:30 UTC).
        assert_eq!(next("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z"), "2026-10-25T00:30:00Z");
        assert_eq!(next("30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z"), "2026-10-26T01:30:00Z");
    }

    #[test]
    fn lists_ranges_steps_names_and_the_day_rule() {
        assert_eq!(next("*/15 9-17 * * MON-FRI", "UTC", "2026-11-21T12:00:00Z"), "2026-11-23T09:00:00Z"); // Saturday -> Monday
        assert_eq!(next("0 0 1,15 * *", "UTC", "2026-11-02T00:00:00Z"), "2026-11-15T00:00:00Z");
        // Both day fields restricted: either matches (the 1st, or a Sunday).
        assert_eq!(next("0 0 1 * 0", "UTC", "2026-11-23T00:00:00Z"), "2026-11-29T00:00:00Z");
        assert_eq!(next("0 0 * * 7", "UTC", "2026-11-23T00:00:00Z"), "2026-11-29T00:00:00Z");
        assert_eq!(next("0 12 29 feb *", "UTC", "2026-01-01T00:00:00Z"), "2028-02-29T12:00:00Z");
        assert!(Cron::parse("0 0 31 2 *").unwrap().next_after("2026-01-01T00:00:00Z".parse().unwrap(), &TimeZone::UTC).is_none());
    }

    #[test]
    fn bad_expressions_name_the_field_and_what_was_expected() {
        let e = Cron::parse("0 25 * * *").unwrap_err().to_string();
        assert!(e.contains("hour field \"25\"") && e.contains("outside 0-23"), "{e}");
        let e = Cron::parse("0 2 * *").unwrap_err().to_string();
        assert!(e.contains("expected five fields"), "{e}");
        let e = Cron::parse("*/0 * * * *").unwrap_err().to_string();
        assert!(e.contains("minute field") && e.contains("positive"), "{e}");
        let e = Cron::parse("0 0 * * funday").unwrap_err().to_string();
        assert!(e.contains("day-of-week"), "{e}");
        assert!(time_zone("Mars/Olympus").unwrap_err().to_string().contains("IANA"));
    }
}
