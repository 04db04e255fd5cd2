//! Dates and numbers for the widget's language, behind one seam: [`Formats`].
//!
//! - [`Browser`]: the browser's `Intl` (wasm only; on the host it answers plain fallbacks, so that
//!   nothing panics there).
//! - [`Recorded`]: the strings the server recorded while it rendered, for the client's first
//!   render (hydration needs the very same text); keys it lacks go to [`Browser`].
//! - [`Recording`]: wraps the server's formatter and records every string.
//!
//! A render reads no clock: [`Formats::relative`] takes `now_ms`.

use std::collections::BTreeMap;
use std::rc::Rc;

/// Everything the widget formats for a locale. The server implements it with ICU4X.
pub trait Formats {
    /// The calendar date written in the timestamp itself (its own Y-M-D), dateStyle long:
    /// "5 juillet 2024". `None` when `iso` is not a date.
    fn long_date(&self, iso: &str, locale: &str) -> Option<String>;
    /// dateStyle long + timeStyle short, in UTC, with the zone's short name.
    fn date_time(&self, iso: &str, locale: &str) -> Option<String>;
    /// How long before `now_ms` `iso` was, numeric: auto ("il y a 3 minutes", "yesterday"), in
    /// the unit [`relative_unit`] picks.
    fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String>;
    /// A whole number in `locale`'s digits and grouping.
    fn integer(&self, n: u64, locale: &str) -> String;
    /// `n` with exactly `digits` decimals: "3,4" in French.
    fn decimal(&self, n: f64, digits: u8, locale: &str) -> String;
    /// `percent` (0–100) with exactly `digits` decimals: "68,00 %" in French.
    fn percent(&self, percent: f64, digits: u8, locale: &str) -> String;
    /// The CLDR plural category of `n`: "zero", "one", "two", "few", "many" or "other".
    fn plural(&self, n: f64, locale: &str) -> String;
}

macro_rules! forward_formats {
    ($($wrapper:ident),*) => {$(
        impl<T: Formats + ?Sized> Formats for $wrapper<T> {
            fn long_date(&self, iso: &str, locale: &str) -> Option<String> { (**self).long_date(iso, locale) }
            fn date_time(&self, iso: &str, locale: &str) -> Option<String> { (**self).date_time(iso, locale) }
            fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String> {
                (**self).relative(iso, now_ms, locale)
            }
            fn integer(&self, n: u64, locale: &str) -> String { (**self).integer(n, locale) }
            fn decimal(&self, n: f64, digits: u8, locale: &str) -> String { (**self).decimal(n, digits, locale) }
            fn percent(&self, p: f64, digits: u8, locale: &str) -> String { (**self).percent(p, digits, locale) }
            fn plural(&self, n: f64, locale: &str) -> String { (**self).plural(n, locale) }
        }
    )*};
}
use std::sync::Arc;
forward_formats!(Arc, Rc, Box);

/// The value and unit `Intl.RelativeTimeFormat` gets for `seconds` (negative: in the past):
/// seconds below a minute, then minutes, hours, days (below 30), months (below 365), years.
/// Both sides call it, so the unit never differs.
pub fn relative_unit(seconds: f64) -> (f64, &'static str) {
    [(60.0, "second"), (3600.0, "minute"), (86_400.0, "hour"), (2_592_000.0, "day"), (31_536_000.0, "month")]
        .iter()
        .zip([1.0, 60.0, 3600.0, 86_400.0, 2_592_000.0])
        .find(|((limit, _), _)| seconds.abs() < *limit)
        .map(|((_, unit), size)| ((seconds / size).round(), *unit))
        .unwrap_or(((seconds / 31_536_000.0).round(), "year"))
}

/// The keys of the recorded strings: the same on the server (which writes them) and the client.
/// Floats go in by their bits, so that no float formatting reaches the wasm.
pub mod key {
    pub fn long_date(iso: &str, locale: &str) -> String {
        format!("d|{iso}|{locale}")
    }
    pub fn date_time(iso: &str, locale: &str) -> String {
        format!("t|{iso}|{locale}")
    }
    pub fn relative(iso: &str, now_ms: f64, locale: &str) -> String {
        format!("r|{iso}|{}|{locale}", now_ms as i64)
    }
    pub fn integer(n: u64, locale: &str) -> String {
        format!("i|{n}|{locale}")
    }
    pub fn decimal(n: f64, digits: u8, locale: &str) -> String {
        format!("n|{:x}|{digits}|{locale}", n.to_bits())
    }
    pub fn percent(p: f64, digits: u8, locale: &str) -> String {
        format!("p|{:x}|{digits}|{locale}", p.to_bits())
    }
    pub fn plural(n: f64, locale: &str) -> String {
        format!("c|{:x}|{locale}", n.to_bits())
    }
}

