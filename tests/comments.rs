//! The comments part in a real browser, against the real server.

#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use news_widget::backend::Backend;
use news_widget::comments::form::{CommentForm, FormProps};
use news_widget::comments::store::{self, Draft};
use news_widget::comments::{CommentsProps, CommentsView};
use news_widget::i18n::Lang;
use news_widget_api::{LangTag, PageSize, PostedComment, Slug};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlTextAreaElement};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn lang(tag: &str) -> Lang {
    words();
    Lang::new(LangTag::parse(tag).unwrap())
}

type Posted = Rc<RefCell<Vec<PostedComment>>>;

fn form(api: &str, slug: &str, tag: &str) -> (Element, yew::AppHandle<CommentForm>, Posted) {
    let root = container();
    let posted: Posted = Rc::default();
    let sink = posted.clone();
    let props = FormProps {
        backend: Backend::rest(api),
        slug: Slug::parse(slug).unwrap(),
        lang: lang(tag),
        parent: None,
        on_posted: Callback::from(move |p| sink.borrow_mut().push(p)),
        on_cancel: None,
        ids: format!("nw{}-f-top", news_widget::next_id()).into(),
        seed: None,
        typed: None,
        action: Default::default(),
        return_to: None,
    };
    let app = yew::Renderer::<CommentForm>::with_root_and_props(root.clone(), props).render();
    (root, app, posted)
}

/// A draft started long enough ago that the time trap lets it through.
fn seasoned_draft(slug: &str, body: &str) {
    let draft = Draft {
        name: "Camille".into(),
        email: "camille@example.org".into(),
        body: body.into(),
        key: store::new_key(),
        started_at: js_sys::Date::now() - 60_000.0,
        ..Draft::default()
    };
    store::save_draft(&Slug::parse(slug).unwrap(), None, &draft);
}

fn field_value(root: &Element, selector: &str) -> String {
    let el = root.query_selector(selector).unwrap().unwrap();
    match el.dyn_ref::<HtmlTextAreaElement>() {
        Some(area) => area.value(),
        None => el.unchecked_into::<web_sys::HtmlInputElement>().value(),
    }
}

