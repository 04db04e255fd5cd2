//! Dates and numbers formatted by the browser's Intl, for the widget's language.

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::prelude::*;

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
    let opts = options(&[("dateStyle", "long")]);
    let format = DateTimeFormat::new(locale, &opts).or_else(|_| DateTimeFormat::new("en", &opts)).ok()?;
    Some(format.format(&date))
}

/// A whole number in `locale`'s digits and grouping.
pub fn integer(n: u64, locale: &str) -> String {
    let opts = options(&[("maximumFractionDigits", "0")]);
    match NumberFormat::new(locale, &opts) {
        Ok(format) => format.format(n as f64),
        Err(_) => n.to_string(),
    }
}
