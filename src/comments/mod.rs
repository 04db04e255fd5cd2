//! The comments part: the thread (replies to three visual levels, sort, "Load more"), the
//! reader's own comments (pending ones shown only to them, edit and delete for a while), the
//! form, and the live updates (others' new comments held under "N new comments — show", edits
//! and removals in place).

pub mod avatar;
pub mod form;
mod live;
pub mod send;
pub mod store;
pub mod text;

use std::collections::HashMap;
use std::rc::Rc;

use news_widget_api::{Comment, CommentPage, CommentStatus, PageSize, PostedComment, Slug, Sort};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::backend::{Backend, FetchError};
use crate::i18n::{fill, Lang};
use crate::live::{use_live, Live};
use crate::seed::{Seed, Typed};
use form::CommentForm;
use text::Piece;

#[derive(Properties, PartialEq)]
pub struct CommentsProps {
    pub backend: Backend,
    pub slug: Slug,
    pub lang: Lang,
    /// `data-comments-per-page`: top-level comments per page.
    #[prop_or_default]
    pub per_page: PageSize,
    /// Bumped each time the article loads: comments that failed to load try again then.
    #[prop_or_default]
    pub article_loads: u32,
    /// The start of this widget's element ids.
    #[prop_or(AttrValue::Static("nw"))]
    pub ids: AttrValue,
    /// The server's first page: shown at once, not fetched again.
    #[prop_or_default]
    pub seed: Option<Rc<Seed>>,
    /// What the reader typed into the server's form before hydration.
    #[prop_or_default]
    pub typed: Option<Rc<Typed>>,
    /// Where the form posts without wasm.
    #[prop_or_default]
    pub action: AttrValue,
    /// The widget's live updates (a REST backend's stream).
    #[prop_or_default]
    pub live: Option<Live>,
}

/// The deepest visual level; deeper replies stand at this level and name whom they answer.
pub const MAX_DEPTH: usize = 3;

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Ready,
    Failed(FetchError),
}

#[derive(Clone, Default, PartialEq)]
struct Thread {
    comments: Vec<Comment>,
    next_cursor: Option<String>,
    total: u64,
    /// How many comments the backend sent that were left out as malformed.
    refused: usize,
    /// The article takes no new comments: no form, no reply buttons.
    closed: bool,
    /// When the thread was loaded (ms since the epoch): relative times and edit windows are
    /// computed against it, never against a clock read in a render.
    as_of_ms: f64,
}

impl Thread {
    fn append(&mut self, page: CommentPage) {
        for why in &page.refused {
            web_sys::console::warn_1(&format!("news-widget: a comment the server sent was left out: {why}").into());
        }
        self.refused += page.refused.len();
        for c in page.comments {
            if !self.comments.iter().any(|have| have.id == c.id) {
                self.comments.push(c);
            }
        }
        self.next_cursor = page.next_cursor;
        self.total = page.total;
        self.closed = page.closed;
    }

    /// Takes comment `id` out as the server does: one with replies stays as the "deleted"
    /// placeholder, one without goes. Answers whether it was there.
    fn remove(&mut self, id: i64) -> bool {
        let Some(at) = self.comments.iter().position(|c| c.id == id) else { return false };
        if self.comments[at].status == CommentStatus::Approved {
            self.total = self.total.saturating_sub(1);
        }
        if self.comments.iter().any(|c| c.parent_id == Some(id)) {
            let c = &mut self.comments[at];
            c.status = CommentStatus::Deleted;
            c.body.clear();
            c.author_name.clear();
        } else {
            self.comments.remove(at);
        }
        true
    }
}

/// What a comment's buttons do.
#[derive(Clone, PartialEq)]
enum Action {
    Reply(i64),
    CancelReply,
    Edit(i64),
    CancelEdit,
    Save(i64, String),
    Delete(i64),
    Report(i64),
}

