//! The comment form: WordPress's fields, checked by the shared rules, and nothing ever lost.
//!
//! The draft (every field, the reply target, the Idempotency-Key) is saved as the reader types
//! and restored after a reload; it is cleared only after a 2xx. Network errors, time-outs, 429
//! and 5xx keep the text, say what happened, and retry with backoff (429 after `Retry-After`):
//! each try is [`send::attempt`], the code the fault-injection test drives 200 comments through.

use news_widget_api::{CommentInput, FieldError, PostedComment, Slug};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::send::{self, Outcome, RetryPolicy};
use super::store::{self, Draft, Identity};
use crate::backend::{Backend, FetchError};
use crate::i18n::{fill, Catalogue, Lang};
use crate::seed::{Seed, Typed};
use std::rc::Rc;

#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub backend: Backend,
    pub slug: Slug,
    pub lang: Lang,
    /// The comment answered, with its author's name; `None` for a top-level comment.
    #[prop_or_default]
    pub parent: Option<(i64, String)>,
    pub on_posted: Callback<PostedComment>,
    /// Shown as a Cancel button (reply forms).
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
    /// The start of this form's element ids (`nw1-f-top`, `nw1-f-42`).
    #[prop_or(AttrValue::Static("nw-f"))]
    pub ids: AttrValue,
    /// The server's data (top-level form only): its form token and nonce, a refused form.
    #[prop_or_default]
    pub seed: Option<Rc<Seed>>,
    /// What the reader typed into the server's form before hydration (top-level form only).
    #[prop_or_default]
    pub typed: Option<Rc<Typed>>,
    /// Where the form posts without wasm (`method="post"`); the wasm sends JSON instead.
    #[prop_or_default]
    pub action: AttrValue,
    /// The hidden `return_to` of the no-wasm post (else the seed's).
    #[prop_or_default]
    pub return_to: Option<AttrValue>,
}

/// The draft of the first render, from props only: what was typed, else the refused form's
/// values, else empty; with the seed's form token and nonce. What this device stored (a draft,
/// the identity) comes after, in an effect.
fn initial_draft(props: &FormProps) -> Draft {
    let seed = props.seed.as_deref();
    let mut draft = Draft {
        key: seed.map(|s| s.nonce.clone()).unwrap_or_default(),
        form_token: seed.map(|s| s.form_token.clone()).unwrap_or_default(),
        ..Draft::default()
    };
    if let Some(refused) = seed.and_then(|s| s.refused.as_ref()) {
        let input = &refused.input;
        draft.body = input.body.clone();
        draft.name = input.author_name.clone();
        draft.email = input.author_email.clone();
        draft.website = input.author_url.clone().unwrap_or_default();
        if !input.form_token.is_empty() {
            draft.form_token = input.form_token.clone();
        }
    }
    if let Some(typed) = props.typed.as_deref().filter(|t| !t.is_empty()) {
        draft.body = typed.body.clone();
        draft.name = typed.name.clone();
        draft.email = typed.email.clone();
        draft.website = typed.website.clone();
    }
    draft
}

/// The fields in the order they are shown, with the API's name of each.
const FIELDS: [(&str, &str); 4] =
    [("body", "body"), ("name", "author_name"), ("email", "author_email"), ("website", "author_url")];

