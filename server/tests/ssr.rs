//! The server render (issue 12) over real HTTP on a real SQLite file: the widget fragment, its
//! cache, and the comment form without JavaScript (return addresses, origins, its rules).

mod common;

use common::{problem, TestServer};
use news_widget_server::comments::Moderation;
use reqwest::redirect::Policy;
use serde_json::{json, Value};

const DEMO: &str = "cooperation-chine-kazakhstan";
const STORY: &str = "story";
const CANONICAL: &str = "https://news.example/2026/story";
const LANGS: [&str; 12] = ["fr", "en", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"];
const EMAIL: &str = "camille.secret@example.org";

fn widget(slug: &str, query: &str) -> String {
    format!("/api/v1/articles/{slug}/widget{query}")
}

fn form_url(server: &TestServer, slug: &str) -> String {
    server.url(&format!("/api/v1/articles/{slug}/comments/form"))
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

/// A server with an article whose canonical URL is on news.example, and roomy rate limits.
async fn server_with(tweak: impl FnOnce(&mut news_widget_server::Config)) -> TestServer {
    let server = TestServer::start_with(|c| {
        c.comments_per_minute = 100_000;
        c.comment_burst = 100_000;
        tweak(c);
    })
    .await;
    let article = json!({
        "lang": "en",
        "title": "A <story> & more",
        "body_html": "<p>Body with <img src=\"/media/chine-kazakhstan.svg\" alt=\"map\"> and <a href=\"/x\">a link</a>.</p>",
        "published_at": "2026-11-27T10:00:00Z",
        "canonical_url": CANONICAL,
    });
    assert!(server.put_article(STORY, &article).await.status().is_success());
    server
}

async fn fields(server: &TestServer, slug: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![
        ("name".into(), "Camille".into()),
        ("email".into(), EMAIL.into()),
        ("website".into(), String::new()),
        ("website_confirm".into(), String::new()),
        ("body".into(), "Bonjour à tous".into()),
        ("form_token".into(), server.form_token(slug).await),
        ("idempotency_key".into(), "nonce-0123456789".into()),
        ("lang".into(), "fr".into()),
    ];
    for (k, v) in extra {
        out.retain(|(name, _)| name != k);
        out.push(((*k).into(), (*v).into()));
    }
    out
}

async fn send(server: &TestServer, slug: &str, form: &[(String, String)]) -> reqwest::Response {
    no_redirects().post(form_url(server, slug)).form(form).send().await.unwrap()
}

async fn comments(server: &TestServer, slug: &str) -> Value {
    server.get(&format!("/api/v1/articles/{slug}/comments")).await.json().await.unwrap()
}

#[tokio::test]
async fn the_fragment_renders_in_every_language_with_its_headers_and_its_cache() {
    let server = server_with(|_| {}).await;
    for lang in LANGS {
        let answer = server.get(&widget(DEMO, &format!("?lang={lang}&theme=dark"))).await;
        assert_eq!(answer.status(), 200, "{lang}");
        let h = answer.headers().clone();
        assert_eq!(h["content-type"], "text/html; charset=utf-8");
        assert_eq!(h["cache-control"], "public, max-age=0, must-revalidate, s-maxage=10");
        assert_eq!(h["content-language"], lang);
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["content-security-policy"], "sandbox; default-src 'none'; img-src *; style-src 'self'");
        assert!(h.get_all("vary").iter().all(|v| !v.to_str().unwrap().to_ascii_lowercase().contains("reader")));
        let html = answer.text().await.unwrap();
        assert!(html.starts_with("<div data-nw-root data-nw-build="), "{html}");
        assert!(html.contains(&format!("<div lang=\"{lang}\"")), "{html}");
        assert!(html.contains("<script type=\"application/json\" data-nw-seed>"), "the seed: {html}");
        assert!(html.contains("data-nw-root") && html.contains("nw-title"), "{html}");
        assert!(html.contains("action=\"http://127.0.0.1:"), "the form posts to this server: {html}");
    }

    // The article's language without ?lang=, an absolute image address, and the ETag → 304.
    let answer = server.get(&widget(STORY, "")).await;
    assert_eq!(answer.headers()["content-language"], "en");
    let etag = answer.headers()["etag"].to_str().unwrap().to_owned();
    let html = answer.text().await.unwrap();
    assert!(html.contains("A &lt;story&gt; &amp; more"), "{html}");
    assert!(html.contains(&format!("src=\"{}/media/chine-kazakhstan.svg\"", server.base)), "{html}");
    let again = server.client.get(server.url(&widget(STORY, ""))).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);

    // A new approved comment changes the fragment at once (the cache is forgotten).
    let form = fields(&server, STORY, &[("body", "Premier commentaire visible")]).await;
    assert_eq!(send(&server, STORY, &form).await.status(), 303);
    let answer = server.client.get(server.url(&widget(STORY, ""))).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(answer.status(), 200, "a new comment changes the fragment");
    let etag2 = answer.headers()["etag"].to_str().unwrap().to_owned();
    let html = answer.text().await.unwrap();
    assert!(html.contains("Premier commentaire visible") && html.contains("Camille"), "{html}");
    assert!(!html.contains(EMAIL), "the email never leaves the server");

    // So does a vote.
    let vote = server
        .client
        .put(server.url(&format!("/api/v1/articles/{STORY}/rating")))
        .header("x-reader-token", "reader-0123456789abcdef")
        .json(&json!({"stars": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(vote.status(), 200);
    let answer =
        server.client.get(server.url(&widget(STORY, ""))).header("if-none-match", &etag2).send().await.unwrap();
    assert_eq!(answer.status(), 200, "a vote changes the fragment");
    let html = answer.text().await.unwrap();
    assert!(html.contains("<span aria-hidden=\"true\" class=\"nw-average\">4.0 / 5</span>"), "{html}");

    // Both routes are documented.
    let doc: Value = server.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in ["/api/v1/articles/{slug}/widget", "/api/v1/articles/{slug}/comments/form"] {
        assert!(doc["paths"][path].is_object(), "{path} is not in the OpenAPI document");
    }
    let params = doc["paths"]["/api/v1/articles/{slug}/widget"]["get"]["parameters"].to_string();
    assert!(params.contains("\"share-networks\"") && params.contains("\"return\""), "{params}");

    // Declarative shadow DOM, with the stylesheet inside.
    let html = server.get(&widget(STORY, "?embed=dsd")).await.text().await.unwrap();
    assert!(html.starts_with("<template shadowrootmode=\"open\"><link rel=\"stylesheet\" href=\"http://"), "{html}");
}

#[tokio::test]
async fn the_fragment_refuses_what_it_cannot_render() {
    let server = TestServer::start().await;
    let missing = server.get(&widget("no-such-article", "")).await;
    problem(missing, 404).await;
    let bad = problem(server.get(&widget(DEMO, "?lang=x_y")).await, 422).await;
    assert_eq!(bad["errors"][0]["field"], "lang", "{bad}");
    let bad = problem(server.get(&widget(DEMO, "?comments-per-page=0")).await, 422).await;
    assert_eq!(bad["errors"][0]["field"], "comments-per-page", "{bad}");
}

#[tokio::test]
async fn no_open_redirect() {
    let server = server_with(|c| c.allowed_origins = vec!["https://allowed.example".into()]).await;
    for bad in [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "https://allowed.example@evil.example",
        "https://allowed.example.evil.example",
        "javascript:alert(1)",
    ] {
        let form = fields(&server, STORY, &[("return_to", bad)]).await;
        let answer = send(&server, STORY, &form).await;
        assert!(answer.headers().get("location").is_none(), "{bad}");
        assert_eq!(answer.status(), 400, "{bad}");
        // Refused, but the reader's text comes back in the form, with why.
        let html = answer.text().await.unwrap();
        assert!(html.contains(">Bonjour à tous</textarea>"), "{bad}: the text is kept: {html}");
        assert!(html.contains("The address to come back to after sending"), "{bad}: {html}");
        assert!(!html.contains(&format!("value=\"{}\"", bad.replace('&', "&amp;"))), "{bad} is not sent again");
    }
    assert_eq!(comments(&server, STORY).await["total"], 0, "nothing was stored");

    let form = fields(&server, STORY, &[("return_to", "https://allowed.example/a")]).await;
    let answer = send(&server, STORY, &form).await;
    assert_eq!(answer.status(), 303);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let id = comments(&server, STORY).await["comments"][0]["id"].as_i64().unwrap();
    assert_eq!(answer.headers()["location"], format!("https://allowed.example/a#nw-c-{id}").as_str());

    // No return address: the canonical URL. A path of this server stays a path.
    let form = fields(&server, STORY, &[("body", "deux"), ("idempotency_key", "nonce-2-0123456789")]).await;
    let location = send(&server, STORY, &form).await.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{CANONICAL}#nw-c-")), "{location}");
    let form = fields(&server, STORY, &[("body", "trois"), ("return_to", "/demo?x=1")]).await;
    let location = send(&server, STORY, &form).await.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/demo?x=1#nw-c-"), "{location}");

    // A post from another site's page is refused; this server's own and allowed pages are not.
    for (origin, status) in
        [("https://evil.example", 403), ("null", 403), ("https://allowed.example", 303), ("https://news.example", 303)]
    {
        let form = fields(&server, STORY, &[("body", &format!("depuis {origin}"))]).await;
        let answer = no_redirects().post(form_url(&server, STORY)).header("origin", origin).form(&form).send().await;
        let answer = answer.unwrap();
        assert_eq!(answer.status(), status, "{origin}");
        if status == 403 {
            assert!(answer.headers().get("location").is_none());
            problem(answer, 403).await;
        }
    }
    let own = no_redirects()
        .post(form_url(&server, STORY))
        .header("origin", &server.base)
        .form(&fields(&server, STORY, &[("body", "depuis ici")]).await)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 303);
}

#[tokio::test]
async fn form_rules_are_the_json_routes() {
    let server = server_with(|_| {}).await;

    // A bad email: 422, the page again with the typed text and the error; never cached.
    let form = fields(&server, STORY, &[("email", "pas-une-adresse"), ("body", "Mon <texte> gardé")]).await;
    let answer = send(&server, STORY, &form).await;
    assert_eq!(answer.status(), 422);
    assert_eq!(answer.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(answer.headers()["cache-control"], "no-store");
    assert_eq!(answer.headers()["content-language"], "fr");
    let csp = answer.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.starts_with("default-src 'none'; style-src 'self'; img-src *; form-action 'self'"), "{csp}");
    assert!(csp.contains("https://news.example"), "{csp}");
    let html = answer.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>\n<html lang=\"fr\" dir=\"ltr\">"), "{html}");
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/widget.css\">"), "{html}");
    assert!(html.contains("Mon &lt;texte&gt; gardé"), "the typed text: {html}");
    assert!(html.contains("value=\"pas-une-adresse\""), "{html}");
    // The widget's own form, its error in the reader's language under the field.
    assert!(html.contains("class=\"nw-field-error\">Saisissez une adresse e-mail comme nom@exemple.fr.</p>"), "{html}");
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"nw-f-top-email-error"), "{html}");
    assert!(html.contains("autofocus"), "{html}");
    assert_eq!(comments(&server, STORY).await["total"], 0);

    // The same nonce and content twice: one comment, the same answer.
    let form = fields(&server, STORY, &[("body", "Une seule fois")]).await;
    let first = send(&server, STORY, &form).await;
    let second = send(&server, STORY, &form).await;
    assert_eq!((first.status(), second.status()), (reqwest::StatusCode::SEE_OTHER, reqwest::StatusCode::SEE_OTHER));
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    assert_eq!(comments(&server, STORY).await["total"], 1);
    // Another reader with the same (cached) nonce is another comment.
    let other = fields(&server, STORY, &[("body", "Une seule fois"), ("email", "other@example.org")]).await;
    assert_eq!(send(&server, STORY, &other).await.status(), 303);
    assert_eq!(comments(&server, STORY).await["total"], 2);

    // The honeypot: it looks pending, and nobody sees it.
    let bot = fields(&server, STORY, &[("website_confirm", "http://spam.example"), ("body", "spam")]).await;
    let answer = send(&server, STORY, &bot).await;
    assert_eq!(answer.status(), 200);
    let html = answer.text().await.unwrap();
    assert!(html.contains("en attente de modération") && html.contains(&format!("href=\"{CANONICAL}\"")), "{html}");
    // No form token: held for a moderator, as on the JSON route.
    let untimed = fields(&server, STORY, &[("form_token", ""), ("body", "sans jeton")]).await;
    assert_eq!(send(&server, STORY, &untimed).await.status(), 200);
    let forged = fields(&server, STORY, &[("form_token", "1.abc"), ("body", "jeton faux")]).await;
    assert_eq!(send(&server, STORY, &forged).await.status(), 200);
    assert_eq!(comments(&server, STORY).await["total"], 2);
    let queue = server.admin_json("/api/v1/admin/comments").await;
    let reasons: Vec<&str> = queue.as_array().unwrap().iter().filter_map(|c| c["held_reason"].as_str()).collect();
    assert_eq!(reasons, ["no_form_token", "bad_form_token"], "{queue}");

    // Only a form body is a form.
    let json = server
        .client
        .post(form_url(&server, STORY))
        .json(&json!({"author_name": "Camille", "author_email": EMAIL, "body": "x"}))
        .send()
        .await
        .unwrap();
    problem(json, 415).await;

    // An unknown article: a 404 page, not a problem.
    let answer = send(&server, "no-such-article", &fields(&server, STORY, &[]).await).await;
    assert_eq!(answer.status(), 404);
    assert_eq!(answer.headers()["content-type"], "text/html; charset=utf-8");
    assert!(answer.text().await.unwrap().contains("Article introuvable"));
}

