//! The rating part: the editor's score, the readers' average, and the reader's own vote.
//!
//! Voting follows the WAI-ARIA APG "Rating Radio Group": native radios in a fieldset; arrow keys
//! move the choice without sending it, Enter or the Rate button sends it. The figures change at
//! once (optimistic) and come back if the server refuses.

use std::cell::Cell;
use std::rc::Rc;

use news_widget_api::events::ArticleEvent;
use news_widget_api::{RatingSummary, Slug, Stars};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::backend::{Backend, FetchError, Refusal};
use crate::i18n::{fill, Lang};
use crate::live::{use_live, Live};
use crate::seed::{Seed, Typed};

#[derive(Properties, PartialEq)]
pub struct RatingProps {
    pub backend: Backend,
    pub slug: Slug,
    pub lang: Lang,
    /// The editor's score, 0–100, once the article has arrived.
    #[prop_or_default]
    pub editor_score: Option<u8>,
    /// Bumped each time the article loads: a rating that failed to load tries again then.
    #[prop_or_default]
    pub article_loads: u32,
    /// The start of this widget's element ids.
    #[prop_or(AttrValue::Static("nw"))]
    pub ids: AttrValue,
    /// The server's figures (without the reader's own vote, which the first fetch brings).
    #[prop_or_default]
    pub seed: Option<Rc<Seed>>,
    /// The star checked before hydration.
    #[prop_or_default]
    pub typed: Option<Rc<Typed>>,
    /// The widget's live updates: other readers' votes change the figures in place.
    #[prop_or_default]
    pub live: Option<Live>,
}

/// One star's outline, in a 24×24 box.
const STAR: &str = "M12 1.8l3.1 6.5 7.1.9-5.2 4.9 1.3 7-6.3-3.4-6.3 3.4 1.3-7L1.8 9.2l7.1-.9z";

/// A message tied to a failed vote, and the vote to send again.
#[derive(Clone, PartialEq)]
struct VoteError {
    message: String,
    detail: String,
    stars: Stars,
}

