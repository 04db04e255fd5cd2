//! The importers and the export, on real SQLite files in temp dirs: through the library and
//! through the real binary, and what the API serves afterwards over real HTTP.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use news_widget_server::db;
use news_widget_server::import::{self, disqus, json, wordpress, Summary};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_news-widget-server"))
}

/// Runs the binary with `args` on `database`: (success, stdout, stderr). It never panics.
fn run(database: &str, args: &[&str]) -> (bool, String, String) {
    let out =
        bin().args(args).arg("--database").arg(database).env("RUST_LOG", "warn").output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(out.status.code(), Some(0..=2)), "exit status {:?}: {stderr}", out.status);
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

async fn fresh() -> (tempfile::TempDir, db::Db, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = common::fresh_database(dir.path(), "import").await;
    let db = db::connect(&path).await.unwrap();
    (dir, db, path)
}

async fn wp(db: &db::Db, file: &str, options: wordpress::Options) -> Summary {
    import::import_wordpress(db, &data(file), options).await.unwrap()
}

fn counts(pairs: &[(&str, u64)]) -> std::collections::BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// The comments of the dump, by author name (deleted ones by id).
fn comments(dump: &json::Dump) -> std::collections::HashMap<String, &json::CommentRow> {
    dump.comments
        .iter()
        .map(|c| (if c.author_name.is_empty() { format!("#{}", c.id) } else { c.author_name.clone() }, c))
        .collect()
}

#[tokio::test]
async fn wordpress_1_2_keeps_threads_statuses_dates_and_bodies() {
    let (_dir, db, _) = fresh().await;
    let summary = wp(&db, "wordpress-1.2.xml", wordpress::Options::default()).await;
    assert_eq!(
        summary,
        Summary {
            approved: 8,
            pending: 1,
            placeholders: 0,
            skipped: counts(&[
                ("on an article not imported", 2),
                ("pings", 2),
                ("refused body", 1),
                ("spam", 1),
                ("trash", 1),
            ]),
            repaired: counts(&[
                ("bad email dropped", 1),
                ("bad website dropped", 1),
                ("bare & escaped", 1),
                ("control characters dropped", 1),
                ("local date taken as UTC (no --utc-offset)", 1),
                ("split CDATA joined", 1),
            ]),
            orphans: 1,
            articles_created: 2,
            articles_matched: 0,
            articles_skipped: counts(&[("attachment", 1), ("post not published (draft)", 1)]),
        },
        "{summary}"
    );
    let dump = json::dump(&db).await.unwrap();
    let slugs: Vec<&str> = dump.articles.iter().map(|a| a.article.slug.as_str()).collect();
    assert_eq!(slugs, ["about", "hello-world"]);
    let hello = &dump.articles[1].article;
    assert_eq!(hello.title, "Hello \u{201c}world\u{201d}", "WordPress titles are HTML; ours are text");
    assert_eq!(hello.lang.as_str(), "en-US");
    assert_eq!(hello.published_at.as_str(), "2024-02-29T09:00:00.000Z");
    assert_eq!(hello.canonical_url.as_ref().map(|u| u.as_str()), Some("https://blog.example/2024/02/hello-world/"));
    assert_eq!(hello.author.as_deref(), Some("Ada Admin"));
    assert_eq!(hello.summary.as_deref(), Some("The first post."));
    assert!(hello.body_html.contains("<p>Welcome to the blog.</p>"), "{}", hello.body_html);
    assert!(hello.body_html.contains("<p>This is the second paragraph.</p>"), "{}", hello.body_html);
    let about = &dump.articles[0].article;
    assert!(about.body_html.contains("<p>We write news.</p>") && !about.body_html.contains("wp:paragraph"));

    let by = comments(&dump);
    let (alice, bob, carol) = (by["Alice"], by["Bob"], by["Carol"]);
    // Three levels, each with its parent, one thread root.
    assert_eq!((alice.parent_id, bob.parent_id, carol.parent_id), (None, Some(alice.id), Some(bob.id)));
    assert_eq!((bob.root_id, carol.root_id), (alice.id, alice.id));
    assert_eq!(alice.body, "First paragraph.\n\nSecond paragraph\nwith a line break.");
    assert_eq!(alice.author_url.as_deref(), Some("https://alice.example/?a=1&b=2"));
    assert_eq!(alice.author_email, "alice@example.org");
    assert_eq!(alice.created_at, "2024-03-01T10:00:00.000Z");
    assert_eq!(alice.status, "approved");
    assert_eq!(bob.author_email, "", "a bad email is stored as none");
    // A GMT date of 0000-00-00: the local date, as UTC without --utc-offset.
    assert_eq!(carol.created_at, "2024-03-01T14:30:00.000Z");
    assert_eq!(by["Dan"].status, "pending");
    // The reply to spam is an orphan: top-level.
    assert_eq!(by["Erin"].parent_id, None);
    assert_eq!(by["Erin"].root_id, by["Erin"].id);
    assert_eq!(
        by["Grace"].body, "Bell here, see the docs (https://docs.example/).",
        "no control character, the link kept"
    );
    assert_eq!(by["Heidi"].body, "Code: a[b[0]]> end");
    assert_eq!((by["Judy"].author_url.as_deref(), by["Judy"].status.as_str()), (None, "approved"));
    assert_eq!(by["Anonymous"].article_slug, "about");
    for gone in ["Spammer", "Frank", "Other Blog", "Third Blog", "Ivan", "Kim", "Leo"] {
        assert!(!by.contains_key(gone), "{gone} should not be imported");
    }
    assert!(dump.comments.iter().all(|c| c.edited_at.is_none() && c.held_reason.is_none()));
    // Import keys: one per article and comment made.
    assert_eq!(dump.imports.iter().filter(|i| i.kind == "comment").count(), 9);
    assert!(dump.imports.iter().all(|i| i.source == "wordpress https://blog.example"));
}

