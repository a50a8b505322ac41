//! RFC 3339 timestamps: validation and formatting, without a date-time dependency.

/// Seconds since the Unix epoch, or `None` if `s` is not RFC 3339 (a bare date is accepted).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    if b.len() == 10 {
        return Some(days * 86_400);
    }
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, sec) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = if rest == "Z" {
        0
    } else if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) && rest.as_bytes()[3] == b':' {
        let hh: i64 = rest[1..3].parse().ok()?;
        let mm: i64 = rest[4..6].parse().ok()?;
        let sign = if rest.starts_with('-') { -1 } else { 1 };
        sign * (hh * 3600 + mm * 60)
    } else {
        return None;
    };
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// Whole days from `earlier` to `later` (both Unix seconds), rounded down.
pub fn days_between(earlier: i64, later: i64) -> i64 {
    (later - earlier).div_euclid(86_400)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The current time as RFC 3339 (host side only; plugins never see a real clock).
pub fn now_rfc3339() -> String {
    format_rfc3339(now_unix())
}

/// The current time in Unix seconds (host side only), what expiries are judged against.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for t in [0, 951_782_400, 1_793_491_200, 1_793_534_399] {
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
        }
        assert_eq!(format_rfc3339(1_793_491_200), "2026-11-01T00:00:00Z");
    }

    #[test]
    fn offsets_fractions_and_whole_days() {
        assert_eq!(parse_rfc3339("2026-11-01T02:00:00+02:00"), Some(1_793_491_200));
        assert_eq!(parse_rfc3339("2026-10-31T19:00:00.123-05:00"), Some(1_793_491_200));
        let a = parse_rfc3339("2026-08-03T12:00:00Z").unwrap();
        let b = parse_rfc3339("2026-11-01T11:59:59Z").unwrap();
        assert_eq!(days_between(a, b), 89);
    }

    #[test]
    fn rejects_non_rfc3339() {
        for bad in ["2026-11-01 00:00:00", "2026-11-01T00:00:00", "01/11/2026", "2026-11-01T00:00:00+0100"] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
        }
    }
}