#[function_component(RatingView)]
pub fn rating_view(props: &RatingProps) -> Html {
    let ids = props.ids.clone();
    let summary = {
        let seeded = props.seed.as_ref().and_then(|s| s.rating.clone());
        use_state(move || {
            seeded.map(|mut s| {
                s.your_stars = None;
                s
            })
        })
    };
    let load_error = use_state(|| None::<FetchError>);
    let attempt = use_state(|| 0u32);
    let selected = {
        let typed = props.typed.as_ref().and_then(|t| t.stars).and_then(|n| Stars::new(n).ok());
        use_state(move || typed)
    };
    let preview = use_state(|| None::<Stars>);
    let busy = use_state(|| false);
    // Read and written in the same tick as a click, so a double click sends one vote.
    let in_flight = use_mut_ref(|| false);
    let status = use_state(String::new);
    let vote_error = use_state(|| None::<VoteError>);
    let group = use_node_ref();
    let lang = &props.lang;
    let text = lang.text;

    {
        let (summary, load_error, selected) = (summary.clone(), load_error.clone(), selected.clone());
        let backend = props.backend.clone();
        // Seeded, the first fetch only brings the reader's own vote: none without a reader token.
        let skip_first = use_mut_ref(|| summary.is_some());
        use_effect_with((props.slug.clone(), *attempt), move |(slug, _)| {
            let cancelled = Rc::new(Cell::new(false));
            let done = cancelled.clone();
            let slug = slug.clone();
            let skip = std::mem::replace(&mut *skip_first.borrow_mut(), false) && !crate::reader::known();
            load_error.set(None);
            spawn_local(async move {
                if skip {
                    return;
                }
                let result = backend.rating(&slug).await;
                if done.get() {
                    return;
                }
                match result {
                    Ok(s) => {
                        // A star the reader picked before the wasm came stays picked.
                        if s.your_stars.is_some() || selected.is_none() {
                            selected.set(s.your_stars);
                        }
                        summary.set(Some(s));
                    }
                    Err(e @ FetchError::Refused { reason: Refusal::Unsupported, .. }) => {
                        // Nothing the reader can do: the part hides itself (below) and says why here.
                        web_sys::console::warn_1(&format!("news-widget: no rating: {}", e.detail()).into());
                        load_error.set(Some(e));
                    }
                    Err(e) => {
                        web_sys::console::error_1(&format!("news-widget: rating of {slug}: {}", e.detail()).into());
                        load_error.set(Some(e));
                    }
                }
            });
            move || cancelled.set(true)
        });
    }

    {
        let (load_error, attempt) = (load_error.clone(), attempt.clone());
        use_effect_with(props.article_loads, move |_| {
            if load_error.is_some() {
                attempt.set(*attempt + 1);
            }
        });
    }

    {
        // Another reader's vote: the figures change where they are; the reader's own stars stay.
        let summary = summary.clone();
        use_live(
            props.live.clone(),
            Callback::from(move |event: ArticleEvent| {
                if let (ArticleEvent::Rating { rating }, Some(now)) = (event, &*summary) {
                    summary.set(Some(RatingSummary { your_stars: now.your_stars, ..rating }));
                }
            }),
        );
    }

    let stars_name = |s: Stars| lang.count(u64::from(s.get()), &text.stars);

    let send = {
        let (summary, busy, status, vote_error, in_flight) =
            (summary.clone(), busy.clone(), status.clone(), vote_error.clone(), in_flight.clone());
        let (backend, slug, lang) = (props.backend.clone(), props.slug.clone(), lang.clone());
        Callback::from(move |stars: Stars| {
            if std::mem::replace(&mut *in_flight.borrow_mut(), true) {
                return; // a vote is on its way: this click sends nothing
            }
            let previous = (*summary).clone();
            if let Some(before) = &previous {
                summary.set(Some(before.with_vote(stars)));
            }
            busy.set(true);
            vote_error.set(None);
            status.set(lang.text.sending_vote.to_owned());
            let (summary, busy, status, vote_error, in_flight) =
                (summary.clone(), busy.clone(), status.clone(), vote_error.clone(), in_flight.clone());
            let (backend, slug, lang) = (backend.clone(), slug.clone(), lang.clone());
            spawn_local(async move {
                match backend.rate(&slug, stars).await {
                    Ok(confirmed) => {
                        summary.set(Some(confirmed));
                        let name = lang.count(u64::from(stars.get()), &lang.text.stars);
                        status.set(fill(lang.text.vote_saved, &[("stars", &name)]));
                    }
                    Err(e) => {
                        web_sys::console::error_1(&format!("news-widget: vote on {slug}: {}", e.detail()).into());
                        summary.set(previous);
                        status.set(String::new());
                        let reason = e.describe(lang.text);
                        vote_error.set(Some(VoteError {
                            message: fill(lang.text.vote_failed, &[("reason", &reason)]),
                            detail: e.detail(),
                            stars,
                        }));
                    }
                }
                *in_flight.borrow_mut() = false;
                busy.set(false);
            });
        })
    };

    let onsubmit = {
        let (send, selected, status) = (send.clone(), selected.clone(), status.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match *selected {
                Some(stars) => send.emit(stars),
                None => status.set(text.pick_first.to_owned()),
            }
        })
    };

    // Arrow keys move the choice (and the focus) without sending; Enter sends.
    let onkeydown = {
        let (send, selected, group, status) = (send.clone(), selected.clone(), group.clone(), status.clone());
        Callback::from(move |e: KeyboardEvent| {
            let current = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|input| input.value().parse::<u8>().ok())
                .and_then(|n| Stars::new(n).ok());
            let step: i8 = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => 1,
                "ArrowLeft" | "ArrowUp" => -1,
                "Enter" => {
                    e.prevent_default();
                    match (*selected).or(current) {
                        Some(stars) => send.emit(stars),
                        None => status.set(text.pick_first.to_owned()),
                    }
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            let from = (*selected).or(current).map_or(0, |s| s.get() as i8);
            let next = if from == 0 && step < 0 {
                Stars::MAX as i8
            } else {
                (from - 1 + step).rem_euclid(Stars::MAX as i8) + 1
            };
            let Ok(next) = Stars::new(next as u8) else { return };
            selected.set(Some(next));
            if let Some(input) = group
                .cast::<web_sys::Element>()
                .and_then(|g| g.query_selector(&format!("input[value='{}']", next.get())).ok().flatten())
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = input.focus();
            }
        })
    };

    let heading_id = format!("{ids}-rating");
    let editor = props.editor_score.map(|score| {
        let percent = lang.percent(f64::from(score), 0);
        html! { <p class="nw-editor-score">{ fill(text.editor_score, &[("percent", &percent)]) }</p> }
    });

    let figures = match (&*summary, &*load_error) {
        (_, Some(error)) => {
            let retry = {
                let attempt = attempt.clone();
                Callback::from(move |_| attempt.set(*attempt + 1))
            };
            html! {
                <div class="nw-error" role="alert">
                    <p class="nw-error-title">{ text.rating_failed }</p>
                    <p>{ error.describe(text) }</p>
                    <button type="button" class="nw-button" onclick={retry}>{ text.retry }</button>
                </div>
            }
        }
        (None, None) => html! {
            <div class="nw-rating-summary" aria-busy="true">
                <div class="nw-sk nw-sk-stars" aria-hidden="true"></div>
                <div class="nw-sk nw-sk-line nw-sk-short" aria-hidden="true"></div>
            </div>
        },
        (Some(s), None) => {
            let average = lang.decimal(s.average, 1);
            let percent = lang.percent(s.percent, 2);
            let votes = lang.count(s.count, &text.votes);
            html! {
                <div class="nw-rating-summary">
                    { stars_meter(&format!("{ids}-fill"), s.average, &fill(text.average_label, &[("average", &average)])) }
                    <span class="nw-average" aria-hidden="true">{ fill(text.average, &[("average", &average)]) }</span>
                    <p class="nw-user-rating">{ fill(text.user_rating, &[("percent", &percent), ("votes", &votes)]) }</p>
                </div>
            }
        }
    };

    let your_stars = summary.as_ref().and_then(|s| s.your_stars);
    let shown = (*preview).or(*selected).map_or(0, |s| s.get());
    let radios = Stars::all().map(|s| {
        let onchange = {
            let selected = selected.clone();
            Callback::from(move |_: Event| selected.set(Some(s)))
        };
        let onmouseenter = {
            let preview = preview.clone();
            Callback::from(move |_: MouseEvent| preview.set(Some(s)))
        };
        html! {
            <label class={classes!("nw-star", (s.get() <= shown).then_some("nw-star-on"))} {onmouseenter}>
                <input type="radio" class="nw-star-input" name={format!("{ids}-stars")} value={s.get().to_string()}
                    checked={*selected == Some(s)} {onchange} />
                <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><path d={STAR} /></svg>
                <span class="nw-visually-hidden">{ stars_name(s) }</span>
            </label>
        }
    });
    let onmouseleave = {
        let preview = preview.clone();
        Callback::from(move |_: MouseEvent| preview.set(None))
    };
    // A backend without ratings (WordPress without our plugin): no part at all.
    if matches!(&*load_error, Some(FetchError::Refused { reason: Refusal::Unsupported, .. })) {
        return Html::default();
    }

    html! {
        <section class="nw-rating" aria-labelledby={heading_id.clone()}>
            <h2 class="nw-section-title" id={heading_id}>{ text.rating_heading }</h2>
            { for editor }
            { figures }
            if summary.is_some() {
                // `dialog`: without the wasm, a submit or an Enter sends nothing (no GET).
                <form class="nw-rate" method="dialog" {onsubmit} aria-busy={busy.then_some("true")}>
                    <fieldset class="nw-rate-group">
                        <legend>{ text.rate_legend }</legend>
                        <div class="nw-stars-input" ref={group} {onkeydown} {onmouseleave}>{ for radios }</div>
                    </fieldset>
                    <button type="submit" class="nw-button nw-rate-button nw-needs-wasm" aria-disabled={busy.then_some("true")}>
                        { if your_stars.is_some() { text.change_rating } else { text.rate } }
                    </button>
                </form>
            }
            if let Some(stars) = your_stars {
                <p class="nw-your-rating">{ fill(text.your_rating, &[("stars", &stars_name(stars))]) }</p>
            }
            if let Some(error) = &*vote_error {
                <div class="nw-error nw-vote-error" role="alert">
                    <p>{ &error.message }</p>
                    <details><summary>{ text.details }</summary><code>{ &error.detail }</code></details>
                    <button type="button" class="nw-button" onclick={
                        let (send, stars) = (send.clone(), error.stars);
                        Callback::from(move |_| send.emit(stars))
                    }>{ text.retry }</button>
                </div>
            }
            <p class="nw-status" role="status" aria-live="polite">{ (*status).clone() }</p>
            if props.backend.is_local() {
                <p class="nw-local-note">{ text.local_only }</p>
            }
        </section>
    }
}

/// Five stars filled to `average` out of 5: grey stars under gold ones clipped to the average
/// (SVG attributes, no inline style, so a strict CSP holds).
fn stars_meter(clip_id: &str, average: f64, label: &str) -> Html {
    // In hundredths, formatted as integers: float formatting would add ~15 KB of wasm.
    let hundredths = ((average / f64::from(Stars::MAX) * 120.0).clamp(0.0, 120.0) * 100.0).round() as u32;
    let width = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    let stars = |class: &'static str| {
        html! {
            <g class={class}>
                { for (0..5).map(|i| html! { <path d={STAR} transform={format!("translate({} 0)", i * 24)} /> }) }
            </g>
        }
    };
    html! {
        <svg class="nw-stars-meter" viewBox="0 0 120 24" width="120" height="24" role="img" aria-label={label.to_owned()}>
            <defs>
                <clipPath id={clip_id.to_owned()}><rect x="0" y="0" width={width} height="24" /></clipPath>
            </defs>
            { stars("nw-meter-off") }
            <g clip-path={format!("url(#{clip_id})")}>{ stars("nw-meter-on") }</g>
        </svg>
    }
}