#[tokio::test]
async fn include_pings_and_utc_offset_change_what_they_say() {
    let (_dir, db, _) = fresh().await;
    let options = wordpress::Options { include_pings: true, utc_offset_minutes: Some(120), lang: None };
    let summary = wp(&db, "wordpress-1.2.xml", options).await;
    assert_eq!((summary.approved, summary.pending), (10, 1), "{summary}");
    assert_eq!(summary.skipped.get("pings"), None);
    assert_eq!(summary.repaired.get("local date, --utc-offset applied"), Some(&1));
    let dump = json::dump(&db).await.unwrap();
    let by = comments(&dump);
    assert_eq!(by["Other Blog"].author_url.as_deref(), Some("https://other.example/post/"));
    assert_eq!(by["Other Blog"].body, "[\u{2026}] a pingback excerpt [\u{2026}]");
    assert_eq!(by["Third Blog"].body, "A trackback excerpt");
    assert_eq!(by["Carol"].created_at, "2024-03-01T12:30:00.000Z", "14:30 at +02:00");
}

#[tokio::test]
async fn reimporting_changes_nothing_and_nothing_there_is_lost() {
    let (_dir, db, _) = fresh().await;
    // What was there: the demo article, and an article whose slug the export also has.
    db::seed_if_empty(&db).await.unwrap();
    let mine = news_widget_api::ArticleInput {
        lang: "en".into(),
        title: "Our own hello".into(),
        body_html: "<p>Ours</p>".into(),
        published_at: "2023-01-01T00:00:00Z".into(),
        ..Default::default()
    };
    let mine = db::prepare(news_widget_api::Slug::parse("hello-world").unwrap(), mine).unwrap();
    db::put_article(&db, &mine).await.unwrap();
    // And a reader's comment on it, posted before the import.
    sqlx::query(
        "INSERT INTO comments (article_slug, root_id, author_name, author_email, avatar, body, status, edit_token_hash,
             edit_until) VALUES ('hello-world', 1, 'Reader', 'reader@example.org', 'ab', 'Mine', 'approved', 'x', 'y')",
    )
    .execute(&db)
    .await
    .unwrap();
    let before = json::dump(&db).await.unwrap();
    assert_eq!(before.comments.len(), 1);

    let first = wp(&db, "wordpress-1.2.xml", wordpress::Options::default()).await;
    assert_eq!((first.articles_created, first.articles_matched, first.approved), (1, 1, 8), "{first}");
    let once = json::dump(&db).await.unwrap();
    for a in &before.articles {
        assert!(once.articles.contains(a), "{} was changed", a.article.slug);
    }
    assert_eq!(once.comments[0], before.comments[0], "the reader's comment is as it was");
    assert_eq!(once.comments.len(), 1 + 8 + 1);
    assert_eq!(
        once.articles.iter().find(|a| a.article.slug.as_str() == "hello-world").unwrap().article.title,
        "Our own hello"
    );

    let again = wp(&db, "wordpress-1.2.xml", wordpress::Options::default()).await;
    assert_eq!((again.approved, again.pending, again.articles_created, again.orphans), (0, 0, 0, 0), "{again}");
    assert_eq!(again.skipped.get("duplicate (imported before)"), Some(&9));
    let twice = json::dump(&db).await.unwrap();
    assert_eq!(serde_json::to_string(&once).unwrap(), serde_json::to_string(&twice).unwrap());

    let disqus_once = import::import_disqus(&db, &data("disqus.xml"), disqus::Options::default()).await.unwrap();
    let thrice = json::dump(&db).await.unwrap();
    let disqus_again = import::import_disqus(&db, &data("disqus.xml"), disqus::Options::default()).await.unwrap();
    assert_eq!(disqus_again.imported(), 0, "{disqus_again}");
    assert_eq!(disqus_again.skipped.get("duplicate (imported before)"), Some(&disqus_once.imported()));
    assert_eq!(json::dump(&db).await.unwrap(), thrice);
}

