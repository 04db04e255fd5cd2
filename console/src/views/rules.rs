//! The moderation rules (admins): the link limit, when a commenter is trusted, when threads
//! close, hold words and block words (one a line). The server's refusals show by their field.

use yew::prelude::*;

use crate::api::{self, ApiError, Rules};
use crate::text;
use crate::views::{status, value_of, ViewProps};

struct Field {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
}

const NUMBERS: [Field; 3] = [
    Field {
        name: "link_limit",
        label: "Link limit",
        hint: "A comment with this many links or more is held; 0: no limit.",
    },
    Field {
        name: "trusted_after",
        label: "Trusted after",
        hint: "A person's comments are held until this many of theirs were approved; 0: trust everyone.",
    },
    Field {
        name: "close_after_days",
        label: "Close after (days)",
        hint: "Comments close this many days after the article is published; empty: never.",
    },
];

const WORDS: [Field; 2] = [
    Field {
        name: "hold_words",
        label: "Hold words",
        hint: "One word or phrase a line: a comment holding one waits for a moderator.",
    },
    Field {
        name: "block_words",
        label: "Block words",
        hint: "One word or phrase a line: a comment holding one is rejected.",
    },
];

fn field_id(name: &str) -> String {
    format!("nw-rules-{}", name.replace('_', "-"))
}

/// A number field's value: empty is `None`; anything but a whole number is the field's error.
fn number(raw: &str, field: &str, errors: &mut Vec<news_widget_api::FieldError>) -> Option<u32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(news_widget_api::FieldError::new(field, "must be a whole number"));
            None
        }
    }
}

#[function_component(RulesView)]
pub fn rules_view(props: &ViewProps) -> Html {
    let rules = use_state(|| None::<Rules>);
    let error = use_state(|| None::<ApiError>);
    let saved = use_state(|| None::<String>);
    let refs = use_memo((), |_| {
        [NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default(), NodeRef::default()]
    });

    {
        let (rules, error, props) = (rules.clone(), error.clone(), props.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::rules().await {
                    Ok(r) => rules.set(Some(r)),
                    Err(e) => {
                        props.error(&e);
                        error.set(Some(e));
                    }
                }
            });
        });
    }

    let onsubmit = {
        let (rules, error, saved, props, refs) =
            (rules.clone(), error.clone(), saved.clone(), props.clone(), refs.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut errors = Vec::new();
            let link_limit = number(&value_of(&refs[0]), "link_limit", &mut errors).unwrap_or(0);
            let trusted_after = number(&value_of(&refs[1]), "trusted_after", &mut errors).unwrap_or(0);
            let close_after_days = number(&value_of(&refs[2]), "close_after_days", &mut errors);
            if !errors.is_empty() {
                let detail = format!("{} to mend", text::count(errors.len(), "field", "fields"));
                error.set(Some(ApiError { status: 422, detail, errors, retry_after: None }));
                saved.set(None);
                return;
            }
            let input = Rules {
                link_limit,
                trusted_after,
                close_after_days,
                hold_words: text::lines(&value_of(&refs[3])),
                block_words: text::lines(&value_of(&refs[4])),
            };
            let (rules, error, saved, props) = (rules.clone(), error.clone(), saved.clone(), props.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::save_rules(&props.session, &input).await {
                    Ok(r) => {
                        rules.set(Some(r));
                        error.set(None);
                        saved.set(Some("Rules saved.".into()));
                    }
                    Err(e) => {
                        props.error(&e);
                        saved.set(None);
                        error.set(Some(e));
                    }
                }
            });
        })
    };

    let Some(current) = (*rules).clone() else {
        let message = error.as_ref().map(ApiError::message).or_else(|| Some("Loading…".into()));
        return html! {
            <section aria-labelledby="nw-rules-title">
                <h1 id="nw-rules-title">{ "Rules" }</h1>
                { status("nw-rules-status", &message, error.is_some()) }
            </section>
        };
    };
    let field_error = |name: &str| error.as_ref().and_then(|e| e.field(name));
    let number_value = |name: &str| match name {
        "link_limit" => current.link_limit.to_string(),
        "trusted_after" => current.trusted_after.to_string(),
        _ => current.close_after_days.map(|d| d.to_string()).unwrap_or_default(),
    };
    let message = error.as_ref().map(ApiError::message).or_else(|| (*saved).clone());
    html! {
        <section aria-labelledby="nw-rules-title">
            <h1 id="nw-rules-title">{ "Rules" }</h1>
            <form class="nw-form" id="nw-rules-form" {onsubmit} novalidate=true>
                { for NUMBERS.iter().enumerate().map(|(i, f)| {
                    let id = field_id(f.name);
                    let err = field_error(f.name);
                    let described = if err.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") };
                    html! {
                        <div class="nw-field">
                            <label for={id.clone()}>{ f.label }</label>
                            <input ref={refs[i].clone()} id={id.clone()} name={f.name} type="text" inputmode="numeric"
                                value={number_value(f.name)} aria-invalid={err.is_some().then_some("true")}
                                aria-describedby={described} />
                            <p id={format!("{id}-hint")} class="nw-hint">{ f.hint }</p>
                            if let Some(m) = err {
                                <p id={format!("{id}-error")} class="nw-field-error">{ m }</p>
                            }
                        </div>
                    }
                }) }
                { for WORDS.iter().enumerate().map(|(i, f)| {
                    let id = field_id(f.name);
                    let err = field_error(f.name);
                    let described = if err.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") };
                    let words = if f.name == "hold_words" { &current.hold_words } else { &current.block_words };
                    html! {
                        <div class="nw-field">
                            <label for={id.clone()}>{ f.label }</label>
                            <textarea ref={refs[3 + i].clone()} id={id.clone()} name={f.name} rows="6"
                                value={words.join("\n")} aria-invalid={err.is_some().then_some("true")}
                                aria-describedby={described} />
                            <p id={format!("{id}-hint")} class="nw-hint">{ f.hint }</p>
                            if let Some(m) = err {
                                <p id={format!("{id}-error")} class="nw-field-error">{ m }</p>
                            }
                        </div>
                    }
                }) }
                { status("nw-rules-status", &message, error.is_some()) }
                <button type="submit" id="nw-rules-save" class="nw-primary">{ "Save the rules" }</button>
            </form>
        </section>
    }
}
