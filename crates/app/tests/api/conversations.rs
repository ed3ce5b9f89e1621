//! The agent's API over conversations, sending, the dispatcher and the statuses that follow.

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use switchboard_domain::outbound::model::{Accepted, GatewayError};
use switchboard_domain::users::model::Role;

use crate::common::{TestApp, get, login, patch, post, send};
use crate::webhook::{PHONE_NUMBER_ID, app_with_number, envelope, signed};

/// A customer message with Meta's timestamp `secs_ago` seconds in the past.
fn inbound(id: &str, from: &str, body: &str, secs_ago: i64) -> Value {
    let at = chrono::Utc::now().timestamp() - secs_ago;
    json!({"from": from, "id": id, "timestamp": at.to_string(), "type": "text", "text": {"body": body}})
}

fn status(wamid: &str, status: &str) -> Value {
    let at = chrono::Utc::now().timestamp();
    json!({"id": wamid, "status": status, "timestamp": at.to_string(), "recipient_id": "16505551234"})
}

fn delivery(messages: Value, statuses: Value) -> TestRequest {
    signed(&serde_json::to_vec(&envelope(PHONE_NUMBER_ID, messages, statuses)).unwrap())
}

fn text_message(body: &str) -> Value {
    json!({"type": "text", "text": {"body": body}})
}

fn template() -> Value {
    json!({"type": "template", "template": {"name": "order_update", "language": {"code": "en_US"}, "components": []}})
}

/// An app with a number, an admin, an agent member, a viewer member and an outsider agent,
/// and one conversation started by a customer message.
struct Desk {
    t: TestApp,
    number: i64,
    conversation: i64,
    agent_id: i64,
}

async fn desk(secs_ago: i64) -> Desk {
    let t = app_with_number().await;
    t.user("root", Role::Admin).await;
    let agent = t.user("agent", Role::Agent).await;
    let viewer = t.user("viewer", Role::Viewer).await;
    t.user("outsider", Role::Agent).await;
    let number = t
        .state
        .numbers
        .list(&switchboard_domain::authz::Actor {
            user_id: agent,
            role: Role::Admin,
        })
        .await
        .unwrap()[0]
        .id;
    t.member(number, agent).await;
    t.member(number, viewer).await;
    let app = t.service().await;
    let stored = send(
        &app,
        delivery(
            json!([inbound("wamid.IN1", "16505551234", "Hello?", secs_ago)]),
            json!([]),
        ),
    )
    .await;
    assert_eq!(stored.body["messages_stored"], 1, "{}", stored.body);
    let (admin, _) = login(&app, "root").await;
    let listed = send(&app, get("/api/v1/conversations", &admin)).await;
    let conversation = listed.body["items"][0]["id"].as_i64().unwrap();
    drop(app);
    Desk {
        t,
        number: number.0,
        conversation,
        agent_id: agent.0,
    }
}

#[actix_web::test]
async fn an_inbound_message_shows_in_the_inbox_of_members_only() {
    let d = desk(60).await;
    let app = d.t.service().await;
    for who in ["root", "agent", "viewer"] {
        let (token, _) = login(&app, who).await;
        let listed = send(&app, get("/api/v1/conversations", &token)).await;
        assert_eq!(listed.status.as_u16(), 200, "{}", listed.body);
        let item = &listed.body["items"][0];
        assert_eq!(item["contact"]["wa_id"], "16505551234", "{who}");
        assert_eq!(item["contact"]["profile_name"], "Sheena Nelson");
        assert_eq!(item["status"], "open");
        assert_eq!(item["unread_count"], 1);
        assert_eq!(item["last_message"]["text"], "Hello?");
        assert!(item["window_expires_at"].is_string());
    }
    let (outsider, _) = login(&app, "outsider").await;
    assert_eq!(
        send(&app, get("/api/v1/conversations", &outsider))
            .await
            .body["items"],
        json!([])
    );
    let hidden = send(
        &app,
        get(
            &format!("/api/v1/conversations/{}", d.conversation),
            &outsider,
        ),
    )
    .await;
    assert_eq!(hidden.error(404), "not_found");
    let other_number = send(
        &app,
        get(
            &format!("/api/v1/conversations?business_number_id={}", d.number),
            &outsider,
        ),
    )
    .await;
    assert_eq!(other_number.error(404), "not_found");
}

