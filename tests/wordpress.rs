//! The widget's WordPress flavour against a real WordPress (started by `cargo xtask test`, see
//! xtask/src/wordpress.rs), from this page of another origin, with the default options: shadow
//! root, every part. What the widget shows is compared with what WordPress's own REST API says.

#![cfg(all(target_arch = "wasm32", feature = "wordpress"))]

mod common;

use common::*;
use news_widget_api::wordpress::{comment_text, Post, WpComment};
use news_widget_api::LangTag;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn env(value: Option<&'static str>, name: &str) -> &'static str {
    value.unwrap_or_else(|| panic!("{name} is unset: run the browser tests through `cargo xtask test`"))
}

/// WordPress's REST root: `http://127.0.0.1:PORT/wp-json`.
fn rest() -> &'static str {
    env(option_env!("NEWS_WIDGET_TEST_WORDPRESS"), "NEWS_WIDGET_TEST_WORDPRESS")
}

/// The site's address.
fn site() -> &'static str {
    env(option_env!("NEWS_WIDGET_TEST_WORDPRESS_SITE"), "NEWS_WIDGET_TEST_WORDPRESS_SITE")
}

/// The seeded French post: a featured image with caption and credit, threaded comments, a held
/// one, spam, trash and a pingback. Its comments are open: the tests that post, post here.
fn slug() -> &'static str {
    env(option_env!("NEWS_WIDGET_TEST_WORDPRESS_SLUG"), "NEWS_WIDGET_TEST_WORDPRESS_SLUG")
}

/// A post whose thread spans two pages of WordPress's 100.
fn big_slug() -> &'static str {
    env(option_env!("NEWS_WIDGET_TEST_WORDPRESS_BIG_SLUG"), "NEWS_WIDGET_TEST_WORDPRESS_BIG_SLUG")
}

/// A post whose comments are closed.
fn closed_slug() -> &'static str {
    env(option_env!("NEWS_WIDGET_TEST_WORDPRESS_CLOSED_SLUG"), "NEWS_WIDGET_TEST_WORDPRESS_CLOSED_SLUG")
}

/// Another WordPress, without our plugin: WordPress's defaults (no anonymous REST comments, no
/// rating route).
fn bare_rest() -> &'static str {
    env(option_env!("NEWS_WIDGET_TEST_WORDPRESS_BARE"), "NEWS_WIDGET_TEST_WORDPRESS_BARE")
}

/// `user:application-password` of the site's admin, to read back held comments.
fn admin_auth() -> &'static str {
    env(option_env!("NEWS_WIDGET_TEST_WORDPRESS_AUTH"), "NEWS_WIDGET_TEST_WORDPRESS_AUTH")
}

/// The widget as a WordPress theme would place it: defaults everywhere.
fn mount(api: &str, slug: &str) -> Element {
    let page = container();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-backend="wordpress" data-api="{api}" data-article="{slug}" lang="fr"></div>"#
    ));
    news_widget::mount_all();
    page.first_element_child().unwrap()
}

async fn wp_json(url: &str, auth: bool) -> (serde_json::Value, u32) {
    let mut request = gloo_net::http::Request::get(url);
    if auth {
        let basic = web_sys::window().unwrap().btoa(admin_auth()).unwrap();
        request = request.header("Authorization", &format!("Basic {basic}"));
    }
    let response = request.send().await.unwrap();
    assert!(response.ok(), "GET {url}: {}", response.status());
    let pages = response.headers().get("x-wp-totalpages").and_then(|p| p.parse().ok()).unwrap_or(1);
    (response.json().await.unwrap(), pages)
}

/// The post as WordPress's REST API serves it.
async fn wp_post(slug: &str) -> Post {
    let (posts, _) =
        wp_json(&format!("{}/wp/v2/posts?slug={slug}&_embed=wp:featuredmedia,author", rest()), false).await;
    serde_json::from_value(posts[0].clone()).unwrap()
}

/// Every approved comment of a post, as WordPress's REST API serves them.
async fn wp_comments(post: i64, extra: &str, auth: bool) -> Vec<WpComment> {
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let url = format!("{}/wp/v2/comments?post={post}&per_page=100&page={page}{extra}", rest());
        let (list, pages) = wp_json(&url, auth).await;
        all.extend(serde_json::from_value::<Vec<WpComment>>(list).unwrap());
        if page >= pages {
            return all;
        }
        page += 1;
    }
}

