//! Dates and numbers for the server's render, formatted with ICU4X as the browser's `Intl`
//! formats them (Chromium is the reference; the differences are listed in the tests).
//!
//! The widget's `news_widget::intl::Formats` trait is implemented for [`IcuFormats`] by
//! delegation to the inherent methods below, which keep exactly its signatures. ICU4X lives in
//! the server only, so it can never reach the wasm.
//!
//! Formatters are built once per locale (a few hundred µs each) and kept: [`IcuFormats`] is
//! `Send + Sync` and shared through an `Arc` in the server state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fixed_decimal::{Decimal, FloatPrecision, SignedRoundingMode, UnsignedRoundingMode};
use icu_calendar::Gregorian;
use icu_datetime::fieldsets::{self, zone::SpecificShort};
use icu_datetime::input::{Date, Time, TimeZoneInfo, ZonedDateTime};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_experimental::relativetime::options::Numeric;
use icu_experimental::relativetime::{RelativeTimeFormatter, RelativeTimeFormatterOptions};
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};
use icu_time::zone::ZoneNameTimestamp;

type LongDate = FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YMD>;
type LongDateTime = FixedCalendarDateTimeFormatter<Gregorian, fieldsets::Combo<fieldsets::YMDT, SpecificShort>>;

/// Every formatter of one locale.
struct Locales {
    date: LongDate,
    date_time: LongDateTime,
    /// This locale's short name of UTC, as `date_time` writes it ("TU" in French).
    utc_name: String,
    /// second, minute, hour, day, month, year.
    relative: [RelativeTimeFormatter; 6],
    decimal: DecimalFormatter,
    percent: PercentFormatter<DecimalFormatter>,
    plural: PluralRules,
}

impl Locales {
    fn new(locale: &Locale) -> Option<Self> {
        let opts = RelativeTimeFormatterOptions::default().with_numeric(Numeric::Auto);
        Some(Self {
            date: LongDate::try_new(locale.into(), fieldsets::YMD::long()).ok()?,
            date_time: LongDateTime::try_new(
                locale.into(),
                fieldsets::YMD::long().with_time_hm().with_zone(SpecificShort),
            )
            .ok()?,
            utc_name: icu_datetime::NoCalendarFormatter::try_new(locale.into(), SpecificShort)
                .ok()?
                .format(&TimeZoneInfo::utc().with_zone_name_timestamp(ZoneNameTimestamp::from_epoch_seconds(0)))
                .to_string(),
            relative: [
                RelativeTimeFormatter::try_new_long_second(locale.into(), opts).ok()?,
                RelativeTimeFormatter::try_new_long_minute(locale.into(), opts).ok()?,
                RelativeTimeFormatter::try_new_long_hour(locale.into(), opts).ok()?,
                RelativeTimeFormatter::try_new_long_day(locale.into(), opts).ok()?,
                RelativeTimeFormatter::try_new_long_month(locale.into(), opts).ok()?,
                RelativeTimeFormatter::try_new_long_year(locale.into(), opts).ok()?,
            ],
            decimal: DecimalFormatter::try_new(locale.into(), Default::default()).ok()?,
            percent: PercentFormatter::try_new(locale.into(), Default::default()).ok()?,
            plural: PluralRules::try_new_cardinal(locale.into()).ok()?,
        })
    }
}

/// ICU4X formatters by locale, built on first use.
#[derive(Default)]
pub struct IcuFormats {
    by_locale: Mutex<HashMap<String, Arc<Locales>>>,
}

impl std::fmt::Debug for IcuFormats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IcuFormats")
    }
}

/// The unit (0 second … 5 year) and the rounded value for `seconds`: the widget's own choice
/// ([`news_widget::intl::relative_unit`]), so both sides pick the same unit.
pub fn relative_unit(seconds: f64) -> (usize, f64) {
    let (value, unit) = news_widget::intl::relative_unit(seconds);
    let index = ["second", "minute", "hour", "day", "month", "year"].iter().position(|u| *u == unit).unwrap_or(5);
    (index, value)
}

/// An RFC 3339 timestamp split into its own calendar date and time, and its offset in seconds.
struct Parsed {
    date: (i32, u8, u8),
    time: (u8, u8, u8, u32),
    offset_s: i64,
}