#[actix_web::test]
async fn an_inbox_over_several_numbers_pages_through_them_merged_newest_first() {
    let d = desk(1000).await;
    d.t.number("Sales", "+15550100999", "222").await;
    let app = d.t.service().await;
    // Alternating numbers, and two customers of different numbers in the same second.
    let arrivals = [
        (PHONE_NUMBER_ID, "16505550201", 900),
        ("222", "16505550202", 800),
        (PHONE_NUMBER_ID, "16505550203", 700),
        ("222", "16505550204", 700),
        ("222", "16505550205", 600),
        (PHONE_NUMBER_ID, "16505550206", 500),
    ];
    for (i, (number, from, secs_ago)) in arrivals.iter().enumerate() {
        let message = inbound(&format!("wamid.M{i}"), from, "hi", *secs_ago);
        let body = envelope(number, json!([message]), json!([]));
        let stored = send(&app, signed(&serde_json::to_vec(&body).unwrap())).await;
        assert_eq!(stored.body["messages_stored"], 1, "{}", stored.body);
    }
    let (admin, _) = login(&app, "root").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/conversations?limit=2".to_owned();
    loop {
        let page = send(&app, get(&path, &admin)).await;
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["contact"]["wa_id"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/conversations?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    // Same second: the later conversation (higher id) first.
    assert_eq!(
        seen,
        [
            "16505550206",
            "16505550205",
            "16505550204",
            "16505550203",
            "16505550202",
            "16505550201",
            "16505551234",
        ]
    );
}

#[actix_web::test]
async fn the_inbox_filters_and_pages_newest_first() {
    let d = desk(300).await;
    let app = d.t.service().await;
    for (i, from) in ["16505550101", "16505550102", "16505550103"]
        .iter()
        .enumerate()
    {
        let id = format!("wamid.P{i}");
        send(
            &app,
            delivery(
                json!([inbound(&id, from, "hi", 200 - 50 * i as i64)]),
                json!([]),
            ),
        )
        .await;
    }
    let (admin, _) = login(&app, "root").await;
    let first = send(&app, get("/api/v1/conversations?limit=2", &admin)).await;
    let wa = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["contact"]["wa_id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(wa(&first.body), ["16505550103", "16505550102"]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = send(
        &app,
        get(
            &format!("/api/v1/conversations?limit=2&cursor={cursor}"),
            &admin,
        ),
    )
    .await;
    assert_eq!(wa(&second.body), ["16505550101", "16505551234"]);

    let path = format!("/api/v1/conversations/{}", d.conversation);
    send(
        &app,
        patch(
            &path,
            &admin,
            json!({"assignee_id": d.agent_id, "status": "pending"}),
        ),
    )
    .await;
    let (agent, _) = login(&app, "agent").await;
    let mine = send(&app, get("/api/v1/conversations?assignee=me", &agent)).await;
    assert_eq!(wa(&mine.body), ["16505551234"]);
    let unassigned = send(
        &app,
        get(
            "/api/v1/conversations?assignee=unassigned&status=open",
            &agent,
        ),
    )
    .await;
    assert_eq!(unassigned.body["items"].as_array().unwrap().len(), 3);
    let pending = send(&app, get("/api/v1/conversations?status=pending", &agent)).await;
    assert_eq!(wa(&pending.body), ["16505551234"]);

    assert_eq!(
        send(&app, get("/api/v1/conversations?cursor=garbage", &agent))
            .await
            .error(400),
        "invalid_cursor"
    );
    assert_eq!(
        send(&app, get("/api/v1/conversations?limit=0", &agent))
            .await
            .error(422),
        "validation_failed"
    );
    assert_eq!(
        send(&app, get("/api/v1/conversations?assignee=bob", &agent))
            .await
            .error(422),
        "validation_failed"
    );
}

#[actix_web::test]
async fn agents_assign_and_change_status_viewers_cannot() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let path = format!("/api/v1/conversations/{}", d.conversation);
    let (agent, _) = login(&app, "agent").await;
    let assigned = send(
        &app,
        patch(
            &path,
            &agent,
            json!({"assignee_id": d.agent_id, "status": "resolved"}),
        ),
    )
    .await;
    assert_eq!(assigned.status.as_u16(), 200, "{}", assigned.body);
    assert_eq!(assigned.body["assignee_id"], d.agent_id);
    assert_eq!(assigned.body["status"], "resolved");
    let unassigned = send(&app, patch(&path, &agent, json!({"assignee_id": null}))).await;
    assert_eq!(unassigned.body["assignee_id"], Value::Null);
    assert_eq!(unassigned.body["status"], "resolved", "absent fields stay");

    let outsider_id = send(&app, get("/api/v1/users", &login(&app, "root").await.0))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "outsider")
        .unwrap()["id"]
        .clone();
    let not_member = send(
        &app,
        patch(&path, &agent, json!({"assignee_id": outsider_id})),
    )
    .await;
    assert_eq!(not_member.error(422), "assignee_not_member");

    let (viewer, _) = login(&app, "viewer").await;
    assert_eq!(
        send(&app, patch(&path, &viewer, json!({"status": "open"})))
            .await
            .error(403),
        "forbidden"
    );
    assert_eq!(
        send(
            &app,
            post(&format!("{path}/messages"), &viewer, text_message("hi"))
        )
        .await
        .error(403),
        "forbidden"
    );

    // A resolved conversation reopens when the customer writes again.
    send(
        &app,
        delivery(
            json!([inbound("wamid.IN2", "16505551234", "Again", 0)]),
            json!([]),
        ),
    )
    .await;
    assert_eq!(send(&app, get(&path, &agent)).await.body["status"], "open");
}