/// Text with every run of white space one space: a body shown and a body served compare alike.
fn squash(text: &str) -> String {
    plain(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The comments' bodies as shown (read from the markup: paragraphs and line breaks kept).
fn bodies(root: &Element) -> Vec<String> {
    find_all(root, ".nw-comment-body").iter().map(|b| squash(&comment_text(&b.inner_html()))).collect()
}

/// How many resources this page fetched from an address containing `part`.
fn fetched_from(part: &str) -> usize {
    let entries = web_sys::window().unwrap().performance().unwrap().get_entries_by_type("resource");
    entries
        .iter()
        .filter(|e| {
            js_sys::Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).is_some_and(|n| n.contains(part))
        })
        .count()
}

fn inner_text(e: &Element) -> String {
    e.unchecked_ref::<web_sys::HtmlElement>().inner_text()
}

#[wasm_bindgen_test]
async fn the_post_renders_as_wordpress_serves_it() {
    let post = wp_post(slug()).await;
    let expected = post.clone().into_article(&LangTag::parse("fr").unwrap()).unwrap();
    let root = mount(rest(), slug());
    assert!(root.shadow_root().is_some(), "shadow isolation is the default");
    let title = wait_for(&root, ".nw-title").await;
    assert_eq!(plain(&inner_text(&title)), expected.article.title);
    let image = expected.article.image.clone().expect("the seed post has a featured image");
    let img = wait_for(&root, ".nw-figure img").await;
    assert_eq!(img.get_attribute("alt").unwrap_or_default(), image.alt);
    assert!(img.get_attribute("srcset").is_some_and(|s| s.contains("w,")), "every size is a srcset candidate");
    assert!(text(&root, ".nw-caption").contains(image.caption.as_deref().unwrap()));
    assert!(text(&root, ".nw-credit").contains(image.credit.as_deref().unwrap()));
    // Without our plugin's rating route the part hides; with it (here) it shows.
    wait_for(&root, ".nw-user-rating").await;
    // Approved comments only: the held one, spam, trash and the pingback are not shown.
    wait_for(&root, ".nw-comment-body").await;
    assert!(find(&root, ".nw-avatar-blank").is_none(), "each commenter has a local identicon");
    let approved = wp_comments(post.id, "&type=comment", false).await;
    let served: Vec<String> = approved.iter().map(|c| squash(&comment_text(&c.content.rendered))).collect();
    for body in bodies(&root) {
        assert!(served.contains(&body), "shown but not served by WordPress: {body:?}");
    }
}

#[wasm_bindgen_test]
async fn a_long_thread_pages_as_wordpress_serves_it() {
    let post = wp_post(big_slug()).await;
    let root = mount(rest(), big_slug());
    // The thread: the first page of top-level comments, their replies, "Load more" for the rest.
    let approved = wp_comments(post.id, "", false).await;
    assert!(approved.len() > 100, "the seed thread spans two WordPress pages");
    wait_for(&root, ".nw-comment-body").await;
    let shown = bodies(&root);
    let served: Vec<String> = approved.iter().map(|c| comment_text(&c.content.rendered)).collect();
    for body in &shown {
        assert!(served.iter().any(|s| squash(s) == *body), "shown but not served by WordPress: {body:?}");
    }
    assert!(text(&root, ".nw-comments h2").contains(&approved.len().to_string()), "the count is WordPress's");
    assert!(find(&root, ".nw-level-1").is_some(), "replies nest under what they answer");
    while find(&root, ".nw-more button").is_some() {
        let before = bodies(&root).len();
        click(&root, ".nw-more button");
        for _ in 0..100 {
            if bodies(&root).len() > before {
                break;
            }
            sleep(50).await;
        }
        assert!(bodies(&root).len() > before, "Load more adds comments");
    }
    let mut all_shown = bodies(&root);
    let mut all_served: Vec<String> = served.iter().map(|s| squash(s)).collect();
    all_shown.sort();
    all_served.sort();
    assert_eq!(all_shown, all_served, "every approved comment, and nothing held, spam or trashed");
    assert_eq!(fetched_from("gravatar"), 0, "no avatar is asked of a third party");
}

#[wasm_bindgen_test]
async fn the_rest_root_is_found_from_the_site_address_and_through_rest_route() {
    let title = plain(&wp_post(slug()).await.into_article(&LangTag::parse("fr").unwrap()).unwrap().article.title);
    for api in [site().to_owned(), format!("{}/?rest_route=/", site())] {
        let root = mount(&api, slug());
        let shown = wait_for(&root, ".nw-title").await;
        assert_eq!(plain(&inner_text(&shown)), title, "data-api={api}");
        wait_for(&root, ".nw-comment-body").await;
    }
}

async fn submit_comment(root: &Element, body: &str) {
    wait_for(root, "[name=body]").await;
    type_into(root, "[name=body]", body);
    type_into(root, "[name=name]", "Aïgerim");
    type_into(root, "[name=email]", "aigerim@example.org");
    // The form's state takes what was typed when Yew's scheduler runs.
    yew::scheduler::flush().await;
    click(root, ".nw-comment-form button[type=submit]");
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn a_comment_posted_from_the_widget_lands_in_wordpress_once() {
    let post = wp_post(slug()).await;
    let body = format!("Un commentaire venu du widget {}\n\nEt un second paragraphe.", unique_slug("c"));
    let root = mount(rest(), slug());
    submit_comment(&root, &body).await;
    let status = wait_for(&root, ".nw-form-status p").await;
    assert!(!inner_text(&status).is_empty());
    for _ in 0..100 {
        if bodies(&root).iter().any(|b| b.contains(&squash(&body)[..40])) {
            break;
        }
        sleep(50).await;
    }
    assert!(bodies(&root).iter().any(|b| *b == squash(&body)), "the reader sees their comment");
    let landed: Vec<WpComment> = wp_comments(post.id, "&status=all&context=edit", true)
        .await
        .into_iter()
        .filter(|c| comment_text(&c.content.rendered) == comment_text(&news_widget_api::wordpress::autop(&body)))
        .collect();
    assert_eq!(landed.len(), 1, "in WordPress's database, once");
    assert_eq!(landed[0].author_name, "Aïgerim");
}

#[wasm_bindgen_test]
async fn a_retry_whose_first_try_landed_is_not_posted_twice() {
    let post = wp_post(slug()).await;
    let body = format!("Premier essai arrivé, réponse perdue {}", unique_slug("r"));
    // The first try: WordPress stored it, the answer never reached the reader.
    let first = gloo_net::http::Request::post(&format!("{}/wp/v2/comments", rest()))
        .json(&serde_json::json!({"post": post.id, "author_name": "Aïgerim", "author_email": "aigerim@example.org", "content": body}))
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let root = mount(rest(), slug());
    submit_comment(&root, &body).await;
    let notice = wait_for(&root, ".nw-form-status p").await;
    for _ in 0..100 {
        if find(&root, "[name=body]")
            .is_some_and(|b| b.unchecked_ref::<web_sys::HtmlTextAreaElement>().value().is_empty())
        {
            break;
        }
        sleep(50).await;
    }
    assert!(find(&root, ".nw-form-alert .nw-error").is_none(), "treated as sent: {}", inner_text(&notice));
    let copies = wp_comments(post.id, "&status=all&context=edit", true)
        .await
        .into_iter()
        .filter(|c| comment_text(&c.content.rendered) == body)
        .count();
    assert_eq!(copies, 1, "WordPress has it once");
}

#[wasm_bindgen_test]
async fn a_closed_post_keeps_its_thread_readable_and_shows_no_form() {
    let root = mount(rest(), closed_slug());
    let note = wait_for(&root, ".nw-closed").await;
    assert_eq!(inner_text(&note), "Les commentaires sont fermés pour cet article.");
    assert!(find(&root, ".nw-comment-form").is_none(), "no form");
    assert!(find(&root, "[id^=nw-reply-]").is_none(), "no reply button");
    assert!(find(&root, ".nw-comment-body").is_some(), "the thread stays readable");
}

#[wasm_bindgen_test]
async fn a_vote_counts_once() {
    let reader = unique_slug("wp-reader-0123456789");
    set_reader(&reader);
    let rating = || async {
        let url = format!("{}/news-widget/v1/articles/{}/rating", rest(), slug());
        let response = gloo_net::http::Request::get(&url).header("x-reader-token", &reader).send().await.unwrap();
        response.json::<serde_json::Value>().await.unwrap()
    };
    let before = rating().await["count"].as_u64().unwrap();
    let root = mount(rest(), slug());
    wait_for(&root, ".nw-stars-input input").await;
    for stars in [4, 2] {
        let radio = find(&root, &format!(".nw-stars-input input[value='{stars}']")).unwrap();
        radio.unchecked_ref::<web_sys::HtmlElement>().click();
        click(&root, ".nw-rate-button");
        for _ in 0..100 {
            if rating().await["your_stars"].as_u64() == Some(stars) {
                break;
            }
            sleep(50).await;
        }
    }
    let after = rating().await;
    assert_eq!(after["your_stars"].as_u64(), Some(2), "the second vote replaced the first");
    assert_eq!(after["count"].as_u64().unwrap(), before + 1, "one reader, one vote");
}

#[wasm_bindgen_test]
async fn without_the_plugin_the_rating_hides_and_the_form_says_what_to_enable() {
    let root = mount(bare_rest(), slug());
    wait_for(&root, ".nw-comment-body").await;
    let body = "Un commentaire sur un site sans l’extension";
    submit_comment(&root, body).await;
    let alert = wait_for(&root, ".nw-form-alert .nw-error").await;
    let said = inner_text(&alert);
    assert!(said.contains("membres connectés") && said.contains("news-widget"), "{said}");
    let kept = find(&root, "[name=body]").unwrap().unchecked_into::<web_sys::HtmlTextAreaElement>().value();
    assert_eq!(kept, body, "the text is kept");
    for _ in 0..100 {
        if find(&root, ".nw-rating").is_none() {
            break;
        }
        sleep(50).await;
    }
    assert!(find(&root, ".nw-rating").is_none(), "no rating part without the plugin's route");
}
