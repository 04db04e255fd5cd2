//! Live updates (Server-Sent Events) over real HTTP on a real database (SQLite, or PostgreSQL): what a reader's open
//! stream hears, what a reconnecting one gets back, and what the streams never take from others.

mod common;

use std::time::Duration;

use common::live::*;
use common::{problem, TestServer};
use news_widget_api::events::ArticleEvent;
use news_widget_server::comments::Moderation;
use serde_json::json;

#[tokio::test]
async fn an_open_stream_hears_a_published_comment_and_a_reconnect_gets_what_it_missed() {
    let server = TestServer::start().await;
    let mut stream = Stream::open(&server, None).await;
    let first = stream.next_block(Duration::from_secs(5)).await.expect("the stream opens with advice");
    assert_eq!(first.retry.as_deref(), Some("3000"), "EventSource is told when to reconnect");

    let posted = post_comment(&server, "Premier commentaire en direct.").await;
    let (first_id, event) = stream.next_event().await;
    let ArticleEvent::Comment { comment } = event else { panic!("a new comment first, not {event:?}") };
    assert_eq!(json!(comment.id), posted["comment"]["id"]);
    assert_eq!(comment.body, "Premier commentaire en direct.");
    assert_eq!(comment.author_name, "Camille");
    drop(stream);

    // While the reader is away: a vote, then the comment is rejected.
    vote(&server, "reader-0001-0123456789abcdef", 4).await;
    decide(&server, &posted["comment"]["id"], "reject").await;

    let mut back = Stream::open(&server, Some(&first_id)).await;
    let (rating_id, event) = back.next_event().await;
    let ArticleEvent::Rating { rating } = event else { panic!("the vote next, not {event:?}") };
    assert_eq!((rating.count, rating.histogram), (1, [0, 0, 0, 1, 0]));
    assert_eq!(rating.your_stars, None, "nobody's own vote goes to everyone");
    let (removal_id, event) = back.next_event().await;
    assert_eq!(event, ArticleEvent::Removal { id: comment.id });
    let ids: Vec<i64> = [&first_id, &rating_id, &removal_id].iter().map(|id| id.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
    back.assert_quiet(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_held_comment_is_heard_only_once_approved_and_a_waiting_edit_once_approved() {
    let server = TestServer::start_with(|c| c.moderation = Moderation::Pre).await;
    let mut stream = Stream::open(&server, None).await;
    let posted = post_comment(&server, "En attente de modération.").await;
    assert_eq!(posted["comment"]["status"], "pending");
    stream.assert_quiet(Duration::from_millis(500)).await;

    decide(&server, &posted["comment"]["id"], "approve").await;
    let (_, event) = stream.next_event().await;
    let ArticleEvent::Comment { comment } = event else { panic!("the approved comment, not {event:?}") };
    assert_eq!(comment.body, "En attente de modération.");

    // Approving it again (a reviewed report, say) changes nothing readers see.
    decide(&server, &posted["comment"]["id"], "approve").await;
    stream.assert_quiet(Duration::from_millis(500)).await;

    // The author's edit waits for review (pre-moderation), then shows as an edit.
    let id = &posted["comment"]["id"];
    let edit = server
        .client
        .patch(server.url(&format!("/api/v1/comments/{id}")))
        .header("x-edit-token", posted["edit_token"].as_str().expect("an edit token"))
        .json(&json!({ "body": "Texte corrigé." }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(edit.status(), 200);
    stream.assert_quiet(Duration::from_millis(500)).await;
    decide(&server, id, "approve").await;
    let (_, event) = stream.next_event().await;
    let ArticleEvent::Edit { comment } = event else { panic!("the approved edit, not {event:?}") };
    assert_eq!(comment.body, "Texte corrigé.");
}

#[tokio::test]
async fn an_author_edit_and_delete_are_heard_and_other_articles_hear_nothing() {
    let server = TestServer::start().await;
    let other = json!({
        "lang": "fr", "title": "Un autre article", "body_html": "<p>Rien à voir.</p>",
        "published_at": "2026-11-30T08:00:00Z", "author": "Rédaction",
    });
    let answer = server.put_article("autre-article", &other).await;
    assert!(answer.status().is_success(), "{}", answer.text().await.unwrap_or_default());
    let mut elsewhere = server.client.get(server.url("/api/v1/articles/autre-article/events")).send().await.unwrap();
    assert_eq!(elsewhere.status(), 200);

    let mut stream = Stream::open(&server, None).await;
    let posted = post_comment(&server, "Avant.").await;
    assert!(matches!(stream.next_event().await.1, ArticleEvent::Comment { .. }));
    let id = &posted["comment"]["id"];
    let token = posted["edit_token"].as_str().expect("an edit token");
    let edit = server
        .client
        .patch(server.url(&format!("/api/v1/comments/{id}")))
        .header("x-edit-token", token)
        .json(&json!({ "body": "Après." }))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 200);
    let (_, event) = stream.next_event().await;
    let ArticleEvent::Edit { comment } = event else { panic!("the edit, not {event:?}") };
    assert_eq!((comment.body.as_str(), comment.edited_at.is_some()), ("Après.", true));
    let gone = server.client.delete(server.url(&format!("/api/v1/comments/{id}"))).header("x-edit-token", token);
    assert_eq!(gone.send().await.unwrap().status(), 204);
    assert_eq!(stream.next_event().await.1, ArticleEvent::Removal { id: comment.id });

    // The other article's stream said nothing but its opening advice.
    let mut heard = String::new();
    while let Ok(chunk) = tokio::time::timeout(Duration::from_millis(500), elsewhere.chunk()).await {
        let chunk = chunk.expect("the stream reads").expect("the stream stays open");
        heard.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert!(heard.contains("retry: 3000") && !heard.contains("event:"), "{heard:?}");
}

#[tokio::test]
async fn bad_requests_are_problems_naming_what_is_wrong() {
    let server = TestServer::start().await;
    for bad in ["abc", "-1", "1.5"] {
        let answer = server.client.get(server.url(EVENTS)).header("last-event-id", bad).send().await.unwrap();
        let body = problem(answer, 422).await;
        assert_eq!(body["errors"][0]["field"], "Last-Event-ID", "{bad}: {body}");
    }
    let answer = server.get("/api/v1/articles/no-such-article/events").await;
    problem(answer, 404).await;
    let answer = server.get("/api/v1/articles/Not%20A%20Slug/events").await;
    assert!(answer.status().is_client_error(), "{}", answer.status());
}

#[tokio::test]
async fn open_streams_take_no_place_from_other_requests() {
    // Two requests at a time for the rest of the server; five streams stay open beside them.
    let server = TestServer::start_with(|c| c.max_concurrent_requests = 2).await;
    let mut streams = Vec::new();
    for _ in 0..5 {
        streams.push(Stream::open(&server, None).await);
    }
    for _ in 0..3 {
        let answer = server.get(&format!("/api/v1/articles/{SLUG}/comments")).await;
        assert_eq!(answer.status(), 200, "a thread is served while five streams are open");
    }
    post_comment(&server, "Tout le monde l'entend.").await;
    for stream in &mut streams {
        let (_, event) = stream.next_event().await;
        assert!(matches!(event, ArticleEvent::Comment { .. }), "{event:?}");
    }
}

/// The first block of a stream: the retry advice, and the id where the stream starts.
async fn opening_id(server: &TestServer, path: &str, last_event_id: Option<&str>) -> String {
    let mut request = server.client.get(server.url(path));
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    let response = request.send().await.expect("GET events");
    assert_eq!(response.status(), 200);
    let mut stream = Stream::from_response(response);
    let first = stream.next_block(Duration::from_secs(5)).await.expect("the stream opens");
    assert_eq!(first.retry.as_deref(), Some("3000"));
    assert_eq!((first.event, first.data.as_str()), (None, "open"), "an unnamed message, not an event");
    first.id.expect("the opening message says where the stream starts")
}

#[tokio::test]
async fn a_client_that_cannot_send_the_header_resumes_with_the_query_parameter() {
    let server = TestServer::start().await;
    // Where a stream starts is said at once: a reconnect before any event still resumes.
    let start = opening_id(&server, EVENTS, None).await;
    let first = post_comment(&server, "Un.").await;
    let second = post_comment(&server, "Deux.").await;

    let (mut ids, mut seen) = (Vec::new(), Vec::new());
    let mut all = Stream::open(&server, Some(&start)).await;
    for _ in 0..2 {
        let (id, event) = all.next_event().await;
        let ArticleEvent::Comment { comment } = event else { panic!("a comment, not {event:?}") };
        ids.push(id);
        seen.push(json!(comment.id));
    }
    assert_eq!(seen, [first["comment"]["id"].clone(), second["comment"]["id"].clone()]);

    // `?last_event_id=` resumes as the header does: after the first comment, the second.
    let response = server.client.get(server.url(&format!("{EVENTS}?last_event_id={}", ids[0]))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut resumed = Stream::from_response(response);
    let (id, _) = resumed.next_event().await;
    assert_eq!(id, ids[1]);
    resumed.assert_quiet(Duration::from_millis(300)).await;

    // Both given, the header wins (EventSource's own reconnect sends a newer one).
    let both = format!("{EVENTS}?last_event_id={start}");
    assert_eq!(opening_id(&server, &both, Some(&ids[1])).await, ids[1]);
    assert_eq!(opening_id(&server, &both, None).await, start);

    for bad in ["abc", "-1", "1.5", ""] {
        let answer = server.get(&format!("{EVENTS}?last_event_id={bad}")).await;
        let body = problem(answer, 422).await;
        assert_eq!(body["errors"][0]["field"], "last_event_id", "{bad:?}: {body}");
    }
}
