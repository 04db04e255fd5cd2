//! The queues: a tab per queue with its count, a search form, the comments of the chosen queue
//! with a roving focus (`j`/`k`), decisions by key or button (`a`, `r`), a selection for bulk
//! decisions (`x`), each comment's history, and the reader drawer from an author's button. The
//! queue is asked again every 10 s; new comments are announced, the focus stays where it is.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use news_widget_api::admin::{Action, BulkInput, BulkResult, HistoryEntry, Queue, QueueCounts, QueueItem, QueuePage};
use wasm_bindgen::JsCast as _;
use yew::prelude::*;

use crate::api::{self, ApiResult, Search};
use crate::keys::{self, Command};
use crate::text;
use crate::views::drawer::Drawer;
use crate::views::{focus_id, status, value_of, Modal, ViewProps};

const POLL_MS: u32 = 10_000;

fn label(queue: Queue) -> &'static str {
    match queue {
        Queue::Pending => "Pending",
        Queue::Reported => "Reported",
        Queue::Approved => "Approved",
        Queue::Rejected => "Rejected",
    }
}

fn count_of(counts: &QueueCounts, queue: Queue) -> u32 {
    match queue {
        Queue::Pending => counts.pending,
        Queue::Reported => counts.reported,
        Queue::Approved => counts.approved,
        Queue::Rejected => counts.rejected,
    }
}

fn item_id(id: i64) -> String {
    format!("nw-item-{id}")
}

#[derive(Clone, Debug, PartialEq)]
enum Dialog {
    /// Reject these comments (one, or the selection), with an optional reason.
    Reject(Vec<i64>),
    Help,
}

#[derive(Clone, Debug, PartialEq)]
enum History {
    Loading,
    Loaded(Vec<HistoryEntry>),
    Failed(String),
}

pub enum Msg {
    Load,
    Loaded(u64, ApiResult<QueuePage>),
    More,
    LoadedMore(u64, ApiResult<QueuePage>),
    Poll,
    Polled(u64, ApiResult<QueuePage>),
    Switch(Queue),
    Search(Search),
    Command(Command),
    Current(i64),
    Toggle(i64),
    Approve(Vec<i64>),
    AskReject(Vec<i64>),
    ConfirmReject,
    CloseDialog,
    Decided {
        ids: Vec<i64>,
        action: Action,
        result: ApiResult<BulkResult>,
    },
    ToggleHistory(i64),
    History(i64, ApiResult<Vec<HistoryEntry>>),
    OpenDrawer(i64, String),
    CloseDrawer,
    /// The drawer changed what the queue shows (a reject-all, a ban).
    Refresh,
}

pub struct QueueView {
    queue: Queue,
    search: Search,
    items: Vec<QueueItem>,
    counts: QueueCounts,
    next: Option<i64>,
    loading: bool,
    loaded: bool,
    /// Bumped by every new load, so that a late answer for an older queue or search is dropped.
    generation: u64,
    error: Option<String>,
    current: Option<i64>,
    focus_pending: bool,
    selected: BTreeSet<i64>,
    dialog: Option<Dialog>,
    drawer: Option<String>,
    /// Whether a modal is open, for the key listener (which runs outside the component).
    modal_open: Rc<Cell<bool>>,
    history: HashMap<i64, History>,
    busy: bool,
    search_q: NodeRef,
    search_author: NodeRef,
    search_article: NodeRef,
    reason: NodeRef,
    _keys: Option<EventListener>,
    _poll: Interval,
}

impl QueueView {
    fn index_of(&self, id: Option<i64>) -> Option<usize> {
        id.and_then(|id| self.items.iter().position(|i| i.id == id))
    }

    fn item(&self, id: i64) -> Option<&QueueItem> {
        self.items.iter().find(|i| i.id == id)
    }

    fn fetch(&self, ctx: &Context<Self>, before: Option<i64>, done: fn(u64, ApiResult<QueuePage>) -> Msg) {
        let (queue, search, generation) = (self.queue, self.search.clone(), self.generation);
        ctx.link().send_future(async move { done(generation, api::queue(queue, &search, before).await) });
    }

    /// Whether a comment decided with `action` leaves the queue shown.
    fn leaves(&self, action: Action) -> bool {
        !matches!((self.queue, action), (Queue::Approved, Action::Approve) | (Queue::Rejected, Action::Reject))
    }