#[tokio::test]
async fn wordpress_1_0_imports() {
    let (_dir, db, _) = fresh().await;
    let summary = wp(&db, "wordpress-1.0.xml", wordpress::Options::default()).await;
    assert_eq!((summary.approved, summary.articles_created, summary.orphans), (2, 1, 0), "{summary}");
    let dump = json::dump(&db).await.unwrap();
    assert_eq!(dump.articles[0].article.slug.as_str(), "old-times");
    assert_eq!(dump.articles[0].article.published_at.as_str(), "2009-05-01T08:00:00.000Z");
    assert!(dump.articles[0].article.body_html.contains("An old post.<br"), "{}", dump.articles[0].article.body_html);
    let by = comments(&dump);
    assert_eq!(by["Paul"].parent_id, Some(by["Olga"].id));
    assert_eq!(by["Olga"].author_url.as_deref(), Some("http://olga.example/"));
    assert!(dump.imports.iter().all(|i| i.source == "wordpress https://blog.example"));
}

#[tokio::test]
async fn disqus_threads_replies_spam_and_placeholders() {
    let (_dir, db, _) = fresh().await;
    let there = news_widget_api::ArticleInput {
        lang: "en".into(),
        title: "Had it".into(),
        body_html: "<p>x</p>".into(),
        published_at: "2023-01-01T00:00:00Z".into(),
        canonical_url: Some("https://news.example/old/123".into()),
        ..Default::default()
    };
    db::put_article(&db, &db::prepare(news_widget_api::Slug::parse("kept-by-link").unwrap(), there).unwrap())
        .await
        .unwrap();
    let summary = import::import_disqus(&db, &data("disqus.xml"), disqus::Options::default()).await.unwrap();
    assert_eq!((summary.approved, summary.pending, summary.placeholders, summary.orphans), (6, 0, 1, 1), "{summary}");
    assert_eq!(summary.skipped, counts(&[("deleted without replies", 1), ("spam", 1)]));
    assert_eq!((summary.articles_created, summary.articles_matched), (2, 1));
    let dump = json::dump(&db).await.unwrap();
    let slugs: Vec<&str> = dump.articles.iter().map(|a| a.article.slug.as_str()).collect();
    assert_eq!(slugs, ["disqus-story", "kept-by-link", "mon-article"]);
    assert_eq!(dump.articles[2].article.title, "Mon article & plus");
    assert_eq!(
        dump.articles[2].article.canonical_url.as_ref().map(|u| u.as_str()),
        Some("https://news.example/2024/05/Mon_Article/?utm_source=x")
    );
    let by = comments(&dump);
    assert_eq!(by["Ann"].body, "Hello there.\n\nSecond paragraph\nnext line");
    assert_eq!(by["Ben"].parent_id, Some(by["Ann"].id));
    assert_eq!(by["Ben"].author_email, "", "a missing email is none");
    let placeholder = dump.comments.iter().find(|c| c.status == "deleted").unwrap();
    assert_eq!((placeholder.body.as_str(), placeholder.author_email.as_str()), ("", ""));
    assert_eq!(placeholder.deleted_by.as_deref(), Some("import"));
    assert_eq!(by["Cid"].parent_id, Some(placeholder.id), "the reply keeps its place under the removed post");
    assert!(placeholder.id < by["Cid"].id, "parents are written first, whatever the file's order");
    assert_eq!(by["Eve"].parent_id, None, "a reply to spam is an orphan");
    assert_eq!(
        (by["Anonymous"].article_slug.as_str(), by["Fay"].article_slug.as_str()),
        ("mon-article", "kept-by-link")
    );
    assert_eq!(by["Ann"].created_at, "2024-05-01T09:00:00.000Z");
    assert!(!by.contains_key("Spam Bot") && !by.contains_key("Someone"));
}