fn parse_iso(iso: &str) -> Option<Parsed> {
    let iso = iso.trim();
    let b = iso.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = iso.get(r)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok()).flatten()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y as i32, mo as u8) as u32 {
        return None;
    }
    let mut parsed = Parsed { date: (y as i32, mo as u8, d as u8), time: (0, 0, 0, 0), offset_s: 0 };
    if b.len() == 10 {
        return Some(parsed);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (h, mi) = (num(11..13)?, num(14..16)?);
    let mut at = 16;
    let mut s = 0;
    let mut nanos = 0u32;
    if b.get(16) == Some(&b':') {
        s = num(17..19)?;
        at = 19;
        if b.get(19) == Some(&b'.') {
            let digits = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let frac = &iso[20..20 + digits.min(9)];
            nanos = frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32);
            at = 20 + digits;
        }
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    parsed.offset_s = match &iso[at..] {
        "Z" | "z" => 0,
        rest if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) && &rest[3..4] == ":" => {
            let (oh, om) = (num(at + 1..at + 3)?, num(at + 4..at + 6)?);
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * i64::from(oh * 3600 + om * 60)
        }
        _ => return None,
    };
    parsed.time = (h as u8, mi as u8, s.min(59) as u8, nanos);
    Some(parsed)
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// [`news_widget_api::days_from_civil`] on a parsed date.
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    news_widget_api::days_from_civil(i64::from(y), i64::from(m), i64::from(d))
}

/// [`news_widget_api::civil_from_days`] as a date ICU4X takes (a day of 1970 ± 5 million years).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let (y, m, d) = news_widget_api::civil_from_days(days);
    (y as i32, m as u8, d as u8)
}

impl Parsed {
    fn epoch_s(&self) -> i64 {
        let (y, m, d) = self.date;
        let (h, mi, s, _) = self.time;
        days_from_civil(y, m, d) * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s) - self.offset_s
    }

    fn epoch_ms(&self) -> f64 {
        self.epoch_s() as f64 * 1000.0 + f64::from(self.time.3 / 1_000_000)
    }
}

/// `n` as a decimal with exactly `digits` decimals, rounded half away from zero from its
/// shortest representation, as V8's `Intl.NumberFormat` does (1.005 → "1.01").
fn fixed(n: f64, digits: u8) -> Decimal {
    let n = if n.is_finite() { n } else { 0.0 };
    let mut d = Decimal::try_from_f64(n, FloatPrecision::RoundTrip).unwrap_or_default();
    let position = -i16::from(digits.min(20));
    d.round_with_mode(position, SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfExpand));
    d.absolute.pad_end(position);
    if d.absolute.is_zero() {
        // Intl writes "-0" for negative zero only with signDisplay; a rounded -0.001 is "0".
        d.sign = fixed_decimal::Sign::None;
    }
    d
}

/// Chromium patches its ICU to write a plain space where CLDR puts U+202F in dates and times
/// ("7:30 AM", "2024 г."), for the sake of pages that parse them; numbers keep theirs.
fn like_chromium(text: String) -> String {
    if text.contains('\u{202f}') {
        text.replace('\u{202f}', " ")
    } else {
        text
    }
}

impl IcuFormats {
    pub fn new() -> Self {
        Self::default()
    }