#[actix_web::test]
async fn marking_read_clears_unread_and_sends_the_receipt_for_the_newest_inbound() {
    let d = desk(60).await;
    let app = d.t.service().await;
    send(
        &app,
        delivery(
            json!([inbound("wamid.IN2", "16505551234", "Still there?", 30)]),
            json!([]),
        ),
    )
    .await;
    let (agent, _) = login(&app, "agent").await;
    let read = send(
        &app,
        post(
            &format!("/api/v1/conversations/{}/read", d.conversation),
            &agent,
            json!({}),
        ),
    )
    .await;
    assert_eq!(read.status.as_u16(), 200, "{}", read.body);
    assert_eq!(read.body["unread_count"], 0);
    let receipts = d.t.gateway.read_receipts.lock().unwrap().clone();
    assert_eq!(
        receipts,
        [(PHONE_NUMBER_ID.to_owned(), "wamid.IN2".to_owned())]
    );
}

#[actix_web::test]
async fn a_reply_is_queued_then_accepted_then_moved_forward_by_signed_statuses() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    let queued = send(
        &app,
        post(&path, &agent, text_message("We have it in blue.")),
    )
    .await;
    assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
    assert_eq!(queued.body["status"], "queued");
    assert_eq!(queued.body["direction"], "outbound");
    assert_eq!(queued.body["wamid"], Value::Null);

    let report = d.t.dispatch().await;
    assert_eq!(report.accepted, 1);
    let sent = d.t.gateway.sent();
    assert_eq!(sent[0].to, "16505551234");
    assert_eq!(sent[0].phone_number_id, PHONE_NUMBER_ID);

    let statuses = json!([
        status("wamid.TEST-1", "sent"),
        status("wamid.TEST-1", "read"),
        status("wamid.TEST-1", "delivered")
    ]);
    let applied = send(&app, delivery(json!([]), statuses)).await;
    assert_eq!(
        (
            applied.body["statuses_applied"].as_i64(),
            applied.body["statuses_ignored"].as_i64()
        ),
        (Some(2), Some(1))
    );

    let thread = send(&app, get(&path, &agent)).await;
    let items = thread.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["direction"], "inbound");
    let reply = &items[1];
    assert_eq!(reply["wamid"], "wamid.TEST-1");
    assert_eq!(reply["status"], "read");
    assert!(
        reply["status_times"]["accepted"].is_string() && reply["status_times"]["read"].is_string()
    );
}

#[actix_web::test]
async fn a_status_that_beats_the_send_response_is_applied_on_acceptance() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    send(&app, post(&path, &agent, text_message("hi"))).await;
    let early = send(
        &app,
        delivery(json!([]), json!([status("wamid.TEST-1", "delivered")])),
    )
    .await;
    assert_eq!(early.body["statuses_deferred"], 1);
    d.t.dispatch().await;
    let thread = send(&app, get(&path, &agent)).await;
    assert_eq!(thread.body["items"][1]["status"], "delivered");
}