#[tokio::test]
async fn export_then_import_json_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let first = common::fresh_database(dir.path(), "first").await;
    let (ok, out, err) = run(&first, &["import", "wordpress", &data("wordpress-1.2.xml").to_string_lossy()]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported: 9 comment(s) (8 approved, 1 pending"), "{out}");
    assert!(out.contains("orphans (made top-level): 1"), "{out}");
    let (ok, out, err) = run(&first, &["import", "disqus", &data("disqus.xml").to_string_lossy()]);
    assert!(ok, "{out}{err}");
    // What the API writes too: a rating, a report, a moderated and an edited comment.
    {
        let db = db::connect(&first).await.unwrap();
        sqlx::query("INSERT INTO ratings (article_slug, reader_hash, stars) VALUES ('about', 'abc123', 4)")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO comment_reports (comment_id, reason, reporter_hash) VALUES (1, 'rude', 'reader:x')")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("UPDATE comments SET reports = 1, edited_at = '2024-06-01T00:00:00.000Z', pending_body = 'edit' WHERE id = 1")
            .execute(&db)
            .await
            .unwrap();
        news_widget_server::comments::moderate(&db, 2, "reject", "test", None).await.unwrap();
        db.close().await;
    }
    let a = dir.path().join("a.json");
    let (ok, _, err) = run(&first, &["export", &a.to_string_lossy()]);
    assert!(ok, "{err}");
    let second = common::fresh_database(dir.path(), "second").await;
    let (ok, out, err) = run(&second, &["import", "json", &a.to_string_lossy()]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("restored 5 article(s)"), "{out}");
    let (ok, b, err) = run(&second, &["export"]);
    assert!(ok, "{err}");
    let a = std::fs::read_to_string(&a).unwrap();
    assert_eq!(a, b, "export → import → export is byte-identical");
    // Into the same database again: nothing changes.
    let (ok, out, err) = run(&second, &["import", "json", &dir.path().join("a.json").to_string_lossy()]);
    assert!(ok && out.contains("restored 0 article(s) and 0 comment(s)"), "{out}{err}");
    assert_eq!(run(&second, &["export", "-"]).1, a);
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["format"], "news-widget export");
    assert_eq!(v["ratings"][0]["stars"], 4);
    assert_eq!(v["reports"][0]["reason"], "rude");
    assert!(v["comments"].as_array().unwrap().iter().any(|c| c["status"] == "rejected"));
    assert!(v["imports"].as_array().unwrap().len() > 10);
    assert!(v.get("secrets").is_none() && !a.contains("\"secret\""));
    // Into another database that has comments of its own: refused, nothing written.
    let third = common::fresh_database(dir.path(), "third").await;
    let (ok, _, _) = run(&third, &["import", "wordpress", &data("wordpress-1.0.xml").to_string_lossy()]);
    assert!(ok);
    let before = run(&third, &["export"]).1;
    let (ok, _, err) = run(&third, &["import", "json", &dir.path().join("a.json").to_string_lossy()]);
    assert!(!ok && err.contains("import into an empty database"), "{err}");
    assert_eq!(run(&third, &["export"]).1, before);
}

#[tokio::test]
async fn the_cli_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let database = common::fresh_database(dir.path(), "db").await;
    let missing = dir.path().join("nope.xml");
    let (ok, _, err) = run(&database, &["import", "wordpress", &missing.to_string_lossy()]);
    assert!(!ok && err.contains("cannot open") && err.contains("nope.xml"), "{err}");
    if common::postgres().is_none() {
        assert!(!Path::new(&database).exists(), "no database file is made for a missing file");
    }
    let (ok, _, err) = run(&database, &["import", "wordpress", &data("disqus.xml").to_string_lossy()]);
    assert!(!ok && err.contains("expected WXR") && err.contains("found <disqus>"), "{err}");
    let (ok, _, err) = run(&database, &["import", "disqus", &data("wordpress-1.2.xml").to_string_lossy()]);
    assert!(!ok && err.contains("expected a <disqus> root") && err.contains("found <rss>"), "{err}");
    let junk = dir.path().join("junk.xml");
    std::fs::write(&junk, "<rss><channel></rss>").unwrap();
    let (ok, _, err) = run(&database, &["import", "wordpress", &junk.to_string_lossy()]);
    assert!(!ok && err.contains("WordPress"), "{err}");
    std::fs::write(&junk, "{\"not\": \"ours\"}").unwrap();
    let (ok, _, err) = run(&database, &["import", "json", &junk.to_string_lossy()]);
    assert!(!ok && err.contains("not a news-widget export"), "{err}");
    let (ok, _, err) = run(&database, &["import", "wordpress", "x.xml", "--utc-offset", "Paris"]);
    assert!(!ok && err.contains("UTC offset"), "{err}");
}

