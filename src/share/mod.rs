//! The share bar: plain links to each network's share page (no third-party request until the
//! reader clicks), Mastodon through the reader's own instance, copy link, and the browser's
//! native share sheet where it accepts the data.

pub mod icons;
pub mod links;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlDialogElement, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::{around, fill, Lang};
use links::{parse_instance, share_url, tagged, Network, Shared};

/// How the buttons look: icons only, or icons with the network's name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShareStyle {
    Icons,
    #[default]
    Labels,
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub shared: Shared,
    pub lang: Lang,
    pub networks: Vec<Network>,
    /// Names in `data-share-networks` that are no network.
    #[prop_or_default]
    pub unknown: Vec<String>,
    #[prop_or_default]
    pub tag: Option<String>,
    #[prop_or_default]
    pub style: ShareStyle,
    /// The start of this widget's element ids.
    #[prop_or(AttrValue::Static("nw"))]
    pub ids: AttrValue,
}

const INSTANCE_KEY: &str = "news-widget:mastodon-instance";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Tells the host page (for its own analytics): `news-widget:share` with `{network, url}`.
fn announce(from: &web_sys::Element, network: &str, url: &str) {
    let detail = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&detail, &"network".into(), &network.into());
    let _ = js_sys::Reflect::set(&detail, &"url".into(), &url.into());
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("news-widget:share", &init) {
        let _ = from.dispatch_event(&event);
    }
}

/// The data the native share sheet gets, if the browser can share it.
fn native_share_data(shared: &Shared) -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    let can_share: js_sys::Function = js_sys::Reflect::get(&navigator, &"canShare".into()).ok()?.dyn_into().ok()?;
    let data = js_sys::Object::new();
    js_sys::Reflect::set(&data, &"title".into(), &shared.title.as_str().into()).ok()?;
    js_sys::Reflect::set(&data, &"url".into(), &shared.url.as_str().into()).ok()?;
    let data: JsValue = data.into();
    can_share.call1(&navigator, &data).ok()?.as_bool().filter(|ok| *ok).map(|_| data)
}

/// Copies `text`: the Clipboard API, else a selected textarea and `execCommand("copy")`.
async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok().filter(|c| !c.is_undefined());
    if let Some(clipboard) = clipboard {
        let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
        if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text)).await.is_ok() {
            return true;
        }
    }
    copy_fallback(&window, text)
}

/// The fallback of [`copy`] for browsers without the Clipboard API (or without permission).
pub fn copy_fallback(window: &web_sys::Window, text: &str) -> bool {
    let Some(document) = window.document() else { return false };
    let Ok(area) = document.create_element("textarea") else { return false };
    let area: web_sys::HtmlTextAreaElement = area.unchecked_into();
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    area.set_class_name("nw-offscreen");
    let Some(body) = document.body() else { return false };
    let _ = body.append_child(&area);
    area.select();
    let done = document.dyn_ref::<web_sys::HtmlDocument>().and_then(|d| d.exec_command("copy").ok()).unwrap_or(false);
    area.remove();
    done
}

