//! Compressed answers of the cached pages (issue 13) over real HTTP on a real SQLite file: a
//! comment page and a widget fragment in brotli, gzip and plain, each decompressed and compared
//! with the plain body byte for byte; `Vary`, `Content-Encoding`, an ETag per representation and
//! its 304; a write forgets the compressed bodies too; and tower-http's compression never
//! compresses an answer again.

mod common;

use std::io::Read;
use std::time::Duration;

use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::routing;
use axum::Router;
use common::TestServer;
use serde_json::{json, Value};

const SLUG: &str = "cooperation-chine-kazakhstan";

fn comments_path() -> String {
    format!("/api/v1/articles/{SLUG}/comments?limit=1000")
}

fn widget_path() -> String {
    format!("/api/v1/articles/{SLUG}/widget?lang=fr&embed=dsd")
}

async fn roomy() -> TestServer {
    TestServer::start_with(|c| {
        c.comments_per_minute = 100_000;
        c.comment_burst = 100_000;
    })
    .await
}

async fn post_comment(server: &TestServer, body: &str) {
    let token = server.form_token(SLUG).await;
    let comment = json!({"author_name": "Camille", "author_email": "c@example.org", "body": body, "form_token": token});
    let url = server.url(&format!("/api/v1/articles/{SLUG}/comments"));
    let answer = server.client.post(url).json(&comment).send().await.unwrap();
    assert_eq!(answer.status(), 201, "{}", answer.text().await.unwrap());
}

/// A thread long enough to compress, with replies.
async fn thread(server: &TestServer) {
    for i in 0..12 {
        post_comment(server, &format!("Commentaire {i} : la coopération sino-kazakhe, vue d'Almaty.")).await;
    }
}

struct Got {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn etag(&self) -> &str {
        self.header(header::ETAG).expect("an ETag")
    }

    /// The body as the client reads it, decoded from its Content-Encoding.
    fn decoded(&self) -> Vec<u8> {
        decode(self.header(header::CONTENT_ENCODING), &self.body)
    }
}

fn decode(coding: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        None => out.extend_from_slice(body),
        Some("br") => brotli::BrotliDecompress(&mut &body[..], &mut out).expect("a brotli body"),
        Some("gzip") => {
            flate2::read::GzDecoder::new(body).read_to_end(&mut out).expect("a gzip body");
        }
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    }
    out
}

