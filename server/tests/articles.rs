//! The article routes, over real HTTP on a real SQLite file.

mod common;

use common::{problem, xss_vectors, TestServer, ADMIN_TOKEN};
use news_widget_api::{body_attribute_ok, body_attributes, BODY_LINK_REL};
use serde_json::{json, Value};

const DEMO: &str = "/api/v1/articles/cooperation-chine-kazakhstan";

fn article(title: &str, body_html: &str) -> Value {
    json!({
        "lang": "en",
        "title": title,
        "body_html": body_html,
        "published_at": "2026-11-27T10:00:00Z",
        "image": {"src": "/media/chine-kazakhstan.svg", "alt": "flags", "width": 1200, "height": 675},
        "editor_score": 80
    })
}

#[tokio::test]
async fn health_answers_ok() {
    let server = TestServer::start().await;
    let response = server.get("/api/v1/health").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"status": "ok"}));
}

#[tokio::test]
async fn the_demo_article_is_loaded_into_an_empty_database() {
    let server = TestServer::start().await;
    let response = server.get(DEMO).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let a: Value = response.json().await.unwrap();
    assert_eq!(a["slug"], "cooperation-chine-kazakhstan");
    assert_eq!(a["lang"], "fr");
    assert_eq!(a["title"], "Coopération: une nouvelle impulsion au partenariat permanent Chine-Kazakhstan");
    assert_eq!(a["image"]["caption"], "photo illustrative");
    assert_eq!(a["image"]["credit"], "Xinhua News Agency");
    assert_eq!(a["image"]["src"], "/media/chine-kazakhstan.svg");
    assert_eq!(a["editor_score"], 0);
    let body = a["body_html"].as_str().unwrap();
    assert_eq!(body.matches("<p>").count(), 9, "the seed's nine paragraphs");
    assert!(body.contains("parc éolien de Zhanatas"));

    let image = server.get("/media/chine-kazakhstan.svg").await;
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
    assert!(image.text().await.unwrap().starts_with("<svg"));
}

#[tokio::test]
async fn a_restart_keeps_data_and_does_not_reload_the_demo() {
    let server = TestServer::start().await;
    let database = server.database.clone();
    let created = server.put_article("kept", &article("Kept", "<p>kept</p>")).await;
    assert_eq!(created.status(), 201);
    // A second server on the same file sees the article and leaves the demo as it was.
    let again = TestServer::start_with(|c| c.database = database).await;
    assert_eq!(again.get("/api/v1/articles/kept").await.status(), 200);
    assert_eq!(again.get(DEMO).await.status(), 200);
}

#[tokio::test]
async fn unknown_and_malformed_slugs_are_404_problems() {
    let server = TestServer::start().await;
    let body = problem(server.get("/api/v1/articles/no-such-article").await, 404).await;
    assert!(body["detail"].as_str().unwrap().contains("no-such-article"));
    problem(server.get("/api/v1/articles/Bad_Slug").await, 404).await;
    problem(server.get("/api/v1/no-such-route").await, 404).await;
    problem(server.client.delete(server.url(DEMO)).send().await.unwrap(), 405).await;
}

#[tokio::test]
async fn put_needs_the_admin_token() {
    let server = TestServer::start().await;
    let url = server.url("/api/v1/articles/new-one");
    let body = article("T", "<p>b</p>");
    let missing = server.client.put(&url).json(&body).send().await.unwrap();
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    problem(missing, 401).await;
    problem(server.client.put(&url).bearer_auth("wrong").json(&body).send().await.unwrap(), 401).await;
    let almost = format!("{ADMIN_TOKEN}x");
    problem(server.client.put(&url).bearer_auth(almost).json(&body).send().await.unwrap(), 401).await;
    assert_eq!(server.get("/api/v1/articles/new-one").await.status(), 404, "nothing was written");

    let closed = TestServer::start_with(|c| c.admin_token = None).await;
    let refused = closed.client.put(closed.url("/api/v1/articles/x")).bearer_auth("").json(&body).send().await;
    problem(refused.unwrap(), 403).await;
}

#[tokio::test]
async fn put_creates_then_replaces() {
    let server = TestServer::start().await;
    let first = server.put_article("breaking", &article("First", "<p>one</p>")).await;
    assert_eq!(first.status(), 201);
    let stored: Value = first.json().await.unwrap();
    assert_eq!(stored["slug"], "breaking");
    assert_eq!(stored["editor_score"], 80);

    let second = server.put_article("breaking", &article("Second", "<p>two</p>")).await;
    assert_eq!(second.status(), 200);
    let got: Value = server.get("/api/v1/articles/breaking").await.json().await.unwrap();
    assert_eq!(got["title"], "Second");
    assert_eq!(got["body_html"], "<p>two</p>");
}

