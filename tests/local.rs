//! `data-backend="local"`: the same UI with no server, its data kept in the browser.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap()
}

fn js_mount(element: &web_sys::Element, slug: &str) -> JsValue {
    news_widget::install_js_api();
    let api = get(&web_sys::window().unwrap(), "NewsWidget");
    let mount: js_sys::Function = get(&api, "mount").dyn_into().unwrap();
    let config = js_sys::Object::new();
    for (key, value) in [("backend", "local"), ("article", slug), ("lang", "fr")] {
        js_sys::Reflect::set(&config, &key.into(), &value.into()).unwrap();
    }
    mount.call2(&api, element, &config).unwrap()
}

fn unmount(handle: &JsValue) {
    let unmount: js_sys::Function = get(handle, "unmount").dyn_into().unwrap();
    unmount.call0(handle).unwrap();
}

#[wasm_bindgen_test]
async fn the_local_backend_keeps_a_rating_and_a_comment_across_a_re_mount() {
    let slug = unique_slug("local");
    // The article, inline in the page, in the API's shape.
    let script = document().create_element("script").unwrap();
    script.set_attribute("type", "application/json").unwrap();
    script.set_attribute("data-news-widget-article", &slug).unwrap();
    script.set_text_content(Some(&format!(
        r#"{{"slug":"{slug}","lang":"fr","title":"Un article sans serveur","body_html":"<p>Bonjour.</p><img src=x onerror=alert(1)>","published_at":"2026-11-27T10:00:00Z","editor_score":70}}"#
    )));
    document().body().unwrap().append_child(&script).unwrap();

    let element = container();
    let handle = js_mount(&element, &slug);
    assert_eq!(wait_for(&element, "h1.nw-title").await.text_content().unwrap(), "Un article sans serveur");
    assert!(find(&element, ".nw-body img[onerror]").is_none(), "the page's body is sanitized too");
    wait_for(&element, ".nw-user-rating").await;
    assert_eq!(plain(&text(&element, ".nw-editor-score")), "Note globale 70 %");

    find(&element, "input[value='4']").unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    click(&element, ".nw-rate-button");
    wait_for(&element, ".nw-your-rating").await;

    type_into(&element, "[name=body]", "Gardé dans ce navigateur.");
    type_into(&element, "[name=name]", "Camille");
    type_into(&element, "[name=email]", "camille@example.org");
    click(&element, ".nw-comments > .nw-comment-form button[type=submit]");
    wait_for(&element, ".nw-comment").await;

    unmount(&handle);
    yew::scheduler::flush().await;
    assert!(find(&element, "*").is_none(), "nothing left in the element");

    let again = js_mount(&element, &slug);
    wait_for(&element, ".nw-comment").await;
    assert_eq!(plain(&text(&element, ".nw-your-rating")), "Votre note : 4 étoiles");
    assert_eq!(plain(&text(&element, ".nw-user-rating")), "Note des lecteurs : 80,00 % (1 vote)");
    assert_eq!(text(&element, ".nw-comments h2"), "1 commentaire");
    assert_eq!(text(&element, ".nw-comment-body"), "Gardé dans ce navigateur.");
    unmount(&again);
    script.remove();
}

#[wasm_bindgen_test]
async fn without_the_inline_article_the_local_backend_says_so() {
    let element = container();
    js_mount(&element, &unique_slug("missing"));
    let alert = wait_for(&element, ".nw-article-error").await;
    assert!(alert.text_content().unwrap().contains("data-news-widget-article"), "{}", alert.text_content().unwrap());
}

fn inline_article(slug: &str, title: &str) -> web_sys::Element {
    let script = document().create_element("script").unwrap();
    script.set_attribute("type", "application/json").unwrap();
    script.set_attribute("data-news-widget-article", slug).unwrap();
    script.set_text_content(Some(&format!(
        r#"{{"slug":"{slug}","lang":"fr","title":"{title}","body_html":"<p>Local.</p>","published_at":"2026-11-27T10:00:00Z"}}"#
    )));
    document().body().unwrap().append_child(&script).unwrap();
    script
}

