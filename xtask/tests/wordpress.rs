//! Our WordPress plugin and WordPress's REST API, over real HTTP against a real WordPress
//! (`xtask::wordpress::WordPress`: Debian's WordPress 6.1, MariaDB, php -S). `cargo xtask test`
//! runs these with the `wordpress` feature; alone:
//! `cargo test -p xtask --features wordpress --test wordpress`.
//!
//! One test, one site: starting WordPress takes seconds, and the checks run in an order that
//! matters (the listing before a comment is posted, the votes one after the other).

#![cfg(feature = "wordpress")]

use news_widget_api::{RatingSummary, Stars, READER_TOKEN_HEADER};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use xtask::wordpress::WordPress;

const ORIGIN: &str = "https://news.example";

#[tokio::test]
async fn the_plugin_and_the_rest_api_against_a_real_wordpress() {
    let wp = WordPress::start().expect("WordPress starts");
    assert!(wp.started_in.as_secs() < 180, "WordPress took {:?} to start", wp.started_in);
    let http = Client::new();

    discovery(&wp, &http).await;
    featured_media(&wp, &http).await;
    comment_listing(&wp, &http).await;
    anonymous_comments(&wp, &http).await;
    rating(&wp, &http).await;
    concurrent_votes(&wp, &http).await;
    export(&wp);
}

fn header(response: &Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn json_of(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("a body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({status}, {e}): {text}"))
}