    /// The formatters of `locale` (else of English, as the browser falls back for a tag it
    /// does not know).
    fn get(&self, locale: &str) -> Arc<Locales> {
        let key = locale.to_ascii_lowercase();
        if let Some(found) = self.by_locale.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return found;
        }
        let made = Locale::try_from_str(locale)
            .ok()
            .and_then(|l| Locales::new(&l))
            .or_else(|| Locales::new(&icu_locale_core::locale!("en")))
            .expect("English formatters are compiled in");
        let made = Arc::new(made);
        if let Ok(mut map) = self.by_locale.lock() {
            if map.len() < 64 {
                map.insert(key, made.clone());
            }
        }
        made
    }

    /// The calendar date written in `iso` (its own Y-M-D, whatever its offset) as a reader of
    /// `locale` writes it in running text: "5 juillet 2024", "July 5, 2024".
    pub fn long_date(&self, iso: &str, locale: &str) -> Option<String> {
        let (y, m, d) = parse_iso(iso)?.date;
        let date = Date::try_new_gregorian(y, m, d).ok()?;
        Some(like_chromium(self.get(locale).date.format(&date).to_string()))
    }

    /// The instant `iso` in UTC, date long and time short, with the zone's short name:
    /// "5 juillet 2024 à 07:30 UTC".
    pub fn date_time(&self, iso: &str, locale: &str) -> Option<String> {
        let epoch = parse_iso(iso)?.epoch_s();
        let (y, m, d) = civil_from_days(epoch.div_euclid(86_400));
        let secs = epoch.rem_euclid(86_400);
        let zoned = ZonedDateTime {
            date: Date::try_new_gregorian(y, m, d).ok()?,
            time: Time::try_new((secs / 3600) as u8, (secs % 3600 / 60) as u8, (secs % 60) as u8, 0).ok()?,
            zone: TimeZoneInfo::utc().with_zone_name_timestamp(ZoneNameTimestamp::from_epoch_seconds(epoch)),
        };
        let formats = self.get(locale);
        let text = formats.date_time.format(&zoned).to_string();
        // Chromium writes "UTC" in every one of our languages; ICU4X's French says "TU" and its
        // Arabic "التوقيت العالمي".
        let text = if formats.utc_name.is_empty() { text } else { text.replace(&formats.utc_name, "UTC") };
        Some(like_chromium(text))
    }

    /// How long before or after `now_ms` the instant `iso` is, in words, as
    /// `Intl.RelativeTimeFormat` with `numeric: "auto"`: "il y a 3 minutes", "yesterday".
    pub fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String> {
        let then = parse_iso(iso)?.epoch_ms();
        let (unit, value) = relative_unit((then - now_ms) / 1000.0);
        let value = if value == 0.0 { 0.0 } else { value };
        let formats = self.get(locale);
        Some(formats.relative[unit].format(fixed(value, 0)).to_string())
    }

    /// A whole number in `locale`'s digits and grouping.
    pub fn integer(&self, n: u64, locale: &str) -> String {
        self.get(locale).decimal.format(&Decimal::from(n)).to_string()
    }

    /// `n` with exactly `digits` decimals: "3,4" in French.
    pub fn decimal(&self, n: f64, digits: u8, locale: &str) -> String {
        self.get(locale).decimal.format(&fixed(n, digits)).to_string()
    }

    /// `percent` (0–100) as a percentage with exactly `digits` decimals: "68,00 %" in French.
    pub fn percent(&self, percent: f64, digits: u8, locale: &str) -> String {
        self.get(locale).percent.format(&fixed(percent, digits)).to_string()
    }

    /// The CLDR cardinal category of `n` in `locale`: "zero", "one", "two", "few", "many" or "other".
    pub fn plural(&self, n: f64, locale: &str) -> String {
        let operands =
            Decimal::try_from_f64(if n.is_finite() { n } else { 0.0 }, FloatPrecision::RoundTrip).unwrap_or_default();
        match self.get(locale).plural.category_for(&operands) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
        .to_owned()
    }
}

