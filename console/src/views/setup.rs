//! The one-time setup link's page (`/admin/setup?token=…`): a new password typed twice, checked
//! here first (too short, the two differ), then by the server (a used or expired link); every
//! error shown under the field it is about and tied to it by `aria-describedby`.

use yew::prelude::*;

use crate::api;
use crate::text::{password_errors, MIN_PASSWORD_CHARS};
use crate::views::value_of;

#[derive(Clone, PartialEq, Properties)]
pub struct SetupProps {
    /// The link's token.
    pub token: AttrValue,
    /// The password is set.
    pub on_done: Callback<()>,
}

#[derive(Clone, Default, PartialEq)]
struct Errors {
    password: Option<String>,
    confirm: Option<String>,
    general: Option<String>,
}

fn focus(node: &NodeRef) {
    if let Some(input) = node.cast::<web_sys::HtmlInputElement>() {
        let _ = input.focus();
    }
}

#[function_component(Setup)]
pub fn setup(props: &SetupProps) -> Html {
    let password = use_node_ref();
    let confirm = use_node_ref();
    let errors = use_state(Errors::default);
    let busy = use_state(|| false);

    let onsubmit = {
        let (password, confirm, errors, busy) = (password.clone(), confirm.clone(), errors.clone(), busy.clone());
        let (token, on_done) = (props.token.clone(), props.on_done.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let (secret, again) = (value_of(&password), value_of(&confirm));
            let (short, differ) = password_errors(&secret, &again);
            if short.is_some() || differ.is_some() {
                focus(if short.is_some() { &password } else { &confirm });
                errors.set(Errors { password: short, confirm: differ, general: None });
                return;
            }
            let (errors, busy, on_done, token, password) =
                (errors.clone(), busy.clone(), on_done.clone(), token.clone(), password.clone());
            busy.set(true);
            errors.set(Errors::default());
            wasm_bindgen_futures::spawn_local(async move {
                match api::setup(&token, &secret).await {
                    Ok(()) => on_done.emit(()),
                    Err(e) => {
                        busy.set(false);
                        let field = e.field("password");
                        let general = if field.is_some() && e.status == 422 { None } else { Some(e.message()) };
                        errors.set(Errors { password: field, confirm: None, general });
                        focus(&password);
                    }
                }
            });
        })
    };

    let describe = |own: Option<(&str, &Option<String>)>, hint: Option<&str>| {
        let mut ids = vec!["nw-setup-status".to_owned()];
        ids.extend(hint.map(str::to_owned));
        if let Some((id, Some(_))) = own {
            ids.push(id.to_owned());
        }
        ids.join(" ")
    };
    let failed = errors.general.is_some();
    html! {
        <section class="nw-login nw-setup" aria-labelledby="nw-setup-title">
            <h1 id="nw-setup-title">{ "Choose your password" }</h1>
            <p>{ "This link works once. Choose the password you will sign in with to the moderators' console." }</p>
            <form id="nw-setup" class="nw-form" onsubmit={onsubmit} novalidate=true>
                <div class="nw-field">
                    <label for="nw-setup-password">{ "New password" }</label>
                    <p id="nw-setup-password-hint" class="nw-hint">
                        { format!("At least {MIN_PASSWORD_CHARS} characters; a few words make a good one.") }
                    </p>
                    <input ref={password} id="nw-setup-password" name="new-password" type="password"
                        autocomplete="new-password" required=true minlength={MIN_PASSWORD_CHARS.to_string()}
                        aria-invalid={errors.password.is_some().then_some("true")}
                        aria-describedby={describe(Some(("nw-setup-password-error", &errors.password)),
                            Some("nw-setup-password-hint"))} />
                    if let Some(message) = errors.password.clone() {
                        <p id="nw-setup-password-error" class="nw-field-error">{ message }</p>
                    }
                </div>
                <div class="nw-field">
                    <label for="nw-setup-confirm">{ "Confirm the new password" }</label>
                    <input ref={confirm} id="nw-setup-confirm" name="confirm-password" type="password"
                        autocomplete="new-password" required=true
                        aria-invalid={errors.confirm.is_some().then_some("true")}
                        aria-describedby={describe(Some(("nw-setup-confirm-error", &errors.confirm)), None)} />
                    if let Some(message) = errors.confirm.clone() {
                        <p id="nw-setup-confirm-error" class="nw-field-error">{ message }</p>
                    }
                </div>
                <p id="nw-setup-status" class={classes!("nw-status", failed.then_some("nw-error"))}
                    role="status">{ errors.general.clone().unwrap_or_default() }</p>
                if failed {
                    <p><a href="./" id="nw-setup-sign-in">{ "Go to the sign-in page" }</a></p>
                }
                <button type="submit" id="nw-setup-submit" class="nw-primary" aria-disabled={busy.then_some("true")}>
                    { if *busy { "Setting the password…" } else { "Set the password" } }
                </button>
            </form>
        </section>
    }
}