async fn fetch(server: &TestServer, method: reqwest::Method, path: &str, headers: &[(&str, &str)]) -> Got {
    let mut request = server.client.request(method, server.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = request.send().await.unwrap();
    let (status, headers) = (answer.status().as_u16(), answer.headers().clone());
    Got { status, headers, body: answer.bytes().await.unwrap().to_vec() }
}

async fn get(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> Got {
    fetch(server, reqwest::Method::GET, path, headers).await
}

/// The plain ETag of a representation's ETag: the same entry has the same one.
fn entry(etag: &str) -> String {
    etag.trim_matches('"').trim_end_matches("-br").trim_end_matches("-gz").to_owned()
}

/// What `Accept-Encoding` gets what coding.
const CASES: [(&str, Option<&str>); 9] = [
    ("br", Some("br")),
    ("gzip", Some("gzip")),
    ("gzip, deflate, br, zstd", Some("br")),
    ("gzip;q=1, br;q=0.5", Some("gzip")),
    ("gzip;q=0, br;q=0", None),
    ("identity", None),
    ("*", Some("br")),
    ("br;q=0, *", Some("gzip")),
    ("deflate", None),
];

/// Checks `path` (a cached route) in every case against the plain body of the same cached entry.
/// A fragment is rendered anew after its second (a fresh form token), so a round whose answers
/// came from two entries is tried again.
async fn every_coding(server: &TestServer, path: &str, content_type: &str) {
    'round: for round in 0..20 {
        assert!(round < 19, "{path}: never saw one cached entry through a whole round");
        let plain = get(server, path, &[]).await;
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(plain.header(header::CONTENT_TYPE), Some(content_type), "{path}");
        assert_eq!(plain.header(header::CONTENT_ENCODING), None, "{path}: no Accept-Encoding, no coding");
        assert_eq!(plain.header(header::VARY), Some("accept-encoding"), "{path}");
        assert!(plain.body.len() > 2000, "{path}: a page worth compressing");
        let base = entry(plain.etag());
        assert_eq!(plain.etag(), format!("\"{base}\""), "{path}: the plain ETag has no suffix");

        for (accept, coding) in CASES {
            let got = get(server, path, &[("accept-encoding", accept)]).await;
            if entry(got.etag()) != base {
                continue 'round;
            }
            assert_eq!(got.status, 200, "{path} {accept}");
            assert_eq!(got.header(header::CONTENT_ENCODING), coding, "{path} {accept}");
            assert_eq!(got.header(header::VARY), Some("accept-encoding"), "{path} {accept}: one Vary");
            assert_eq!(got.header(header::CONTENT_TYPE), Some(content_type), "{path} {accept}");
            let suffix = match coding {
                Some("br") => "-br",
                Some("gzip") => "-gz",
                _ => "",
            };
            assert_eq!(got.etag(), format!("\"{base}{suffix}\""), "{path} {accept}: the representation's ETag");
            if coding.is_some() {
                assert!(got.body.len() * 3 < plain.body.len(), "{path} {accept}: compressed");
                let length = got.header(header::CONTENT_LENGTH).map(|l| l.parse::<usize>().unwrap());
                assert_eq!(length, Some(got.body.len()), "{path} {accept}: a known length, sent whole");
            }
            // Decoded once, it is the plain body: compressed once, by the cache, not twice.
            assert!(got.decoded() == plain.body, "{path} {accept}: the decoded body differs from the plain one");
        }

        // 304 for the representation's own ETag; another representation's tag gets its body.
        let br = get(server, path, &[("accept-encoding", "br")]).await;
        let gz = get(server, path, &[("accept-encoding", "gzip")]).await;
        let with = |tag: &str, accept: &'static str| {
            let tag = tag.to_owned();
            async move { get(server, path, &[("accept-encoding", accept), ("if-none-match", &tag)]).await }
        };
        let br_again = with(br.etag(), "br").await;
        let weak = with(&format!("W/{}", br.etag()), "gzip, br").await;
        let gz_again = with(&format!("\"other\", {}", gz.etag()), "gzip").await;
        let plain_again = with(plain.etag(), "identity").await;
        let star = with("*", "br").await;
        let other_tag = with(plain.etag(), "br").await;
        let all = [&br, &gz, &br_again, &weak, &gz_again, &plain_again, &star, &other_tag];
        if all.iter().any(|g| entry(g.etag()) != base) {
            continue 'round;
        }
        for (got, etag) in [(&br_again, br.etag()), (&weak, br.etag()), (&gz_again, gz.etag())] {
            assert_eq!(got.status, 304, "{path}: If-None-Match {etag}");
            assert_eq!(got.etag(), etag, "{path}: the 304 names the representation");
            assert_eq!(got.header(header::VARY), Some("accept-encoding"), "{path}: a 304 keeps its Vary");
            assert!(got.body.is_empty() && got.header(header::CONTENT_ENCODING).is_none(), "{path}: no body");
        }
        assert_eq!(plain_again.status, 304, "{path}: the plain body's own tag");
        assert_eq!(plain_again.etag(), plain.etag());
        assert_eq!(star.status, 304, "{path}: If-None-Match: *");
        assert_eq!(other_tag.status, 200, "{path}: the plain tag does not stand for the brotli body");
        assert_eq!(other_tag.header(header::CONTENT_ENCODING), Some("br"));
        assert!(other_tag.decoded() == plain.body, "{path}");

        // HEAD: the headers of the GET, the length of the coding's body, no body.
        let head = fetch(server, reqwest::Method::HEAD, path, &[("accept-encoding", "br")]).await;
        if entry(head.etag()) != base {
            continue 'round;
        }
        assert_eq!(head.status, 200, "{path}: HEAD");
        assert_eq!(head.header(header::CONTENT_ENCODING), Some("br"), "{path}: HEAD");
        assert_eq!(head.etag(), br.etag(), "{path}: HEAD");
        assert_eq!(head.header(header::CONTENT_LENGTH), Some(br.body.len().to_string().as_str()), "{path}: HEAD");
        assert!(head.body.is_empty(), "{path}: HEAD has no body");
        return;
    }
}

#[tokio::test]
async fn a_cached_comment_page_in_every_coding() {
    let server = roomy().await;
    thread(&server).await;
    every_coding(&server, &comments_path(), "application/json").await;
}