/// The widget renders on the server through this: every string comes from ICU4X.
impl news_widget::intl::Formats for IcuFormats {
    fn long_date(&self, iso: &str, locale: &str) -> Option<String> {
        IcuFormats::long_date(self, iso, locale)
    }
    fn date_time(&self, iso: &str, locale: &str) -> Option<String> {
        IcuFormats::date_time(self, iso, locale)
    }
    fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String> {
        IcuFormats::relative(self, iso, now_ms, locale)
    }
    fn integer(&self, n: u64, locale: &str) -> String {
        IcuFormats::integer(self, n, locale)
    }
    fn decimal(&self, n: f64, digits: u8, locale: &str) -> String {
        IcuFormats::decimal(self, n, digits, locale)
    }
    fn percent(&self, percent: f64, digits: u8, locale: &str) -> String {
        IcuFormats::percent(self, percent, digits, locale)
    }
    fn plural(&self, n: f64, locale: &str) -> String {
        IcuFormats::plural(self, n, locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn is_shareable() {
        assert_send_sync::<IcuFormats>();
    }

    #[test]
    fn iso_parsing() {
        let p = parse_iso("2024-07-05T23:30:00-02:00").unwrap();
        assert_eq!(p.date, (2024, 7, 5));
        assert_eq!(p.epoch_s(), 1_720_229_400);
        assert_eq!(parse_iso("2024-07-05T07:00:00.5Z").unwrap().epoch_ms(), 1_720_162_800_500.0);
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
        for bad in ["", "2024-13-01", "2024-02-30T00:00:00Z", "2024-07-05T25:00:00Z", "2024-07-05T10:00:00", "x"] {
            assert!(parse_iso(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn units() {
        assert_eq!(relative_unit(-59.0), (0, -59.0));
        assert_eq!(relative_unit(-60.0), (1, -1.0));
        assert_eq!(relative_unit(-86_399.0), (2, -24.0));
        assert_eq!(relative_unit(-86_400.0), (3, -1.0));
        assert_eq!(relative_unit(40_000_000.0), (5, 1.0));
    }

    /// One line per language: long date, date and time, relative (yesterday, 3 minutes ago, in
    /// 2 hours), integer, decimal, percent, and plural categories of 0, 1, 2, 5, 11, 1.5.
    fn snapshot(f: &IcuFormats, locale: &str) -> String {
        let iso = "2024-07-05T09:30:00+02:00";
        let now = parse_iso(iso).unwrap().epoch_ms();
        let plural: Vec<String> = [0.0, 1.0, 2.0, 5.0, 11.0, 1.5].iter().map(|n| f.plural(*n, locale)).collect();
        [
            f.long_date(iso, locale).unwrap(),
            f.date_time(iso, locale).unwrap(),
            f.relative("2024-07-04T09:30:00+02:00", now, locale).unwrap(),
            f.relative("2024-07-05T09:27:00+02:00", now, locale).unwrap(),
            f.relative("2024-07-05T11:30:00+02:00", now, locale).unwrap(),
            f.integer(1_234_567, locale),
            f.decimal(3.45, 1, locale),
            f.percent(68.0, 2, locale),
            plural.join(" "),
        ]
        .join(" | ")
        .chars()
        .map(|c| match c {
            '\u{a0}' | '\u{202f}' | '\u{200e}' | '\u{200f}' | '\u{61c}' => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
    }

    #[test]
    fn one_snapshot_per_language() {
        let f = IcuFormats::new();
        let got: Vec<String> = ["fr", "en", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"]
            .iter()
            .map(|l| format!("{l}: {}", snapshot(&f, l)))
            .collect();
        let expected = include_str!("intl.snap").lines().collect::<Vec<_>>();
        assert_eq!(got, expected, "\n{}", got.join("\n"));
    }

    #[test]
    fn numbers() {
        let f = IcuFormats::new();
        assert_eq!(f.decimal(1.005, 2, "en"), "1.01");
        assert_eq!(f.decimal(2.5, 0, "en"), "3");
        assert_eq!(f.decimal(-0.001, 1, "en"), "0.0");
        // Chromium 156 and ICU4X 2.4 agree: U+00A0 before % in French, U+202F in its grouping.
        assert_eq!(f.percent(68.0, 2, "fr"), "68,00\u{a0}%");
        assert_eq!(f.integer(1_234_567, "fr"), "1\u{202f}234\u{202f}567");
        assert_eq!(f.long_date("2024-07-05T23:30:00-02:00", "fr").as_deref(), Some("5 juillet 2024"));
        assert_eq!(f.long_date("nope", "fr"), None);
        // As Chromium 156 writes them.
        let now = parse_iso("2024-07-05T09:30:00Z").unwrap().epoch_ms();
        assert_eq!(f.relative("2024-07-05T09:30:00Z", now, "en").as_deref(), Some("now"));
        assert_eq!(f.relative("2024-07-05T09:30:00.2Z", now, "fr").as_deref(), Some("maintenant"));
        assert_eq!(f.relative("2024-07-05T09:29:30Z", now, "fr").as_deref(), Some("il y a 30 secondes"));
        assert_eq!(f.relative("0790-07-05T09:30:00Z", now, "en").as_deref(), Some("1,235 years ago"));
        assert_eq!(f.decimal(3.45, 1, "en"), "3.5");
        // An unknown tag falls back, as the browser's does.
        assert_eq!(f.integer(1000, "qq-bogus-tag-that-is-long"), "1,000");
    }
}