#[function_component(CommentsView)]
pub fn comments_view(props: &CommentsProps) -> Html {
    let seeded = props.seed.as_ref().and_then(|s| Some((s.comments.clone()?, s.sort, s.now_ms)));
    let seed_sort = seeded.as_ref().map(|(_, sort, _)| *sort);
    let sort = use_state(move || seed_sort.unwrap_or_default());
    let thread = {
        let seeded = seeded.clone();
        use_state(move || {
            let mut thread = Thread::default();
            if let Some((page, _, now_ms)) = seeded {
                thread.append(page);
                thread.as_of_ms = now_ms;
            }
            thread
        })
    };
    let load = use_state(|| if seed_sort.is_some() { Load::Ready } else { Load::Loading });
    // The first fetch is skipped when the server's page is there (until the sort changes).
    let first = use_mut_ref(|| true);
    let attempt = use_state(|| 0u32);
    let more = use_state(|| None::<Result<(), FetchError>>);
    // The reader's own comments and chosen sort live on this device: loaded after the first
    // render (an effect), which must be the same as the server's.
    let mine = use_state(Vec::<PostedComment>::new);
    let replying = use_state(|| None::<i64>);
    let editing = use_state(|| None::<i64>);
    let confirming = use_state(|| None::<i64>);
    let status = use_state(String::new);
    // Others' new comments, held until the reader asks for them (see `live`).
    let held = use_state(Vec::<Comment>::new);
    // Set when held comments go in: what the reader was looking at, and the new comments' ids.
    let placing = use_mut_ref(|| None::<(Option<live::Place>, Vec<i64>)>);
    let placed = use_state(|| 0u32);
    // The comments that went in from the line: laid out at once (see `item`).
    let fresh = use_state(Vec::<i64>::new);
    let section = use_node_ref();
    // Seeded, every chunk renders at once (the server's markup has them all).
    let rendered = use_state(move || if seed_sort.is_some() { usize::MAX } else { 1 });
    let lang = &props.lang;
    let text = lang.text;

    {
        let (thread, load, rendered) = (thread.clone(), load.clone(), rendered.clone());
        let (backend, slug, per_page) = (props.backend.clone(), props.slug.clone(), props.per_page);
        let (first, sort_state) = (first.clone(), sort.clone());
        use_effect_with((props.slug.clone(), *sort, *attempt), move |(_, sort, _)| {
            let sort = *sort;
            if std::mem::replace(&mut *first.borrow_mut(), false) {
                let stored = store::sort();
                if stored != sort {
                    sort_state.set(stored); // this effect runs again, with the reader's sort
                    return;
                }
                if seed_sort == Some(sort) {
                    return;
                }
            }
            load.set(Load::Loading);
            spawn_local(async move {
                match backend.comments(&slug, sort, per_page, None).await {
                    Ok(page) => {
                        // Parsing a long page and rendering it are two tasks, not one long one.
                        crate::next_task().await;
                        let mut fresh = Thread { as_of_ms: js_sys::Date::now(), ..Thread::default() };
                        fresh.append(page);
                        thread.set(fresh);
                        rendered.set(1);
                        load.set(Load::Ready);
                    }
                    Err(e) => {
                        web_sys::console::error_1(&format!("news-widget: comments of {slug}: {}", e.detail()).into());
                        load.set(Load::Failed(e));
                    }
                }
            });
        });
    }

    {
        let (load, attempt) = (load.clone(), attempt.clone());
        use_effect_with(props.article_loads, move |_| {
            if matches!(*load, Load::Failed(_)) {
                attempt.set(*attempt + 1);
            }
        });
    }

    {
        // The reader's own comments still pending on this device: ask where each stands. One a
        // moderator rejected (or that is gone) is dropped, and the reader told once.
        let (mine, status, backend, lang) = (mine.clone(), status.clone(), props.backend.clone(), lang.clone());
        use_effect_with(props.slug.clone(), move |slug| {
            let slug = slug.clone();
            mine.set(store::mine(&slug));
            spawn_local(async move {
                let mut dropped = false;
                let pending = store::mine(&slug).into_iter().filter(|p| p.status == CommentStatus::Pending);
                for mut own in pending {
                    let id = own.comment.id;
                    match backend.comment_state(id, &own.edit_token).await {
                        Ok(state) if matches!(state.status, CommentStatus::Rejected | CommentStatus::Deleted) => {
                            store::forget_mine(&slug, id);
                            dropped = true;
                        }
                        Ok(state) if state.status == CommentStatus::Approved => {
                            own.status = CommentStatus::Approved;
                            own.comment.status = CommentStatus::Approved;
                            store::keep_mine(&slug, &own);
                        }
                        Ok(_) => {}
                        // Not known yet: it stays, awaiting moderation, and is asked about again.
                        Err(e) => web_sys::console::warn_1(
                            &format!("news-widget: the state of comment {id}: {}", e.detail()).into(),
                        ),
                    }
                }
                if dropped {
                    mine.set(store::mine(&slug));
                    status.set(lang.text.comment_not_published.to_owned());
                }
            });
        });
    }

    let load_more = {
        let (thread, more, backend, slug, sort, per_page) =
            (thread.clone(), more.clone(), props.backend.clone(), props.slug.clone(), *sort, props.per_page);
        Callback::from(move |_: MouseEvent| {
            let Some(cursor) = thread.next_cursor.clone() else { return };
            if matches!(*more, Some(Ok(()))) {
                return; // already loading
            }
            more.set(Some(Ok(())));
            let (thread, more, backend, slug) = (thread.clone(), more.clone(), backend.clone(), slug.clone());
            spawn_local(async move {
                match backend.comments(&slug, sort, per_page, Some(&cursor)).await {
                    Ok(page) => {
                        crate::next_task().await;
                        let mut next = (*thread).clone();
                        next.append(page);
                        thread.set(next);
                        more.set(None);
                    }
                    Err(e) => more.set(Some(Err(e))),
                }
            });
        })
    };

    let on_posted = {
        let (thread, mine, replying, slug) = (thread.clone(), mine.clone(), replying.clone(), props.slug.clone());
        let (section, held) = (section.clone(), held.clone());
        // Every answer alike: a post the server holds back gets a real-looking pending comment.
        Callback::from(move |posted: PostedComment| {
            let mut next = (*thread).clone();
            next.as_of_ms = js_sys::Date::now();
            let id = posted.comment.id;
            // Its live event may have come first: it is the reader's, not a new comment of others.
            if !next.comments.iter().any(|c| c.id == id) {
                if posted.status == CommentStatus::Approved {
                    next.total += 1;
                }
                next.comments.push(posted.comment.clone());
            }
            thread.set(next);
            if held.iter().any(|c| c.id == id) {
                held.set(held.iter().filter(|c| c.id != id).cloned().collect());
            }
            mine.set(store::mine(&slug));
            replying.set(None);
            focus_later(section.clone(), format!("nw-c-{}", posted.comment.id));
        })
    };

    let act = {
        let (thread, mine, replying, editing, confirming, status) =
            (thread.clone(), mine.clone(), replying.clone(), editing.clone(), confirming.clone(), status.clone());
        let (backend, slug, lang, section) = (props.backend.clone(), props.slug.clone(), lang.clone(), section.clone());
        Callback::from(move |action: Action| {
            let token = |id: i64| mine.iter().find(|p| p.comment.id == id).map(|p| p.edit_token.clone());
            match action {
                Action::Reply(id) => {
                    replying.set(Some(id));
                    editing.set(None);
                }
                Action::CancelReply => {
                    if let Some(id) = *replying {
                        focus_later(section.clone(), format!("nw-reply-{id}"));
                    }
                    replying.set(None);
                }
                Action::Edit(id) => editing.set(Some(id)),
                Action::CancelEdit => editing.set(None),
                Action::Save(id, body) => {
                    let Some(token) = token(id) else { return };
                    let (thread, editing, status, backend, lang) =
                        (thread.clone(), editing.clone(), status.clone(), backend.clone(), lang.clone());
                    spawn_local(async move {
                        match backend.edit_comment(id, &token, &body).await {
                            Ok(changed) => {
                                let mut next = (*thread).clone();
                                if let Some(c) = next.comments.iter_mut().find(|c| c.id == id) {
                                    *c = changed;
                                }
                                thread.set(next);
                                editing.set(None);
                                status.set(String::new());
                            }
                            Err(e) => status.set(e.describe(lang.text)),
                        }
                    });
                }
                Action::Delete(id) => {
                    if *confirming != Some(id) {
                        confirming.set(Some(id));
                        return;
                    }
                    let Some(token) = token(id) else { return };
                    let (thread, mine, confirming, status, backend, slug, lang) = (
                        thread.clone(),
                        mine.clone(),
                        confirming.clone(),
                        status.clone(),
                        backend.clone(),
                        slug.clone(),
                        lang.clone(),
                    );
                    spawn_local(async move {
                        match backend.delete_comment(id, &token).await {
                            Ok(()) => {
                                let mut next = (*thread).clone();
                                next.remove(id);
                                thread.set(next);
                                store::forget_mine(&slug, id);
                                mine.set(store::mine(&slug));
                                confirming.set(None);
                            }
                            Err(e) => status.set(e.describe(lang.text)),
                        }
                    });
                }
                Action::Report(id) => {
                    let (status, backend, lang) = (status.clone(), backend.clone(), lang.clone());
                    spawn_local(async move {
                        let said = match backend.report_comment(id, lang.text.report_reason).await {
                            Ok(()) => lang.text.reported.to_owned(),
                            Err(e) => e.describe(lang.text),
                        };
                        status.set(said);
                    });
                }
            }
        })
    };

    {
        // Live updates: others' new comments are held; edits and removals apply in place.
        let (thread, held, mine, slug) = (thread.clone(), held.clone(), mine.clone(), props.slug.clone());
        use_live(
            props.live.clone(),
            Callback::from(move |event| {
                let own = store::mine(&slug);
                let is_own = |id: i64| own.iter().any(|p| p.comment.id == id);
                let (mut next, mut waiting) = ((*thread).clone(), (*held).clone());
                let applied = live::apply(&mut next, &mut waiting, event, is_own);
                if applied.thread {
                    thread.set(next);
                }
                if applied.held {
                    held.set(waiting);
                }
                if let Some(id) = applied.own_published {
                    if let Some(mut p) = own.iter().find(|p| p.comment.id == id).cloned() {
                        p.status = CommentStatus::Approved;
                        p.comment.status = CommentStatus::Approved;
                        store::keep_mine(&slug, &p);
                    }
                    mine.set(store::mine(&slug));
                }
                if let Some(id) = applied.own_removed {
                    store::forget_mine(&slug, id);
                    mine.set(store::mine(&slug));
                }
            }),
        );
    }
    let show_new = {
        let (thread, held, mine, sort) = (thread.clone(), held.clone(), mine.clone(), *sort);
        let (section, placing, placed, fresh) = (section.clone(), placing.clone(), placed.clone(), fresh.clone());
        Callback::from(move |_: MouseEvent| {
            let place = section.cast::<web_sys::Element>().and_then(|s| live::Place::find(&s));
            let mut next = (*thread).clone();
            // They were written after the thread loaded: their times are told against now.
            next.as_of_ms = js_sys::Date::now();
            let ids = live::show(&mut next, (*held).clone(), sort, |id| mine.iter().any(|p| p.comment.id == id));
            fresh.set(fresh.iter().chain(&ids).copied().collect());
            *placing.borrow_mut() = Some((place, ids));
            thread.set(next);
            held.set(Vec::new());
            placed.set(*placed + 1);
        })
    };
    {
        // Once they are rendered: the reader's place kept, the focus on the first new comment.
        let (placing, section) = (placing.clone(), section.clone());
        use_effect_with(*placed, move |_| {
            let Some((place, ids)) = placing.borrow_mut().take() else { return };
            let Some(root) = section.cast::<web_sys::Element>() else { return };
            if let Some(place) = place {
                place.keep(&root);
            }
            if !live::focus_first(&root, &ids) {
                // In a chunk rendered a task later (see `rendered`).
                spawn_local(async move {
                    for _ in 0..20 {
                        crate::next_task().await;
                        if live::focus_first(&root, &ids) {
                            return;
                        }
                    }
                });
            }
        });
    }

    // The reader's own comments the server's answer lacks: pending ones (only this device knows
    // of them) and fresh ones a cache has not caught up with yet (while they can still be edited).
    let mut shown = thread.comments.clone();
    let mut unseen_approved = 0;
    for own in mine.iter() {
        let missing = own.comment.id != 0 && !shown.iter().any(|c| c.id == own.comment.id);
        let fresh =
            own.status == CommentStatus::Approved && edit_open(own, thread.as_of_ms) && thread.next_cursor.is_none();
        if missing && (own.status == CommentStatus::Pending || fresh) {
            unseen_approved += u64::from(own.status == CommentStatus::Approved);
            shown.push(own.comment.clone());
        }
    }
    let ctx = Rc::new(Ctx {
        lang: lang.clone(),
        backend: props.backend.clone(),
        slug: props.slug.clone(),
        replying: *replying,
        editing: *editing,
        confirming: *confirming,
        own: mine.iter().filter(|p| edit_open(p, thread.as_of_ms)).map(|p| p.comment.id).collect(),
        fresh: (*fresh).clone(),
        as_of_ms: thread.as_of_ms,
        ids: props.ids.clone(),
        action: props.action.clone(),
        return_to: props.seed.as_ref().and_then(|s| s.return_to.clone()).map(AttrValue::from),
        names: shown.iter().map(|c| (c.id, c.author_name.clone())).collect(),
        act: act.clone(),
        on_posted: on_posted.clone(),
        closed: thread.closed,
        can_report: props.backend.can_report(),
    });
    let chunks = use_memo(shown, |shown| chunked(shown));
    // A long page renders one chunk of threads per task after the first, so that no task runs long.
    {
        let rendered = rendered.clone();
        use_effect_with((*rendered, chunks.len()), move |&(n, total)| {
            if n < total {
                spawn_local(async move {
                    crate::next_task().await;
                    rendered.set(n + 1);
                });
            }
        });
    }

    let waiting = live::waiting(&thread, &held, |id| mine.iter().any(|p| p.comment.id == id));
    let heading_id = format!("{}-comments", props.ids);
    let count = lang.count(thread.total + unseen_approved, &text.comments);
    let on_sort = {
        let sort = sort.clone();
        Callback::from(move |e: Event| {
            let value = e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            let next = if value == "newest" { Sort::Newest } else { Sort::Oldest };
            store::set_sort(next);
            sort.set(next);
        })
    };
    let body = match &*load {
        Load::Loading => html! {
            <div class="nw-comments-loading" aria-busy="true">
                <p class="nw-visually-hidden" role="status">{ text.loading_comments }</p>
                { for (0..2).map(|_| html! {
                    <div class="nw-sk-comment" aria-hidden="true">
                        <div class="nw-sk nw-sk-avatar"></div>
                        <div class="nw-sk-lines"><div class="nw-sk nw-sk-line nw-sk-short"></div><div class="nw-sk nw-sk-line"></div></div>
                    </div>
                }) }
            </div>
        },
        Load::Failed(error) => {
            let retry = {
                let attempt = attempt.clone();
                Callback::from(move |_| attempt.set(*attempt + 1))
            };
            html! {
                <div class="nw-error" role="alert">
                    <p class="nw-error-title">{ text.comments_failed }</p>
                    <p>{ error.describe(text) }</p>
                    <button type="button" class="nw-button" onclick={retry}>{ text.retry }</button>
                </div>
            }
        }
        Load::Ready if chunks.is_empty() => html! { <p class="nw-empty">{ text.no_comments }</p> },
        Load::Ready => html! {
            <ol class="nw-thread">{ for chunks.iter().take(*rendered).enumerate().map(|(i, data)| html! {
                <Chunk key={i} data={data.clone()} ctx={ctx.clone()} />
            }) }</ol>
        },
    };
    html! {
        <section class="nw-comments" ref={section} aria-labelledby={heading_id.clone()}>
            <div class="nw-comments-head">
                <h2 class="nw-section-title" id={heading_id}>{ count }</h2>
                <label class="nw-sort nw-needs-wasm">{ text.sort_label }{ " " }
                    <select onchange={on_sort}>
                        <option value="oldest" selected={*sort == Sort::Oldest}>{ text.sort_oldest }</option>
                        <option value="newest" selected={*sort == Sort::Newest}>{ text.sort_newest }</option>
                    </select>
                </label>
            </div>
            // Floats over the thread's top, taking no room: neither its coming nor its going moves
            // what the reader is reading. A polite live region: its count is announced.
            <div class="nw-live" role="status" aria-live="polite">
                if waiting > 0 && *load == Load::Ready {
                    <button type="button" class="nw-button nw-button-primary nw-live-show" onclick={show_new}>
                        { lang.count(waiting as u64, &text.new_comments) }
                    </button>
                }
            </div>
            if thread.refused > 0 && *load == Load::Ready {
                <p class="nw-refused" role="status">{ lang.count(thread.refused as u64, &text.comments_refused) }</p>
            }
            { body }
            if thread.next_cursor.is_some() && *load == Load::Ready {
                <div class="nw-more">
                    <button type="button" class="nw-button nw-needs-wasm" onclick={load_more}
                        aria-busy={matches!(*more, Some(Ok(()))).then_some("true")}>{ text.load_more }</button>
                    if let Some(Err(e)) = &*more { <p class="nw-error" role="alert">{ e.describe(text) }</p> }
                </div>
            }
            <p class="nw-status" role="status" aria-live="polite">{ (*status).clone() }</p>
            if props.backend.is_local() {
                <p class="nw-local-note">{ text.local_only }</p>
            }
            if thread.closed {
                <p class="nw-closed">{ text.comments_closed }</p>
            } else {
                <CommentForm backend={props.backend.clone()} slug={props.slug.clone()} lang={lang.clone()} {on_posted}
                    ids={format!("{}-f-top", props.ids)} seed={props.seed.clone()} typed={props.typed.clone()}
                    action={props.action.clone()} />
            }
        </section>
    }
}