async fn get(http: &Client, url: &str) -> Response {
    http.get(url).send().await.unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// The REST root answers, the home page links to it, and the plain `?rest_route=` form works.
async fn discovery(wp: &WordPress, http: &Client) {
    let root = get(http, &format!("{}/", wp.rest)).await;
    assert_eq!(root.status(), StatusCode::OK);
    let index = json_of(root).await;
    let namespaces: Vec<&str> = index["namespaces"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(namespaces.contains(&"wp/v2") && namespaces.contains(&"news-widget/v1"), "{namespaces:?}");

    let home = get(http, &format!("{}/", wp.site)).await;
    assert_eq!(home.status(), StatusCode::OK);
    let links: Vec<String> =
        home.headers().get_all("link").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let wanted = format!("<{}/>; rel=\"https://api.w.org/\"", wp.rest);
    assert!(links.iter().any(|l| l.contains(&wanted)), "home page Link headers {links:?}, want {wanted}");

    let plain = get(http, &format!("{}/?rest_route=/wp/v2/posts", wp.site)).await;
    assert_eq!(plain.status(), StatusCode::OK);
    let posts = json_of(plain).await;
    let slugs: Vec<&str> = posts.as_array().unwrap().iter().filter_map(|p| p["slug"].as_str()).collect();
    assert!(slugs.contains(&wp.seed.article_slug.as_str()), "{slugs:?}");
}

/// The seed post with its featured image's alt text, caption, credit and sizes, and its author.
async fn featured_media(wp: &WordPress, http: &Client) {
    let url = format!("{}/wp/v2/posts?slug={}&_embed=wp:featuredmedia,author", wp.rest, wp.seed.article_slug);
    let posts = json_of(get(http, &url).await).await;
    let post = &posts[0];
    assert_eq!(post["id"], json!(wp.seed.article_id));
    assert!(post["title"]["rendered"].as_str().unwrap().starts_with("Coopération"), "{}", post["title"]);
    assert!(post["content"]["rendered"].as_str().unwrap().contains("Kazakhstan"));
    assert_eq!(post["featured_media"], json!(wp.seed.featured_media));
    assert_eq!(post["_embedded"]["author"][0]["name"], "La rédaction");
    let media = &post["_embedded"]["wp:featuredmedia"][0];
    assert_eq!(media["id"], json!(wp.seed.featured_media));
    assert!(media["alt_text"].as_str().unwrap().starts_with("Illustration : les drapeaux"), "{}", media["alt_text"]);
    assert!(media["caption"]["rendered"].as_str().unwrap().contains("photo illustrative"), "{}", media["caption"]);
    assert_eq!(media["media_details"]["image_meta"]["credit"], "Xinhua News Agency");
    let sizes = media["media_details"]["sizes"].as_object().expect("sizes");
    for (size, width) in [("full", 1200), ("medium_large", 768), ("medium", 300), ("thumbnail", 150)] {
        assert_eq!(sizes[size]["width"], json!(width), "{size}: {}", sizes[size]);
        let src = sizes[size]["source_url"].as_str().unwrap();
        let image = get(http, src).await;
        assert_eq!(image.status(), StatusCode::OK, "{src}");
        assert_eq!(header(&image, "content-type"), "image/png", "{src}");
    }
}

/// Paging at 100 a page, and what the public list leaves out.
async fn comment_listing(wp: &WordPress, http: &Client) {
    let seed = &wp.seed;
    let first = get(http, &format!("{}/wp/v2/comments?post={}&per_page=100", wp.rest, seed.big_id)).await;
    assert_eq!(header(&first, "x-wp-totalpages"), "2");
    assert_eq!(header(&first, "x-wp-total"), seed.big_comments.to_string());
    assert_eq!(json_of(first).await.as_array().unwrap().len(), 100);
    let second = get(http, &format!("{}/wp/v2/comments?post={}&per_page=100&page=2", wp.rest, seed.big_id)).await;
    let second = json_of(second).await;
    assert_eq!(second.as_array().unwrap().len() as u64, seed.big_comments - 100);

    let url = format!("{}/wp/v2/comments?post={}&per_page=100&orderby=id&order=asc", wp.rest, seed.article_id);
    let listed = json_of(get(http, &url).await).await;
    let listed = listed.as_array().unwrap();
    let ids: Vec<u64> = listed.iter().filter_map(|c| c["id"].as_u64()).collect();
    assert_eq!(ids, [seed.comment_top, seed.comment_reply, seed.comment_reply_to_reply, seed.comment_paragraphs]);
    assert_eq!(ids.len() as u64, seed.article_comments);
    for hidden in [seed.comment_held, seed.comment_spam, seed.comment_trash, seed.comment_pingback] {
        assert!(!ids.contains(&hidden), "comment {hidden} is listed");
    }
    // Three levels; the `&` of an author URL as it was stored; paragraphs as <p>s.
    assert_eq!(listed[1]["parent"], json!(seed.comment_top));
    assert_eq!(listed[2]["parent"], json!(seed.comment_reply));
    assert_eq!(listed[1]["author_url"], "https://example.org/?a=1&b=2");
    let paragraphs = listed[3]["content"]["rendered"].as_str().unwrap();
    assert_eq!(paragraphs.matches("<p>").count(), 3, "{paragraphs}");
    assert!(paragraphs.contains("<br />"), "{paragraphs}");
    // A held comment is not readable without an account either.
    let held = get(http, &format!("{}/wp/v2/comments/{}", wp.rest, seed.comment_held)).await;
    assert_eq!(held.status(), StatusCode::UNAUTHORIZED);
}

async fn post_comment(wp: &WordPress, http: &Client, body: &Value) -> Response {
    http.post(format!("{}/wp/v2/comments", wp.rest))
        .header("origin", ORIGIN)
        .json(body)
        .send()
        .await
        .expect("POST /wp/v2/comments")
}

async fn assert_wp_error(response: Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    let body = json_of(response).await;
    assert_eq!(body["code"], code, "{body}");
}

/// Anonymous comments from another origin, as the widget sends them, and WordPress's refusals.
async fn anonymous_comments(wp: &WordPress, http: &Client) {
    let comment = json!({
        "post": wp.seed.article_id,
        "parent": wp.seed.comment_reply_to_reply,
        "author_name": "Zoé Lefèvre",
        "author_email": "zoe@example.org",
        "author_url": "https://example.org/?x=1&y=2",
        "content": "Un commentaire du widget.\n\nSur deux paragraphes.",
    });
    let created = post_comment(wp, http, &comment).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(header(&created, "access-control-allow-origin"), ORIGIN);
    let created = json_of(created).await;
    assert_eq!(created["parent"], json!(wp.seed.comment_reply_to_reply));
    assert_eq!(created["status"], "approved", "{created}");
    // WordPress stores an anonymous author URL through kses: `&` comes back as `&amp;`.
    assert_eq!(created["author_url"].as_str().unwrap().replace("&amp;", "&"), "https://example.org/?x=1&y=2");

    assert_wp_error(post_comment(wp, http, &comment).await, StatusCode::CONFLICT, "comment_duplicate").await;
    let mut closed = comment.clone();
    closed["post"] = json!(wp.seed.closed_id);
    closed["parent"] = json!(0);
    assert_wp_error(post_comment(wp, http, &closed).await, StatusCode::FORBIDDEN, "rest_comment_closed").await;
    let nameless = json!({"post": wp.seed.article_id, "content": "Sans nom ni adresse."});
    let response = post_comment(wp, http, &nameless).await;
    assert_wp_error(response, StatusCode::BAD_REQUEST, "rest_comment_author_data_required").await;

    wp.set_plugin_active(false).expect("deactivate the plugin");
    let mut another = comment.clone();
    another["content"] = json!("Sans le plugin.");
    let refused = post_comment(wp, http, &another).await;
    wp.set_plugin_active(true).expect("reactivate the plugin");
    assert_wp_error(refused, StatusCode::UNAUTHORIZED, "rest_comment_login_required").await;
}

fn rating_url(wp: &WordPress, slug: &str) -> String {
    format!("{}/news-widget/v1/articles/{slug}/rating", wp.rest)
}

async fn vote(wp: &WordPress, http: &Client, token: &str, body: &str) -> Response {
    http.put(rating_url(wp, &wp.seed.article_slug))
        .header(READER_TOKEN_HEADER, token)
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(body.to_owned())
        .send()
        .await
        .expect("PUT rating")
}

/// A rating answer: 200, private, varying with the token, and exactly our server's JSON.
async fn summary_of(response: Response, histogram: [u64; 5], yours: Option<u8>) {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "cache-control"), "private, no-cache");
    let vary: Vec<String> =
        response.headers().get_all("vary").iter().filter_map(|v| v.to_str().ok()).map(str::to_lowercase).collect();
    assert!(vary.iter().any(|v| v.split(',').any(|h| h.trim() == READER_TOKEN_HEADER)), "Vary {vary:?}");
    let got = json_of(response).await;
    let expected = RatingSummary::from_histogram(histogram, yours.map(|s| Stars::new(s).unwrap()));
    // The JSON our server sends (serde's derive), to the number types (4.0, not 4).
    let ours = serde_json::to_value(&expected).unwrap();
    assert_eq!(got, ours, "{got} against our server's {ours}");
    let parsed: RatingSummary = serde_json::from_value(got.clone()).expect("a RatingSummary");
    assert_eq!(parsed, expected, "{got}");
}

