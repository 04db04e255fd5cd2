//! Dates and numbers formatted by the browser's Intl, for the widget's language.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &DateTimeFormat, date: &Date) -> String;

    #[wasm_bindgen(js_namespace = Intl)]
    type NumberFormat;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, n: f64) -> String;

    #[wasm_bindgen(js_namespace = Intl)]
    type RelativeTimeFormat;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str, options: &Object) -> Result<RelativeTimeFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &RelativeTimeFormat, value: f64, unit: &str) -> String;

    #[wasm_bindgen(js_namespace = Intl)]
    type PluralRules;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str) -> Result<PluralRules, JsValue>;
    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, n: f64) -> String;
}

thread_local! {
    /// Formatters by kind, locale and options. Building one costs far more than using it, and a
    /// thread of 1,000 comments would otherwise build 2,000.
    static FORMATTERS: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
}

/// The formatter `make` builds for `locale` (else for English), built once per key.
fn cached<T: JsCast>(
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

/// A date as a reader of `locale` writes it in running text: "5 juillet 2024", "July 5, 2024".
/// `None` when `iso` is not a date the browser understands.
pub fn long_date(iso: &str, locale: &str) -> Option<String> {
    let date = Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return None;
    }
    let format = cached("date", locale, &[("dateStyle", "long")], DateTimeFormat::new)?;
    Some(format.format(&date))
}

fn number(n: f64, locale: &str, pairs: &[(&str, &str)]) -> String {
    match cached("number", locale, pairs, NumberFormat::new) {
        Some(format) => format.format(n),
        // Only if the browser has no Intl at all; rounded, as float formatting costs ~15 KB of wasm.
        None => (n.round() as i64).to_string(),
    }
}

/// A whole number in `locale`'s digits and grouping.
pub fn integer(n: u64, locale: &str) -> String {
    number(n as f64, locale, &[("maximumFractionDigits", "0")])
}

/// `n` with exactly `digits` decimals: "3,4" in French.
pub fn decimal(n: f64, digits: u8, locale: &str) -> String {
    let digits = digits.to_string();
    number(n, locale, &[("minimumFractionDigits", &digits), ("maximumFractionDigits", &digits)])
}

/// `percent` (0–100) as a percentage with exactly `digits` decimals: "68,00 %" in French.
pub fn percent(percent: f64, digits: u8, locale: &str) -> String {
    let digits = digits.to_string();
    number(
        percent / 100.0,
        locale,
        &[("style", "percent"), ("minimumFractionDigits", &digits), ("maximumFractionDigits", &digits)],
    )
}

/// The plural category of `n` in `locale`: "zero", "one", "two", "few", "many" or "other".
pub fn plural(n: f64, locale: &str) -> String {
    cached("plural", locale, &[], |locale, _| PluralRules::new(locale))
        .map(|rules| rules.select(n))
        .unwrap_or_else(|| "other".into())
}

/// A date and time in full: "5 juillet 2024 à 08:30".
pub fn date_time(iso: &str, locale: &str) -> Option<String> {
    let date = Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return None;
    }
    let format = cached("date", locale, &[("dateStyle", "long"), ("timeStyle", "short")], DateTimeFormat::new)?;
    Some(format.format(&date))
}

/// How long ago `iso` was, in words: "il y a 3 minutes", "yesterday".
pub fn relative(iso: &str, locale: &str) -> Option<String> {
    let then = Date::new(&JsValue::from_str(iso)).get_time();
    if then.is_nan() {
        return None;
    }
    let seconds = (then - Date::now()) / 1000.0;
    let (value, unit) =
        [(60.0, "second"), (3600.0, "minute"), (86_400.0, "hour"), (2_592_000.0, "day"), (31_536_000.0, "month")]
            .iter()
            .zip([1.0, 60.0, 3600.0, 86_400.0, 2_592_000.0])
            .find(|((limit, _), _)| seconds.abs() < *limit)
            .map(|((_, unit), size)| ((seconds / size).round(), *unit))
            .unwrap_or(((seconds / 31_536_000.0).round(), "year"));
    let format = cached("relative", locale, &[("numeric", "auto")], RelativeTimeFormat::new)?;
    Some(format.format(value, unit))
}