/// Whether the reader may still edit their comment, at `now_ms`.
fn edit_open(p: &PostedComment, now_ms: f64) -> bool {
    p.edit_until.epoch_ms() > now_ms
}

/// Moves the focus to element `#id` inside `within` once it is rendered (a long thread renders
/// in steps, so it looks for a second). Not through `document`: the widget may live in a shadow root.
fn focus_later(within: NodeRef, id: String) {
    spawn_local(async move {
        for _ in 0..20 {
            gloo_timers::future::sleep(std::time::Duration::from_millis(50)).await;
            if let Some(el) = within
                .cast::<web_sys::Element>()
                .and_then(|root| root.query_selector(&format!("#{id}")).ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
                return;
            }
        }
    });
}

/// What every comment of one render needs to know.
struct Ctx {
    lang: Lang,
    backend: Backend,
    slug: Slug,
    replying: Option<i64>,
    editing: Option<i64>,
    confirming: Option<i64>,
    /// The reader's own comments still in their edit window.
    own: Vec<i64>,
    /// The comments that went in from "N new comments — show".
    fresh: Vec<i64>,
    /// The thread's clock (see [`Thread::as_of_ms`]).
    as_of_ms: f64,
    ids: AttrValue,
    action: AttrValue,
    return_to: Option<AttrValue>,
    names: HashMap<i64, String>,
    act: Callback<Action>,
    on_posted: Callback<PostedComment>,
    /// The thread takes no new comments.
    closed: bool,
    /// The backend takes reports.
    can_report: bool,
}

