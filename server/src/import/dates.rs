//! Dates as sources write them, to UTC as the server stores its own (`2024-07-05T07:00:00.000Z`),
//! so that imported and posted comments sort together.

use news_widget_api::Timestamp;

/// Milliseconds since the epoch as the server writes a date.
pub fn format_utc(ms: i64) -> String {
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = news_widget_api::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// `YYYY-MM-DD HH:MM:SS` (WordPress's `*_date` and `*_date_gmt`) as milliseconds since the
/// epoch of that wall-clock time; `None` for `0000-00-00 00:00:00` (WordPress's "no date") and
/// anything else that is not a real date.
pub fn wp_wall_clock(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let stamp = Timestamp::parse(&format!("{}Z", raw.replacen(' ', "T", 1))).ok()?;
    if raw.starts_with("0000") {
        return None;
    }
    rfc3339_ms(stamp.as_str())
}

/// A WordPress local date, `offset_minutes` east of UTC, as UTC.
pub fn wp_local(raw: &str, offset_minutes: i32) -> Option<String> {
    wp_wall_clock(raw).map(|ms| format_utc(ms - i64::from(offset_minutes) * 60_000))
}

/// A WordPress GMT date as UTC.
pub fn wp_gmt(raw: &str) -> Option<String> {
    wp_wall_clock(raw).map(format_utc)
}

/// An RFC 3339 date (any offset, any fraction) as milliseconds since the epoch.
pub fn rfc3339_ms(raw: &str) -> Option<i64> {
    let stamp = Timestamp::parse(raw.trim()).ok()?;
    // Exact: milliseconds of any year 0–9999 are far below 2^53.
    news_widget_api::epoch_ms(stamp.as_str()).map(|ms| ms as i64)
}

/// An RFC 3339 date as UTC in the server's form.
pub fn rfc3339_utc(raw: &str) -> Option<String> {
    rfc3339_ms(raw).map(format_utc)
}

/// `--utc-offset`: `+02:00`, `-05:30`, `+0200`, `+2`, `0` → minutes east of UTC.
pub fn parse_offset(raw: &str) -> Result<i32, String> {
    let bad = || format!("{raw:?} is not a UTC offset such as +02:00 or -05:30");
    let t = raw.trim();
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => (1, t),
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) || h.to_string().len() > 2 {
        return Err(bad());
    }
    Ok(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_utc_in_the_servers_form() {
        assert_eq!(wp_gmt("2019-03-04 05:06:07").as_deref(), Some("2019-03-04T05:06:07.000Z"));
        assert_eq!(wp_gmt("0000-00-00 00:00:00"), None);
        assert_eq!(wp_gmt("2019-02-30 00:00:00"), None);
        assert_eq!(wp_local("2019-03-04 01:00:00", 120).as_deref(), Some("2019-03-03T23:00:00.000Z"));
        assert_eq!(wp_local("2019-12-31 20:00:00", -300).as_deref(), Some("2020-01-01T01:00:00.000Z"));
        assert_eq!(rfc3339_utc("2012-05-01T12:00:00Z").as_deref(), Some("2012-05-01T12:00:00.000Z"));
        assert_eq!(rfc3339_utc("2024-02-29T00:30:00.5+01:00").as_deref(), Some("2024-02-28T23:30:00.500Z"));
        assert_eq!(format_utc(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("+02:00"), Ok(120));
        assert_eq!(parse_offset("-05:30"), Ok(-330));
        assert_eq!(parse_offset("+0530"), Ok(330));
        assert_eq!(parse_offset("2"), Ok(120));
        assert_eq!(parse_offset("0"), Ok(0));
        assert!(parse_offset("+25:00").is_err() && parse_offset("Paris").is_err());
    }
}
