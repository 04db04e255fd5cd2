//! The articles: a table with each one's counts, whether comments are closed and its
//! moderation. Admins close and reopen threads and choose the moderation; moderators read.

use news_widget_api::admin::{ArticleSummary, ModerationInput, ModerationMode};
use yew::prelude::*;

use crate::api;
use crate::text;
use crate::views::{status, ViewProps};

fn mode_name(mode: ModerationMode) -> &'static str {
    match mode {
        ModerationMode::Pre => "pre",
        ModerationMode::Post => "post",
    }
}

#[function_component(Articles)]
pub fn articles(props: &ViewProps) -> Html {
    let rows = use_state(|| None::<Vec<ArticleSummary>>);
    let message = use_state(|| None::<(String, bool)>);
    let version = use_state(|| 0u32);

    {
        let (rows, message, props) = (rows.clone(), message.clone(), props.clone());
        use_effect_with(*version, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::articles().await {
                    Ok(list) => rows.set(Some(list)),
                    Err(e) => message.set(Some((props.error(&e), true))),
                }
            });
        });
    }

    let admin = api::is_admin(&props.session);
    let toggle = |row: &ArticleSummary| {
        let (slug, closed, title) = (row.slug.clone(), row.closed, row.title.clone());
        let (message, version, props) = (message.clone(), version.clone(), props.clone());
        Callback::from(move |_: MouseEvent| {
            let (slug, title, message, version, props) =
                (slug.clone(), title.clone(), message.clone(), version.clone(), props.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::set_closed(&props.session, &slug, !closed).await {
                    Ok(()) => {
                        let done = format!("Comments {} on “{title}”", if closed { "reopened" } else { "closed" });
                        message.set(Some((done, false)));
                        version.set(*version + 1);
                    }
                    Err(e) => message.set(Some((props.error(&e), true))),
                }
            });
        })
    };
    let moderation = |row: &ArticleSummary| {
        let (slug, title) = (row.slug.clone(), row.title.clone());
        let (message, version, props) = (message.clone(), version.clone(), props.clone());
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            let moderation = match select.value().as_str() {
                "pre" => Some(ModerationMode::Pre),
                "post" => Some(ModerationMode::Post),
                _ => None,
            };
            let (slug, title, message, version, props) =
                (slug.clone(), title.clone(), message.clone(), version.clone(), props.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::set_moderation(&props.session, &slug, &ModerationInput { moderation }).await {
                    Ok(row) => {
                        let done = format!("“{title}” is now {}-moderated", mode_name(row.moderation));
                        message.set(Some((done, false)));
                        version.set(*version + 1);
                    }
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
        <section aria-labelledby="nw-articles-title">
            <h1 id="nw-articles-title">{ "Articles" }</h1>
            { status("nw-articles-status", &text, is_error) }
            if !admin {
                <p class="nw-hint">{ "Only admins close threads and change their moderation." }</p>
            }
            { match &*rows {
                None => html! { <p>{ "Loading…" }</p> },
                Some(list) if list.is_empty() => html! { <p>{ "No articles yet." }</p> },
                Some(list) => html! {
                    <div class="nw-table-wrap">
                    <table class="nw-table" id="nw-articles">
                        <caption class="nw-visually-hidden">{ "Articles with their comment counts" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Article" }</th>
                            <th scope="col">{ "Published" }</th>
                            <th scope="col" class="nw-num">{ "Pending" }</th>
                            <th scope="col" class="nw-num">{ "Reported" }</th>
                            <th scope="col" class="nw-num">{ "Approved" }</th>
                            <th scope="col" class="nw-num">{ "Rejected" }</th>
                            <th scope="col">{ "Comments" }</th>
                            <th scope="col">{ "Moderation" }</th>
                        </tr></thead>
                        <tbody>
                        { for list.iter().map(|row| {
                            let select_id = format!("nw-moderation-{}", row.slug);
                            let chosen = row.moderation_override.map(mode_name).unwrap_or("default");
                            html! {
                            <tr class="nw-article-row" data-slug={row.slug.clone()}>
                                <th scope="row">{ &row.title }<br/><span class="nw-meta">{ &row.slug }</span></th>
                                <td>{ row.published_at.as_ref().map(|t| text::time(t.as_str())).unwrap_or_else(|| "—".into()) }</td>
                                <td class="nw-num">{ row.counts.pending }</td>
                                <td class="nw-num">{ row.counts.reported }</td>
                                <td class="nw-num">{ row.counts.approved }</td>
                                <td class="nw-num">{ row.counts.rejected }</td>
                                <td>
                                    { if row.closed { "Closed " } else { "Open " } }
                                    if admin {
                                        <button type="button" data-action={if row.closed { "reopen" } else { "close" }}
                                            aria-label={format!("{} comments on {}", if row.closed { "Reopen" } else { "Close" }, row.title)}
                                            onclick={toggle(row)}>{ if row.closed { "Reopen" } else { "Close" } }</button>
                                    }
                                </td>
                                <td>
                                    if admin {
                                        <label for={select_id.clone()} class="nw-visually-hidden">
                                            { format!("Moderation of {}", row.title) }
                                        </label>
                                        <select id={select_id} class="nw-moderation" onchange={moderation(row)}>
                                            <option value="default" selected={chosen == "default"}>
                                                { format!("Default ({})", mode_name(row.moderation)) }
                                            </option>
                                            <option value="pre" selected={chosen == "pre"}>{ "Pre-moderation" }</option>
                                            <option value="post" selected={chosen == "post"}>{ "Post-moderation" }</option>
                                        </select>
                                    } else {
                                        { format!("{}{}", mode_name(row.moderation),
                                            if row.moderation_override.is_some() { "" } else { " (default)" }) }
                                    }
                                </td>
                            </tr>
                        }}) }
                        </tbody>
                    </table>
                    </div>
                },
            } }
        </section>
    }
}