/// Top-level threads per rendering step: the default page is one step.
const CHUNK: usize = 20;

/// Some top-level threads, and the replies of each comment in them.
#[derive(PartialEq)]
struct ChunkData {
    tops: Vec<Comment>,
    children: HashMap<i64, Vec<Comment>>,
}

/// The threads of `shown` in chunks of [`CHUNK`]. A reply whose parent is not shown stands as a
/// thread, and so does the first of replies that answer each other in a ring (a→b→a, which no
/// top-level comment reaches): every comment shown is in exactly one thread, none twice.
fn chunked(shown: &[Comment]) -> Vec<Rc<ChunkData>> {
    let ids: std::collections::HashSet<i64> = shown.iter().map(|c| c.id).collect();
    let mut children: HashMap<i64, Vec<Comment>> = HashMap::new();
    let mut tops = Vec::new();
    for c in shown {
        match c.parent_id.filter(|p| ids.contains(p) && *p != c.id) {
            Some(parent) => children.entry(parent).or_default().push(c.clone()),
            None => tops.push(c.clone()),
        }
    }
    let mut reached = std::collections::HashSet::new();
    let reach = |from: i64, children: &HashMap<i64, Vec<Comment>>, reached: &mut std::collections::HashSet<i64>| {
        let mut stack = vec![from];
        while let Some(id) = stack.pop() {
            if reached.insert(id) {
                stack.extend(children.get(&id).into_iter().flatten().map(|r| r.id));
            }
        }
    };
    for top in &tops {
        reach(top.id, &children, &mut reached);
    }
    for c in shown {
        if !reached.contains(&c.id) {
            // In a ring: it stands as a thread, no longer a reply, which breaks the ring.
            if let Some(siblings) = c.parent_id.and_then(|p| children.get_mut(&p)) {
                siblings.retain(|r| r.id != c.id);
            }
            tops.push(c.clone());
            reach(c.id, &children, &mut reached);
        }
    }
    tops.chunks(CHUNK)
        .map(|tops| {
            let mut own = HashMap::new();
            let mut stack: Vec<i64> = tops.iter().map(|c| c.id).collect();
            while let Some(id) = stack.pop() {
                if let Some(replies) = children.remove(&id) {
                    stack.extend(replies.iter().map(|r| r.id));
                    own.insert(id, replies);
                }
            }
            Rc::new(ChunkData { tops: tops.to_vec(), children: own })
        })
        .collect()
}