#[wasm_bindgen_test]
async fn auto_uses_the_browser_only_when_no_server_was_named_and_says_so() {
    let slug = unique_slug("auto");
    let script = inline_article(&slug, "Sans serveur");
    // No data-api, and this origin (the test runner's) answers /api/v1/health with a 404: no
    // server at all, so the browser keeps it, and says so next to the rating and the form.
    let page = container();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-backend="auto" data-article="{slug}" lang="fr"></div>"#
    ));
    news_widget::mount_all();
    let root = page.first_element_child().unwrap();
    assert_eq!(wait_for(&root, "h1.nw-title").await.text_content().unwrap(), "Sans serveur");
    let said = "Enregistré dans ce navigateur uniquement — non publié";
    assert_eq!(text(&root, ".nw-rating .nw-local-note"), said);
    assert_eq!(text(&root, ".nw-comments .nw-local-note"), said);

    // A named server that does not answer is still that server: it never falls back to this
    // browser, where a comment would look published and never be.
    let named = container();
    named.set_inner_html(&format!(
        r#"<div data-news-widget data-backend="auto" data-api="http://127.0.0.1:9/api/v1" data-article="{slug}" lang="fr"></div>"#
    ));
    news_widget::mount_all();
    let root = named.first_element_child().unwrap();
    wait_for(&root, ".nw-article-error").await;
    wait_for(&root, ".nw-comments .nw-error").await;
    assert!(find(&root, "h1.nw-title").is_none(), "not the page's inline article");
    assert!(find(&root, ".nw-local-note").is_none());

    // With a server that answers, auto is the server: the demo article comes from it.
    let served = container();
    served.set_inner_html(&format!(
        r#"<div data-news-widget data-backend="auto" data-api="{}" data-article="cooperation-chine-kazakhstan"></div>"#,
        api()
    ));
    news_widget::mount_all();
    let root = served.first_element_child().unwrap();
    assert!(wait_for(&root, "h1.nw-title").await.text_content().unwrap().starts_with("Coopération"));
    wait_for(&root, ".nw-comment-form").await;
    assert!(find(&root, ".nw-local-note").is_none(), "our server publishes: no local note");
    script.remove();
}

#[wasm_bindgen_test]
async fn the_authors_rejected_pending_comment_is_dropped_and_they_are_told_once() {
    use news_widget::backend::Backend;
    use news_widget::comments::store;
    use news_widget::comments::{CommentsProps, CommentsView};
    use news_widget::i18n::Lang;
    use news_widget_api::{CommentInput, CommentStatus, LangTag, Slug};

    let slug = Slug::parse(&unique_slug("rejected")).unwrap();
    let input = CommentInput {
        parent_id: None,
        author_name: "Camille".into(),
        author_email: "camille@example.org".into(),
        author_url: None,
        body: "Refusé plus tard.".into(),
        website_confirm: String::new(),
        form_token: String::new(),
    };
    let mut posted = Backend::local().post_comment(&slug, &input, &store::new_key()).await.unwrap();
    // As a server under pre-moderation answered, kept on this device…
    posted.status = CommentStatus::Pending;
    posted.comment.status = CommentStatus::Pending;
    store::keep_mine(&slug, &posted);
    // …and since rejected by a moderator.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let key = format!("news-widget:local:comments:{slug}");
    let stored = storage.get_item(&key).unwrap().unwrap().replace(r#""status":"approved""#, r#""status":"rejected""#);
    storage.set_item(&key, &stored).unwrap();

    let view = || {
        let root = container();
        let props = CommentsProps {
            backend: Backend::local(),
            slug: slug.clone(),
            lang: Lang::new(LangTag::parse("fr").unwrap()),
            per_page: Default::default(),
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
    assert_eq!(text(&root, ".nw-comments > .nw-status"), "Désolé : votre commentaire n’a pas été publié.");
    assert!(store::mine(&slug).is_empty(), "dropped from the reader's own comments");
    assert!(find(&root, ".nw-badge").is_none(), "no longer \"awaiting moderation\"");

    // Told once: the next load says nothing.
    let again = view();
    wait_for(&again, ".nw-empty").await;
    sleep(300).await;
    yew::scheduler::flush().await;
    assert_eq!(text(&again, ".nw-comments > .nw-status"), "");
}