/// The formatter a [`crate::i18n::Lang`] carries; equal when it is the same one (by pointer).
#[derive(Clone)]
pub struct Intl(pub Rc<dyn Formats>);

impl PartialEq for Intl {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Intl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Intl")
    }
}

thread_local! {
    static BROWSER: Intl = Intl(Rc::new(Browser));
}

impl Intl {
    /// The browser's Intl, one handle per thread (so that two `Lang`s of a tag are equal).
    pub fn browser() -> Self {
        BROWSER.with(Clone::clone)
    }

    /// The server's recorded strings, then the browser's Intl.
    pub fn recorded(map: BTreeMap<String, String>) -> Self {
        Self(Rc::new(Recorded { map: Rc::new(map), fallback: Browser }))
    }
}

/// The recorded strings, then [`Browser`] for what is missing.
pub struct Recorded {
    pub map: Rc<BTreeMap<String, String>>,
    pub fallback: Browser,
}

impl Recorded {
    fn get(&self, key: String) -> Option<String> {
        self.map.get(&key).cloned()
    }
}

impl Formats for Recorded {
    fn long_date(&self, iso: &str, locale: &str) -> Option<String> {
        self.get(key::long_date(iso, locale)).or_else(|| self.fallback.long_date(iso, locale))
    }
    fn date_time(&self, iso: &str, locale: &str) -> Option<String> {
        self.get(key::date_time(iso, locale)).or_else(|| self.fallback.date_time(iso, locale))
    }
    fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String> {
        self.get(key::relative(iso, now_ms, locale)).or_else(|| self.fallback.relative(iso, now_ms, locale))
    }
    fn integer(&self, n: u64, locale: &str) -> String {
        self.get(key::integer(n, locale)).unwrap_or_else(|| self.fallback.integer(n, locale))
    }
    fn decimal(&self, n: f64, digits: u8, locale: &str) -> String {
        self.get(key::decimal(n, digits, locale)).unwrap_or_else(|| self.fallback.decimal(n, digits, locale))
    }
    fn percent(&self, p: f64, digits: u8, locale: &str) -> String {
        self.get(key::percent(p, digits, locale)).unwrap_or_else(|| self.fallback.percent(p, digits, locale))
    }
    fn plural(&self, n: f64, locale: &str) -> String {
        self.get(key::plural(n, locale)).unwrap_or_else(|| self.fallback.plural(n, locale))
    }
}

/// Wraps the server's formatter and records every string it answers, under [`key`]'s keys (in
/// every build, so that the browser tests can record as the server does; unused, it costs the
/// wasm nothing).
pub struct Recording<F> {
    pub inner: F,
    pub map: Arc<std::sync::Mutex<BTreeMap<String, String>>>,
}

impl<F> Recording<F> {
    pub fn new(inner: F) -> Self {
        Self { inner, map: Arc::default() }
    }

    /// What was recorded so far.
    pub fn recorded(&self) -> BTreeMap<String, String> {
        self.map.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn keep(&self, key: String, value: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.insert(key, value.to_owned());
        }
    }
}

impl<F: Formats> Formats for Recording<F> {
    fn long_date(&self, iso: &str, locale: &str) -> Option<String> {
        let out = self.inner.long_date(iso, locale)?;
        self.keep(key::long_date(iso, locale), &out);
        Some(out)
    }
    fn date_time(&self, iso: &str, locale: &str) -> Option<String> {
        let out = self.inner.date_time(iso, locale)?;
        self.keep(key::date_time(iso, locale), &out);
        Some(out)
    }
    fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String> {
        let out = self.inner.relative(iso, now_ms, locale)?;
        self.keep(key::relative(iso, now_ms, locale), &out);
        Some(out)
    }
    fn integer(&self, n: u64, locale: &str) -> String {
        let out = self.inner.integer(n, locale);
        self.keep(key::integer(n, locale), &out);
        out
    }
    fn decimal(&self, n: f64, digits: u8, locale: &str) -> String {
        let out = self.inner.decimal(n, digits, locale);
        self.keep(key::decimal(n, digits, locale), &out);
        out
    }
    fn percent(&self, p: f64, digits: u8, locale: &str) -> String {
        let out = self.inner.percent(p, digits, locale);
        self.keep(key::percent(p, digits, locale), &out);
        out
    }
    fn plural(&self, n: f64, locale: &str) -> String {
        let out = self.inner.plural(n, locale);
        self.keep(key::plural(n, locale), &out);
        out
    }
}