#[derive(Properties)]
struct ChunkProps {
    data: Rc<ChunkData>,
    ctx: Rc<Ctx>,
}

impl PartialEq for ChunkProps {
    /// The same threads (one build of them) for the same reader state. The callbacks in `ctx`
    /// are made anew on each render, so they are left out: any change they could see (the thread,
    /// the reader's comments, what is open) changes the threads or the state compared here.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.ctx, &other.ctx);
        Rc::ptr_eq(&self.data, &other.data)
            && (a.lang == b.lang && a.replying == b.replying && a.editing == b.editing)
            && (a.confirming == b.confirming && a.own == b.own && a.as_of_ms == b.as_of_ms)
            && a.fresh == b.fresh
    }
}

/// One chunk of threads: it renders again only when its threads or the reader's state change,
/// not when the next chunk is added.
#[function_component(Chunk)]
fn chunk(props: &ChunkProps) -> Html {
    html! { <>{ for props.data.tops.iter().map(|c| item(c, 1, &props.data.children, &props.ctx)) }</> }
}

fn item(c: &Comment, depth: usize, children: &HashMap<i64, Vec<Comment>>, ctx: &Rc<Ctx>) -> Html {
    let level = depth.min(MAX_DEPTH);
    let replies = children.get(&c.id).map(Vec::as_slice).unwrap_or_default();
    html! {
        // Keyed: comments going in above keep the others' elements (and the reader's place).
        // Fresh from the line: laid out at once, not at an estimated size (content-visibility),
        // so that the reader's place is kept in the render they come in.
        <li key={c.id} class={classes!(format!("nw-comment-item nw-level-{level}"), ctx.fresh.contains(&c.id).then_some("nw-fresh"))}>
            { comment(c, depth, ctx) }
            if ctx.replying == Some(c.id) {
                <div class="nw-reply-form">
                    <CommentForm backend={ctx.backend.clone()} slug={ctx.slug.clone()} lang={ctx.lang.clone()}
                        ids={format!("{}-f-{}", ctx.ids, c.id)} action={ctx.action.clone()} return_to={ctx.return_to.clone()}
                        parent={Some((c.id, c.author_name.clone()))} on_posted={ctx.on_posted.clone()}
                        on_cancel={Some(ctx.act.reform(|()| Action::CancelReply))} />
                </div>
            }
            if !replies.is_empty() {
                <ol class="nw-replies">{ for replies.iter().map(|r| item(r, depth + 1, children, ctx)) }</ol>
            }
        </li>
    }
}