#[actix_web::test]
async fn the_same_idempotency_key_returns_the_first_message_and_sends_once() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    let with_key =
        |body| post(&path, &agent, body).insert_header(("idempotency-key", "client-key-1"));
    let first = send(&app, with_key(text_message("once"))).await;
    let again = send(&app, with_key(text_message("once"))).await;
    assert_eq!(first.status.as_u16(), 202);
    assert_eq!(again.status.as_u16(), 200);
    assert_eq!(first.body["id"], again.body["id"]);
    d.t.dispatch().await;
    d.t.dispatch().await;
    assert_eq!(d.t.gateway.sent().len(), 1);
    let bad_key = post(&path, &agent, text_message("x")).insert_header(("idempotency-key", ""));
    assert_eq!(
        send(&app, bad_key).await.error(400),
        "invalid_idempotency_key"
    );
}

#[actix_web::test]
async fn a_retried_key_gets_its_first_answer_even_where_the_window_would_refuse_it() {
    // The window closed a minute ago: only the template goes out.
    let d = desk(24 * 3600 + 60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    let with_key =
        |body| post(&path, &agent, body).insert_header(("idempotency-key", "client-key-2"));
    let first = send(&app, with_key(template())).await;
    assert_eq!(first.status.as_u16(), 202);
    let retried = send(&app, with_key(text_message("retried as text"))).await;
    assert_eq!(retried.status.as_u16(), 200, "{}", retried.body);
    assert_eq!(retried.body["id"], first.body["id"]);
    let fresh = send(&app, post(&path, &agent, text_message("new key"))).await;
    assert_eq!(fresh.error(422), "outside_customer_service_window");
}

#[actix_web::test]
async fn free_text_needs_the_24_hour_window_templates_do_not() {
    // The customer wrote 24 h 1 min ago.
    let d = desk(24 * 3600 + 60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    let refused = send(&app, post(&path, &agent, text_message("too late"))).await;
    assert_eq!(refused.error(422), "outside_customer_service_window");
    assert_eq!(
        send(&app, post(&path, &agent, template()))
            .await
            .status
            .as_u16(),
        202
    );

    // 23 h 59 min ago: still open.
    send(
        &app,
        delivery(
            json!([inbound(
                "wamid.IN2",
                "16505551234",
                "hi",
                23 * 3600 + 59 * 60
            )]),
            json!([]),
        ),
    )
    .await;
    assert_eq!(
        send(&app, post(&path, &agent, text_message("just in time")))
            .await
            .status
            .as_u16(),
        202
    );
}

#[actix_web::test]
async fn bad_message_bodies_are_422() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    for body in [
        text_message(""),
        text_message(&"x".repeat(4097)),
        json!({"type": "image", "image": {"id": "1"}}),
        json!({"type": "template", "template": {"name": "Bad Name", "language": {"code": "en"}}}),
        json!({"type": "text"}),
    ] {
        assert_eq!(
            send(&app, post(&path, &agent, body.clone()))
                .await
                .error(422),
            "validation_failed",
            "{body}"
        );
    }
}

#[actix_web::test]
async fn transient_failures_are_retried_in_order_and_permanent_ones_fail_with_metas_code() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    send(&app, post(&path, &agent, text_message("first"))).await;
    send(&app, post(&path, &agent, text_message("second"))).await;
    d.t.gateway.answer(Err(GatewayError::Transient {
        code: Some(130429),
        message: "Rate limit hit".into(),
        retry_after: None,
    }));
    let report = d.t.dispatch().await;
    assert_eq!(
        (report.retried, report.accepted),
        (1, 0),
        "the second waits behind the first"
    );
    assert_eq!(d.t.dispatch().await.accepted, 1);
    d.t.gateway.answer(Err(GatewayError::Permanent {
        code: 131026,
        title: "Message undeliverable".into(),
        details: None,
    }));
    assert_eq!(d.t.dispatch().await.failed, 1);
    let bodies: Vec<_> =
        d.t.gateway
            .sent()
            .iter()
            .map(|m| format!("{:?}", m.content))
            .collect();
    assert!(
        bodies[0].contains("first") && bodies[1].contains("first") && bodies[2].contains("second"),
        "{bodies:?}"
    );

    let thread = send(&app, get(&path, &agent)).await;
    let items = thread.body["items"].as_array().unwrap();
    assert_eq!(items[1]["status"], "accepted");
    assert_eq!(items[2]["status"], "failed");
    assert_eq!(items[2]["error"]["code"], 131026);
}

