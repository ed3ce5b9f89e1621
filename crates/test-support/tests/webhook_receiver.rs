//! The webhook receiver itself: what it answers and what it records, as a sender sees it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use switchboard_test_support::WebhookReceiver;

/// A client that goes straight to loopback, whatever proxy the environment names.
fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[actix_web::test]
async fn scripted_statuses_answer_the_first_posts_in_turn_then_every_post_gets_200() {
    let receiver = WebhookReceiver::answering([500, 429]).await;
    let client = client();

    let mut answers = Vec::new();
    for body in ["one", "two", "three", "four"] {
        let response = client
            .post(receiver.url())
            .header("X-Hub-Signature-256", format!("sha256={body}"))
            .body(body)
            .send()
            .await
            .unwrap();
        answers.push((response.status().as_u16(), response.text().await.unwrap()));
    }

    assert_eq!(
        answers,
        [
            (500, "scripted failure".to_owned()),
            (429, "scripted failure".to_owned()),
            (200, String::new()),
            (200, String::new()),
        ]
    );
    let posts = receiver.wait_for_posts(4).await;
    let recorded: Vec<_> = posts
        .iter()
        .map(|post| {
            (
                post.answered,
                post.accepted(),
                post.header("x-hub-signature-256").unwrap().to_owned(),
                String::from_utf8(post.body.clone()).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        recorded,
        [
            (500, false, "sha256=one".to_owned(), "one".to_owned()),
            (429, false, "sha256=two".to_owned(), "two".to_owned()),
            (200, true, "sha256=three".to_owned(), "three".to_owned()),
            (200, true, "sha256=four".to_owned(), "four".to_owned()),
        ]
    );
}

#[actix_web::test]
async fn a_request_that_is_not_a_post_is_refused_unrecorded_and_uses_no_scripted_answer() {
    let receiver = WebhookReceiver::answering([500]).await;

    let client = client();

    let response = client.get(receiver.url()).send().await.unwrap();

    assert_eq!(response.status().as_u16(), 405);
    assert!(receiver.posts().is_empty());
    let post = client.post(receiver.url()).send().await.unwrap();
    assert_eq!(
        post.status().as_u16(),
        500,
        "the GET used no scripted answer"
    );
}