#[function_component(ShareBar)]
pub fn share_bar(props: &ShareProps) -> Html {
    let root = use_node_ref();
    // Whether the browser's share sheet takes this page: asked after the first render, which
    // must be the same on the server (the button's place is kept, hidden, meanwhile).
    let native_data = use_state(|| None::<JsValue>);
    {
        let native_data = native_data.clone();
        use_effect_with(props.shared.clone(), move |shared| native_data.set(native_share_data(shared)));
    }
    let dialog = use_node_ref();
    let instance_input = use_node_ref();
    let status = use_state(String::new);
    let instance_error = use_state(|| None::<String>);
    let text = props.lang.text;
    let tag = props.tag.as_deref();

    let unknown = (!props.unknown.is_empty()).then(|| {
        let names = props.unknown.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        let message = fill(text.share_unknown, &[("names", &names)]);
        html! { <p class="nw-config-error" role="alert"><code>{ "data-share-networks" }</code>{ " " }{ message }</p> }
    });

    {
        let (unknown, lang) = (props.unknown.clone(), props.lang.clone());
        use_effect_with(unknown, move |unknown| {
            if !unknown.is_empty() {
                let names = unknown.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
                let message = fill(lang.text.share_unknown, &[("names", &names)]);
                web_sys::console::error_1(&format!("news-widget: data-share-networks: {message}").into());
            }
        });
    }

    let button = |network: Network| -> Html {
        let url = tagged(&props.shared.url, tag, network);
        let shared = Shared { url: url.clone(), ..props.shared.clone() };
        // The visible label is the network's name; the words around it ("Partager sur", "Auf …
        // teilen") are there for assistive technology, so the accessible name is the whole phrase.
        let (before, brand, after) = match network {
            Network::Copy => ("", text.copy_link, ""),
            _ => {
                let (before, after) = around(text.share_on, "network");
                (before, network.brand(), after)
            }
        };
        let label = html! {
            <span class="nw-share-label">
                <span class="nw-visually-hidden">{ before }</span>{ brand }<span class="nw-visually-hidden">{ after }</span>
            </span>
        };
        let class = classes!(
            "nw-share-button",
            format!("nw-share-{}", network.key()),
            matches!(network, Network::Copy | Network::Mastodon).then_some("nw-needs-wasm")
        );
        match network {
            Network::Copy => {
                let (status, root) = (status.clone(), root.clone());
                let onclick = Callback::from(move |_: MouseEvent| {
                    let (status, root, url) = (status.clone(), root.clone(), url.clone());
                    spawn_local(async move {
                        let copied = copy(&url).await;
                        if let Some(el) = root.cast::<web_sys::Element>() {
                            announce(&el, "copy", &url);
                        }
                        status.set(if copied { text.link_copied } else { text.copy_failed }.to_owned());
                    });
                });
                html! { <li><button type="button" {class} {onclick}>{ icons::icon(network) }{ label }</button></li> }
            }
            Network::Mastodon => {
                let (dialog, input, instance_error) = (dialog.clone(), instance_input.clone(), instance_error.clone());
                let onclick = Callback::from(move |_: MouseEvent| {
                    instance_error.set(None);
                    if let (Some(d), Some(i)) = (dialog.cast::<HtmlDialogElement>(), input.cast::<HtmlInputElement>()) {
                        i.set_value(
                            &storage().and_then(|s| s.get_item(INSTANCE_KEY).ok().flatten()).unwrap_or_default(),
                        );
                        let _ = d.show_modal();
                        let _ = i.focus();
                    }
                });
                html! { <li><button type="button" {class} aria-haspopup="dialog" {onclick}>{ icons::icon(network) }{ label }</button></li> }
            }
            _ => {
                let href = share_url(network, &shared, None).unwrap_or_default();
                let root = root.clone();
                let onclick = Callback::from(move |_: MouseEvent| {
                    if let Some(el) = root.cast::<web_sys::Element>() {
                        announce(&el, network.key(), &url);
                    }
                });
                let target = (network != Network::Email).then_some("_blank");
                html! {
                    <li><a {class} {href} {target} rel="noopener noreferrer" {onclick}>{ icons::icon(network) }{ label }</a></li>
                }
            }
        }
    };

    let native = {
        let data = (*native_data).clone();
        let available = data.is_some();
        let (status, root, url) = (status.clone(), root.clone(), props.shared.url.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let Some(data) = data.clone() else { return };
            let Some(window) = web_sys::window() else { return };
            let navigator = window.navigator();
            if let Some(el) = root.cast::<web_sys::Element>() {
                announce(&el, "native", &url);
            }
            let share = js_sys::Reflect::get(&navigator, &"share".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            if let Some(promise) =
                share.and_then(|f| f.call1(&navigator, &data).ok()).and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
            {
                let status = status.clone();
                spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                    status.set(String::new());
                });
            }
        });
        // Always there, so the server's list and the client's have the same nodes; hidden (its
        // place kept) where the browser cannot share.
        html! {
            <li class={classes!("nw-share-native-item", (!available).then_some("nw-unavailable"))}>
                <button type="button" class="nw-share-button nw-share-native nw-needs-wasm" {onclick}
                    disabled={!available}>{ icons::share() }<span class="nw-share-label">{ text.share_native }</span></button>
            </li>
        }
    };

    let on_instance = {
        let (dialog, input, instance_error) = (dialog.clone(), instance_input.clone(), instance_error.clone());
        let (shared, tag, root) = (props.shared.clone(), props.tag.clone(), root.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let raw = input.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let Some(instance) = parse_instance(&raw) else {
                instance_error.set(Some(text.instance_invalid.to_owned()));
                if let Some(i) = input.cast::<HtmlInputElement>() {
                    let _ = i.focus();
                }
                return;
            };
            if let Some(s) = storage() {
                let _ = s.set_item(INSTANCE_KEY, &instance);
            }
            let url = tagged(&shared.url, tag.as_deref(), Network::Mastodon);
            let target = Shared { url: url.clone(), ..shared.clone() };
            if let (Some(href), Some(window)) =
                (share_url(Network::Mastodon, &target, Some(&instance)), web_sys::window())
            {
                let _ = window.open_with_url_and_target_and_features(&href, "_blank", "noopener,noreferrer");
            }
            if let Some(el) = root.cast::<web_sys::Element>() {
                announce(&el, "mastodon", &url);
            }
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };
    let on_cancel = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };

    let heading = format!("{}-share", props.ids);
    let field = format!("{}-share-instance", props.ids);
    let error_id = format!("{field}-error");
    let style = match props.style {
        ShareStyle::Icons => "nw-share-icons",
        ShareStyle::Labels => "nw-share-labels",
    };
    html! {
        <section class={classes!("nw-share", style)} ref={root.clone()} role="group" aria-labelledby={heading.clone()}>
            <h2 class="nw-share-title" id={heading}>{ text.share_heading }</h2>
            { for unknown }
            <ul class="nw-share-list" role="list">
                { for props.networks.iter().map(|n| button(*n)) }
                { native }
            </ul>
            <p class="nw-status" role="status" aria-live="polite">{ (*status).clone() }</p>
            <dialog class="nw-dialog" ref={dialog} aria-labelledby={format!("{field}-title")}>
                <form method="dialog" onsubmit={on_instance} novalidate=true>
                    <h3 id={format!("{field}-title")}>{ fill(text.share_on, &[("network", "Mastodon")]) }</h3>
                    <label for={field.clone()}>{ text.instance_label }</label>
                    <input id={field} ref={instance_input} type="text" inputmode="url" autocomplete="off" spellcheck="false"
                        placeholder="mastodon.social" aria-invalid={instance_error.is_some().then_some("true")}
                        aria-describedby={instance_error.is_some().then(|| error_id.clone())} />
                    if let Some(message) = &*instance_error {
                        <p class="nw-field-error" id={error_id}>{ message }</p>
                    }
                    <div class="nw-form-actions">
                        <button type="submit" class="nw-button nw-button-primary">{ text.share_action }</button>
                        <button type="button" class="nw-button nw-button-quiet" onclick={on_cancel}>{ text.cancel }</button>
                    </div>
                </form>
            </dialog>
        </section>
    }
}
