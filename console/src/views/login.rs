//! The sign-in page: an email and a password, the server's refusal shown under the field it is
//! about (tied by `aria-describedby`), a 429 with the time to wait.

use yew::prelude::*;

use crate::api::{self, Session};
use crate::views::value_of;

#[derive(Clone, PartialEq, Properties)]
pub struct LoginProps {
    pub on_signed_in: Callback<Session>,
    /// Why the page shows (signed out, the session ended), if it is news.
    #[prop_or_default]
    pub message: Option<String>,
}

#[function_component(Login)]
pub fn login(props: &LoginProps) -> Html {
    let email = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<api::ApiError>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (email, password, error, busy) = (email.clone(), password.clone(), error.clone(), busy.clone());
        let on_signed_in = props.on_signed_in.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let (address, secret) = (value_of(&email), value_of(&password));
            let (error, busy, on_signed_in, password) =
                (error.clone(), busy.clone(), on_signed_in.clone(), password.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::sign_in(address.trim(), &secret).await {
                    Ok(session) => on_signed_in.emit(session),
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                        // The wrong password goes; the email stays.
                        if let Some(input) = password.cast::<web_sys::HtmlInputElement>() {
                            input.set_value("");
                            let _ = input.focus();
                        }
                    }
                }
            });
        })
    };

    let field_error = |field: &str| error.as_ref().and_then(|e| e.field(field));
    let email_error = field_error("email");
    let password_error = field_error("password");
    let general = error.as_ref().map(|e| e.message()).or_else(|| props.message.clone());
    let describe = |id: &str, own: &Option<String>| {
        let mut ids = vec!["nw-login-status".to_owned()];
        if own.is_some() {
            ids.push(id.to_owned());
        }
        ids.join(" ")
    };
    html! {
        <section class="nw-login" aria-labelledby="nw-login-title">
            <h1 id="nw-login-title">{ "Sign in to the moderators' console" }</h1>
            <form id="nw-login" class="nw-form" onsubmit={onsubmit} novalidate=true>
                <div class="nw-field">
                    <label for="nw-login-email">{ "Email" }</label>
                    <input ref={email} id="nw-login-email" name="email" type="email" autocomplete="username"
                        required=true aria-invalid={email_error.is_some().then_some("true")}
                        aria-describedby={describe("nw-login-email-error", &email_error)} />
                    if let Some(message) = email_error.clone() {
                        <p id="nw-login-email-error" class="nw-field-error">{ message }</p>
                    }
                </div>
                <div class="nw-field">
                    <label for="nw-login-password">{ "Password" }</label>
                    <input ref={password} id="nw-login-password" name="password" type="password"
                        autocomplete="current-password" required=true
                        aria-invalid={password_error.is_some().then_some("true")}
                        aria-describedby={describe("nw-login-password-error", &password_error)} />
                    if let Some(message) = password_error.clone() {
                        <p id="nw-login-password-error" class="nw-field-error">{ message }</p>
                    }
                </div>
                <p id="nw-login-status" class={classes!("nw-status", error.is_some().then_some("nw-error"))}
                    role="status">{ general.unwrap_or_default() }</p>
                <button type="submit" id="nw-login-submit" class="nw-primary" aria-disabled={busy.then_some("true")}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
        </section>
    }
}
