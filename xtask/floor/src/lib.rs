//! One component with one piece of state and one listener, hydrated over the server's HTML: the
//! least a Yew widget that hydrates carries.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct Props {
    text: AttrValue,
}

#[function_component]
fn Counter(props: &Props) -> Html {
    let count = use_state(|| 0u32);
    let onclick = {
        let count = count.clone();
        Callback::from(move |_| count.set(*count + 1))
    };
    html! { <div><p>{ props.text.clone() }</p><button {onclick}>{ *count }</button></div> }
}

#[wasm_bindgen(start)]
pub fn start() {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("root")) else {
        return;
    };
    yew::Renderer::<Counter>::with_root_and_props(root, Props { text: "floor".into() }).hydrate();
}
