//! JSON through the browser's `JSON.parse` and `JSON.stringify`, as the widget does (no JSON
//! parser in the wasm); the types' own `Deserialize` rules run on every value.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast as _;

pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|e| error_text(&e, "not JSON"))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let value = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&value).map(String::from).map_err(|e| error_text(&e, "not serializable"))
}

fn error_text(error: &wasm_bindgen::JsValue, fallback: &str) -> String {
    error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| fallback.to_owned())
}
