//! Small value types that parse, so that holding one means it is valid.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a value did not parse: a message meant for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub Cow<'static, str>);

impl ParseError {
    pub const fn msg(message: &'static str) -> Self {
        Self(Cow::Borrowed(message))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// Implements `as_str`, `Display`, `Serialize` and a parsing `Deserialize` for a string newtype.
macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// An article's URL key: 1–120 characters of `a-z`, `0-9` and inner single hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "cooperation-chine-kazakhstan"))]
pub struct Slug(String);
string_newtype!(Slug);

impl Slug {
    pub const MAX_LEN: usize = 120;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.is_empty() {
            return Err(ParseError::msg("is empty"));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(ParseError::msg("is longer than 120 characters"));
        }
        if !raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(ParseError::msg("may hold only lowercase letters a-z, digits and hyphens"));
        }
        if raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return Err(ParseError::msg("may not start or end with a hyphen or hold two in a row"));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// A BCP 47 language tag as browsers accept it (`fr`, `en-GB`, `zh-Hant-TW`), up to 35 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "fr"))]
pub struct LangTag(String);
string_newtype!(LangTag);

impl LangTag {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        const BAD: ParseError = ParseError::msg("is not a language tag such as \"fr\" or \"en-GB\"");
        if raw.is_empty() || raw.len() > 35 {
            return Err(BAD);
        }
        let mut parts = raw.split('-');
        let primary = parts.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(BAD);
        }
        if !parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return Err(BAD);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The primary language subtag, lowercased: `fr` for `fr-CA`.
    /// The writing direction: `rtl` for Arabic, Hebrew, Persian and Urdu, else `ltr`. The
    /// widget's `dir` attribute and the server's own pages both read it here.
    pub fn dir(&self) -> &'static str {
        match self.primary().as_str() {
            "ar" | "he" | "fa" | "ur" => "rtl",
            _ => "ltr",
        }
    }

    pub fn primary(&self) -> String {
        self.0.split('-').next().unwrap_or_default().to_ascii_lowercase()
    }
}

/// An RFC 3339 date and time with an offset: `2024-07-05T09:00:00+02:00`, `2024-07-05T07:00:00.5Z`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = DateTime))]
pub struct Timestamp(String);
string_newtype!(Timestamp);

impl Timestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z, computed without a clock or a browser, so that
    /// the server and the wasm agree (edit windows, relative times).
    pub fn epoch_ms(&self) -> f64 {
        epoch_ms(&self.0).unwrap_or(f64::NAN)
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        const BAD: ParseError = ParseError::msg("is not an RFC 3339 date and time such as 2024-07-05T09:00:00+02:00");
        let b = raw.as_bytes();
        let num = |from: usize, len: usize| -> Option<u32> {
            let digits = b.get(from..from + len)?;
            digits.iter().try_fold(0u32, |acc, d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
        };
        let sep = |at: usize, c: u8| b.get(at) == Some(&c);
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
            (num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2))
        else {
            return Err(BAD);
        };
        if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
            return Err(BAD);
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(BAD),
        };
        if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
            return Err(BAD);
        }
        let mut at = 19;
        if sep(at, b'.') {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return Err(BAD);
            }
        }
        let offset_ok = match b.get(at) {
            Some(b'Z') => at + 1 == b.len(),
            Some(b'+' | b'-') => {
                at + 6 == b.len()
                    && sep(at + 3, b':')
                    && num(at + 1, 2).is_some_and(|h| h <= 23)
                    && num(at + 4, 2).is_some_and(|m| m <= 59)
            }
            _ => false,
        };
        if !offset_ok {
            return Err(BAD);
        }
        Ok(Self(raw.to_owned()))
    }
}

/// A one-line text field (a title, a name): trimmed, `min..=max` characters, no control characters.
pub fn line_text(raw: &str, min: usize, max: usize) -> Result<String, ParseError> {
    let text = raw.trim();
    if text.chars().any(char::is_control) {
        return Err(ParseError::msg("may not hold control characters or line breaks"));
    }
    let len = text.chars().count();
    if len < min {
        return Err(if min == 1 { ParseError::msg("is required") } else { ParseError::msg("is too short") });
    }
    if len > max {
        return Err(ParseError(format!("is longer than {max} characters").into()));
    }
    Ok(text.to_owned())
}

/// Whether `name` is a public host name: at least two dot-separated labels of letters, digits and
/// inner hyphens, each 1–63 characters, 253 in all, and a top-level label that is not all digits.
pub fn is_host_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

/// Which URLs a field accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlPolicy {
    /// A link a reader follows: http, https, mailto, or a relative reference.
    Link,
    /// Something the browser loads by itself (an image): http, https or a relative reference.
    Media,
    /// An absolute http or https URL (a commenter's website, a canonical URL).
    Web,
}

impl UrlPolicy {
    fn allows_scheme(self, scheme: &str) -> bool {
        match self {
            Self::Link => matches!(scheme, "http" | "https" | "mailto"),
            Self::Media | Self::Web => matches!(scheme, "http" | "https"),
        }
    }
}

/// A URL that cannot run script: no `javascript:`, `data:`, `vbscript:` or any scheme but the
/// policy's, no control characters (which browsers strip, so `java\tscript:` would run).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct SafeUrl(String);

