//! Moving a real WordPress site's comments into our server: the WXR file WordPress itself exports
//! (`export_wp()`) goes through `news-widget-server import wordpress`, and the threads our server
//! then serves equal what WordPress's REST API serves for the same posts: text, author, parent,
//! order. `cargo xtask test` runs it with the `wordpress` feature and the server binary in
//! `NEWS_WIDGET_SERVER_BIN`.

#![cfg(feature = "wordpress")]

use std::path::PathBuf;

use news_widget_api::wordpress::WpComment;
use news_widget_api::Comment;
use serde_json::Value;
use xtask::shell::{Cmd, Server};
use xtask::wordpress::WordPress;

fn server_bin() -> PathBuf {
    std::env::var_os("NEWS_WIDGET_SERVER_BIN")
        .map(PathBuf::from)
        .expect("NEWS_WIDGET_SERVER_BIN: run through `cargo xtask test`, which builds the server")
}

async fn get_json(http: &reqwest::Client, url: &str) -> (Value, reqwest::header::HeaderMap) {
    let response = http.get(url).send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(response.status().is_success(), "GET {url}: {}", response.status());
    let headers = response.headers().clone();
    (response.json().await.unwrap(), headers)
}

/// One comment as a reader sees it: who, what, when, and what it answers (by its own who and
/// what: the two systems number comments apart).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Seen {
    /// Milliseconds since the epoch (our server writes them `…:00.000Z`, WordPress `…:00`).
    created_at: i64,
    author: String,
    body: String,
    answers: Option<(String, String)>,
}

fn seen(comments: &[Comment]) -> Vec<Seen> {
    comments
        .iter()
        .map(|c| Seen {
            created_at: c.created_at.epoch_ms() as i64,
            author: c.author_name.clone(),
            body: c.body.clone(),
            answers: c
                .parent_id
                .and_then(|p| comments.iter().find(|o| o.id == p))
                .map(|p| (p.author_name.clone(), p.body.clone())),
        })
        .collect()
}

/// WordPress's approved comments of `post`, oldest first, through the widget's own rules.
async fn wordpress_thread(http: &reqwest::Client, wp: &WordPress, post: u64) -> Vec<Comment> {
    let mut all = Vec::new();
    for page in 1.. {
        let url = format!("{}/wp/v2/comments?post={post}&per_page=100&order=asc&page={page}", wp.rest);
        let (list, headers) = get_json(http, &url).await;
        for c in serde_json::from_value::<Vec<WpComment>>(list).unwrap() {
            all.push(c.into_comment("Anonymous").unwrap());
        }
        let pages: u32 = headers.get("x-wp-totalpages").and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(1);
        if page >= pages {
            break;
        }
    }
    all
}

/// Our server's thread of `slug`, every page, in its order (top-level oldest first, each
/// followed by its replies).
async fn our_thread(http: &reqwest::Client, server: &Server, slug: &str) -> Vec<Comment> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}/api/v1/articles/{slug}/comments?sort=oldest&limit=100", server.url);
        if let Some(c) = &cursor {
            let encoded: String = c
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect();
            url.push_str(&format!("&cursor={encoded}"));
        }
        let (page, _) = get_json(http, &url).await;
        let page: news_widget_api::CommentPage = serde_json::from_value(page).unwrap();
        all.extend(page.comments);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
}

#[tokio::test]
async fn the_export_of_a_real_wordpress_imports_into_our_server_as_wordpress_serves_it() {
    let wp = WordPress::start().expect("WordPress starts");
    let dir = tempfile::tempdir().unwrap();
    let wxr = dir.path().join("export.xml");
    wp.export_wxr(&wxr).unwrap();

    let server = Server::start(&server_bin(), &["--no-demo"], None).expect("our server starts");
    let database = server.database().to_str().unwrap().to_owned();
    let wxr_path = wxr.to_str().unwrap().to_owned();
    let import = || {
        Cmd::new(server_bin().to_str().unwrap())
            .args(["--database", &database, "import", "wordpress", &wxr_path])
            .output_checked()
            .expect("the import runs")
    };
    let summary = import();
    println!("{summary}");
    let http = reqwest::Client::new();
    let seed = &wp.seed;
    for (slug, post) in
        [(&seed.article_slug, seed.article_id), (&seed.big_slug, seed.big_id), (&seed.closed_slug, seed.closed_id)]
    {
        let theirs = wordpress_thread(&http, &wp, post).await;
        let ours = our_thread(&http, &server, slug).await;
        assert_eq!(ours.len(), theirs.len(), "{slug}: as many comments as WordPress shows");
        let (mut a, mut b) = (seen(&ours), seen(&theirs));
        // Order: the top-level comments come in WordPress's order (oldest first).
        let tops = |s: &[Seen]| s.iter().filter(|c| c.answers.is_none()).cloned().collect::<Vec<_>>();
        assert_eq!(tops(&a), tops(&b), "{slug}: the same top-level comments in the same order");
        a.sort();
        b.sort();
        assert_eq!(a, b, "{slug}: every comment's text, author, date and parent");

        let (article, _) = get_json(&http, &format!("{}/api/v1/articles/{slug}", server.url)).await;
        let (posts, _) = get_json(&http, &format!("{}/wp/v2/posts?slug={slug}", wp.rest)).await;
        assert_eq!(article["canonical_url"], posts[0]["link"], "{slug}: the post's link is the canonical URL");
    }
    // A second import of the same file adds nothing.
    let before = our_thread(&http, &server, &seed.article_slug).await;
    let again = import();
    assert_eq!(our_thread(&http, &server, &seed.article_slug).await, before, "re-importing changes nothing: {again}");
}