#[tokio::test]
async fn pending_and_rate_limited_forms_answer_pages() {
    let server = TestServer::start_with(|c| {
        c.moderation = Moderation::Pre;
        c.comments_per_minute = 1;
        c.comment_burst = 1;
    })
    .await;
    let answer = send(&server, DEMO, &fields(&server, DEMO, &[("lang", "en")]).await).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "text/html; charset=utf-8");
    let html = answer.text().await.unwrap();
    assert!(html.contains("Your comment is awaiting moderation"), "{html}");
    assert!(!html.contains("<a href"), "the demo article has no canonical URL to go back to: {html}");

    let answer = send(&server, DEMO, &fields(&server, DEMO, &[("body", "Trop vite")]).await).await;
    assert_eq!(answer.status(), 429);
    assert!(answer.headers().get("retry-after").is_some());
    let html = answer.text().await.unwrap();
    assert!(html.contains("Trop vite") && html.contains("role=\"alert\""), "{html}");
}

#[tokio::test]
async fn html_error_pages_go_through_the_problem_layer_and_nothing_else_does() {
    use axum::http::{header, StatusCode};
    use axum::routing::get;
    let app = axum::Router::new()
        .route(
            "/page",
            get(|| async {
                (StatusCode::UNPROCESSABLE_ENTITY, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], "<p>form</p>")
            }),
        )
        .route("/plain", get(|| async { (StatusCode::UNPROCESSABLE_ENTITY, "plain words") }));
    let app = news_widget_server::with_layers(app, 8, std::time::Duration::from_secs(5));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(news_widget_server::serve(listener, app));
    let page = reqwest::get(format!("{base}/page")).await.unwrap();
    assert_eq!(page.status(), 422);
    assert_eq!(page.text().await.unwrap(), "<p>form</p>");
    let plain = problem(reqwest::get(format!("{base}/plain")).await.unwrap(), 422).await;
    assert_eq!(plain["detail"], "plain words");
}