    fn author_of(&self, ids: &[i64]) -> Option<String> {
        match ids {
            [one] => self.item(*one).map(|i| i.author_name.clone()),
            _ => None,
        }
    }

    fn decide(&mut self, ctx: &Context<Self>, ids: Vec<i64>, action: Action, reason: Option<String>) {
        if ids.is_empty() || self.busy {
            return;
        }
        self.busy = true;
        let session = ctx.props().session.clone();
        ctx.link().send_future(async move {
            let result = match ids.as_slice() {
                [one] => api::decide(&session, *one, action == Action::Approve, reason)
                    .await
                    .map(|()| BulkResult { done: vec![*one], failed: Vec::new() }),
                _ => api::bulk(&session, &BulkInput { ids: ids.clone(), action, reason }).await,
            };
            Msg::Decided { ids, action, result }
        });
    }

    fn current_or_first(&self) -> Option<i64> {
        self.current.filter(|id| self.item(*id).is_some()).or_else(|| self.items.first().map(|i| i.id))
    }
}

impl Component for QueueView {
    type Message = Msg;
    type Properties = ViewProps;

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link().clone();
        let poll = Interval::new(POLL_MS, move || link.send_message(Msg::Poll));
        ctx.link().send_message(Msg::Load);
        Self {
            queue: Queue::Pending,
            search: Search::default(),
            items: Vec::new(),
            counts: QueueCounts::default(),
            next: None,
            loading: false,
            loaded: false,
            generation: 0,
            error: None,
            current: None,
            focus_pending: false,
            selected: BTreeSet::new(),
            dialog: None,
            drawer: None,
            modal_open: Rc::new(Cell::new(false)),
            history: HashMap::new(),
            busy: false,
            search_q: NodeRef::default(),
            search_author: NodeRef::default(),
            search_article: NodeRef::default(),
            reason: NodeRef::default(),
            _keys: None,
            _poll: poll,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        let props = ctx.props();
        match msg {
            Msg::Load => {
                self.generation += 1;
                self.loading = true;
                self.fetch(ctx, None, Msg::Loaded);
            }
            Msg::Loaded(generation, result) | Msg::LoadedMore(generation, result) | Msg::Polled(generation, result)
                if generation != self.generation =>
            {
                // An answer for a queue or a search no longer shown.
                let _ = result;
                return false;
            }
            Msg::Loaded(_, result) => {
                self.loading = false;
                match result {
                    Ok(page) => {
                        self.loaded = true;
                        self.error = None;
                        self.items = page.items;
                        self.counts = page.counts;
                        self.next = page.next;
                        self.selected.retain(|id| self.items.iter().any(|i| i.id == *id));
                        self.current = self.current_or_first();
                        props.announce.emit(format!(
                            "{}: {}",
                            label(self.queue),
                            text::count(self.items.len(), "comment", "comments")
                        ));
                    }
                    Err(e) => self.error = Some(props.error(&e)),
                }
            }
            Msg::More => {
                if let (Some(before), false) = (self.next, self.loading) {
                    self.loading = true;
                    self.fetch(ctx, Some(before), Msg::LoadedMore);
                }
            }
            Msg::LoadedMore(_, result) => {
                self.loading = false;
                match result {
                    Ok(page) => {
                        let first_new = page.items.iter().find(|i| self.item(i.id).is_none()).map(|i| i.id);
                        let n = page.items.iter().filter(|i| self.item(i.id).is_none()).count();
                        for item in page.items {
                            if self.item(item.id).is_none() {
                                self.items.push(item);
                            }
                        }
                        self.counts = page.counts;
                        self.next = page.next;
                        if let Some(id) = first_new {
                            self.current = Some(id);
                            self.focus_pending = true;
                        }
                        props.announce.emit(format!("{} more", text::count(n, "comment", "comments")));
                    }
                    Err(e) => self.error = Some(props.error(&e)),
                }
            }
            Msg::Poll => {
                if !self.loading && self.loaded {
                    self.fetch(ctx, None, Msg::Polled);
                }
                return false;
            }
            Msg::Polled(_, result) => {
                let Ok(page) = result else {
                    // A failed poll says nothing: the next one tries again. A 401 ends the session.
                    if let Err(e) = result {
                        if e.status == 401 {
                            props.expired.emit(());
                        }
                    }
                    return false;
                };
                let fresh: BTreeSet<i64> = page.items.iter().map(|i| i.id).collect();
                let new = page.items.iter().filter(|i| self.item(i.id).is_none()).count();
                let oldest = page.items.iter().map(|i| i.id).min();
                let truncated = page.next.is_some();
                let had_focus = self.current.is_some_and(|id| active_id().as_deref() == Some(item_id(id).as_str()));
                let old_index = self.index_of(self.current);
                let older: Vec<QueueItem> = std::mem::take(&mut self.items)
                    .into_iter()
                    .filter(|i| !fresh.contains(&i.id) && truncated && oldest.is_some_and(|o| i.id < o))
                    .collect();
                self.items = page.items;
                self.items.extend(older);
                self.counts = page.counts;
                if !truncated {
                    self.next = None;
                }
                self.selected.retain(|id| self.items.iter().any(|i| i.id == *id));
                if self.current.is_some_and(|id| self.item(id).is_none()) {
                    // The current comment went (another moderator decided it): its neighbour.
                    self.current = keys::moved(old_index, self.items.len(), Command::Approve)
                        .and_then(|i| self.items.get(i))
                        .map(|i| i.id);
                    self.focus_pending = had_focus;
                } else if self.current.is_none() {
                    self.current = self.items.first().map(|i| i.id);
                }
                if new > 0 {
                    props.announce.emit(format!("{} new", text::count(new, "comment", "comments")));
                }
            }
            Msg::Switch(queue) => {
                if queue != self.queue {
                    self.queue = queue;
                    self.items.clear();
                    self.selected.clear();
                    self.history.clear();
                    self.current = None;
                    self.next = None;
                    self.loaded = false;
                    ctx.link().send_message(Msg::Load);
                }
                focus_id(&format!("nw-tab-{}", queue.as_str()));
            }
            Msg::Search(search) => {
                self.search = search;
                self.items.clear();
                self.current = None;
                self.loaded = false;
                ctx.link().send_message(Msg::Load);
            }
            Msg::Command(command) => match command {
                Command::Next | Command::Previous => {
                    // From outside the list (the search, the tabs), the first key goes to the
                    // current comment; from in it, to the next or the previous one.
                    if self.current.is_none() || focus_in_list() {
                        let index = keys::moved(self.index_of(self.current), self.items.len(), command);
                        self.current = index.and_then(|i| self.items.get(i)).map(|i| i.id);
                    }
                    self.focus_pending = true;
                }
                Command::Approve => {
                    if let Some(id) = self.current_or_first() {
                        ctx.link().send_message(Msg::Approve(vec![id]));
                    }
                    return false;
                }
                Command::Reject => {
                    if let Some(id) = self.current_or_first() {
                        ctx.link().send_message(Msg::AskReject(vec![id]));
                    }
                    return false;
                }
                Command::ToggleSelect => {
                    if let Some(id) = self.current_or_first() {
                        ctx.link().send_message(Msg::Toggle(id));
                    }
                    return false;
                }
                Command::FocusSearch => {
                    if let Some(input) = self.search_q.cast::<web_sys::HtmlInputElement>() {
                        let _ = input.focus();
                        input.select();
                    }
                    return false;
                }
                Command::Help => self.dialog = Some(Dialog::Help),
                Command::CloseDialog => ctx.link().send_message(Msg::CloseDialog),
            },
            Msg::Current(id) => {
                if self.current == Some(id) {
                    return false;
                }
                self.current = Some(id);
            }
            Msg::Toggle(id) => {
                if !self.selected.remove(&id) {
                    self.selected.insert(id);
                }
                let name = self.item(id).map(|i| i.author_name.clone()).unwrap_or_default();
                let state = if self.selected.contains(&id) { "Selected" } else { "Unselected" };
                props.announce.emit(format!(
                    "{state} comment by {name}; {} selected",
                    text::count(self.selected.len(), "comment", "comments")
                ));
            }
            Msg::Approve(ids) => self.decide(ctx, ids, Action::Approve, None),
            Msg::AskReject(ids) => {
                if !ids.is_empty() {
                    self.dialog = Some(Dialog::Reject(ids));
                }
            }
            Msg::ConfirmReject => {
                let reason = value_of(&self.reason).trim().to_owned();
                if let Some(Dialog::Reject(ids)) = self.dialog.take() {
                    self.focus_pending = true;
                    self.decide(ctx, ids, Action::Reject, (!reason.is_empty()).then_some(reason));
                }
            }
            Msg::CloseDialog => {
                if self.dialog.take().is_some() || self.drawer.take().is_some() {
                    self.focus_pending = true;
                } else {
                    return false;
                }
            }
            Msg::Decided { ids, action, result } => {
                self.busy = false;
                match result {
                    Ok(result) => {
                        let verb = if action == Action::Approve { "approved" } else { "rejected" };
                        let mut sentence = match (self.author_of(&result.done), result.done.len()) {
                            (Some(name), 1) => {
                                let verb = if action == Action::Approve { "Approved" } else { "Rejected" };
                                format!("{verb} comment by {name}")
                            }
                            (_, n) => format!("{} {verb}", text::count(n, "comment", "comments")),
                        };
                        if !result.failed.is_empty() {
                            let why: Vec<String> =
                                result.failed.iter().map(|f| format!("#{}: {}", f.id, f.detail)).collect();
                            let failed = text::count(result.failed.len(), "comment", "comments");
                            sentence.push_str(&format!("; {failed} could not be: {}", why.join("; ")));
                            self.error = Some(sentence.clone());
                        } else {
                            self.error = None;
                        }
                        if self.leaves(action) {
                            // The focus goes to the comment after the first one decided.
                            let index = self.index_of(result.done.first().copied()).or(self.index_of(self.current));
                            let done: BTreeSet<i64> = result.done.iter().copied().collect();
                            self.items.retain(|i| !done.contains(&i.id));
                            self.current = keys::moved(index, self.items.len(), Command::Approve)
                                .and_then(|i| self.items.get(i))
                                .map(|i| i.id);
                            for id in &done {
                                self.selected.remove(id);
                                self.history.remove(id);
                            }
                        } else {
                            for id in &result.done {
                                self.history.remove(id);
                            }
                        }
                        self.focus_pending = true;
                        props.announce.emit(sentence);
                        // The counts (and anything new) from the server, without moving the focus.
                        ctx.link().send_message(Msg::Poll);
                    }
                    Err(e) => {
                        let _ = ids;
                        // The queue's status line (a live region) says it.
                        self.error = Some(props.error(&e));
                    }
                }
            }
            Msg::ToggleHistory(id) => {
                if self.history.remove(&id).is_none() {
                    self.history.insert(id, History::Loading);
                    ctx.link().send_future(async move { Msg::History(id, api::history(id).await) });
                }
            }
            Msg::History(id, result) => {
                if self.history.contains_key(&id) {
                    let state = match result {
                        Ok(entries) => History::Loaded(entries),
                        Err(e) => History::Failed(props.error(&e)),
                    };
                    self.history.insert(id, state);
                }
            }
            Msg::OpenDrawer(id, person) => {
                self.current = Some(id);
                self.drawer = Some(person);
            }
            Msg::CloseDrawer => {
                self.drawer = None;
                self.focus_pending = true;
            }
            Msg::Refresh => {
                self.generation += 1;
                self.loading = true;
                self.fetch(ctx, None, Msg::Loaded);
                return false;
            }
        }
        true
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        self.modal_open.set(self.dialog.is_some() || self.drawer.is_some());
        if first_render {
            let link = ctx.link().clone();
            let modal_open = self.modal_open.clone();
            let document = web_sys::window().and_then(|w| w.document());
            self._keys = document.map(|document| {
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&document, "keydown", options, move |event| {
                    let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    let key = event.key();
                    let press =
                        keys::Press { key: &key, modified: event.ctrl_key() || event.meta_key() || event.alt_key() };
                    let context = focused_context(modal_open.get());
                    if let Some(command) = keys::command(press, context) {
                        event.prevent_default();
                        link.send_message(Msg::Command(command));
                    }
                })
            });
        }
        if self.focus_pending && self.dialog.is_none() && self.drawer.is_none() {
            self.focus_pending = false;
            match self.current {
                Some(id) => {
                    focus_id(&item_id(id));
                    scroll_into_view(&item_id(id));
                }
                None => focus_id("nw-queue-empty"),
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let props = ctx.props();
        html! {
            <>
            <h1 class="nw-visually-hidden">{ "Queues" }</h1>
            { self.view_tabs(ctx) }
            { self.view_search(ctx) }
            <section role="tabpanel" id="nw-queue-panel" aria-labelledby={format!("nw-tab-{}", self.queue.as_str())}
                aria-busy={self.loading.then_some("true")}>
                { self.view_bulk(ctx) }
                { status("nw-queue-status", &self.error, true) }
                if self.items.is_empty() {
                    <p id="nw-queue-empty" class="nw-empty" tabindex="-1">
                        { if self.loaded { "No comments here." } else { "Loading…" } }
                    </p>
                } else {
                    <ul class="nw-queue" aria-label={format!("{} comments", label(self.queue))}>
                        { for self.items.iter().map(|item| self.view_item(ctx, item)) }
                    </ul>
                }
                if self.next.is_some() {
                    <button type="button" id="nw-queue-more" class="nw-more" onclick={link.callback(|_| Msg::More)}>
                        { "Older comments" }
                    </button>
                }
                <p class="nw-hint">{ "Press ? for the keys." }</p>
            </section>
            { self.view_dialog(ctx) }
            if let Some(person) = self.drawer.clone() {
                <Drawer session={props.session.clone()}
                    expired={props.expired.clone()} {person}
                    on_close={link.callback(|()| Msg::CloseDrawer)}
                    on_changed={link.callback(|()| Msg::Refresh)} />
            }
            </>
        }
    }
}

impl QueueView {
    fn view_tabs(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let current = self.queue;
        // The tab pattern: arrows move between the tabs (and choose), Home and End to the ends.
        let onkeydown = link.batch_callback(move |e: KeyboardEvent| {
            let index = Queue::ALL.iter().position(|q| *q == current).unwrap_or(0);
            let to = match e.key().as_str() {
                "ArrowRight" => (index + 1) % Queue::ALL.len(),
                "ArrowLeft" => (index + Queue::ALL.len() - 1) % Queue::ALL.len(),
                "Home" => 0,
                "End" => Queue::ALL.len() - 1,
                _ => return None,
            };
            e.prevent_default();
            Some(Msg::Switch(Queue::ALL[to]))
        });
        html! {
            <div role="tablist" aria-label="Queues" class="nw-tabs" {onkeydown}>
            { for Queue::ALL.into_iter().map(|queue| {
                let selected = queue == self.queue;
                html! {
                    <button type="button" role="tab" id={format!("nw-tab-{}", queue.as_str())}
                        class="nw-tab" data-queue={queue.as_str()}
                        aria-selected={if selected { "true" } else { "false" }}
                        aria-controls="nw-queue-panel" tabindex={if selected { "0" } else { "-1" }}
                        onclick={link.callback(move |_| Msg::Switch(queue))}>
                        { label(queue) }
                        <span class="nw-count">{ count_of(&self.counts, queue) }</span>
                    </button>
                }
            }) }
            </div>
        }
    }