#[actix_web::test]
async fn a_message_that_keeps_failing_transiently_fails_after_the_last_attempt() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    send(&app, post(&path, &agent, text_message("doomed"))).await;
    for _ in 0..3 {
        d.t.gateway.answer(Err(GatewayError::Transient {
            code: Some(131000),
            message: "Something went wrong".into(),
            retry_after: None,
        }));
        d.t.dispatch().await;
    }
    let thread = send(&app, get(&path, &agent)).await;
    assert_eq!(thread.body["items"][1]["status"], "failed");
    assert_eq!(thread.body["items"][1]["error"]["code"], 131000);
    assert_eq!(d.t.dispatch().await.handled(), 0);
}

#[actix_web::test]
async fn messages_queued_before_a_restart_are_sent_once_after_it() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    send(&app, post(&path, &agent, text_message("one"))).await;
    send(&app, post(&path, &agent, text_message("two"))).await;
    drop(app);
    let restarted = d.t.restart();
    restarted.dispatch().await;
    restarted.dispatch().await;
    restarted.dispatch().await;
    assert_eq!(restarted.gateway.sent().len(), 2);
}

#[actix_web::test]
async fn a_business_initiated_conversation_starts_with_a_template() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let body = json!({"business_number_id": d.number, "to": "+1 650 555 9999", "template": {"name": "order_update", "language": {"code": "en_US"}}});
    let started = send(&app, post("/api/v1/conversations", &agent, body)).await;
    assert_eq!(started.status.as_u16(), 202, "{}", started.body);
    assert_eq!(
        started.body["conversation"]["contact"]["wa_id"],
        "16505559999"
    );
    assert_eq!(started.body["message"]["type"], "template");
    assert_eq!(
        started.body["conversation"]["window_expires_at"],
        Value::Null
    );

    let free_text = json!({"business_number_id": d.number, "to": "+16505559999", "template": {"name": "", "language": {"code": "en_US"}}});
    assert_eq!(
        send(&app, post("/api/v1/conversations", &agent, free_text))
            .await
            .error(422),
        "validation_failed"
    );
    let (viewer, _) = login(&app, "viewer").await;
    let body = json!({"business_number_id": d.number, "to": "+16505559999", "template": {"name": "x", "language": {"code": "en_US"}}});
    assert_eq!(
        send(&app, post("/api/v1/conversations", &viewer, body))
            .await
            .error(403),
        "forbidden"
    );
}

#[actix_web::test]
async fn stats_count_conversations_and_messages_of_visible_numbers() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    send(
        &app,
        post(
            &format!("/api/v1/conversations/{}/messages", d.conversation),
            &agent,
            text_message("hi"),
        ),
    )
    .await;
    let stats = send(
        &app,
        get(
            &format!("/api/v1/stats?business_number_id={}", d.number),
            &agent,
        ),
    )
    .await;
    assert_eq!(
        stats.body,
        json!({"conversations_created": 1, "open": 1, "pending": 0, "resolved": 0, "messages_sent": 1, "messages_received": 1})
    );
    let (outsider, _) = login(&app, "outsider").await;
    assert_eq!(
        send(
            &app,
            get(
                &format!("/api/v1/stats?business_number_id={}", d.number),
                &outsider
            )
        )
        .await
        .error(404),
        "not_found"
    );
    assert_eq!(
        send(&app, get("/api/v1/stats", &agent)).await.error(400),
        "invalid_query"
    );
}