/// The demo page as `curl` fetches it: the host recipe done by our own server. The page's HTML
/// holds the article body and the comments, in a declarative shadow root.
#[tokio::test]
async fn the_included_page_as_curl_fetches_it_holds_the_article_and_the_comments() {
    let pages = tempfile::tempdir().unwrap();
    // The real demo page's element and <html lang>, from the repository's index.html.
    let index = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../index.html")).unwrap();
    std::fs::write(pages.path().join("index.html"), &index).unwrap();
    let dir = pages.path().to_path_buf();
    let server = server_with(move |c| c.static_dir = Some(dir)).await;
    let form =
        fields(&server, DEMO, &[("body", "Lu par un robot qui ne lance aucun script."), ("return_to", "/")]).await;
    let sent = send(&server, DEMO, &form).await;
    assert_eq!(sent.status(), 303, "{}", sent.text().await.unwrap());

    let answer = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "text/html; charset=utf-8");
    let html = answer.text().await.unwrap();
    let widget = html.find("<div data-news-widget").expect("the widget's element");
    let shadow = html[widget..].find("<template shadowrootmode=\"open\">").expect("a declarative shadow root") + widget;
    assert!(html[shadow..].contains("Zhanatas"), "the article body is in the page");
    assert!(html[shadow..].contains("Lu par un robot qui ne lance aucun script."), "the comment is in the page");
    assert!(html[shadow..].contains("method=\"post\""), "the plain form is in the page");
    assert!(!html.contains(EMAIL), "no email in the page");
    // /index.html is the same page.
    let same = reqwest::get(server.url("/index.html")).await.unwrap().text().await.unwrap();
    assert!(same.contains("Lu par un robot qui ne lance aucun script."));
}