#[derive(Clone, PartialEq)]
enum Notice {
    Info(String),
    Error(String),
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// A new draft, filled from the remembered identity if there is one.
fn fresh_draft() -> Draft {
    let mut draft = Draft { key: store::new_key(), started_at: now(), ..Draft::default() };
    if let Some(me) = store::identity() {
        draft.name = me.name;
        draft.email = me.email;
        draft.website = me.website;
        draft.remember = true;
    }
    draft
}

/// A field error in the reader's language.
fn localize(text: &Catalogue, label: &str, field: &str, message: &str) -> String {
    if message == "is required" {
        fill(text.err_required, &[("field", label)])
    } else if let Some(rest) = message.strip_prefix("is longer than ") {
        let n = rest.split(' ').next().unwrap_or_default();
        fill(text.err_too_long, &[("field", label), ("n", n)])
    } else if message.contains("control") {
        fill(text.err_control, &[("field", label)])
    } else if field == "author_email" {
        text.err_email.to_owned()
    } else if field == "author_url" {
        text.err_url.to_owned()
    } else {
        format!("{label}: {message}")
    }
}

/// The errors of a refused comment in the reader's language, and the alert above them. Pure,
/// so the server shows the same words in the no-wasm answer.
pub fn localize_all(text: &Catalogue, found: &[FieldError]) -> (Vec<FieldError>, String) {
    let labels = [text.field_body, text.field_name, text.field_email, text.field_website];
    let localized: Vec<FieldError> = found
        .iter()
        .map(|e| {
            let label =
                FIELDS.iter().position(|(_, api)| *api == e.field).map(|i| labels[i]).unwrap_or(e.field.as_str());
            FieldError::new(e.field.clone(), localize(text, label, &e.field, &e.message))
        })
        .collect();
    let unknown: Vec<&FieldError> = found.iter().filter(|e| FIELDS.iter().all(|(_, api)| *api != e.field)).collect();
    let message = match unknown.as_slice() {
        [] => text.fix_errors.to_owned(),
        rest => rest
            .iter()
            .map(|e| if e.field.is_empty() { e.message.clone() } else { format!("{}: {}", e.field, e.message) })
            .collect::<Vec<_>>()
            .join(" "),
    };
    (localized, message)
}

#[function_component(CommentForm)]
pub fn comment_form(props: &FormProps) -> Html {
    let ids = props.ids.clone();
    let parent_id = props.parent.as_ref().map(|(id, _)| *id);
    let restored = use_state(|| false);
    let refused = props.seed.as_ref().and_then(|s| s.refused.clone()).filter(|_| parent_id.is_none());
    let draft = {
        let initial = initial_draft(props);
        use_state(move || initial)
    };
    let (first_errors, first_notice) = match &refused {
        Some(r) => {
            let (errors, message) = localize_all(props.lang.text, &r.errors);
            (errors, Some(Notice::Error(message)))
        }
        None => (Vec::new(), None),
    };
    let errors = use_state(move || first_errors);
    let busy = use_state(|| false);
    let in_flight = use_mut_ref(|| false);
    let notice = use_state(move || first_notice);
    {
        // After the first render: what this device keeps (a draft, the identity), and a key of
        // this reader's own; what was typed before hydration is saved as a draft.
        let (draft, restored, slug) = (draft.clone(), restored.clone(), props.slug.clone());
        let typed = props.typed.as_deref().is_some_and(|t| !t.is_empty()) || refused.is_some();
        let nonce = props.seed.as_ref().map(|s| s.nonce.clone()).unwrap_or_default();
        use_effect_with((), move |()| {
            let mut next = (*draft).clone();
            if !typed {
                match store::load_draft(&slug, parent_id) {
                    Some(d) if !d.is_blank() => {
                        let token = std::mem::take(&mut next.form_token);
                        next = d;
                        if next.form_token.is_empty() {
                            next.form_token = token;
                        }
                        restored.set(true);
                    }
                    _ => {
                        if let Some(me) = store::identity() {
                            next.name = me.name;
                            next.email = me.email;
                            next.website = me.website;
                            next.remember = true;
                        }
                    }
                }
            }
            // The seed's nonce is shared by every reader of a cached fragment: never a key.
            if next.key.is_empty() || next.key == nonce {
                next.key = store::new_key();
                next.started_at = now();
            }
            if typed && !next.is_blank() {
                store::save_draft(&slug, parent_id, &next);
            }
            draft.set(next);
        });
    }
    let failures = use_state(|| 0usize);
    let retry_tick = use_state(|| 0u32);
    let honeypot = use_node_ref();
    let form = use_node_ref();
    let text = props.lang.text;
    let id = |field: &str| format!("{ids}-{field}");

    let update = |apply: fn(&mut Draft, String)| {
        let (draft, slug) = (draft.clone(), props.slug.clone());
        Callback::from(move |e: InputEvent| {
            let value = e
                .target()
                .and_then(|t| {
                    t.dyn_ref::<HtmlInputElement>()
                        .map(|i| i.value())
                        .or_else(|| t.dyn_ref::<HtmlTextAreaElement>().map(|t| t.value()))
                })
                .unwrap_or_default();
            let mut next = (*draft).clone();
            apply(&mut next, value);
            store::save_draft(&slug, parent_id, &next);
            draft.set(next);
        })
    };
    let on_remember = {
        let (draft, slug) = (draft.clone(), props.slug.clone());
        Callback::from(move |e: Event| {
            let checked = e.target_dyn_into::<HtmlInputElement>().is_some_and(|i| i.checked());
            let mut next = (*draft).clone();
            next.remember = checked;
            if !checked {
                store::remember(None);
            }
            store::save_draft(&slug, parent_id, &next);
            draft.set(next);
        })
    };

    let submit = {
        let (draft, errors, busy, in_flight, notice, failures, retry_tick, honeypot) = (
            draft.clone(),
            errors.clone(),
            busy.clone(),
            in_flight.clone(),
            notice.clone(),
            failures.clone(),
            retry_tick.clone(),
            honeypot.clone(),
        );
        let form = form.clone();
        let (backend, slug, lang, on_posted, uid) =
            (props.backend.clone(), props.slug.clone(), props.lang.clone(), props.on_posted.clone(), ids.clone());
        Callback::from(move |()| {
            if *in_flight.borrow() {
                return; // already sending: this click sends nothing
            }
            let text = lang.text;
            let d = (*draft).clone();
            let input = CommentInput {
                parent_id,
                author_name: d.name.clone(),
                author_email: d.email.clone(),
                author_url: Some(d.website.clone()).filter(|w| !w.trim().is_empty()),
                body: d.body.clone(),
                website_confirm: honeypot.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default(),
                form_token: d.form_token.clone(),
            };
            if let Err(found) = input.parse() {
                show_errors(&errors, &notice, text, (&form, &uid), found);
                return;
            }
            errors.set(Vec::new());
            let online = web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true);
            if !online {
                notice.set(Some(Notice::Error(text.offline.to_owned())));
                let retry_tick = retry_tick.clone();
                // Send as soon as the connection is back.
                if let Some(window) = web_sys::window() {
                    once(&window, "online", move || retry_tick.set(*retry_tick + 1));
                }
                return;
            }
            *in_flight.borrow_mut() = true;
            busy.set(true);
            notice.set(Some(Notice::Info(text.sending_comment.to_owned())));
            let (draft, errors, busy, in_flight, notice, failures, retry_tick) = (
                draft.clone(),
                errors.clone(),
                busy.clone(),
                in_flight.clone(),
                notice.clone(),
                failures.clone(),
                retry_tick.clone(),
            );
            let (form, uid) = (form.clone(), uid.clone());
            let (backend, slug, lang, on_posted) = (backend.clone(), slug.clone(), lang.clone(), on_posted.clone());
            spawn_local(async move {
                let text = lang.text;
                let outcome = send::attempt(&backend, &slug, &input, &d.key, &RetryPolicy::FORM, *failures).await;
                *in_flight.borrow_mut() = false;
                busy.set(false);
                let (e, wait) = match outcome {
                    Outcome::Posted(posted) => {
                        store::clear_draft(&slug, parent_id);
                        if d.remember {
                            store::remember(Some(&Identity { name: d.name, email: d.email, website: d.website }));
                        }
                        store::keep_mine(&slug, &posted);
                        failures.set(0);
                        let said = if posted.status == news_widget_api::CommentStatus::Pending {
                            text.comment_pending
                        } else {
                            text.comment_published
                        };
                        notice.set(Some(Notice::Info(said.to_owned())));
                        draft.set(fresh_draft());
                        on_posted.emit(posted);
                        return;
                    }
                    Outcome::Stop(FetchError::Status { status: 422, problem: Some(problem), .. })
                        if !problem.errors.is_empty() =>
                    {
                        show_errors(&errors, &notice, text, (&form, &uid), problem.errors);
                        return;
                    }
                    Outcome::Stop(e) => (e, None),
                    Outcome::Retry { error, wait_ms } => (error, Some(wait_ms)),
                };
                web_sys::console::error_1(&format!("news-widget: comment not sent: {}", e.detail()).into());
                let n = *failures;
                let mut message = fill(text.comment_not_sent, &[("reason", &e.describe(text))]);
                if let Some(wait) = wait {
                    message.push(' ');
                    message.push_str(&fill(text.retry_in, &[("n", &wait.div_ceil(1_000).to_string())]));
                    let retry_tick = retry_tick.clone();
                    spawn_local(async move {
                        gloo_timers::future::TimeoutFuture::new(wait).await;
                        retry_tick.set(*retry_tick + 1);
                    });
                }
                failures.set(n + 1);
                notice.set(Some(Notice::Error(message)));
            });
        })
    };