fn comment(c: &Comment, depth: usize, ctx: &Rc<Ctx>) -> Html {
    let text = ctx.lang.text;
    let name_id = format!("nw-c-{}-name", c.id);
    if c.status == CommentStatus::Deleted {
        return html! { <article class="nw-comment nw-comment-deleted" id={format!("nw-c-{}", c.id)}><p>{ text.deleted_comment }</p></article> };
    }
    let name = match &c.author_url {
        Some(url) => {
            html! { <a href={url.to_string()} rel="nofollow ugc noopener" target="_blank">{ &c.author_name }</a> }
        }
        None => html! { &c.author_name },
    };
    let answering = (depth > MAX_DEPTH).then(|| c.parent_id.and_then(|p| ctx.names.get(&p))).flatten();
    let mine = ctx.own.contains(&c.id);
    let act = |a: Action| ctx.act.reform(move |_: MouseEvent| a.clone());
    html! {
        <article class={classes!("nw-comment", (c.status == CommentStatus::Pending).then_some("nw-comment-pending"))}
            id={format!("nw-c-{}", c.id)} tabindex="-1" aria-labelledby={name_id.clone()}>
            <header class="nw-comment-head">
                { avatar::identicon(&c.avatar) }
                <div>
                    <span class="nw-comment-author" id={name_id}>{ name }</span>
                    if let Some(parent) = answering {
                        <span class="nw-in-reply">{ fill(text.in_reply_to, &[("name", parent)]) }</span>
                    }
                    <span class="nw-comment-time">
                        <time datetime={c.created_at.to_string()} title={ctx.lang.date_time(c.created_at.as_str())}>
                            { ctx.lang.relative(c.created_at.as_str(), ctx.as_of_ms).unwrap_or_default() }
                        </time>
                        if c.edited_at.is_some() { { " · " }{ text.edited } }
                    </span>
                    if c.status == CommentStatus::Pending {
                        <span class="nw-badge">{ text.awaiting_moderation }</span>
                    }
                </div>
            </header>
            if ctx.editing == Some(c.id) {
                { edit_box(c, ctx) }
            } else {
                <div class="nw-comment-body">{ for text::paragraphs(&c.body).into_iter().map(paragraph) }</div>
            }
            <div class="nw-comment-actions">
                if c.status == CommentStatus::Approved && !ctx.closed {
                    <button type="button" class="nw-link-button nw-needs-wasm" id={format!("nw-reply-{}", c.id)}
                        aria-expanded={(ctx.replying == Some(c.id)).to_string()} onclick={act(Action::Reply(c.id))}>{ text.reply }</button>
                }
                if mine && ctx.editing != Some(c.id) {
                    <button type="button" class="nw-link-button nw-needs-wasm" onclick={act(Action::Edit(c.id))}>{ text.edit }</button>
                    <button type="button" class="nw-link-button nw-needs-wasm" onclick={act(Action::Delete(c.id))}>
                        { if ctx.confirming == Some(c.id) { text.confirm_delete } else { text.delete } }
                    </button>
                }
                if !mine && c.status == CommentStatus::Approved && ctx.can_report {
                    <button type="button" class="nw-link-button nw-quiet nw-needs-wasm" onclick={act(Action::Report(c.id))}>{ text.report }</button>
                }
            </div>
        </article>
    }
}

