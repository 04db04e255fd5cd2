//! My settings: how often I hear of the queues by email.

use news_widget_api::admin::{AlertMode, AlertPrefs};
use yew::prelude::*;

use crate::api;
use crate::views::{status, ViewProps};

const MODES: [(AlertMode, &str, &str); 3] = [
    (AlertMode::Each, "each", "An email for every pending or reported comment"),
    (AlertMode::Hourly, "hourly", "One email an hour, when something came in"),
    (AlertMode::None, "none", "No email"),
];

#[function_component(Settings)]
pub fn settings(props: &ViewProps) -> Html {
    let mode = use_state(|| None::<AlertMode>);
    let message = use_state(|| None::<(String, bool)>);
    {
        let (mode, message, props) = (mode.clone(), message.clone(), props.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::alerts().await {
                    Ok(prefs) => mode.set(Some(prefs.mode)),
                    Err(e) => {
                        mode.set(Some(AlertMode::default()));
                        message.set(Some((props.error(&e), true)));
                    }
                }
            });
        });
    }
    let onsubmit = {
        let (mode, message, props) = (mode.clone(), message.clone(), props.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(chosen) = *mode else { return };
            let (message, props) = (message.clone(), props.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::save_alerts(&props.session, &AlertPrefs { mode: chosen }).await {
                    Ok(()) => message.set(Some(("Alerts saved.".into(), false))),
                    Err(e) => message.set(Some((props.error(&e), true))),
                }
            });
        })
    };
    let (text, is_error) = match &*message {
        Some((m, e)) => (Some(m.clone()), *e),
        None => (None, false),
    };
    html! {
        <section aria-labelledby="nw-settings-title">
            <h1 id="nw-settings-title">{ "Settings" }</h1>
            <form class="nw-form" id="nw-alerts-form" {onsubmit}>
                <fieldset>
                    <legend>{ "My alerts" }</legend>
                    { for MODES.iter().map(|(m, value, label)| {
                        let (m, chosen) = (*m, mode.clone());
                        let id = format!("nw-alerts-{value}");
                        html! {
                            <div class="nw-choice">
                                <input type="radio" name="alerts" id={id.clone()} value={*value}
                                    checked={*mode == Some(m)} disabled={mode.is_none()}
                                    onchange={move |_| chosen.set(Some(m))} />
                                <label for={id}>{ *label }</label>
                            </div>
                        }
                    }) }
                </fieldset>
                { status("nw-settings-status", &text, is_error) }
                <button type="submit" id="nw-alerts-save" class="nw-primary">{ "Save" }</button>
            </form>
        </section>
    }
}
