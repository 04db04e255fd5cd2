//! Reader ratings over real HTTP on a real SQLite file, from real loopback addresses.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use common::{problem, TestServer};
use serde_json::{json, Value};

const DEMO: &str = "/api/v1/articles/cooperation-chine-kazakhstan/rating";

/// A client whose connections come from `ip` (any 127.x.y.z is this machine's loopback).
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap()
}

fn token(n: usize) -> String {
    format!("reader-{n:04}-0123456789abcdef")
}

async fn vote(client: &reqwest::Client, server: &TestServer, reader: &str, stars: Value) -> reqwest::Response {
    client.put(server.url(DEMO)).header("x-reader-token", reader).json(&json!({ "stars": stars })).send().await.unwrap()
}

async fn rating(server: &TestServer, reader: Option<&str>) -> Value {
    let mut request = server.client.get(server.url(DEMO));
    if let Some(reader) = reader {
        request = request.header("x-reader-token", reader);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "private, no-cache");
    response.json().await.unwrap()
}

#[tokio::test]
async fn first_vote_then_a_change_of_vote() {
    let server = TestServer::start().await;
    let empty = rating(&server, None).await;
    assert_eq!(empty, json!({"count": 0, "average": 0.0, "percent": 0.0, "histogram": [0, 0, 0, 0, 0]}));

    let reader = token(1);
    let response = vote(&server.client, &server, &reader, json!(4)).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(!body.contains(&reader) && !body.contains("127.0.0.1"), "the token and IP never leave: {body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        first,
        json!({"count": 1, "average": 4.0, "percent": 80.0, "histogram": [0, 0, 0, 1, 0], "your_stars": 4})
    );
    assert_eq!(rating(&server, Some(&reader)).await["your_stars"], 4);
    assert!(rating(&server, None).await.get("your_stars").is_none());
    assert!(rating(&server, Some(&token(2))).await.get("your_stars").is_none());

    let changed: Value = vote(&server.client, &server, &reader, json!(2)).await.json().await.unwrap();
    assert_eq!(
        changed,
        json!({"count": 1, "average": 2.0, "percent": 40.0, "histogram": [0, 1, 0, 0, 0], "your_stars": 2}),
        "a second vote replaces the first"
    );

    let other: Value = vote(&server.client, &server, &token(3), json!(4)).await.json().await.unwrap();
    assert_eq!(
        (other["count"].clone(), other["average"].clone(), other["percent"].clone()),
        (json!(2), json!(3.0), json!(60.0))
    );
}

#[tokio::test]
async fn one_address_gets_three_new_voters_a_day_then_429() {
    let server = TestServer::start().await;
    let office = client_from([127, 0, 0, 7]);
    for n in 0..3 {
        assert_eq!(vote(&office, &server, &token(n), json!(5)).await.status(), 200, "voter {n}");
    }
    let refused = vote(&office, &server, &token(3), json!(5)).await;
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry_after), "until tomorrow: {retry_after}");
    let body = problem(refused, 429).await;
    assert!(body["detail"].as_str().unwrap().contains("At most 3 new readers"));
    assert_eq!(rating(&server, None).await["count"], 3, "the refused vote was not counted");

    // A reader who already voted may still change the vote; another address is not affected.
    assert_eq!(vote(&office, &server, &token(0), json!(1)).await.status(), 200);
    assert_eq!(vote(&client_from([127, 0, 0, 8]), &server, &token(3), json!(5)).await.status(), 200);
    let summary = rating(&server, None).await;
    assert_eq!((summary["count"].clone(), summary["histogram"].clone()), (json!(4), json!([1, 0, 0, 0, 3])));
}

#[tokio::test]
async fn the_cap_is_configurable_and_follows_a_trusted_proxy() {
    let server = TestServer::start_with(|c| {
        c.max_new_voters_per_ip = 1;
        c.proxies = news_widget_server::Proxies::Hops(1);
    })
    .await;
    let behind_proxy = |n: usize, ip: &str| {
        server
            .client
            .put(server.url(DEMO))
            .header("x-reader-token", token(n))
            .header("x-forwarded-for", format!("203.0.113.9, {ip}"))
            .json(&json!({"stars": 3}))
            .send()
    };
    assert_eq!(behind_proxy(1, "198.51.100.1").await.unwrap().status(), 200);
    assert_eq!(behind_proxy(2, "198.51.100.1").await.unwrap().status(), 429);
    assert_eq!(behind_proxy(3, "198.51.100.2").await.unwrap().status(), 200, "the last hop is the client");
}

#[tokio::test]
async fn a_hundred_concurrent_votes_from_distinct_readers_and_addresses_count_exactly_a_hundred() {
    let server = TestServer::start().await;
    let started = Instant::now();
    let votes = (0..100usize).map(|n| {
        let client = client_from([127, 0, 1, n as u8 + 1]);
        let url = server.url(DEMO);
        tokio::spawn(async move {
            let stars = n % 5 + 1;
            let response = client
                .put(url)
                .header("x-reader-token", token(n))
                .json(&json!({ "stars": stars }))
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        })
    });
    let statuses: Vec<u16> = futures_join(votes).await;
    let elapsed = started.elapsed();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let summary = rating(&server, None).await;
    assert_eq!(summary["count"], 100);
    assert_eq!(summary["histogram"], json!([20, 20, 20, 20, 20]));
    assert_eq!(summary["average"], 3.0);
    eprintln!("100 concurrent votes from 100 addresses: {} ms in all", elapsed.as_millis());
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn bad_votes_are_422_naming_the_field_and_unknown_articles_404() {
    let server = TestServer::start().await;
    for bad in [json!(0), json!(6), json!(2.5), json!("4"), json!(null), json!(-1)] {
        let body = problem(vote(&server.client, &server, &token(1), bad.clone()).await, 422).await;
        assert_eq!(body["errors"][0]["field"], "stars", "{bad}");
    }
    let missing = server.client.put(server.url(DEMO)).header("x-reader-token", token(1)).json(&json!({})).send();
    let body = problem(missing.await.unwrap(), 422).await;
    assert_eq!(body["errors"][0]["field"], "stars");

    let no_token = server.client.put(server.url(DEMO)).json(&json!({"stars": 3})).send().await.unwrap();
    assert_eq!(problem(no_token, 422).await["errors"][0]["field"], "X-Reader-Token");
    let short = vote(&server.client, &server, "short", json!(3)).await;
    assert_eq!(problem(short, 422).await["errors"][0]["field"], "X-Reader-Token");

    let url = server.url("/api/v1/articles/no-such-article/rating");
    problem(server.client.get(&url).send().await.unwrap(), 404).await;
    let put = server.client.put(&url).header("x-reader-token", token(1)).json(&json!({"stars": 3})).send();
    problem(put.await.unwrap(), 404).await;
    assert_eq!(rating(&server, None).await["count"], 0, "nothing was counted");
}