/// A WXR of `posts` posts with `per_post` comments each, every third a reply to the one before.
fn big_wxr(path: &Path, posts: usize, per_post: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(
        f,
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Big</title>
<language>en</language><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://big.example</wp:base_site_url>
"#
    )
    .unwrap();
    let mut id = 0;
    for p in 0..posts {
        write!(
            f,
            "<item><title>Post {p}</title><link>https://big.example/post-{p}/</link><content:encoded><![CDATA[Body {p}]]></content:encoded>
<wp:post_id>{p}</wp:post_id><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt><wp:post_name>post-{p}</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>\n"
        )
        .unwrap();
        for c in 0..per_post {
            id += 1;
            let parent = if c % 3 == 2 { id - 1 } else { 0 };
            let (h, m, s) = (c / 3600, c / 60 % 60, c % 60);
            write!(
                f,
                "<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>Reader {id}</wp:comment_author>
<wp:comment_author_email>r{id}@example.org</wp:comment_author_email><wp:comment_date_gmt>2020-01-02 {h:02}:{m:02}:{s:02}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[Comment {id}

with & two paragraphs]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
            )
            .unwrap();
        }
        writeln!(f, "</item>").unwrap();
    }
    writeln!(f, "</channel></rss>").unwrap();
}

#[tokio::test]
async fn a_large_export_imports() {
    let (dir, db, _) = fresh().await;
    let file = dir.path().join("big.xml");
    big_wxr(&file, 200, 100);
    let summary = import::import_wordpress(&db, &file, wordpress::Options::default()).await.unwrap();
    assert_eq!((summary.approved, summary.articles_created, summary.orphans), (20_000, 200, 0), "{summary}");
    assert!(summary.skipped.is_empty() && summary.repaired.is_empty(), "{summary}");
    let (replies,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL").fetch_one(&db).await.unwrap();
    assert_eq!(replies, 200 * 33);
    let (body,): (String,) =
        sqlx::query_as("SELECT body FROM comments c JOIN imports i ON i.comment_id = c.id WHERE i.source_id = '20000'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(body, "Comment 20000\n\nwith & two paragraphs");
}

#[tokio::test]
async fn the_api_serves_imported_comments_in_thread_order() {
    let server = common::TestServer::start().await;
    let db = db::connect(&server.database).await.unwrap();
    wp(&db, "wordpress-1.2.xml", wordpress::Options::default()).await;
    let answer = server.get("/api/v1/articles/hello-world/comments?limit=100").await;
    assert_eq!(answer.status(), 200);
    let page: Value = answer.json().await.unwrap();
    let shown: Vec<(&str, Option<i64>)> = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["author_name"].as_str().unwrap(), c["parent_id"].as_i64()))
        .collect();
    let names: Vec<&str> = shown.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["Alice", "Bob", "Carol", "Erin", "Grace", "Heidi", "Judy"], "{page}");
    let id = |name: &str| {
        page["comments"].as_array().unwrap().iter().find(|c| c["author_name"] == name).unwrap()["id"].as_i64()
    };
    assert_eq!(shown[1].1, id("Alice"));
    assert_eq!(shown[2].1, id("Bob"));
    assert_eq!(page["total"], 7, "the pending comment is not shown");
    assert_eq!(page["comments"][0]["body"], "First paragraph.\n\nSecond paragraph\nwith a line break.");
    assert_eq!(page["comments"][0]["created_at"], "2024-03-01T10:00:00.000Z");
    let article: Value = server.get("/api/v1/articles/about").await.json().await.unwrap();
    assert_eq!(article["title"], "About us");

    // A Disqus thread: the deleted post with a reply shows as a removed comment, in its place.
    import::import_disqus(&db, &data("disqus.xml"), disqus::Options::default()).await.unwrap();
    let page: Value = server.get("/api/v1/articles/disqus-story/comments").await.json().await.unwrap();
    let shown: Vec<(&str, &str)> = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["author_name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shown,
        [("Ann", "approved"), ("Ben", "approved"), ("", "deleted"), ("Cid", "approved"), ("Eve", "approved")],
        "{page}"
    );
    assert_eq!(page["comments"][3]["parent_id"], page["comments"][2]["id"]);
    assert_eq!(page["total"], 4);
}