#[actix_web::test]
async fn the_thread_pages_back_in_meta_order() {
    let d = desk(600).await;
    let app = d.t.service().await;
    // Delivered out of order: Meta's timestamps decide the thread order.
    send(
        &app,
        delivery(
            json!([inbound("wamid.C", "16505551234", "third", 100)]),
            json!([]),
        ),
    )
    .await;
    send(
        &app,
        delivery(
            json!([inbound("wamid.B", "16505551234", "second", 200)]),
            json!([]),
        ),
    )
    .await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    let newest = send(&app, get(&format!("{path}?limit=2"), &agent)).await;
    let texts = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&newest.body), ["second", "third"]);
    let before = newest.body["next_cursor"].as_str().unwrap();
    let older = send(
        &app,
        get(&format!("{path}?limit=2&before={before}"), &agent),
    )
    .await;
    assert_eq!(texts(&older.body), ["Hello?"]);
    assert_eq!(older.body["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn gateway_answers_are_recorded_with_the_wamid() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    d.t.gateway.answer(Ok(Accepted {
        wamid: "wamid.CHOSEN".into(),
    }));
    send(
        &app,
        post(
            &format!("/api/v1/conversations/{}/messages", d.conversation),
            &agent,
            text_message("x"),
        ),
    )
    .await;
    d.t.dispatch().await;
    let thread = send(
        &app,
        get(
            &format!("/api/v1/conversations/{}/messages", d.conversation),
            &agent,
        ),
    )
    .await;
    assert_eq!(thread.body["items"][1]["wamid"], "wamid.CHOSEN");
}

#[actix_web::test]
async fn contacts_are_searchable_renamable_and_hidden_from_outsiders() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let found = send(&app, get("/api/v1/contacts?query=sheena", &agent)).await;
    assert_eq!(
        found.body["items"][0]["wa_id"], "16505551234",
        "{}",
        found.body
    );
    let by_phone = send(&app, get("/api/v1/contacts?query=555123", &agent)).await;
    assert_eq!(by_phone.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        send(&app, get("/api/v1/contacts?query=nobody", &agent))
            .await
            .body["items"],
        json!([])
    );
    let id = found.body["items"][0]["id"].as_i64().unwrap();

    let renamed = send(
        &app,
        patch(
            &format!("/api/v1/contacts/{id}"),
            &agent,
            json!({"display_name": "Sheena (VIP)"}),
        ),
    )
    .await;
    assert_eq!(renamed.body["display_name"], "Sheena (VIP)");
    let fetched = send(&app, get(&format!("/api/v1/contacts/{id}"), &agent)).await;
    assert_eq!(fetched.body["display_name"], "Sheena (VIP)");
    let cleared = send(
        &app,
        patch(
            &format!("/api/v1/contacts/{id}"),
            &agent,
            json!({"display_name": null}),
        ),
    )
    .await;
    assert_eq!(cleared.body["display_name"], Value::Null);

    let (viewer, _) = login(&app, "viewer").await;
    assert_eq!(
        send(&app, get(&format!("/api/v1/contacts/{id}"), &viewer))
            .await
            .status
            .as_u16(),
        200
    );
    let refused = send(
        &app,
        patch(
            &format!("/api/v1/contacts/{id}"),
            &viewer,
            json!({"display_name": "x"}),
        ),
    )
    .await;
    assert_eq!(refused.error(403), "forbidden");
    let (outsider, _) = login(&app, "outsider").await;
    assert_eq!(
        send(&app, get("/api/v1/contacts", &outsider)).await.body["items"],
        json!([])
    );
    assert_eq!(
        send(&app, get(&format!("/api/v1/contacts/{id}"), &outsider))
            .await
            .error(404),
        "not_found"
    );
}