impl SafeUrl {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(raw: &str, policy: UrlPolicy) -> Result<Self, ParseError> {
        let url = raw.trim_matches(|c: char| c.is_ascii_whitespace());
        if url.is_empty() {
            return Err(ParseError::msg("is empty"));
        }
        if url.len() > Self::MAX_LEN {
            return Err(ParseError::msg("is longer than 2048 characters"));
        }
        if url.chars().any(char::is_control) {
            return Err(ParseError::msg("holds control characters"));
        }
        // A scheme is what stands before the first ':' when no '/', '?' or '#' comes earlier.
        let scheme_end = url.find([':', '/', '?', '#']).filter(|&i| url.as_bytes()[i] == b':');
        match scheme_end {
            Some(end) => {
                let scheme = url[..end].to_ascii_lowercase();
                if !policy.allows_scheme(&scheme) {
                    return Err(ParseError::msg("must be an http or https address"));
                }
                if scheme != "mailto" && !url[end + 1..].starts_with("//") {
                    return Err(ParseError::msg("must be a full address such as https://example.org/"));
                }
            }
            None if policy == UrlPolicy::Web => {
                return Err(ParseError::msg("must be a full address such as https://example.org/"));
            }
            None => {}
        }
        Ok(Self(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for SafeUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 − 1): ids and counts from any
/// backend must fit it, or the widget could not tell two of them apart.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// `#[serde(deserialize_with)]` helpers: a URL field parsed under its policy as it arrives.
pub(crate) mod url_field {
    use super::{SafeUrl, UrlPolicy};
    use serde::{Deserialize, Deserializer};

    fn parse<E: serde::de::Error>(raw: &str, policy: UrlPolicy) -> Result<SafeUrl, E> {
        SafeUrl::parse(raw, policy).map_err(|e| E::custom(format_args!("the URL {raw:?} {e}")))
    }

    pub fn web<'de, D: Deserializer<'de>>(d: D) -> Result<SafeUrl, D::Error> {
        parse(&String::deserialize(d)?, UrlPolicy::Web)
    }

    pub fn media<'de, D: Deserializer<'de>>(d: D) -> Result<SafeUrl, D::Error> {
        parse(&String::deserialize(d)?, UrlPolicy::Media)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("cooperation-chine-kazakhstan").is_ok());
        assert!(Slug::parse("a1").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é", "a/b", &"a".repeat(121)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn lang_tags() {
        for good in ["fr", "en-GB", "zh-Hant-TW", "ast"] {
            assert_eq!(LangTag::parse(good).map(|t| t.to_string()), Ok(good.to_owned()));
        }
        assert_eq!(LangTag::parse("fr-CA").unwrap().primary(), "fr");
        assert_eq!(LangTag::parse("FR").unwrap().primary(), "fr");
        for bad in ["", "f", "french", "fr_FR", "fr-", "fr-toolongsubtag", "1a", "<b>"] {
            assert!(LangTag::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn timestamps() {
        for good in [
            "2024-07-05T09:00:00+02:00",
            "2024-07-05T07:00:00Z",
            "2024-02-29T23:59:60.123456Z",
            "2000-12-31T00:00:00-11:30",
        ] {
            assert!(Timestamp::parse(good).is_ok(), "{good:?} refused");
        }
        for bad in [
            "",
            "2024-07-05",
            "2024-07-05 09:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-07-05T24:00:00Z",
            "2024-07-05T09:00:00",
            "2024-07-05T09:00:00+2:00",
            "2024-07-05T09:00:00.Z",
            "2024-07-05T09:00:00Zjunk",
            "２０２４-07-05T09:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn urls() {
        use UrlPolicy::*;
        for (url, policy) in [
            ("https://example.org/a?b#c", Web),
            ("HTTP://EXAMPLE.ORG", Web),
            ("/media/a.svg", Media),
            ("a/b.png", Media),
            ("//cdn.example/a.png", Media),
            ("mailto:desk@example.org", Link),
            ("#section", Link),
            ("  https://example.org/  ", Web),
        ] {
            assert!(SafeUrl::parse(url, policy).is_ok(), "{url:?} refused under {policy:?}");
        }
        for (url, policy) in [
            ("javascript:alert(1)", Link),
            ("JaVaScRiPt:alert(1)", Link),
            (" javascript:alert(1)", Link),
            ("java\tscript:alert(1)", Link),
            ("java\nscript:alert(1)", Link),
            ("data:text/html,<script>alert(1)</script>", Link),
            ("data:image/svg+xml,<svg onload=alert(1)>", Media),
            ("vbscript:msgbox(1)", Link),
            ("mailto:a@b.c", Media),
            ("https:evil.example", Web),
            ("/relative", Web),
            ("ftp://example.org", Web),
            ("", Link),
        ] {
            assert!(SafeUrl::parse(url, policy).is_err(), "{url:?} parsed under {policy:?}");
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date (year, month, day) `days` after 1970-01-01: the inverse of
/// [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Milliseconds since the epoch of an RFC 3339 date and time (`None` if it is not one).
pub fn epoch_ms(raw: &str) -> Option<f64> {
    let b = raw.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
    };
    let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hh, mm, ss) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let days = days_from_civil(y, m, d);
    let mut at = 19;
    let mut millis = 0.0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let mut scale = 100.0;
        while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
            millis += f64::from(c - b'0') * scale;
            scale /= 10.0;
            at += 1;
        }
        millis = millis.floor();
    }
    let offset = match b.get(at)? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let minutes = num(at + 1, 2)? * 60 + num(at + 4, 2)?;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let seconds = days * 86_400 + hh * 3600 + mm * 60 + ss - offset * 60;
    Some(seconds as f64 * 1000.0 + millis)
}

#[cfg(test)]
mod epoch_tests {
    #[test]
    fn epoch_ms_matches_known_instants() {
        assert_eq!(super::epoch_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(super::epoch_ms("2024-07-05T09:00:00+02:00"), Some(1_720_162_800_000.0));
        assert_eq!(super::epoch_ms("2024-07-05T07:00:00.5Z"), Some(1_720_162_800_500.0));
        assert_eq!(super::epoch_ms("2000-02-29T12:00:00-01:30"), Some(951_831_000_000.0));
    }
}