fn edit_box(c: &Comment, ctx: &Rc<Ctx>) -> Html {
    let text = ctx.lang.text;
    let area_id = format!("nw-edit-{}", c.id);
    let id = c.id;
    let save = ctx.act.reform(move |e: MouseEvent| {
        let body = e
            .target_dyn_into::<web_sys::Element>()
            .and_then(|button| button.closest(".nw-edit").ok().flatten())
            .and_then(|edit| edit.query_selector("textarea").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            .map(|t| t.value())
            .unwrap_or_default();
        Action::Save(id, body)
    });
    html! {
        <div class="nw-edit">
            <label for={area_id.clone()} class="nw-visually-hidden">{ text.field_body }</label>
            <textarea id={area_id} rows="4" defaultvalue={c.body.clone()} />
            <div class="nw-form-actions">
                <button type="button" class="nw-button nw-button-primary" onclick={save}>{ text.save }</button>
                <button type="button" class="nw-button nw-button-quiet" onclick={ctx.act.reform(|_: MouseEvent| Action::CancelEdit)}>{ text.cancel }</button>
            </div>
        </div>
    }
}

fn paragraph(pieces: Vec<Piece<'_>>) -> Html {
    html! {
        <p>{ for pieces.into_iter().map(|piece| match piece {
            Piece::Text(t) => html! { t },
            Piece::Break => html! { <br /> },
            Piece::Link(url) => html! { <a href={url.to_owned()} rel="nofollow ugc noopener" target="_blank">{ url }</a> },
        }) }</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, parent: Option<i64>) -> Comment {
        serde_json::from_value(serde_json::json!({
            "id": id, "parent_id": parent, "author_name": "A", "avatar": "ab", "body": "b",
            "created_at": "2026-11-27T10:00:00Z", "status": "approved"
        }))
        .unwrap()
    }

    /// Every comment of the chunks, each with the depth it renders at.
    fn placed(chunks: &[Rc<ChunkData>]) -> Vec<i64> {
        let mut out = Vec::new();
        for chunk in chunks {
            let mut stack: Vec<i64> = chunk.tops.iter().rev().map(|t| t.id).collect();
            while let Some(id) = stack.pop() {
                assert!(out.len() < 1000, "a comment renders again and again: {out:?}");
                out.push(id);
                stack.extend(chunk.children.get(&id).into_iter().flatten().rev().map(|r| r.id));
            }
        }
        out
    }

    #[test]
    fn replies_to_a_missing_parent_or_in_a_ring_still_show_once() {
        // 1 is a thread; 2 answers 1; 3 answers a comment not shown; 4 and 5 answer each other,
        // and 6 answers 5.
        let shown = [c(1, None), c(2, Some(1)), c(3, Some(99)), c(4, Some(5)), c(5, Some(4)), c(6, Some(5))];
        let chunks = chunked(&shown);
        let mut ids = placed(&chunks);
        ids.sort();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6], "each comment once");
        let tops: Vec<i64> = chunks.iter().flat_map(|c| c.tops.iter().map(|t| t.id)).collect();
        assert_eq!(tops, [1, 3, 4], "the orphan and the first of the ring stand as threads");
    }
}