    {
        // The server's form token, once per draft: it dates the draft for the time trap.
        let (draft, backend, slug) = (draft.clone(), props.backend.clone(), props.slug.clone());
        use_effect_with(draft.key.clone(), move |key| {
            let key = key.clone();
            // No key before the first effect: the token waits for the draft this device keeps.
            if draft.form_token.is_empty() && !key.is_empty() {
                spawn_local(async move {
                    match backend.form_token(&slug).await {
                        Ok(token) => {
                            // The draft may have changed while the token came: typed (the store
                            // has the newest text), or sent and cleared (then it is left alone).
                            let stored = store::load_draft(&slug, parent_id).filter(|d| d.key == key);
                            let next = match stored {
                                Some(latest) => Some(latest),
                                None if draft.is_blank() => Some((*draft).clone()),
                                None => None,
                            };
                            if let Some(mut next) = next {
                                next.form_token = token;
                                if !next.is_blank() {
                                    store::save_draft(&slug, parent_id, &next);
                                }
                                draft.set(next);
                            }
                        }
                        // Sent without one, the comment is held for a moderator, never lost.
                        Err(e) => web_sys::console::warn_1(
                            &format!("news-widget: no form token ({}); a comment will await moderation", e.detail())
                                .into(),
                        ),
                    }
                });
            }
        });
    }

