//! Live updates in a real browser, against the real server's stream: others' new comments wait
//! under a polite "N new comments — show" line and go in without moving the reader, the reader's
//! own comment is not news to them, edits, removals and votes apply in place, and a stream that
//! fails is opened again, later and later.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use news_widget::comments::store;
use news_widget_api::Sort;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// A widget mounted as a page mounts it (shadow root, default options), with room above and
/// below it to scroll.
fn mount(slug: &str, parts: &str) -> (Element, news_widget::Mounted) {
    let page = container();
    page.set_inner_html(&format!(
        r#"<div style="height: 1500px"></div>
           <div data-news-widget data-api="{}" data-article="{slug}" data-parts="{parts}" lang="en"></div>
           <div style="height: 3000px"></div>"#,
        api()
    ));
    let element = page.query_selector("[data-news-widget]").unwrap().unwrap();
    let mounted = news_widget::mount_handle(element.clone());
    assert!(matches!(mounted, news_widget::Mounted::Widget(_)), "a good configuration");
    (element, mounted)
}

/// Waits (up to 10 s) until `selector`'s text is `want`.
async fn wait_text(root: &Element, selector: &str, want: &str) {
    for _ in 0..200 {
        yew::scheduler::flush().await;
        if find(root, selector).and_then(|e| e.text_content()).is_some_and(|t| plain(&t).trim() == want) {
            return;
        }
        sleep(50).await;
    }
    panic!("{selector} never said {want:?}: {:?}", find(root, selector).and_then(|e| e.text_content()));
}

/// The stream opens right after the first render; a moment makes sure it is listening.
async fn listening() {
    sleep(500).await;
}

fn top(root: &Element, selector: &str) -> f64 {
    find(root, selector).unwrap_or_else(|| panic!("no {selector}")).get_bounding_client_rect().top()
}

/// Posts as another reader, answering the comment's id and edit token.
async fn post_as_other(slug: &str, parent: Option<i64>, body: &str) -> (i64, String) {
    direct_comment_with_token(slug, parent, "Other", body).await
}

#[wasm_bindgen_test]
async fn new_comments_wait_under_a_polite_line_and_go_in_without_moving_the_reader() {
    let slug = fresh_article("live-new", "en").await;
    let mut old = Vec::new();
    for n in 0..6 {
        old.push(direct_comment(&slug, None, "Reader", &format!("old thread {n}")).await);
    }
    // Newest first: new threads go in above what the reader is reading.
    store::set_sort(Sort::Newest);
    let (root, mounted) = mount(&slug, "comments");
    wait_for(&root, &format!("#nw-c-{}", old[0])).await;
    listening().await;
    // As in a browser without scroll anchoring (Safari): the widget alone keeps the place.
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(".nw-widget * { overflow-anchor: none; }"));
    root.shadow_root().unwrap().append_child(&style).unwrap();

    // The reader reads the third thread from the top (old[3]).
    let watched = format!("#nw-c-{}", old[3]);
    // Threads out of view have an estimated size until they are near it (content-visibility):
    // the reader's view settles once they are laid out.
    for _ in 0..3 {
        find(&root, &watched).unwrap().scroll_into_view();
        sleep(150).await;
    }
    let before = top(&root, &watched);
    assert!(before.abs() < 5.0, "at the top of the view: {before}");

    let first = direct_comment(&slug, None, "Other", "new thread one").await;
    let reply = direct_comment(&slug, Some(old[3]), "Other", "a reply to the watched thread").await;
    let second = direct_comment(&slug, None, "Other", "new thread two").await;
    wait_text(&root, ".nw-live-show", "3 new comments — show").await;
    let line = find(&root, ".nw-live").unwrap();
    assert_eq!(line.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(line.get_attribute("aria-live").as_deref(), Some("polite"));
    assert!(
        line.contains(find(&root, ".nw-live-show").as_ref().map(|b| b.unchecked_ref())),
        "the count is in the region"
    );
    for id in [first, reply, second] {
        assert!(find(&root, &format!("#nw-c-{id}")).is_none(), "{id} waits for the reader");
    }
    assert_eq!(text(&root, ".nw-comments h2"), "6 comments");
    let line_top = top(&root, &watched);
    assert!(
        (line_top - before).abs() < 1.0,
        "the line's coming moved nothing: {before} → {line_top}; {}",
        line.outer_html()
    );

    click(&root, ".nw-live-show");
    wait_for(&root, &format!("#nw-c-{second}")).await;
    yew::scheduler::flush().await;
    for id in [first, reply, second] {
        assert_eq!(find_all(&root, &format!("#nw-c-{id}")).len(), 1, "{id} shows once");
    }
    let at_once = top(&root, &watched);
    sleep(300).await;
    let after = top(&root, &watched);
    assert!(
        (at_once - before).abs() < 1.0 && (after - before).abs() < 1.0,
        "the watched thread stayed where it was: {before} → {at_once} → {after}"
    );
    assert_eq!(text(&root, ".nw-comments h2"), "9 comments");
    assert!(find(&root, ".nw-live-show").is_none(), "the line is gone");
    // Where they belong: newest on top, the reply under its parent.
    let tops: Vec<String> =
        find_all(&root, ".nw-thread > .nw-comment-item > .nw-comment").iter().map(Element::id).collect();
    assert_eq!(tops[..2], [format!("nw-c-{second}"), format!("nw-c-{first}")]);
    let parent = find(&root, &format!("#nw-c-{reply}")).unwrap().closest(".nw-replies").unwrap().unwrap();
    assert_eq!(parent.parent_element().unwrap().first_element_child().unwrap().id(), format!("nw-c-{}", old[3]));
    // The focus is on the first new comment, without the page jumping to it.
    let focused = root.shadow_root().unwrap().active_element().map(|e| e.id());
    assert_eq!(focused.as_deref(), Some(format!("nw-c-{second}").as_str()));
    assert!((top(&root, &watched) - before).abs() < 1.0, "focusing scrolled nothing");
    store::set_sort(Sort::Oldest);
    mounted.unmount(&root);
}

