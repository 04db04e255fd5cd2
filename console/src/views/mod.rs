//! The console's views, and what they share: a modal dialog, a status line.

pub mod articles;
pub mod drawer;
pub mod login;
pub mod queue;
pub mod rules;
pub mod settings;
pub mod setup;

use wasm_bindgen::JsCast as _;
use yew::prelude::*;

use crate::api::{ApiError, Session};

/// What every signed-in view gets.
#[derive(Clone, PartialEq, Properties)]
pub struct ViewProps {
    pub session: Session,
    /// Says a sentence in the polite live region.
    pub announce: Callback<String>,
    /// The session is over (a 401): back to the sign-in page.
    pub expired: Callback<()>,
}

impl ViewProps {
    /// The sentence for `e`; a 401 also ends the session.
    pub fn error(&self, e: &ApiError) -> String {
        if e.status == 401 {
            self.expired.emit(());
        }
        e.message()
    }
}

#[derive(Clone, PartialEq, Properties)]
pub struct ModalProps {
    pub id: AttrValue,
    /// The id of the dialog's heading.
    pub labelled_by: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub children: Html,
}

/// A modal `<dialog>` (the browser keeps the focus in it and makes the rest inert), opened with
/// `showModal` once rendered; Escape (its `cancel` event) asks the owner to close it.
#[function_component(Modal)]
pub fn modal(props: &ModalProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            if let Some(dialog) = node.cast::<web_sys::HtmlDialogElement>() {
                if !dialog.open() {
                    let _ = dialog.show_modal();
                }
                // The first field marked autofocus, else the dialog's first button.
                let first = dialog
                    .query_selector("[autofocus]")
                    .ok()
                    .flatten()
                    .or_else(|| dialog.query_selector("button, input, textarea, select").ok().flatten());
                if let Some(el) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            }
        });
    }
    let on_close = props.on_close.clone();
    let oncancel = Callback::from(move |e: Event| {
        e.prevent_default();
        on_close.emit(());
    });
    html! {
        <dialog ref={node} id={props.id.clone()} class={classes!("nw-dialog", props.class.clone())}
            aria-labelledby={props.labelled_by.clone()} {oncancel}>
            { props.children.clone() }
        </dialog>
    }
}

/// A status line for a view's errors and results: always in the page (so that screen readers
/// hear its changes and nothing moves when it fills).
pub fn status(id: &'static str, message: &Option<String>, is_error: bool) -> Html {
    html! {
        <p {id} class={classes!("nw-status", (is_error && message.is_some()).then_some("nw-error"))} role="status">
            { message.clone().unwrap_or_default() }
        </p>
    }
}

/// The value of the input, text area or select behind `node`.
pub fn value_of(node: &NodeRef) -> String {
    if let Some(input) = node.cast::<web_sys::HtmlInputElement>() {
        input.value()
    } else if let Some(area) = node.cast::<web_sys::HtmlTextAreaElement>() {
        area.value()
    } else if let Some(select) = node.cast::<web_sys::HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

/// Focuses the element with `id`, if there is one.
pub fn focus_id(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(el) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