#[tokio::test]
async fn a_cached_widget_fragment_in_every_coding() {
    let server = roomy().await;
    thread(&server).await;
    every_coding(&server, &widget_path(), "text/html; charset=utf-8").await;
}

#[tokio::test]
async fn a_write_forgets_the_compressed_bodies_too() {
    let server = roomy().await;
    thread(&server).await;
    for path in [comments_path(), widget_path()] {
        let before = get(&server, &path, &[("accept-encoding", "br")]).await;
        let gz_before = get(&server, &path, &[("accept-encoding", "gzip")]).await;
        let new = format!("Tout nouveau, pour {path}");
        let text = String::from_utf8(before.decoded()).unwrap();
        assert!(text.contains("Commentaire 11") && !text.contains(&new), "{path}");

        post_comment(&server, &new).await;
        // At once, not after the page's second: the write forgot the page and its codings.
        let after = get(&server, &path, &[("accept-encoding", "br")]).await;
        assert_eq!(after.header(header::CONTENT_ENCODING), Some("br"));
        assert!(String::from_utf8(after.decoded()).unwrap().contains(&new), "{path}: the new comment in the br body");
        assert_ne!(entry(after.etag()), entry(before.etag()), "{path}");
        let gz = get(&server, &path, &[("accept-encoding", "gzip"), ("if-none-match", gz_before.etag())]).await;
        assert_eq!(gz.status, 200, "{path}: the old gzip tag is no longer current");
        assert!(String::from_utf8(gz.decoded()).unwrap().contains(&new), "{path}: and in the gzip body");
    }
}

/// tower-http's compression, as the server wraps every route in it: an answer that already has
/// a Content-Encoding, or that negotiated its coding itself (Vary: Accept-Encoding), goes through
/// untouched; any other is compressed (so the layer is really there).
#[tokio::test]
async fn the_compression_layer_never_compresses_an_answer_again() {
    let text = "Un corps assez long pour que la compression le prenne. ".repeat(100);
    let brotli_body = {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 5, ..Default::default() };
        brotli::BrotliCompress(&mut text.as_bytes(), &mut out, &params).unwrap();
        out
    };
    let (plain, pre) = (text.clone(), brotli_body.clone());
    let app = Router::new()
        .route("/plain", routing::get(move || async move { plain }))
        .route("/br", routing::get(move || async move { ([(header::CONTENT_ENCODING, "br")], pre).into_response() }))
        .route("/negotiated", {
            let text = text.clone();
            routing::get(move || async move { ([(header::VARY, "accept-encoding")], text).into_response() })
        });
    let app = news_widget_server::with_layers(app, 16, Duration::from_secs(5));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(news_widget_server::serve(listener, app));
    let client = reqwest::Client::new();
    let ask = |path: &'static str, accept: &'static str| {
        let request = client.get(format!("{base}{path}")).header("accept-encoding", accept);
        async move {
            let answer = request.send().await.unwrap();
            let coding = answer.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
            (coding, answer.bytes().await.unwrap().to_vec())
        }
    };

    let (coding, body) = ask("/plain", "gzip").await;
    assert_eq!(coding.as_deref(), Some("gzip"), "the layer compresses a plain answer");
    assert_eq!(decode(coding.as_deref(), &body), text.as_bytes());
    for accept in ["gzip", "br"] {
        let (coding, body) = ask("/br", accept).await;
        assert_eq!(coding.as_deref(), Some("br"), "{accept}: the answer's own coding stays");
        assert_eq!(body, brotli_body, "{accept}: the bytes as the handler sent them");
        let (coding, body) = ask("/negotiated", accept).await;
        assert_eq!(coding, None, "{accept}: a negotiated plain answer stays plain");
        assert_eq!(body, text.as_bytes());
    }
}

/// The comment page decoded is still the JSON the API describes.
#[tokio::test]
async fn the_brotli_comment_page_is_the_json() {
    let server = roomy().await;
    thread(&server).await;
    let got = get(&server, &comments_path(), &[("accept-encoding", "gzip, deflate, br, zstd")]).await;
    let page: Value = serde_json::from_slice(&got.decoded()).unwrap();
    assert_eq!(page["total"], 12);
    assert_eq!(page["comments"].as_array().map(Vec::len), Some(12));
}
