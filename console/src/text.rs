//! The console's words and small pure computations (times, lists, plurals), tested on the host.

/// `n` and the noun, singular or plural: "1 comment", "3 comments".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// An RFC 3339 time as a moderator reads it: `2024-07-05 09:00 UTC` when it is in UTC, else
/// the date, the time to the minute and the offset (`2024-07-05 09:00 +02:00`).
pub fn time(raw: &str) -> String {
    let (Some(date), Some(clock)) = (raw.get(..10), raw.get(11..16)) else {
        return raw.to_owned();
    };
    let zone = if raw.ends_with('Z') || raw.ends_with("+00:00") {
        "UTC".to_owned()
    } else {
        raw.get(raw.len().saturating_sub(6)..).unwrap_or_default().to_owned()
    };
    format!("{date} {clock} {zone}")
}

/// Milliseconds since 1970 as RFC 3339 in UTC, to the second: `2024-07-05T09:00:00Z`.
pub fn rfc3339(epoch_ms: f64) -> String {
    let secs = (epoch_ms / 1000.0).floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// The end of a suspension of `days` days from `now_ms`.
pub fn until(now_ms: f64, days: u32) -> String {
    rfc3339(now_ms + f64::from(days) * 86_400_000.0)
}

/// A text area's lines as a list: each trimmed, empty ones dropped.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The form field a problem's field error belongs to: `hold_words[2]` is the `hold_words` text
/// area's.
pub fn field_of(name: &str) -> &str {
    name.split('[').next().unwrap_or(name)
}

/// A rule's held reason (`links:3,new_commenter`) in words.
pub fn held_reason(raw: &str) -> String {
    raw.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| match r.split_once(':') {
            Some(("links", n)) => format!("{n} links"),
            Some(("hold_word", w)) => format!("hold word “{w}”"),
            Some(("block_word", w)) => format!("block word “{w}”"),
            _ => match r {
                "new_commenter" => "new commenter".to_owned(),
                "too_fast" => "sent too fast".to_owned(),
                other => other.replace('_', " "),
            },
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A 429's sentence: the server's detail and how long to wait.
pub fn wait(detail: &str, seconds: Option<u64>) -> String {
    match seconds {
        Some(s) if s >= 120 => format!("{detail} Try again in {} minutes.", s.div_ceil(60)),
        Some(s) => format!("{detail} Try again in {}.", count(s as usize, "second", "seconds")),
        None => detail.to_owned(),
    }
}

/// The fewest characters a password has (the server's accounts::check_password says the same).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Whether `pathname` is the one-time setup link's page (`…/admin/setup`).
pub fn is_setup_path(pathname: &str) -> bool {
    pathname.ends_with("/admin/setup")
}

/// What is wrong with a new password and its confirmation, before the server is asked: the
/// new one's error (too short), then the confirmation's (they differ).
pub fn password_errors(password: &str, confirm: &str) -> (Option<String>, Option<String>) {
    let chars = password.chars().count();
    let short = (chars < MIN_PASSWORD_CHARS).then(|| {
        format!("The password has {}; it needs at least {MIN_PASSWORD_CHARS}.", count(chars, "character", "characters"))
    });
    let differ = (password != confirm).then(|| "The two passwords differ: type the same one twice.".to_owned());
    (short, differ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_dates() {
        assert_eq!(time("2024-07-05T09:00:12.5Z"), "2024-07-05 09:00 UTC");
        assert_eq!(time("2024-07-05T09:00:00+02:00"), "2024-07-05 09:00 +02:00");
        assert_eq!(time("soon"), "soon");
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_720_170_000_000.0), "2024-07-05T09:00:00Z");
        assert_eq!(until(1_720_170_000_000.0, 30), "2024-08-04T09:00:00Z");
        assert_eq!(rfc3339(951_782_400_000.0), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn lists_fields_reasons_and_waits() {
        assert_eq!(lines(" spam \n\n buy now\n"), vec!["spam", "buy now"]);
        assert_eq!(field_of("hold_words[2]"), "hold_words");
        assert_eq!(field_of("link_limit"), "link_limit");
        assert_eq!(held_reason("links:3,new_commenter"), "3 links, new commenter");
        assert_eq!(held_reason("hold_word:cash"), "hold word “cash”");
        assert_eq!(count(1, "comment", "comments"), "1 comment");
        assert_eq!(count(3, "comment", "comments"), "3 comments");
        assert_eq!(wait("Wait.", Some(30)), "Wait. Try again in 30 seconds.");
        assert_eq!(wait("Wait.", Some(600)), "Wait. Try again in 10 minutes.");
    }

    #[test]
    fn setup_pages_and_new_passwords() {
        assert!(is_setup_path("/admin/setup"));
        assert!(is_setup_path("/news/admin/setup"));
        assert!(!is_setup_path("/admin/"));
        assert!(!is_setup_path("/admin/setup/"));
        assert_eq!(password_errors("a long passphrase", "a long passphrase"), (None, None));
        let (short, differ) = password_errors("short", "shorter");
        assert_eq!(short.as_deref(), Some("The password has 5 characters; it needs at least 12."));
        assert!(differ.is_some());
        // Characters, not bytes: 12 accented letters are enough.
        assert_eq!(password_errors("éééééééééééé", "éééééééééééé"), (None, None));
        assert_eq!(password_errors("", "").0.as_deref(), Some("The password has 0 characters; it needs at least 12."));
    }
}