/// The browser's `Intl`. On the host (no browser) it answers plain fallbacks and calls nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Browser;

/// The Y-M-D written at the start of an RFC 3339 timestamp.
fn ymd(iso: &str) -> Option<(u32, u32, u32)> {
    let num = |r: std::ops::Range<usize>| iso.get(r)?.parse::<u32>().ok();
    Some((num(0..4)?, num(5..7)?, num(8..10)?))
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use js_sys::{Date, Object, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Intl)]
        pub type DateTimeFormat;
        #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
        pub fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;
        #[wasm_bindgen(method)]
        pub fn format(this: &DateTimeFormat, date: &Date) -> String;

        #[wasm_bindgen(js_namespace = Intl)]
        pub type NumberFormat;
        #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
        pub fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;
        #[wasm_bindgen(method)]
        pub fn format(this: &NumberFormat, n: f64) -> String;

        #[wasm_bindgen(js_namespace = Intl)]
        pub type RelativeTimeFormat;
        #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
        pub fn new(locale: &str, options: &Object) -> Result<RelativeTimeFormat, JsValue>;
        #[wasm_bindgen(method)]
        pub fn format(this: &RelativeTimeFormat, value: f64, unit: &str) -> String;

        #[wasm_bindgen(js_namespace = Intl)]
        pub type PluralRules;
        #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
        pub fn new(locale: &str) -> Result<PluralRules, JsValue>;
        #[wasm_bindgen(method)]
        pub fn select(this: &PluralRules, n: f64) -> String;
    }

    thread_local! {
        /// Formatters by kind, locale and options. Building one costs far more than using it, and a
        /// thread of 1,000 comments would otherwise build 2,000.
        static FORMATTERS: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
    }

    /// The formatter `make` builds for `locale` (else for English), built once per key.
    pub fn cached<T: JsCast>(
        kind: &str,
        locale: &str,
        pairs: &[(&str, &str)],
        make: fn(&str, &Object) -> Result<T, JsValue>,
    ) -> Option<T> {
        let mut key = format!("{kind} {locale}");
        for (name, value) in pairs {
            key.push_str(&format!(" {name}={value}"));
        }
        if let Some(found) = FORMATTERS.with(|f| f.borrow().get(&key).cloned()) {
            return Some(found.unchecked_into());
        }
        let opts = options(pairs);
        let made = make(locale, &opts).or_else(|_| make("en", &opts)).ok()?;
        FORMATTERS.with(|f| f.borrow_mut().insert(key, made.as_ref().clone()));
        Some(made)
    }

    /// A plain JS object of string options.
    fn options(pairs: &[(&str, &str)]) -> Object {
        let object = Object::new();
        for (key, value) in pairs {
            // Setting a property on a fresh plain object cannot fail.
            let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
        }
        object
    }

    pub fn number(n: f64, locale: &str, pairs: &[(&str, &str)]) -> String {
        match cached("number", locale, pairs, NumberFormat::new) {
            Some(format) => format.format(n),
            // Only if the browser has no Intl at all; rounded, as float formatting costs ~15 KB of wasm.
            None => (n.round() as i64).to_string(),
        }
    }

    pub fn date(iso: &str) -> Option<Date> {
        let date = Date::new(&JsValue::from_str(iso));
        (!date.get_time().is_nan()).then_some(date)
    }
}