    {
        let submit = submit.clone();
        use_effect_with(*retry_tick, move |tick| {
            if *tick > 0 {
                submit.emit(());
            }
        });
    }

    let onsubmit = {
        let (submit, failures) = (submit.clone(), failures.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            failures.set(0);
            submit.emit(());
        })
    };

    let error_of = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message.clone());
    // A refused form from the server focuses its first invalid field when the page loads.
    let autofocus_field =
        refused.as_ref().and_then(|r| FIELDS.iter().find(|(_, api)| r.errors.iter().any(|e| e.field == *api)));
    let autofocus_name = autofocus_field.map(|(name, _)| *name);
    let labels = [text.field_body, text.field_name, text.field_email, text.field_website];
    let field = |index: usize,
                 kind: &str,
                 autocomplete: &str,
                 value: &str,
                 required: bool,
                 oninput: Callback<InputEvent>| {
        let (name, api) = FIELDS[index];
        let error = error_of(api);
        let error_id = id(&format!("{name}-error"));
        let mut described = Vec::new();
        if error.is_some() {
            described.push(error_id.clone());
        }
        if name == "email" {
            described.push(id("email-note"));
        }
        let describedby = (!described.is_empty()).then(|| described.join(" "));
        let invalid = error.is_some().then_some("true");
        let autofocus = autofocus_name == Some(name);
        let control = if kind == "textarea" {
            html! { <textarea id={id(name)} name={name.to_owned()} rows="6" required={required} aria-invalid={invalid}
            aria-describedby={describedby} value={value.to_owned()} {oninput} {autofocus} /> }
        } else {
            html! { <input id={id(name)} name={name.to_owned()} type={kind.to_owned()} autocomplete={autocomplete.to_owned()}
            required={required} aria-invalid={invalid} aria-describedby={describedby} value={value.to_owned()} {oninput}
            spellcheck={(kind != "text").then_some("false")} {autofocus} /> }
        };
        html! {
            <div class={classes!("nw-field", error.is_some().then_some("nw-field-invalid"))}>
                <label for={id(name)}>{ labels[index] }
                    if required { <span class="nw-required" aria-hidden="true">{ " *" }</span> }
                </label>
                { control }
                if let Some(message) = error {
                    <p class="nw-field-error" id={error_id}>{ message }</p>
                }
            </div>
        }
    };

    let title = match &props.parent {
        Some((_, name)) => fill(text.reply_to, &[("name", name)]),
        None => text.leave_comment.to_owned(),
    };
    let title_id = id("title");
    let return_to = props
        .return_to
        .clone()
        .or_else(|| props.seed.as_ref().and_then(|s| s.return_to.clone()).map(AttrValue::from))
        .unwrap_or_default();
    html! {
        // A real form: without the wasm it posts to the server's form route; the wasm's
        // `onsubmit` prevents that and sends JSON.
        <form class="nw-comment-form" ref={form} method="post" action={props.action.clone()} novalidate=true {onsubmit}
            aria-labelledby={title_id.clone()}>
            <h3 class="nw-form-title" id={title_id}>{ title }</h3>
            <input type="hidden" name="form_token" value={draft.form_token.clone()} />
            <input type="hidden" name="idempotency_key" value={draft.key.clone()} />
            <input type="hidden" name="return_to" value={return_to} />
            if let Some(parent) = parent_id {
                <input type="hidden" name="parent_id" value={parent.to_string()} />
            }
            <input type="hidden" name="lang" value={props.lang.tag.to_string()} />
            <p class="nw-form-note"><span id={id("email-note")}>{ text.email_note }</span>{ " " }{ text.required_note }</p>
            if *restored && !draft.is_blank() {
                <p class="nw-draft-note">{ text.draft_restored }</p>
            }
            { field(0, "textarea", "off", &draft.body, true, update(|d, v| d.body = v)) }
            <div class="nw-field-row">
                { field(1, "text", "name", &draft.name, true, update(|d, v| d.name = v)) }
                { field(2, "email", "email", &draft.email, true, update(|d, v| d.email = v)) }
            </div>
            { field(3, "url", "url", &draft.website, false, update(|d, v| d.website = v)) }
            // Remembering needs the wasm (localStorage): hidden, its place kept, until it runs.
            <div class="nw-check nw-needs-wasm">
                <input type="checkbox" id={id("remember")} checked={draft.remember} onchange={on_remember} />
                <label for={id("remember")}>{ text.remember_me }</label>
            </div>
            <div class="nw-hp" aria-hidden="true">
                <label>{ text.honeypot_label }
                    <input ref={honeypot} type="text" name="website_confirm" tabindex="-1" autocomplete="off" />
                </label>
            </div>
            <div class="nw-form-actions">
                <button type="submit" class="nw-button nw-button-primary" aria-disabled={busy.then_some("true")}>
                    { if *busy { text.sending_comment } else { text.submit_comment } }
                </button>
                if *failures > 0 && !*busy {
                    <button type="button" class="nw-button" onclick={
                        let submit = submit.clone();
                        Callback::from(move |_| submit.emit(()))
                    }>{ text.retry_now }</button>
                }
                if let Some(cancel) = &props.on_cancel {
                    <button type="button" class="nw-button nw-button-quiet" onclick={cancel.reform(|_| ())}>{ text.cancel }</button>
                }
            </div>
            <div class="nw-form-status" role="status" aria-live="polite">
                if let Some(Notice::Info(message)) = &*notice { <p>{ message }</p> }
            </div>
            <div class="nw-form-alert" role="alert">
                if let Some(Notice::Error(message)) = &*notice { <p class="nw-error">{ message }</p> }
            </div>
        </form>
    }
}

/// Shows each field's error next to it and focuses the first invalid field.
fn show_errors(
    errors: &UseStateHandle<Vec<FieldError>>,
    notice: &UseStateHandle<Option<Notice>>,
    text: &'static Catalogue,
    (form, ids): (&NodeRef, &str),
    found: Vec<FieldError>,
) {
    let (localized, message) = localize_all(text, &found);
    let first = FIELDS.iter().find(|(_, api)| found.iter().any(|e| e.field == *api));
    errors.set(localized);
    notice.set(Some(Notice::Error(message)));
    if let Some((name, _)) = first {
        // Inside the form, not through `document`: the widget may live in a shadow root.
        if let Some(el) = form
            .cast::<web_sys::Element>()
            .and_then(|f| f.query_selector(&format!("#{ids}-{name}")).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
}

/// Calls `f` once, the next time `target` fires `event`.
fn once(target: &web_sys::EventTarget, event: &str, f: impl FnOnce() + 'static) {
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
        event,
        callback.unchecked_ref(),
        &options,
    );
}