#[tokio::test]
async fn bad_articles_are_422_problems_naming_each_field() {
    let server = TestServer::start().await;
    let mut bad = article("", "<p>b</p>");
    bad["lang"] = json!("not a language");
    bad["published_at"] = json!("yesterday");
    bad["image"]["src"] = json!("javascript:alert(1)");
    let body = problem(server.put_article("x", &bad).await, 422).await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["lang", "title", "published_at", "image.src"]);

    let mut missing = article("T", "<p>b</p>");
    missing.as_object_mut().unwrap().remove("title");
    let body = problem(server.put_article("x", &missing).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "title");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("missing field"));

    let mut wrong_type = article("T", "<p>b</p>");
    wrong_type["editor_score"] = json!("high");
    let body = problem(server.put_article("x", &wrong_type).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "editor_score");

    let mut too_high = article("T", "<p>b</p>");
    too_high["editor_score"] = json!(101);
    let body = problem(server.put_article("x", &too_high).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "editor_score");

    let mut extra = article("T", "<p>b</p>");
    extra["image"]["onerror"] = json!("alert(1)");
    let body = problem(server.put_article("x", &extra).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "image.onerror");

    let body = problem(server.put_article("Bad_Slug", &article("T", "<p>b</p>")).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "slug");

    let url = server.url("/api/v1/articles/x");
    let not_json = server.client.put(&url).bearer_auth(ADMIN_TOKEN).header("content-type", "application/json");
    problem(not_json.body("{\"title\":").send().await.unwrap(), 400).await;
    let form = server.client.put(&url).bearer_auth(ADMIN_TOKEN).header("content-type", "text/plain");
    problem(form.body("{}").send().await.unwrap(), 415).await;
    assert_eq!(server.get("/api/v1/articles/x").await.status(), 404, "nothing was written");
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    let server = TestServer::start().await;
    let response = server.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/health", "/api/v1/articles/{slug}"] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["paths"]["/api/v1/articles/{slug}"]["put"].is_object());
    for schema in ["Article", "ArticleImage", "ArticleInput", "Problem", "FieldError"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
}

#[tokio::test]
async fn static_files_and_cors() {
    let server = TestServer::start_with(|c| {
        let dir = std::env::temp_dir().join(format!("nw-static-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
        c.static_dir = Some(dir);
        c.allowed_origins = vec!["https://news.example".into()];
    })
    .await;
    let page = server.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<title>demo</title>"));

    let allowed = server.client.get(server.url(DEMO)).header("origin", "https://news.example").send().await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://news.example");
    let preflight = server
        .client
        .request(reqwest::Method::OPTIONS, server.url("/api/v1/articles/cooperation-chine-kazakhstan/rating"))
        .header("origin", "https://news.example")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type,x-reader-token")
        .send()
        .await
        .unwrap();
    let allowed_headers = preflight.headers()["access-control-allow-headers"].to_str().unwrap().to_owned();
    assert!(
        allowed_headers.contains("x-reader-token") && allowed_headers.contains("content-type"),
        "{allowed_headers}"
    );
    let other = server.client.get(server.url(DEMO)).header("origin", "https://evil.example").send().await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

/// One start tag of serialized HTML: its name and attributes.
type Tag = (String, Vec<(String, String)>);

/// Reads the start tags of HTML as html5ever serializes it: text escapes `<`, attribute values
/// are double-quoted, so every raw `<` opens a tag.
fn start_tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            rest = &after[after.find('>').expect("closing tag ends") + 1..];
            continue;
        }
        let name_end = rest.find([' ', '>']).expect("tag name ends");
        let name = rest[..name_end].to_owned();
        rest = &rest[name_end..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            let attr_end = rest.find(['=', ' ', '>']).expect("attribute name ends");
            let attr = rest[..attr_end].to_owned();
            rest = &rest[attr_end..];
            let value = if let Some(after) = rest.strip_prefix("=\"") {
                let close = after.find('"').expect("attribute value ends");
                rest = &after[close + 1..];
                after[..close].replace("&quot;", "\"").replace("&amp;", "&")
            } else {
                String::new()
            };
            attrs.push((attr, value));
        }
        tags.push((name, attrs));
    }
    tags
}

#[tokio::test]
async fn stored_bodies_never_hold_the_active_parts_of_the_xss_corpus() {
    let server = TestServer::start().await;
    let vectors = xss_vectors();
    assert_eq!(vectors.len(), 517, "the whole corpus");
    let mut elements_seen = 0;
    for (i, (source, payload)) in vectors.iter().enumerate() {
        let slug = format!("xss-{i}");
        let response = server.put_article(&slug, &article(&format!("vector {i}"), &format!("<p>x</p>{payload}"))).await;
        assert_eq!(response.status(), 201, "{source}");
        let stored: Value = server.get(&format!("/api/v1/articles/{slug}")).await.json().await.unwrap();
        let body = stored["body_html"].as_str().unwrap();
        for (name, attrs) in start_tags(body) {
            elements_seen += 1;
            assert!(body_attributes(&name).is_some(), "{source}: <{name}> kept in {body}");
            for (attr, value) in attrs {
                let ok = match (name.as_str(), attr.as_str()) {
                    ("a", "rel") => value == BODY_LINK_REL,
                    (name, attr) => body_attribute_ok(name, attr, &value),
                };
                assert!(ok, "{source}: <{name} {attr}={value:?}> kept in {body}");
            }
        }
    }
    assert!(elements_seen >= vectors.len(), "the check saw the stored markup");
}

#[test]
fn the_demo_pages_inline_article_is_the_fixture() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../index.html")).unwrap();
    let marker = r#"data-news-widget-article="cooperation-chine-kazakhstan">"#;
    let start = page.find(marker).expect("inline article") + marker.len();
    let json = &page[start..start + page[start..].find("</script>").unwrap()];
    let inline: news_widget_api::Article = serde_json::from_str(json).expect("the inline article parses");
    let fixture: news_widget_api::ArticleInput =
        serde_json::from_str(include_str!("../fixtures/cooperation-chine-kazakhstan.json")).unwrap();
    let prepared =
        news_widget_server::db::prepare(news_widget_api::Slug::parse("cooperation-chine-kazakhstan").unwrap(), fixture);
    assert_eq!(inline, prepared.unwrap(), "index.html's inline article must equal the server's demo article");
}