    fn view_search(&self, ctx: &Context<Self>) -> Html {
        let (q, author, article) = (self.search_q.clone(), self.search_author.clone(), self.search_article.clone());
        let onsubmit = ctx.link().callback(move |e: SubmitEvent| {
            e.prevent_default();
            Msg::Search(Search { q: value_of(&q), author: value_of(&author), article: value_of(&article) })
        });
        html! {
            <form role="search" id="nw-search" class="nw-search" aria-label="Search the queue" {onsubmit}>
                <div class="nw-field">
                    <label for="nw-search-q">{ "Text" }</label>
                    <input ref={self.search_q.clone()} id="nw-search-q" type="search" name="q" />
                </div>
                <div class="nw-field">
                    <label for="nw-search-author">{ "Author" }</label>
                    <input ref={self.search_author.clone()} id="nw-search-author" type="search" name="author" />
                </div>
                <div class="nw-field">
                    <label for="nw-search-article">{ "Article (slug)" }</label>
                    <input ref={self.search_article.clone()} id="nw-search-article" type="search" name="article" />
                </div>
                <button type="submit" id="nw-search-submit">{ "Search" }</button>
            </form>
        }
    }

    fn view_bulk(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let ids: Vec<i64> = self.selected.iter().copied().collect();
        let none = ids.is_empty();
        let (approve, reject) = (ids.clone(), ids);
        // Always in the page (its buttons off while nothing is selected): nothing moves.
        html! {
            <div class="nw-bulk" id="nw-bulk" role="group" aria-label="Selected comments">
                <span class="nw-bulk-count">
                    { if none { "None selected (x selects)".to_owned() }
                      else { format!("{} selected", text::count(self.selected.len(), "comment", "comments")) } }
                </span>
                <button type="button" data-action="bulk-approve" disabled={none || self.busy}
                    onclick={link.callback(move |_| Msg::Approve(approve.clone()))}>{ "Approve selected" }</button>
                <button type="button" data-action="bulk-reject" disabled={none || self.busy}
                    onclick={link.callback(move |_| Msg::AskReject(reject.clone()))}>{ "Reject selected…" }</button>
            </div>
        }
    }

