//! JSON text in and out of the widget's types.
//!
//! In the wasm, the browser's own `JSON.parse` and `JSON.stringify` read and write the text, and
//! serde-wasm-bindgen maps their values to and from the types: no JSON parser or printer ships
//! in the wasm (serde_json's cost 36 KB of code there). On the host (server rendering, the
//! tests) serde_json does both. Either way the types' own `Deserialize` rules (the api crate's
//! parsers) run on every value.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// `text` parsed as a `T`, or why not.
#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|e| error_text(&e, "not JSON"))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// `value` as compact JSON text: objects for structs and maps, `null` for `None`.
#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let value = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&value).map(String::from).map_err(|e| error_text(&e, "not serializable"))
}

#[cfg(target_arch = "wasm32")]
fn error_text(error: &wasm_bindgen::JsValue, fallback: &str) -> String {
    use wasm_bindgen::JsCast as _;
    error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| fallback.to_owned())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}