fn active_name() -> String {
    document().active_element().and_then(|e| e.get_attribute("name")).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn validation_shows_each_error_by_its_field_and_focuses_the_first() {
    let slug = fresh_article("validate", "fr").await;
    let (root, _app, posted) = form(api(), &slug, "fr");
    yew::scheduler::flush().await;
    click(&root, "button[type=submit]");
    yew::scheduler::flush().await;
    for name in ["body", "name", "email"] {
        let input = root.query_selector(&format!("[name={name}]")).unwrap().unwrap();
        assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"), "{name}");
        let described = input.get_attribute("aria-describedby").unwrap();
        let error_id = described.split(' ').next().unwrap();
        let message = document().get_element_by_id(error_id).unwrap().text_content().unwrap();
        assert!(plain(&message).contains("ce champ est obligatoire"), "{name}: {message}");
    }
    assert!(root.query_selector("[name=website][aria-invalid]").unwrap().is_none(), "the website is optional");
    assert_eq!(active_name(), "body", "the first invalid field has the focus");
    assert_eq!(plain(&text(&root, "[role=alert]")), "Corrigez les champs signalés en rouge.");

    type_into(&root, "[name=body]", "Un avis");
    type_into(&root, "[name=name]", "Camille");
    type_into(&root, "[name=email]", "camille@");
    type_into(&root, "[name=website]", "javascript:alert(1)");
    click(&root, "button[type=submit]");
    yew::scheduler::flush().await;
    assert_eq!(active_name(), "email");
    assert!(root.query_selector("[name=body][aria-invalid]").unwrap().is_none());
    assert!(plain(&text(&root, ".nw-field-invalid .nw-field-error")).contains("nom@exemple.fr"));
    assert_eq!(root.query_selector_all("[aria-invalid=true]").unwrap().length(), 2, "email and website");
    assert!(root
        .query_selector("[name=email]")
        .unwrap()
        .unwrap()
        .get_attribute("aria-describedby")
        .unwrap()
        .contains("email-note"));
    sleep(200).await;
    assert!(posted.borrow().is_empty(), "nothing was sent");
    assert_eq!(requests_to(&format!("{}/articles/{slug}/comments", api())), 0);
}

#[wasm_bindgen_test]
async fn the_server_422_is_shown_the_same_way() {
    let slug = fresh_article("server422", "en").await;
    seasoned_draft(&slug, "hello");
    // A body the shared rules accept but the server refuses: a reply to a comment that does not exist.
    let root = container();
    let props = FormProps {
        backend: Backend::rest(api()),
        slug: Slug::parse(&slug).unwrap(),
        lang: lang("en"),
        parent: Some((999_999, "Nobody".into())),
        on_posted: Callback::noop(),
        on_cancel: None,
        ids: format!("nw{}-f-top", news_widget::next_id()).into(),
        seed: None,
        typed: None,
        action: Default::default(),
        return_to: None,
    };
    let draft = store::load_draft(&Slug::parse(&slug).unwrap(), None).unwrap();
    store::save_draft(&Slug::parse(&slug).unwrap(), Some(999_999), &draft);
    yew::Renderer::<CommentForm>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    click(&root, "button[type=submit]");
    let alert = wait_for(&root, ".nw-form-alert .nw-error").await;
    assert!(alert.text_content().unwrap().contains("parent_id"), "{}", alert.text_content().unwrap());
    assert_eq!(field_value(&root, "[name=body]"), "hello", "the text is kept");
}

#[wasm_bindgen_test]
async fn the_draft_comes_back_after_a_re_mount() {
    let slug = fresh_article("draft", "fr").await;
    let (root, app, _) = form(api(), &slug, "fr");
    yew::scheduler::flush().await;
    type_into(&root, "[name=body]", "Mon texte\nsur deux lignes");
    type_into(&root, "[name=name]", "Aïgerim");
    yew::scheduler::flush().await;
    app.destroy();
    yew::scheduler::flush().await;

    let (again, _app, _) = form(api(), &slug, "fr");
    yew::scheduler::flush().await;
    assert_eq!(field_value(&again, "[name=body]"), "Mon texte\nsur deux lignes");
    assert_eq!(field_value(&again, "[name=name]"), "Aïgerim");
    assert_eq!(text(&again, ".nw-draft-note"), "Votre commentaire non envoyé a été restauré.");
}

#[wasm_bindgen_test]
async fn a_second_click_while_sending_sends_nothing() {
    let slug = fresh_article("busy", "en").await;
    seasoned_draft(&slug, "Only once, please.");
    let (root, _app, posted) = form(api(), &slug, "en");
    // The form's signed token first: sent without one, a comment is held for a moderator.
    for _ in 0..100 {
        yew::scheduler::flush().await;
        if store::load_draft(&Slug::parse(&slug).unwrap(), None).is_some_and(|d| !d.form_token.is_empty()) {
            break;
        }
        sleep(50).await;
    }
    click(&root, "button[type=submit]");
    click(&root, "button[type=submit]");
    yew::scheduler::flush().await;
    assert_eq!(
        root.query_selector("button[type=submit]").unwrap().unwrap().get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    wait_for(&root, ".nw-form-status p").await;
    for _ in 0..100 {
        if !posted.borrow().is_empty() {
            break;
        }
        sleep(50).await;
    }
    sleep(300).await;
    assert_eq!(posted.borrow().len(), 1);
    assert_eq!(requests_to(&format!("{}/articles/{slug}/comments", api())), 1, "one POST");
    assert_eq!(text(&root, ".nw-form-status p"), "Your comment is published.");
    assert_eq!(field_value(&root, "[name=body]"), "", "cleared after the 2xx");
    assert!(store::load_draft(&Slug::parse(&slug).unwrap(), None).is_none(), "and the saved draft too");
}

#[wasm_bindgen_test]
async fn a_failed_post_keeps_the_text_and_says_what_happened() {
    let slug = fresh_article("offline", "fr").await;
    seasoned_draft(&slug, "Ce texte ne doit pas se perdre.");
    let (root, _app, posted) = form("http://127.0.0.1:9/api/v1", &slug, "fr");
    yew::scheduler::flush().await;
    click(&root, "button[type=submit]");
    let alert = wait_for(&root, ".nw-form-alert .nw-error").await;
    let said = plain(&alert.text_content().unwrap());
    assert!(said.contains("Votre commentaire n’a pas été envoyé : Le serveur est injoignable."), "{said}");
    assert!(said.contains("Votre texte est conservé."), "{said}");
    assert!(said.contains("Nouvel essai dans 2 s."), "{said}");
    assert_eq!(field_value(&root, "[name=body]"), "Ce texte ne doit pas se perdre.");
    assert_eq!(store::load_draft(&Slug::parse(&slug).unwrap(), None).unwrap().body, "Ce texte ne doit pas se perdre.");
    assert!(root.query_selector(".nw-form-actions button[type=button]").unwrap().is_some(), "Réessayer maintenant");
    assert!(posted.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn plural_forms_of_the_comment_count() {
    let fr = lang("fr");
    let en = lang("en");
    let forms = |l: &Lang| [0, 1, 2, 12].map(|n| l.count(n, &l.text.comments));
    assert_eq!(forms(&fr), ["0 commentaire", "1 commentaire", "2 commentaires", "12 commentaires"]);
    assert_eq!(forms(&en), ["0 comments", "1 comment", "2 comments", "12 comments"]);

    let slug = fresh_article("plural", "fr").await;
    let root = container();
    let props = CommentsProps {
        backend: Backend::rest(api()),
        slug: Slug::parse(&slug).unwrap(),
        lang: fr.clone(),
        per_page: Default::default(),
        article_loads: 0,
        ids: format!("nw{}", news_widget::next_id()).into(),
        seed: None,
        typed: None,
        action: Default::default(),
        live: None,
    };
    yew::Renderer::<CommentsView>::with_root_and_props(root.clone(), props).render();
    wait_for(&root, ".nw-empty").await;
    assert_eq!(text(&root, ".nw-comments h2"), "0 commentaire");
    assert_eq!(plain(&text(&root, ".nw-empty")), "Aucun commentaire pour l’instant. Soyez le premier !");
}

#[wasm_bindgen_test]
async fn a_page_holds_per_page_threads_and_load_more_brings_the_next() {
    let slug = fresh_article("paged", "en").await;
    let first = direct_comment(&slug, None, "Alice", "first thread").await;
    let reply = direct_comment(&slug, Some(first), "Bob", "a reply comes with its thread").await;
    let second = direct_comment(&slug, None, "Chloé", "second thread").await;
    let root = container();
    let props = CommentsProps {
        backend: Backend::rest(api()),
        slug: Slug::parse(&slug).unwrap(),
        lang: lang("en"),
        per_page: PageSize::new(1).unwrap(),
        article_loads: 0,
        ids: format!("nw{}", news_widget::next_id()).into(),
        seed: None,
        typed: None,
        action: Default::default(),
        live: None,
    };
    yew::Renderer::<CommentsView>::with_root_and_props(root.clone(), props).render();
    wait_for(&root, &format!("#nw-c-{reply}")).await;
    assert_eq!(text(&root, ".nw-comments h2"), "3 comments", "the count is the whole thread's");
    assert!(find(&root, &format!("#nw-c-{second}")).is_none(), "one thread a page");
    click(&root, ".nw-more button");
    wait_for(&root, &format!("#nw-c-{second}")).await;
    assert_eq!(root.query_selector_all(".nw-level-1").unwrap().length(), 2);
    assert!(find(&root, ".nw-more button").is_none(), "no more pages");
}

#[wasm_bindgen_test]
async fn a_long_page_renders_in_steps_to_the_last_thread_in_order() {
    let slug = fresh_article("long", "en").await;
    let mut ids = Vec::new();
    for n in 0..45 {
        ids.push(direct_comment(&slug, None, "Reader", &format!("thread {n}")).await);
    }
    let reply = direct_comment(&slug, Some(ids[44]), "Bob", "a reply in the last step").await;
    let root = container();
    let props = CommentsProps {
        backend: Backend::rest(api()),
        slug: Slug::parse(&slug).unwrap(),
        lang: lang("en"),
        per_page: PageSize::new(100).unwrap(),
        article_loads: 0,
        ids: format!("nw{}", news_widget::next_id()).into(),
        seed: None,
        typed: None,
        action: Default::default(),
        live: None,
    };
    yew::Renderer::<CommentsView>::with_root_and_props(root.clone(), props).render();
    wait_for(&root, &format!("#nw-c-{reply}")).await;
    let shown: Vec<String> = (0..45).map(|n| format!("nw-c-{}", ids[n])).collect();
    let items = root.query_selector_all(".nw-thread > .nw-comment-item > .nw-comment").unwrap();
    let found: Vec<String> =
        (0..items.length()).map(|i| items.item(i).unwrap().unchecked_into::<Element>().id()).collect();
    assert_eq!(found, shown, "every thread once, oldest first");
    assert!(find(&root, ".nw-more button").is_none(), "all on one page");
}

#[wasm_bindgen_test]
async fn the_thread_shows_replies_to_three_levels_and_bodies_as_text() {
    let slug = fresh_article("thread", "fr").await;
    let top =
        direct_comment(&slug, None, "Alice", "<script>alert(1)</script>\nVoir https://ex.example/a.\n\nFin").await;
    let two = direct_comment(&slug, Some(top), "Bob", "niveau 2").await;
    let three = direct_comment(&slug, Some(two), "Chloé", "niveau 3").await;
    let four = direct_comment(&slug, Some(three), "Dmitri", "niveau 4").await;
    let root = container();
    let props = CommentsProps {
        backend: Backend::rest(api()),
        slug: Slug::parse(&slug).unwrap(),
        lang: lang("fr"),
        per_page: Default::default(),
        article_loads: 0,
        ids: format!("nw{}", news_widget::next_id()).into(),
        seed: None,
        typed: None,
        action: Default::default(),
        live: None,
    };
    yew::Renderer::<CommentsView>::with_root_and_props(root.clone(), props).render();
    wait_for(&root, &format!("#nw-c-{four}")).await;
    assert_eq!(text(&root, ".nw-comments h2"), "4 commentaires");

    let body = root.query_selector(&format!("#nw-c-{top} .nw-comment-body")).unwrap().unwrap();
    assert_eq!(body.query_selector_all("p").unwrap().length(), 2);
    assert!(body.query_selector("script").unwrap().is_none());
    assert!(body.text_content().unwrap().contains("<script>alert(1)</script>"), "shown as text");
    assert_eq!(body.query_selector_all("br").unwrap().length(), 1);
    let link = body.query_selector("a").unwrap().unwrap();
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://ex.example/a"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("nofollow ugc noopener"));

    for (id, level) in [(top, 1), (two, 2), (three, 3), (four, 3)] {
        let item = root.query_selector(&format!("#nw-c-{id}")).unwrap().unwrap().parent_element().unwrap();
        assert!(item.class_name().contains(&format!("nw-level-{level}")), "{id}: {}", item.class_name());
    }
    assert_eq!(text(&root, &format!("#nw-c-{four} .nw-in-reply")), "en réponse à Chloé");
    assert!(root.query_selector(&format!("#nw-c-{three} .nw-in-reply")).unwrap().is_none());

    // Reply opens a form under the comment, with Cancel.
    click(&root, &format!("#nw-reply-{two}"));
    yew::scheduler::flush().await;
    assert_eq!(
        root.query_selector(&format!("#nw-reply-{two}")).unwrap().unwrap().get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert_eq!(text(&root, ".nw-reply-form h3"), "Répondre à Bob");
    click(&root, ".nw-reply-form .nw-button-quiet");
    yew::scheduler::flush().await;
    assert!(root.query_selector(".nw-reply-form").unwrap().is_none());
}

/// Against the server's `GET /comments/{id}/status`: the author's pending comment a moderator
/// rejected is dropped from this device and the author told, once, that it was not published.
#[wasm_bindgen_test]
async fn a_rejected_pending_comment_is_dropped_and_the_author_told_once() {
    use news_widget_api::{CommentInput, CommentStatus};
    let slug = fresh_article("rejected", "en").await;
    let slug = Slug::parse(&slug).unwrap();
    let backend = Backend::rest(api());
    let input = CommentInput {
        author_name: "Camille".into(),
        author_email: "camille@example.org".into(),
        body: "To be rejected.".into(),
        ..CommentInput::default()
    };
    let mut posted = backend.post_comment(&slug, &input, &store::new_key()).await.unwrap();
    // As a server under pre-moderation answers, kept on this device; then a moderator rejects it.
    posted.status = CommentStatus::Pending;
    posted.comment.status = CommentStatus::Pending;
    store::keep_mine(&slug, &posted);
    let rejected = gloo_net::http::Request::post(&format!("{}/admin/comments/{}/reject", api(), posted.comment.id))
        .header("Authorization", &format!("Bearer {}", admin_token()))
        .send()
        .await
        .unwrap();
    assert!(rejected.ok(), "reject: {}", rejected.status());

    let view = || {
        let root = container();
        let props = CommentsProps {
            backend: backend.clone(),
            slug: slug.clone(),
            lang: lang("en"),
            per_page: PageSize::default(),
            article_loads: 0,
            ids: format!("nw{}", news_widget::next_id()).into(),
            seed: None,
            typed: None,
            action: Default::default(),
            live: None,
        };
        yew::Renderer::<CommentsView>::with_root_and_props(root.clone(), props).render();
        root
    };
    let root = view();
    for _ in 0..100 {
        yew::scheduler::flush().await;
        if !text(&root, ".nw-comments > .nw-status").is_empty() {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(text(&root, ".nw-comments > .nw-status"), "Sorry: your comment was not published.");
    assert!(store::mine(&slug).is_empty(), "dropped from the reader's own comments");
    assert!(find(&root, ".nw-badge").is_none(), "no longer awaiting moderation");
    let again = view();
    wait_for(&again, ".nw-empty").await;
    sleep(300).await;
    yew::scheduler::flush().await;
    assert_eq!(text(&again, ".nw-comments > .nw-status"), "", "told once");
}