    fn view_item(&self, ctx: &Context<Self>, item: &QueueItem) -> Html {
        let link = ctx.link();
        let id = item.id;
        let is_current = self.current == Some(id);
        let selected = self.selected.contains(&id);
        let person = item.person.clone();
        let history = self.history.get(&id);
        let heading = format!("nw-item-{id}-author");
        html! {
            <li class={classes!("nw-queue-item", is_current.then_some("nw-current"), selected.then_some("nw-selected"))}
                id={item_id(id)} data-id={id.to_string()} tabindex={if is_current { "0" } else { "-1" }}
                aria-current={is_current.then_some("true")} aria-labelledby={heading.clone()}
                onfocusin={link.callback(move |_| Msg::Current(id))}>
                <div class="nw-item-head">
                    <input type="checkbox" class="nw-select" id={format!("nw-select-{id}")} checked={selected}
                        aria-label={format!("Select the comment by {}", item.author_name)}
                        onchange={link.callback(move |_| Msg::Toggle(id))} />
                    if person.is_empty() {
                        <span id={heading.clone()} class="nw-author">{ &item.author_name }</span>
                    } else {
                        <button type="button" class="nw-person-button" id={heading.clone()} data-person={person.clone()}
                            aria-haspopup="dialog" title="The reader's drawer"
                            onclick={link.callback(move |_| Msg::OpenDrawer(id, person.clone()))}>
                            { &item.author_name }
                        </button>
                    }
                    <span class="nw-meta">
                        { " on " }<cite class="nw-article">{ &item.article_title }</cite>{ " · " }
                        <time datetime={item.created_at.to_string()}>{ text::time(item.created_at.as_str()) }</time>
                        { format!(" · {}", item.status.as_str()) }
                        if item.parent_id.is_some() { { " · a reply" } }
                    </span>
                </div>
                // Text, never HTML: Yew sets it as a text node.
                <p class="nw-body">{ &item.body }</p>
                if let Some(edit) = &item.pending_body {
                    <div class="nw-pending-edit">
                        <p class="nw-label">{ "Edit awaiting review:" }</p>
                        <p class="nw-body">{ edit }</p>
                    </div>
                }
                if let Some(reason) = &item.held_reason {
                    <p class="nw-held"><span class="nw-label">{ "Held: " }</span>{ text::held_reason(reason) }</p>
                }
                if item.report_count > 0 {
                    <div class="nw-reports">
                        <p class="nw-label">{ format!("Reported {}:", text::count(item.report_count as usize, "time", "times")) }</p>
                        <ul>
                        { for item.reports.iter().map(|r| html! { <li>{ format!("{} × {}", r.reason, r.count) }</li> }) }
                        </ul>
                    </div>
                }
                if let Some(last) = &item.last_decision {
                    <p class="nw-last">{ format!("Last: {} by {}, {}", last.action, last.actor, text::time(last.at.as_str())) }
                        { last.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default() }</p>
                }
                <div class="nw-actions">
                    <button type="button" data-action="approve" disabled={self.busy}
                        aria-label={format!("Approve the comment by {}", item.author_name)}
                        onclick={link.callback(move |_| Msg::Approve(vec![id]))}>{ "Approve" }</button>
                    <button type="button" data-action="reject" disabled={self.busy} aria-haspopup="dialog"
                        aria-label={format!("Reject the comment by {}", item.author_name)}
                        onclick={link.callback(move |_| Msg::AskReject(vec![id]))}>{ "Reject…" }</button>
                    <button type="button" data-action="history" aria-expanded={if history.is_some() { "true" } else { "false" }}
                        aria-controls={format!("nw-history-{id}")}
                        onclick={link.callback(move |_| Msg::ToggleHistory(id))}>{ "History" }</button>
                </div>
                <div id={format!("nw-history-{id}")} class="nw-history">
                { match history {
                    None => html! {},
                    Some(History::Loading) => html! { <p role="status">{ "Loading the history…" }</p> },
                    Some(History::Failed(message)) => html! { <p role="status" class="nw-error">{ message }</p> },
                    Some(History::Loaded(entries)) => history_list(entries),
                } }
                </div>
            </li>
        }
    }