/// Behind a trusted TLS proxy, the fragment's form, images and stylesheet are https (no mixed
/// content); an untrusted `X-Forwarded-Proto` changes nothing.
#[tokio::test]
async fn behind_a_trusted_tls_proxy_the_fragment_points_at_https() {
    let trusted = server_with(|c| c.proxies = news_widget_server::Proxies::Hops(1)).await;
    let untrusted = server_with(|_| {}).await;
    for (server, scheme) in [(&trusted, "https"), (&untrusted, "http")] {
        let url = server.url(&widget(STORY, "?embed=dsd"));
        let html = server.client.get(url).header("x-forwarded-proto", "https").send().await.unwrap();
        let html = html.text().await.unwrap();
        let host = server.base.trim_start_matches("http://");
        assert!(
            html.contains(&format!("action=\"{scheme}://{host}/api/v1/articles/{STORY}/comments/form\"")),
            "{html}"
        );
        assert!(html.contains(&format!("href=\"{scheme}://{host}/widget.css\"")), "{html}");
    }
}

/// The fragment writes only a return address the form route accepts: a foreign one would make
/// every plain post fail, so it is left out (the post then comes back to the article).
#[tokio::test]
async fn the_fragment_writes_only_an_accepted_return_address() {
    let server = server_with(|_| {}).await;
    let html = |query: &'static str| {
        let server = &server;
        async move { server.get(&widget(STORY, query)).await.text().await.unwrap() }
    };
    let foreign = html("?return=https%3A%2F%2Fevil.example%2Fx").await;
    assert!(!foreign.contains("evil.example"), "{foreign}");
    assert!(foreign.contains(r#"<input value="" type="hidden" name="return_to">"#), "{foreign}");
    let canonical = html("?return=https%3A%2F%2Fnews.example%2Fother").await;
    assert!(canonical.contains(r#"<input value="https://news.example/other" type="hidden" name="return_to">"#));
}