#[actix_web::test]
async fn an_inbound_image_is_kept_pending_through_a_failed_download_then_served() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let at = chrono::Utc::now().timestamp().to_string();
    let image = json!({"from": "16505551234", "id": "wamid.IMG", "timestamp": at, "type": "image",
        "image": {"id": "1037543291543636", "mime_type": "image/jpeg", "sha256": "unused-by-the-fake", "caption": "My order"}});
    let stored = send(&app, delivery(json!([image]), json!([]))).await;
    assert_eq!(stored.body["messages_stored"], 1);

    let (agent, _) = login(&app, "agent").await;
    let thread = send(
        &app,
        get(
            &format!("/api/v1/conversations/{}/messages", d.conversation),
            &agent,
        ),
    )
    .await;
    let message = &thread.body["items"][1];
    assert_eq!(message["type"], "image");
    assert_eq!(message["text"], "My order");
    assert_eq!(message["media"]["state"], "pending");
    let id = message["id"].as_i64().unwrap();
    let media_path = format!("/api/v1/messages/{id}/media");
    assert_eq!(
        send(&app, get(&media_path, &agent)).await.error(409),
        "media_not_ready"
    );

    d.t.gateway.media.lock().unwrap().insert(
        "1037543291543636".into(),
        b"\xff\xd8\xff jpeg bytes".to_vec(),
    );
    d.t.gateway
        .media_failures
        .lock()
        .unwrap()
        .insert("1037543291543636".into(), 1);
    assert_eq!(
        d.t.fetch_media().await.retried,
        1,
        "the first download fails"
    );
    assert_eq!(d.t.fetch_media().await.stored, 1, "the retry succeeds");

    let served = actix_web::test::call_service(&app, get(&media_path, &agent).to_request()).await;
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers().get("content-type").unwrap(), "image/jpeg");
    assert_eq!(
        actix_web::test::read_body(served).await.as_ref(),
        b"\xff\xd8\xff jpeg bytes"
    );
    let thread = send(
        &app,
        get(
            &format!("/api/v1/conversations/{}/messages", d.conversation),
            &agent,
        ),
    )
    .await;
    assert_eq!(thread.body["items"][1]["media"]["state"], "stored");
    assert_eq!(thread.body["items"][1]["media"]["url"], media_path);

    let first = thread.body["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        send(
            &app,
            get(&format!("/api/v1/messages/{first}/media"), &agent)
        )
        .await
        .error(404),
        "no_media"
    );
    let (outsider, _) = login(&app, "outsider").await;
    assert_eq!(
        send(&app, get(&media_path, &outsider)).await.error(404),
        "not_found"
    );
}

#[actix_web::test]
async fn media_that_never_downloads_is_marked_failed_and_the_message_kept() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let at = chrono::Utc::now().timestamp().to_string();
    let document = json!({"from": "16505551234", "id": "wamid.DOC", "timestamp": at, "type": "document",
        "document": {"id": "555", "mime_type": "application/pdf", "filename": "invoice.pdf"}});
    send(&app, delivery(json!([document]), json!([]))).await;
    d.t.gateway
        .media
        .lock()
        .unwrap()
        .insert("555".into(), b"%PDF".to_vec());
    d.t.gateway
        .media_failures
        .lock()
        .unwrap()
        .insert("555".into(), 99);
    for _ in 0..3 {
        d.t.fetch_media().await;
    }
    let (agent, _) = login(&app, "agent").await;
    let thread = send(
        &app,
        get(
            &format!("/api/v1/conversations/{}/messages", d.conversation),
            &agent,
        ),
    )
    .await;
    assert_eq!(thread.body["items"][1]["media"]["state"], "failed");
    assert_eq!(d.t.fetch_media().await.handled(), 0, "no more attempts");
}

#[actix_web::test]
async fn an_agent_reacts_to_a_customer_message_inside_the_window() {
    let d = desk(60).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let path = format!("/api/v1/conversations/{}/messages", d.conversation);
    let reaction =
        json!({"type": "reaction", "reaction": {"message_id": "wamid.IN1", "emoji": "\u{1f44d}"}});
    let queued = send(&app, post(&path, &agent, reaction)).await;
    assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
    assert_eq!(queued.body["type"], "reaction");
    d.t.dispatch().await;
    let sent = d.t.gateway.sent();
    assert_eq!(
        sent[0].content,
        switchboard_domain::outbound::model::OutboundContent::Reaction {
            message_id: "wamid.IN1".into(),
            emoji: "\u{1f44d}".into()
        }
    );
    for bad in [
        json!({"type": "reaction", "reaction": {"message_id": "not-a-wamid", "emoji": "x"}}),
        json!({"type": "reaction", "reaction": {"message_id": "wamid.IN1", "emoji": "thumbs"}}),
    ] {
        assert_eq!(
            send(&app, post(&path, &agent, bad)).await.error(422),
            "validation_failed"
        );
    }
}

#[actix_web::test]
async fn a_reaction_outside_the_window_is_refused() {
    let d = desk(25 * 3600).await;
    let app = d.t.service().await;
    let (agent, _) = login(&app, "agent").await;
    let reaction =
        json!({"type": "reaction", "reaction": {"message_id": "wamid.IN1", "emoji": "\u{1f44d}"}});
    let refused = send(
        &app,
        post(
            &format!("/api/v1/conversations/{}/messages", d.conversation),
            &agent,
            reaction,
        ),
    )
    .await;
    assert_eq!(refused.error(422), "outside_customer_service_window");
}