    fn view_dialog(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        match &self.dialog {
            None => html! {},
            Some(Dialog::Help) => html! {
                <Modal id="nw-help" labelled_by="nw-help-title" on_close={link.callback(|()| Msg::CloseDialog)}>
                    <h2 id="nw-help-title">{ "Keys" }</h2>
                    <dl class="nw-keys">
                    { for keys::HELP.iter().map(|(key, what)| html! { <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></> }) }
                    </dl>
                    <p>{ "The keys work when the focus is not in a field. Every key also has a button." }</p>
                    <button type="button" data-action="close" autofocus=true
                        onclick={link.callback(|_| Msg::CloseDialog)}>{ "Close" }</button>
                </Modal>
            },
            Some(Dialog::Reject(ids)) => {
                let title = match self.author_of(ids) {
                    Some(name) => format!("Reject the comment by {name}"),
                    None => format!("Reject {}", text::count(ids.len(), "comment", "comments")),
                };
                let onsubmit = link.callback(|e: SubmitEvent| {
                    e.prevent_default();
                    Msg::ConfirmReject
                });
                html! {
                    <Modal id="nw-reject-dialog" labelled_by="nw-reject-title" on_close={link.callback(|()| Msg::CloseDialog)}>
                        <form class="nw-form" id="nw-reject-form" {onsubmit}>
                            <h2 id="nw-reject-title">{ title }</h2>
                            <div class="nw-field">
                                <label for="nw-reject-reason">{ "Reason (optional, in the history and the audit)" }</label>
                                <input ref={self.reason.clone()} id="nw-reject-reason" type="text" name="reason"
                                    maxlength={news_widget_api::admin::REASON_MAX.to_string()} autofocus=true />
                            </div>
                            <div class="nw-actions">
                                <button type="submit" class="nw-primary nw-danger" data-action="confirm-reject">{ "Reject" }</button>
                                <button type="button" data-action="cancel" onclick={link.callback(|_| Msg::CloseDialog)}>
                                    { "Cancel" }
                                </button>
                            </div>
                            <p class="nw-hint">{ "Enter rejects, Escape cancels." }</p>
                        </form>
                    </Modal>
                }
            }
        }
    }
}

/// A comment's or a person's history, newest first.
pub fn history_list(entries: &[HistoryEntry]) -> Html {
    if entries.is_empty() {
        return html! { <p>{ "No decisions yet." }</p> };
    }
    html! {
        <ol class="nw-history-list">
        { for entries.iter().map(|e| html! {
            <li>
                <time datetime={e.at.to_string()}>{ text::time(e.at.as_str()) }</time>
                { format!(" {} by {}", e.action, e.actor) }
                { e.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default() }
                { e.comment_id.map(|id| format!(" (comment #{id})")).unwrap_or_default() }
            </li>
        }) }
        </ol>
    }
}

/// Whether the focus is on a comment of the list or in one.
fn focus_in_list() -> bool {
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    active.and_then(|e| e.closest(".nw-queue-item").ok().flatten()).is_some()
}

fn active_id() -> Option<String> {
    web_sys::window()?.document()?.active_element().map(|e| e.id())
}

/// Where the focus is, for the key map.
fn focused_context(modal_open: bool) -> keys::Context {
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    let (tag, kind, editable) = match &active {
        Some(el) => (
            el.tag_name(),
            el.get_attribute("type").unwrap_or_default(),
            el.dyn_ref::<web_sys::HtmlElement>().is_some_and(|h| h.is_content_editable()),
        ),
        None => (String::new(), String::new(), false),
    };
    keys::context(modal_open, &tag, &kind, editable)
}

fn scroll_into_view(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(el) = element {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        el.scroll_into_view_with_scroll_into_view_options(&options);
    }
}