#[wasm_bindgen_test]
async fn the_readers_own_comment_is_no_news_and_edits_and_removals_apply_in_place() {
    let slug = fresh_article("live-own", "en").await;
    let (edited, edit_token) = post_as_other(&slug, None, "before the edit").await;
    let (parent, parent_token) = post_as_other(&slug, None, "a thread with a reply").await;
    let (child, _) = post_as_other(&slug, Some(parent), "the reply").await;
    let (lonely, lonely_token) = post_as_other(&slug, None, "a thread alone").await;
    let (root, mounted) = mount(&slug, "comments");
    wait_for(&root, &format!("#nw-c-{lonely}")).await;
    listening().await;

    // The reader posts: their comment shows once, and is not "new".
    type_into(&root, "[name=body]", "my own words");
    type_into(&root, "[name=name]", "Me");
    type_into(&root, "[name=email]", "me@example.org");
    click(&root, ".nw-comment-form button[type=submit]");
    wait_text(&root, ".nw-comments h2", "5 comments").await;
    sleep(1000).await;
    yew::scheduler::flush().await;
    assert!(find(&root, ".nw-live-show").is_none(), "the reader's own comment is not counted");
    let own: Vec<Element> = find_all(&root, ".nw-comment-body")
        .into_iter()
        .filter(|b| b.text_content().unwrap_or_default().contains("my own words"))
        .collect();
    assert_eq!(own.len(), 1, "shown once");

    // Another reader edits theirs: the new text, in place.
    let before = top(&root, &format!("#nw-c-{lonely}"));
    let answer = gloo_net::http::Request::patch(&format!("{}/comments/{edited}", api()))
        .header("x-edit-token", &edit_token)
        .json(&serde_json::json!({ "body": "after the edit" }))
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    wait_text(&root, &format!("#nw-c-{edited} .nw-comment-body"), "after the edit").await;
    assert!(text(&root, &format!("#nw-c-{edited} .nw-comment-time")).contains("edited"));
    assert!((top(&root, &format!("#nw-c-{lonely}")) - before).abs() < 1.0, "an edit of the same length moves nothing");

    // Removals: one with a reply stays as the thread's placeholder, one without goes.
    for (id, token) in [(parent, &parent_token), (lonely, &lonely_token)] {
        let answer = gloo_net::http::Request::delete(&format!("{}/comments/{id}", api()))
            .header("x-edit-token", token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204);
    }
    wait_for(&root, &format!("#nw-c-{parent}.nw-comment-deleted")).await;
    for _ in 0..100 {
        yew::scheduler::flush().await;
        if find(&root, &format!("#nw-c-{lonely}")).is_none() {
            break;
        }
        sleep(50).await;
    }
    assert!(find(&root, &format!("#nw-c-{lonely}")).is_none(), "a removed comment without replies goes");
    assert!(find(&root, &format!("#nw-c-{child}")).is_some(), "the reply stays under the placeholder");
    assert_eq!(text(&root, ".nw-comments h2"), "3 comments");
    assert!(find(&root, ".nw-live-show").is_none());
    mounted.unmount(&root);
}

#[wasm_bindgen_test]
async fn another_readers_vote_changes_the_figures_in_place_and_not_the_readers_stars() {
    let slug = fresh_article("live-vote", "en").await;
    let me = format!("reader-live-{}", (js_sys::Math::random() * 1e12) as u64);
    set_reader(&me);
    assert_eq!(direct_vote(&slug, &me, 5).await, 200);
    let (root, mounted) = mount(&slug, "rating, comments");
    wait_text(&root, ".nw-your-rating", "Your rating: 5 stars").await;
    wait_text(&root, ".nw-user-rating", "User rating: 100.00% (1 vote)").await;
    listening().await;

    assert_eq!(direct_vote(&slug, "reader-live-other-0123456789", 1).await, 200);
    wait_text(&root, ".nw-user-rating", "User rating: 60.00% (2 votes)").await;
    assert_eq!(plain(&text(&root, ".nw-your-rating")), "Your rating: 5 stars", "the reader's own stars stay");
    assert!(find(&root, ".nw-error").is_none());
    mounted.unmount(&root);
}

#[wasm_bindgen_test]
async fn a_stream_that_fails_is_opened_again_later_and_later() {
    // No such article (yet): every attempt is answered 404, which EventSource never retries.
    let slug = unique_slug("live-missing");
    let (root, mounted) = mount(&slug, "comments");
    let url = format!("{}/articles/{slug}/events", api());
    let mut starts = Vec::new();
    for _ in 0..160 {
        sleep(50).await;
        let entries = web_sys::window().unwrap().performance().unwrap().get_entries_by_name(&url);
        starts = (0..entries.length())
            .map(|i| js_sys::Reflect::get(&entries.get(i), &"startTime".into()).unwrap().as_f64().unwrap())
            .collect::<Vec<f64>>();
        if starts.len() >= 3 {
            break;
        }
    }
    assert!(starts.len() >= 3, "opened again after failures: {starts:?}");
    let gaps: Vec<f64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[0] >= 450.0, "not at once: {gaps:?}");
    assert!(gaps[1] >= gaps[0] * 0.99, "later each time: {gaps:?}");
    mounted.unmount(&root);
}
