//! `news-widget-server migrate --from sqlite://… --to postgres://…`, the real binary: a site on
//! SQLite moves to PostgreSQL whole, and the server on PostgreSQL answers as the old one did.
//!
//! PostgreSQL only: `cargo xtask test` runs it on its throwaway cluster.

mod common;

use std::process::Command;

use common::live::*;
use common::TestServer;
use news_widget_server::accounts::{self, Role};
use serde_json::{json, Value};

const COMMENTS: &str = "/api/v1/articles/cooperation-chine-kazakhstan/comments?limit=100";
const RATING: &str = "/api/v1/articles/cooperation-chine-kazakhstan/rating";
const READER: &str = "reader-0007-0123456789abcdef";
const PASSWORD: &str = "a long moderator passphrase";

fn migrate(from: &str, to: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_news-widget-server"))
        .args(["migrate", "--from", from, "--to", to])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.success(), stdout.into_owned(), stderr.into_owned())
}

async fn json_of(server: &TestServer, path: &str) -> Value {
    server.get(path).await.json().await.unwrap()
}

#[tokio::test]
async fn a_site_moves_from_sqlite_to_postgres_whole() {
    assert!(common::postgres().is_some(), "set NEWS_WIDGET_TEST_POSTGRES (cargo xtask test does)");
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("site.sqlite3").to_string_lossy().into_owned();
    let old = TestServer::start_with({
        let sqlite = sqlite.clone();
        move |c| c.database = sqlite
    })
    .await;
    // A site with a thread, a removed comment, a vote, an account and its decisions.
    let first = post_comment(&old, "Le premier commentaire.").await;
    let second = post_comment(&old, "Un deuxième, retiré ensuite.").await;
    decide(&old, &second["comment"]["id"], "reject").await;
    vote(&old, READER, 4).await;
    let db = news_widget_server::db::connect(&sqlite).await.unwrap();
    let hash = accounts::hash_password(PASSWORD).unwrap();
    accounts::add_user(&db, "mod@example.org", Role::Moderator, Some(&hash)).await.unwrap();
    db.close().await;
    let thread = json_of(&old, COMMENTS).await;
    let rating = json_of(&old, RATING).await;

    let target = common::fresh_database(dir.path(), "target").await;
    let (ok, out, err) = migrate(&sqlite, &target);
    assert!(ok, "{out}{err}");
    assert!(out.contains("every table's count verified"), "{out}");
    let count = |table: &str| -> i64 {
        let line = out.lines().find(|l| l.split_whitespace().next() == Some(table)).unwrap_or_else(|| panic!("{out}"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    assert_eq!(count("comments"), 2, "{out}");
    assert_eq!(count("ratings"), 1, "{out}");
    assert_eq!(count("users"), 1, "{out}");
    assert!(count("decisions") >= 1 && count("article_events") >= 3 && count("secrets") >= 3, "{out}");

    // The server on PostgreSQL answers as the one on SQLite did.
    let new = TestServer::start_with(move |c| c.database = target).await;
    assert_eq!(json_of(&new, COMMENTS).await, thread);
    assert_eq!(json_of(&new, RATING).await, rating);
    // The secrets came along: the same reader changes their vote rather than adding one.
    vote(&new, READER, 2).await;
    let after = json_of(&new, RATING).await;
    assert_eq!((after["count"].clone(), after["average"].clone()), (json!(1), json!(2.0)), "{after}");
    // The account signs in; new rows get ids after the copied ones.
    let signed_in = new
        .client
        .post(new.url("/api/v1/admin/session"))
        .json(&json!({"email": "mod@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let third = post_comment(&new, "Le troisième, sur PostgreSQL.").await;
    assert!(third["comment"]["id"].as_i64() > second["comment"]["id"].as_i64(), "{third}");
    assert!(first["comment"]["id"].as_i64() < second["comment"]["id"].as_i64());

    // Into a database that is not empty: refused, with why.
    let (ok, _, err) = migrate(&sqlite, &new.database);
    assert!(!ok && err.contains("is not empty"), "{err}");
    let (ok, _, err) = migrate(&sqlite, &dir.path().join("other.sqlite3").to_string_lossy());
    assert!(!ok && err.contains("--to must be a postgres:// URL"), "{err}");
}