async fn problem_of(response: Response, status: StatusCode, field: Option<&str>) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(header(&response, "content-type"), "application/problem+json");
    let problem = json_of(response).await;
    let parsed: news_widget_api::Problem = serde_json::from_value(problem.clone()).expect("a Problem");
    assert_eq!(parsed.status, status.as_u16());
    if let Some(field) = field {
        assert_eq!(parsed.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), [field], "{problem}");
    }
    problem
}

/// The plugin's rating route against our server's rules (server/src/ratings.rs).
async fn rating(wp: &WordPress, http: &Client) {
    let (a, b, c, d) =
        ("reader-a-0000000000000001", "reader-b-0000000000000002", "reader-c-00000003", "reader-d-00000004");
    let url = rating_url(wp, &wp.seed.article_slug);

    let preflight = http
        .request(Method::OPTIONS, &url)
        .header("origin", ORIGIN)
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "x-reader-token, content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(header(&preflight, "access-control-allow-origin"), ORIGIN);
    let allowed = header(&preflight, "access-control-allow-headers").to_lowercase();
    let allowed: Vec<&str> = allowed.split(',').map(str::trim).collect();
    assert!(allowed.contains(&READER_TOKEN_HEADER) && allowed.contains(&"content-type"), "{allowed:?}");
    assert!(header(&preflight, "access-control-allow-methods").contains("PUT"));

    summary_of(get(http, &url).await, [0; 5], None).await;
    // Sites without pretty permalinks reach it as ?rest_route=.
    let plain = format!("{}/?rest_route=/news-widget/v1/articles/{}/rating", wp.site, wp.seed.article_slug);
    summary_of(get(http, &plain).await, [0; 5], None).await;
    summary_of(vote(wp, http, a, r#"{"stars": 4}"#).await, [0, 0, 0, 1, 0], Some(4)).await;
    // A second vote of the same reader replaces the first.
    summary_of(vote(wp, http, a, r#"{"stars": 2}"#).await, [0, 1, 0, 0, 0], Some(2)).await;
    summary_of(vote(wp, http, a, r#"{"stars": 2}"#).await, [0, 1, 0, 0, 0], Some(2)).await;
    summary_of(vote(wp, http, b, r#"{"stars": 5}"#).await, [0, 1, 0, 0, 1], Some(5)).await;
    let yours = http.get(&url).header(READER_TOKEN_HEADER, a).send().await.unwrap();
    summary_of(yours, [0, 1, 0, 0, 1], Some(2)).await;
    // A malformed token is no token.
    let short = http.get(&url).header(READER_TOKEN_HEADER, "short").send().await.unwrap();
    summary_of(short, [0, 1, 0, 0, 1], None).await;

    // Bad stars: 422 naming `stars`, as our server (400 is for a body that is not JSON).
    for bad in
        [r#"{"stars": 0}"#, r#"{"stars": 6}"#, r#"{"stars": 2.5}"#, r#"{"stars": "4"}"#, r#"{"stars": null}"#, "{}"]
    {
        problem_of(vote(wp, http, a, bad).await, StatusCode::UNPROCESSABLE_ENTITY, Some("stars")).await;
    }
    problem_of(vote(wp, http, a, r#"{"stars": 3, "extra": 1}"#).await, StatusCode::UNPROCESSABLE_ENTITY, Some("extra"))
        .await;
    problem_of(vote(wp, http, a, "{not json").await, StatusCode::BAD_REQUEST, None).await;
    problem_of(
        vote(wp, http, "short", r#"{"stars": 3}"#).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("X-Reader-Token"),
    )
    .await;
    let unknown = http
        .put(rating_url(wp, "no-such-article"))
        .header(READER_TOKEN_HEADER, a)
        .json(&json!({"stars": 3}))
        .send()
        .await
        .unwrap();
    problem_of(unknown, StatusCode::NOT_FOUND, None).await;
    problem_of(get(http, &rating_url(wp, "no-such-article")).await, StatusCode::NOT_FOUND, None).await;
    // A page is not an article.
    problem_of(get(http, &rating_url(wp, &wp.seed.page_slug)).await, StatusCode::NOT_FOUND, None).await;

    // The third new reader from this address today is the last one.
    summary_of(vote(wp, http, c, r#"{"stars": 3}"#).await, [0, 1, 1, 0, 1], Some(3)).await;
    let capped = vote(wp, http, d, r#"{"stars": 1}"#).await;
    let retry_after: u64 = header(&capped, "retry-after").parse().expect("Retry-After");
    assert!((1..=86_400).contains(&retry_after));
    problem_of(capped, StatusCode::TOO_MANY_REQUESTS, None).await;
    // Readers who voted may still change their vote.
    summary_of(vote(wp, http, b, r#"{"stars": 1}"#).await, [1, 1, 1, 0, 0], Some(1)).await;
    // Another article has its own count.
    let other = http
        .put(rating_url(wp, &wp.seed.big_slug))
        .header(READER_TOKEN_HEADER, d)
        .json(&json!({"stars": 1}))
        .send()
        .await
        .unwrap();
    summary_of(other, [1, 0, 0, 0, 0], Some(1)).await;

    // Only keyed hashes are stored: never a token, never the address.
    let stored = wp
        .php(
            "global $wpdb;
             echo wp_json_encode( array(
                 'readers' => $wpdb->get_col( \"SELECT reader_hash FROM {$wpdb->prefix}news_widget_ratings\" ),
                 'ips' => $wpdb->get_col( \"SELECT ip_hash FROM {$wpdb->prefix}news_widget_new_voters\" ),
             ) );",
        )
        .unwrap();
    let stored: Value = serde_json::from_str(&stored).unwrap();
    let hashes: Vec<&str> =
        ["readers", "ips"].iter().flat_map(|k| stored[*k].as_array().unwrap()).filter_map(Value::as_str).collect();
    assert_eq!(hashes.len(), 4 + 2, "{stored}");
    for hash in hashes {
        assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");
        assert!(![a, b, c, d].contains(&hash), "a raw token is stored");
    }
}

/// Votes at once (php -S runs 4 workers): one reader's count once, and the cap holds exactly.
async fn concurrent_votes(wp: &WordPress, http: &Client) {
    let url = rating_url(wp, &wp.seed.closed_slug);
    let put = |token: String, stars: u8| {
        let (http, url) = (http.clone(), url.clone());
        tokio::spawn(async move {
            let response = http
                .put(&url)
                .header(READER_TOKEN_HEADER, token)
                .json(&json!({ "stars": stars }))
                .send()
                .await
                .unwrap();
            response.status()
        })
    };
    let same: Vec<_> = (1..=8).map(|i| put("reader-same-000000001".to_owned(), i % 5 + 1)).collect();
    for task in same {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    let counted = json_of(get(http, &url).await).await;
    assert_eq!(counted["count"], 1, "{counted}");
    // That reader was the first of three new voters allowed today: two more, of six at once.
    let others: Vec<_> = (1..=6).map(|i| put(format!("reader-other-00000000{i}"), 3)).collect();
    let mut statuses = Vec::new();
    for task in others {
        statuses.push(task.await.unwrap());
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let capped = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((ok, capped), (2, 4), "{statuses:?}");
    let counted = json_of(get(http, &url).await).await;
    assert_eq!(counted["count"], 3, "{counted}");
}

/// WordPress's own export holds the seed posts and their comments (all but spam).
fn export(wp: &WordPress) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xml");
    wp.export_wxr(&path).expect("export_wxr");
    let wxr = std::fs::read_to_string(&path).unwrap();
    assert!(wxr.starts_with("<?xml") && wxr.contains("<rss") && wxr.contains("xmlns:wp="));
    for slug in [&wp.seed.article_slug, &wp.seed.big_slug, &wp.seed.closed_slug, &wp.seed.page_slug] {
        assert!(wxr.contains(&format!("<wp:post_name><![CDATA[{slug}]]></wp:post_name>")), "{slug} not exported");
    }
    let exported = wxr.matches("<wp:comment>").count();
    let expected: usize = wp
        .php("global $wpdb; echo $wpdb->get_var( \"SELECT COUNT(*) FROM $wpdb->comments WHERE comment_approved <> 'spam'\" );")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(exported, expected);
    assert!(exported as u64 > wp.seed.big_comments + wp.seed.article_comments, "{exported} comments exported");
    assert!(wxr.contains("<wp:comment_type><![CDATA[pingback]]></wp:comment_type>"));
}
