//! Wall-clock time as the APIs write it (RFC 3339, UTC, milliseconds, `Z`) and calendar
//! date checks, without pulling a date crate into the server.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Now, as `2025-07-24T05:50:54.066Z`.
pub(crate) fn now_rfc3339_millis() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

/// Now, as `2025-07-24T05:50:54+00:00`: still RFC 3339, but with a numeric offset and no
/// fraction (the lenient mode's timestamps; the document only says "Timestamp").
pub(crate) fn now_rfc3339_offset() -> String {
    let text = now_rfc3339_millis();
    let seconds = text.split_once('.').map_or(text.as_str(), |(head, _)| head);
    format!("{seconds}+00:00")
}

/// Formats milliseconds since the epoch as RFC 3339 with milliseconds and `Z`.
pub(crate) fn format_millis(millis: u64) -> String {
    let secs = millis / 1000;
    let ms = millis % 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(i64::try_from(days).unwrap_or(i64::MAX));
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); H. Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// True for a real calendar date written `YYYY-MM-DD` (JSON Schema `format: date`).
pub(crate) fn is_full_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_millis(1_654_861_718_319), "2022-06-10T11:48:38.319Z");
        assert_eq!(format_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
        let offset = now_rfc3339_offset();
        assert_eq!(offset.len(), "2025-07-24T05:50:54+00:00".len(), "{offset}");
        assert!(offset.ends_with("+00:00") && offset.as_bytes()[10] == b'T');
    }

    #[test]
    fn dates() {
        assert!(is_full_date("1990-05-15"));
        assert!(is_full_date("2000-02-29"));
        assert!(!is_full_date("1900-02-29"));
        assert!(!is_full_date("1990-13-01"));
        assert!(!is_full_date("1990-5-15"));
        assert!(!is_full_date("0000-00-00"));
        assert!(!is_full_date("1990-05-1x"));
        assert!(!is_full_date("１９９０-05-15"));
    }
}