#[cfg(target_arch = "wasm32")]
impl Formats for Browser {
    fn long_date(&self, iso: &str, locale: &str) -> Option<String> {
        use browser::*;
        // The newsroom's own date: noon UTC of the Y-M-D written in the timestamp, shown in UTC.
        let (y, m, d) = ymd(iso)?;
        let noon = js_sys::Date::utc(f64::from(y), f64::from(m) - 1.0) + f64::from(d - 1) * 86_400_000.0 + 43_200_000.0;
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(noon));
        if date.get_time().is_nan() {
            return None;
        }
        let format = cached("date", locale, &[("dateStyle", "long"), ("timeZone", "UTC")], DateTimeFormat::new)?;
        Some(format.format(&date))
    }

    fn date_time(&self, iso: &str, locale: &str) -> Option<String> {
        use browser::*;
        let date = date(iso)?;
        // dateStyle/timeStyle cannot be combined with timeZoneName, so the same fields are named.
        let pairs = [
            ("year", "numeric"),
            ("month", "long"),
            ("day", "numeric"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
            ("timeZone", "UTC"),
            ("timeZoneName", "short"),
        ];
        let format = cached("date", locale, &pairs, DateTimeFormat::new)?;
        Some(format.format(&date))
    }

    fn relative(&self, iso: &str, now_ms: f64, locale: &str) -> Option<String> {
        use browser::*;
        let then = date(iso)?.get_time();
        let (value, unit) = relative_unit((then - now_ms) / 1000.0);
        let format = cached("relative", locale, &[("numeric", "auto")], RelativeTimeFormat::new)?;
        Some(format.format(value, unit))
    }

    fn integer(&self, n: u64, locale: &str) -> String {
        browser::number(n as f64, locale, &[("maximumFractionDigits", "0")])
    }

    fn decimal(&self, n: f64, digits: u8, locale: &str) -> String {
        let digits = digits.to_string();
        browser::number(n, locale, &[("minimumFractionDigits", &digits), ("maximumFractionDigits", &digits)])
    }

    fn percent(&self, percent: f64, digits: u8, locale: &str) -> String {
        let digits = digits.to_string();
        browser::number(
            percent / 100.0,
            locale,
            &[("style", "percent"), ("minimumFractionDigits", &digits), ("maximumFractionDigits", &digits)],
        )
    }

    fn plural(&self, n: f64, locale: &str) -> String {
        browser::cached("plural", locale, &[], |locale, _| browser::PluralRules::new(locale))
            .map(|rules| rules.select(n))
            .unwrap_or_else(|| "other".into())
    }
}

/// On the host there is no browser: plain, unlocalized text, and no call that could panic.
#[cfg(not(target_arch = "wasm32"))]
impl Formats for Browser {
    fn long_date(&self, iso: &str, _locale: &str) -> Option<String> {
        let (y, m, d) = ymd(iso)?;
        Some(format!("{y:04}-{m:02}-{d:02}"))
    }
    fn date_time(&self, iso: &str, _locale: &str) -> Option<String> {
        let ms = news_widget_api::epoch_ms(iso)?;
        (!ms.is_nan()).then(|| format!("{} UTC", iso.get(..16).unwrap_or(iso).replace('T', " ")))
    }
    fn relative(&self, iso: &str, now_ms: f64, _locale: &str) -> Option<String> {
        let then = news_widget_api::epoch_ms(iso)?;
        let (value, unit) = relative_unit((then - now_ms) / 1000.0);
        Some(format!("{value} {unit}"))
    }
    fn integer(&self, n: u64, _locale: &str) -> String {
        n.to_string()
    }
    fn decimal(&self, n: f64, digits: u8, _locale: &str) -> String {
        format!("{n:.*}", usize::from(digits))
    }
    fn percent(&self, percent: f64, digits: u8, _locale: &str) -> String {
        format!("{percent:.*} %", usize::from(digits))
    }
    fn plural(&self, n: f64, _locale: &str) -> String {
        if n == 1.0 { "one" } else { "other" }.to_owned()
    }
}

/// [`Browser::long_date`], for tests and callers outside a render.
pub fn long_date(iso: &str, locale: &str) -> Option<String> {
    Browser.long_date(iso, locale)
}

/// [`Browser::integer`].
pub fn integer(n: u64, locale: &str) -> String {
    Browser.integer(n, locale)
}

/// [`Browser::decimal`].
pub fn decimal(n: f64, digits: u8, locale: &str) -> String {
    Browser.decimal(n, digits, locale)
}

/// [`Browser::percent`].
pub fn percent(p: f64, digits: u8, locale: &str) -> String {
    Browser.percent(p, digits, locale)
}

/// [`Browser::plural`].
pub fn plural(n: f64, locale: &str) -> String {
    Browser.plural(n, locale)
}

#[cfg(test)]
mod tests {
    use super::relative_unit;

    #[test]
    fn units_change_at_a_minute_an_hour_a_day_30_days_and_365_days() {
        assert_eq!(relative_unit(-59.0), (-59.0, "second"));
        assert_eq!(relative_unit(-60.0), (-1.0, "minute"));
        assert_eq!(relative_unit(-7200.0), (-2.0, "hour"));
        assert_eq!(relative_unit(-86_400.0), (-1.0, "day"));
        assert_eq!(relative_unit(-2_592_000.0), (-1.0, "month"));
        assert_eq!(relative_unit(-31_536_000.0 * 2.0), (-2.0, "year"));
    }
}
