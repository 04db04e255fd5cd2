//! The reader drawer: a modal dialog about one person (their keyed hash), opened from an
//! author's button. Their names, counts, ban or suspension, notes, comments and history; suspend,
//! ban, unban, reject everything they wrote (after a confirmation), and for admins their email
//! (an explicit, audited click).

use news_widget_api::admin::{Person, PersonBanInput};
use yew::prelude::*;

use crate::api::{self, ApiError, Session};
use crate::text;
use crate::views::queue::history_list;
use crate::views::{status, value_of, Modal};

#[derive(Clone, PartialEq, Properties)]
pub struct DrawerProps {
    pub session: Session,
    pub person: String,
    pub expired: Callback<()>,
    pub on_close: Callback<()>,
    /// Something the queue shows changed (a reject-all, a ban).
    pub on_changed: Callback<()>,
}

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(Box<Person>),
    Failed(String),
}

#[function_component(Drawer)]
pub fn drawer(props: &DrawerProps) -> Html {
    let load = use_state(|| Load::Loading);
    let message = use_state(|| None::<(String, bool)>);
    let confirming = use_state(|| false);
    let email = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let note = use_node_ref();
    let reason = use_node_ref();
    // Bumped to load the person again after a change.
    let version = use_state(|| 0u32);

    let error = {
        let expired = props.expired.clone();
        move |e: &ApiError| {
            if e.status == 401 {
                expired.emit(());
            }
            e.message()
        }
    };

    {
        let (load, person, error) = (load.clone(), props.person.clone(), error.clone());
        use_effect_with((props.person.clone(), *version), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                load.set(match api::person(&person).await {
                    Ok(p) => Load::Loaded(Box::new(p)),
                    Err(e) => Load::Failed(error(&e)),
                });
            });
        });
    }

    // Runs `job`, then says `done` (or the error) in the drawer's status line (a live region).
    let run = {
        let (message, busy, version, error) = (message.clone(), busy.clone(), version.clone(), error.clone());
        move |job: std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, ApiError>>>>| {
            if *busy {
                return;
            }
            busy.set(true);
            let (message, busy, version, error) = (message.clone(), busy.clone(), version.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = job.await;
                busy.set(false);
                match outcome {
                    Ok(done) => {
                        message.set(Some((done, false)));
                        version.set(*version + 1);
                    }
                    Err(e) => message.set(Some((error(&e), true))),
                }
            });
        }
    };

    let reason_text = {
        let reason = reason.clone();
        move || Some(value_of(&reason).trim().to_owned()).filter(|r| !r.is_empty())
    };

    let ban_button = |label: &'static str, action: &'static str, days: Option<u32>| {
        let (run, session, person, reason_text, changed) =
            (run.clone(), props.session.clone(), props.person.clone(), reason_text.clone(), props.on_changed.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let until = days.map(|d| text::until(js_sys::Date::now(), d));
            let input = PersonBanInput { until, reason: reason_text() };
            let (session, person, changed) = (session.clone(), person.clone(), changed.clone());
            run(Box::pin(async move {
                let state = api::ban(&session, &person, &input).await?;
                changed.emit(());
                Ok(match state.until {
                    Some(until) => format!("Suspended until {}", text::time(until.as_str())),
                    None => "Banned".to_owned(),
                })
            }));
        });
        html! { <button type="button" data-action={action} disabled={*busy} {onclick}>{ label }</button> }
    };

    let unban = {
        let (run, session, person) = (run.clone(), props.session.clone(), props.person.clone());
        Callback::from(move |_: MouseEvent| {
            let (session, person) = (session.clone(), person.clone());
            run(Box::pin(async move {
                api::unban(&session, &person).await?;
                Ok("Unbanned".to_owned())
            }));
        })
    };

    let add_note = {
        let (run, session, person, note) = (run.clone(), props.session.clone(), props.person.clone(), note.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = value_of(&note).trim().to_owned();
            if text.is_empty() {
                return;
            }
            if let Some(area) = note.cast::<web_sys::HtmlTextAreaElement>() {
                area.set_value("");
            }
            let (session, person) = (session.clone(), person.clone());
            run(Box::pin(async move {
                api::add_note(&session, &person, text).await?;
                Ok("Note added".to_owned())
            }));
        })
    };

    let reject_all = {
        let (run, session, person, reason_text, confirming, changed) = (
            run.clone(),
            props.session.clone(),
            props.person.clone(),
            reason_text.clone(),
            confirming.clone(),
            props.on_changed.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            confirming.set(false);
            let (session, person, reason, changed) = (session.clone(), person.clone(), reason_text(), changed.clone());
            run(Box::pin(async move {
                let result = api::reject_all(&session, &person, reason).await?;
                changed.emit(());
                Ok(format!("{} rejected", text::count(result.done.len(), "comment", "comments")))
            }));
        })
    };

    let show_email = {
        let (session, person, email, message, error) =
            (props.session.clone(), props.person.clone(), email.clone(), message.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let (session, person, email, message, error) =
                (session.clone(), person.clone(), email.clone(), message.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::reveal_email(&session, &person).await {
                    Ok(address) => email.set(Some(address)),
                    Err(e) => message.set(Some((error(&e), true))),
                }
            });
        })
    };

    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };

    let body = match &*load {
        Load::Loading => html! { <p>{ "Loading…" }</p> },
        Load::Failed(m) => html! { <p class="nw-error">{ m }</p> },
        Load::Loaded(p) => {
            let c = &p.counts;
            let total = c.pending + c.reported + c.approved + c.rejected;
            html! {
                <>
                <section aria-labelledby="nw-drawer-names">
                    <h3 id="nw-drawer-names">{ "Names" }</h3>
                    <p class="nw-names">{ p.names.join(", ") }</p>
                    <p class="nw-counts">{ format!(
                        "{}: {} pending, {} reported, {} approved, {} rejected",
                        text::count(total as usize, "comment", "comments"), c.pending, c.reported, c.approved, c.rejected
                    ) }</p>
                    <p class="nw-ban-state" id="nw-ban-state">{ match &p.ban {
                        None => "Not banned or suspended.".to_owned(),
                        Some(b) => {
                            let what = match &b.until {
                                Some(until) => format!("Suspended until {}", text::time(until.as_str())),
                                None => "Banned".to_owned(),
                            };
                            format!("{what}{}.", b.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())
                        }
                    } }</p>
                    if api::is_admin(&props.session) {
                        <p>
                            if let Some(address) = &*email {
                                <span id="nw-person-email">{ format!("Email: {address}") }</span>
                            } else {
                                <button type="button" data-action="show-email" onclick={show_email}>{ "Show email" }</button>
                                <span class="nw-hint">{ " (recorded in the audit)" }</span>
                            }
                        </p>
                    }
                </section>
                <section aria-labelledby="nw-drawer-ban">
                    <h3 id="nw-drawer-ban">{ "Suspend or ban" }</h3>
                    <div class="nw-field">
                        <label for="nw-ban-reason">{ "Reason (optional)" }</label>
                        <input ref={reason.clone()} id="nw-ban-reason" type="text"
                            maxlength={news_widget_api::admin::REASON_MAX.to_string()} />
                    </div>
                    <div class="nw-actions">
                        { ban_button("Suspend 1 day", "suspend-1", Some(1)) }
                        { ban_button("Suspend 7 days", "suspend-7", Some(7)) }
                        { ban_button("Suspend 30 days", "suspend-30", Some(30)) }
                        { ban_button("Ban", "ban", None) }
                        if p.ban.is_some() {
                            <button type="button" data-action="unban" disabled={*busy} onclick={unban}>{ "Unban" }</button>
                        }
                    </div>
                    <div class="nw-actions">
                    if *confirming {
                        <p id="nw-reject-all-question">{ format!("Reject all {}?", text::count(total as usize, "comment", "comments")) }</p>
                        <button type="button" class="nw-danger" data-action="confirm-reject-all" disabled={*busy}
                            aria-describedby="nw-reject-all-question" onclick={reject_all}>{ "Yes, reject everything" }</button>
                        <button type="button" data-action="cancel-reject-all"
                            onclick={let c = confirming.clone(); move |_| c.set(false)}>{ "Cancel" }</button>
                    } else {
                        <button type="button" class="nw-danger" data-action="reject-all"
                            onclick={let c = confirming.clone(); move |_| c.set(true)}>{ "Reject everything from this person…" }</button>
                    }
                    </div>
                </section>
                <section aria-labelledby="nw-drawer-notes">
                    <h3 id="nw-drawer-notes">{ "Notes" }</h3>
                    if p.notes.is_empty() {
                        <p>{ "No notes." }</p>
                    } else {
                        <ul class="nw-notes">
                        { for p.notes.iter().map(|n| html! {
                            <li><p class="nw-body">{ &n.text }</p>
                                <p class="nw-meta">{ format!("{}, {}", n.author, text::time(n.at.as_str())) }</p></li>
                        }) }
                        </ul>
                    }
                    <form class="nw-form" id="nw-note-form" onsubmit={add_note}>
                        <div class="nw-field">
                            <label for="nw-note-text">{ "New note" }</label>
                            <textarea ref={note.clone()} id="nw-note-text" rows="3"
                                maxlength={news_widget_api::admin::NOTE_MAX.to_string()} />
                        </div>
                        <button type="submit" data-action="add-note" disabled={*busy}>{ "Add note" }</button>
                    </form>
                </section>
                <section aria-labelledby="nw-drawer-comments">
                    <h3 id="nw-drawer-comments">{ "Comments" }</h3>
                    <ul class="nw-person-comments">
                    { for p.comments.iter().take(50).map(|c| html! {
                        <li><p class="nw-meta">{ format!("{} · {} · {}", c.article_title, text::time(c.created_at.as_str()), c.status.as_str()) }</p>
                            <p class="nw-body">{ &c.body }</p></li>
                    }) }
                    </ul>
                </section>
                <section aria-labelledby="nw-drawer-history">
                    <h3 id="nw-drawer-history">{ "History" }</h3>
                    { history_list(&p.history) }
                </section>
                </>
            }
        }
    };
    let title = match &*load {
        Load::Loaded(p) => format!("Reader: {}", p.names.first().cloned().unwrap_or_else(|| "unnamed".into())),
        _ => "Reader".to_owned(),
    };
    let (text, is_error) = match &*message {
        Some((m, e)) => (Some(m.clone()), *e),
        None => (None, false),
    };
    html! {
        <Modal id="nw-drawer" class="nw-drawer" labelled_by="nw-drawer-title" on_close={props.on_close.clone()}>
            <div class="nw-drawer-head">
                <h2 id="nw-drawer-title">{ title }</h2>
                <button type="button" data-action="close-drawer" onclick={close}>{ "Close" }</button>
            </div>
            { status("nw-drawer-status", &text, is_error) }
            { body }
        </Modal>
    }
}
