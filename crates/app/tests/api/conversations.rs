//! The agent's API over conversations, sending, the dispatcher and the statuses that follow.

use serde_json::{Value, json};
use switchboard_domain::outbound::model::{Accepted, GatewayError, OutboundContent};
use switchboard_http::ErrorCode;
use switchboard_http::dto::MessageStatusDto;
use switchboard_http::dto::{
    ConversationPage, ConversationStatusDto, DirectionDto, MediaStateDto, MessagePage,
    WebhookReceipt,
};

use crate::common::TestApp;
use crate::harness::webhook::{CUSTOMER, PHONE_NUMBER_ID, inbound, status};
use crate::harness::{InProcess, SALES, SUPPORT, TestAppBuilder, Transport, text_body};

/// The staff of a desk on [`SUPPORT`]: an admin, an agent member, a viewer member and an
/// outsider agent.
fn staff() -> TestAppBuilder {
    TestApp::builder()
        .with_number(SUPPORT)
        .with_admin()
        .with_agent("agent")
        .member_of(SUPPORT)
        .with_viewer("viewer")
        .member_of(SUPPORT)
        .with_agent("outsider")
}

/// A seeded app and the one conversation a customer message started on it.
struct Desk {
    app: InProcess,
    number: i64,
    conversation: i64,
    agent_id: i64,
}

/// [`staff`] and a conversation whose customer wrote `secs_ago` seconds ago.
async fn desk(secs_ago: i64) -> Desk {
    desk_on(staff(), secs_ago).await
}

async fn desk_on(builder: TestAppBuilder, secs_ago: i64) -> Desk {
    let app = builder.build().await;
    let stored = deliver(
        &app,
        json!([inbound("wamid.IN1", CUSTOMER, "Hello?", secs_ago)]),
    )
    .await;
    assert_eq!(stored.messages_stored, 1, "{stored:?}");
    let conversation = app.as_(app.admin()).conversations("").await.ok().items[0].id;
    Desk {
        number: app.number(SUPPORT).id,
        agent_id: app.user("agent").id,
        app,
        conversation,
    }
}

/// Delivers customers' messages to [`SUPPORT`], asserting that the webhook takes them.
async fn deliver(app: &InProcess, messages: Value) -> WebhookReceipt {
    deliver_statuses(app, messages, json!([])).await
}

async fn deliver_statuses(app: &InProcess, messages: Value, statuses: Value) -> WebhookReceipt {
    app.deliver_to(PHONE_NUMBER_ID, messages, statuses)
        .await
        .ok()
}

/// The customers of an inbox page, in order.
fn wa_ids(page: &ConversationPage) -> Vec<&str> {
    page.items
        .iter()
        .map(|c| c.contact.wa_id.as_str())
        .collect()
}

/// The texts of a thread page, in order.
fn texts(page: &MessagePage) -> Vec<&str> {
    page.items
        .iter()
        .map(|m| m.text.as_deref().unwrap())
        .collect()
}

#[actix_web::test]
async fn an_inbound_message_shows_in_the_inbox_of_members_only() {
    let d = desk(60).await;
    let app = &d.app;
    for who in ["root", "agent", "viewer"] {
        let listed = app.as_(app.user(who)).conversations("").await.expect(200);
        let item = &listed.items[0];
        assert_eq!(item.contact.wa_id, CUSTOMER, "{who}");
        assert_eq!(item.contact.profile_name.as_deref(), Some("Sheena Nelson"));
        assert_eq!(item.status, ConversationStatusDto::Open);
        assert_eq!(item.unread_count, 1);
        let last = item.last_message.as_ref().unwrap();
        assert_eq!(last.text.as_deref(), Some("Hello?"));
        assert!(item.window_expires_at.is_some());
    }
    let outsider = app.as_(app.user("outsider"));
    assert!(outsider.conversations("").await.ok().items.is_empty());
    let hidden = outsider.conversation(d.conversation).await;
    assert_eq!(hidden.error_code(404), ErrorCode::NotFound);
    let other_number = outsider
        .conversations(&format!("business_number_id={}", d.number))
        .await;
    assert_eq!(other_number.error_code(404), ErrorCode::NotFound);
}

#[actix_web::test]
async fn an_inbox_over_several_numbers_pages_through_them_merged_newest_first() {
    let d = desk_on(staff().with_number(SALES), 1000).await;
    let app = &d.app;
    let sales = SALES.phone_number_id;
    // Alternating numbers, and two customers of different numbers in the same second.
    let arrivals = [
        (PHONE_NUMBER_ID, "16505550201", 900),
        (sales, "16505550202", 800),
        (PHONE_NUMBER_ID, "16505550203", 700),
        (sales, "16505550204", 700),
        (sales, "16505550205", 600),
        (PHONE_NUMBER_ID, "16505550206", 500),
    ];
    for (i, (number, from, secs_ago)) in arrivals.iter().enumerate() {
        let message = inbound(&format!("wamid.M{i}"), from, "hi", *secs_ago);
        let stored = app
            .deliver_to(number, json!([message]), json!([]))
            .await
            .ok();
        assert_eq!(stored.messages_stored, 1, "{stored:?}");
    }
    let admin = app.as_(app.admin());
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let page = admin.conversations(&query).await.ok();
        seen.extend(wa_ids(&page).into_iter().map(str::to_owned));
        match page.next_cursor {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
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
            CUSTOMER,
        ]
    );
}

#[actix_web::test]
async fn the_inbox_filters_and_pages_newest_first() {
    let d = desk(300).await;
    let app = &d.app;
    for (i, from) in ["16505550101", "16505550102", "16505550103"]
        .iter()
        .enumerate()
    {
        let id = format!("wamid.P{i}");
        deliver(app, json!([inbound(&id, from, "hi", 200 - 50 * i as i64)])).await;
    }
    let admin = app.as_(app.admin());
    let first = admin.conversations("limit=2").await.ok();
    assert_eq!(wa_ids(&first), ["16505550103", "16505550102"]);
    let cursor = first.next_cursor.as_deref().unwrap();
    let second = admin
        .conversations(&format!("limit=2&cursor={cursor}"))
        .await
        .ok();
    assert_eq!(wa_ids(&second), ["16505550101", CUSTOMER]);

    admin
        .update_conversation(
            d.conversation,
            &json!({"assignee_id": d.agent_id, "status": "pending"}),
        )
        .await
        .expect(200);
    let agent = app.as_(app.user("agent"));
    let mine = agent.conversations("assignee=me").await.ok();
    assert_eq!(wa_ids(&mine), [CUSTOMER]);
    let unassigned = agent
        .conversations("assignee=unassigned&status=open")
        .await
        .ok();
    assert_eq!(unassigned.items.len(), 3);
    let pending = agent.conversations("status=pending").await.ok();
    assert_eq!(wa_ids(&pending), [CUSTOMER]);

    assert_eq!(
        agent.conversations("cursor=garbage").await.error_code(400),
        ErrorCode::InvalidCursor
    );
    assert_eq!(
        agent.conversations("limit=0").await.error_code(422),
        ErrorCode::ValidationFailed
    );
    assert_eq!(
        agent.conversations("assignee=bob").await.error_code(422),
        ErrorCode::ValidationFailed
    );
}

#[actix_web::test]
async fn agents_assign_and_change_status_viewers_cannot() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let assigned = agent
        .update_conversation(
            d.conversation,
            &json!({"assignee_id": d.agent_id, "status": "resolved"}),
        )
        .await
        .expect(200);
    assert_eq!(assigned.assignee_id, Some(d.agent_id));
    assert_eq!(assigned.status, ConversationStatusDto::Resolved);
    let unassigned = agent
        .update_conversation(d.conversation, &json!({"assignee_id": null}))
        .await
        .ok();
    assert_eq!(unassigned.assignee_id, None);
    assert_eq!(
        unassigned.status,
        ConversationStatusDto::Resolved,
        "absent fields stay"
    );

    let outsider_id = app.user("outsider").id;
    let not_member = agent
        .update_conversation(d.conversation, &json!({"assignee_id": outsider_id}))
        .await;
    assert_eq!(not_member.error_code(422), ErrorCode::AssigneeNotMember);

    let viewer = app.as_(app.user("viewer"));
    assert_eq!(
        viewer
            .update_conversation(d.conversation, &json!({"status": "open"}))
            .await
            .error_code(403),
        ErrorCode::Forbidden
    );
    assert_eq!(
        viewer.send_text(d.conversation, "hi").await.error_code(403),
        ErrorCode::Forbidden
    );

    // A resolved conversation reopens when the customer writes again.
    deliver(app, json!([inbound("wamid.IN2", CUSTOMER, "Again", 0)])).await;
    assert_eq!(
        agent.conversation(d.conversation).await.ok().status,
        ConversationStatusDto::Open
    );
}

#[actix_web::test]
async fn marking_read_clears_unread_and_sends_the_receipt_for_the_newest_inbound() {
    let d = desk(60).await;
    let app = &d.app;
    deliver(
        app,
        json!([inbound("wamid.IN2", CUSTOMER, "Still there?", 30)]),
    )
    .await;
    let read = app
        .as_(app.user("agent"))
        .mark_read(d.conversation)
        .await
        .expect(200);
    assert_eq!(read.unread_count, 0);
    let receipts = app.gateway.read_receipts.lock().unwrap().clone();
    assert_eq!(
        receipts,
        [(PHONE_NUMBER_ID.to_owned(), "wamid.IN2".to_owned())]
    );
}

#[actix_web::test]
async fn a_reply_is_queued_then_accepted_then_moved_forward_by_signed_statuses() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let queued = agent
        .send_text(d.conversation, "We have it in blue.")
        .await
        .expect(202);
    assert_eq!(queued.status, MessageStatusDto::Queued);
    assert_eq!(queued.direction, DirectionDto::Outbound);
    assert_eq!(queued.wamid, None);

    let report = app.dispatch().await;
    assert_eq!(report.accepted, 1);
    let sent = app.gateway.sent();
    assert_eq!(sent[0].to, CUSTOMER);
    assert_eq!(sent[0].phone_number_id, PHONE_NUMBER_ID);

    let statuses = json!([
        status("wamid.TEST-1", "sent"),
        status("wamid.TEST-1", "read"),
        status("wamid.TEST-1", "delivered")
    ]);
    let applied = deliver_statuses(app, json!([]), statuses).await;
    // Delivered arrives after read: it moves nothing, but its time is kept.
    assert_eq!((applied.statuses_applied, applied.statuses_ignored), (3, 0));

    let items = agent.thread(d.conversation, "").await.ok().items;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].direction, DirectionDto::Inbound);
    let reply = &items[1];
    assert_eq!(reply.wamid.as_deref(), Some("wamid.TEST-1"));
    assert_eq!(reply.status, MessageStatusDto::Read);
    assert!(reply.status_times.accepted.is_some() && reply.status_times.read.is_some());
    assert!(reply.status_times.sent.is_some() && reply.status_times.delivered.is_some());
}

#[actix_web::test]
async fn a_status_that_beats_the_send_response_is_applied_on_acceptance() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    agent.send_text(d.conversation, "hi").await.expect(202);
    let early =
        deliver_statuses(app, json!([]), json!([status("wamid.TEST-1", "delivered")])).await;
    assert_eq!(early.statuses_deferred, 1);
    app.dispatch().await;
    let thread = agent.thread(d.conversation, "").await.ok();
    assert_eq!(thread.items[1].status, MessageStatusDto::Delivered);
}

#[actix_web::test]
async fn the_same_idempotency_key_returns_the_first_message_and_sends_once() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let once = text_body("once");
    let first = agent
        .send_message_with_key(d.conversation, &once, "client-key-1")
        .await
        .expect(202);
    let again = agent
        .send_message_with_key(d.conversation, &once, "client-key-1")
        .await
        .expect(200);
    assert_eq!(first.id, again.id);
    app.dispatch().await;
    app.dispatch().await;
    assert_eq!(app.gateway.sent().len(), 1);
    let bad_key = agent
        .send_message_with_key(d.conversation, &text_body("x"), "")
        .await;
    assert_eq!(bad_key.error_code(400), ErrorCode::InvalidIdempotencyKey);
}

#[actix_web::test]
async fn a_retried_key_gets_its_first_answer_even_where_the_window_would_refuse_it() {
    // The window closed a minute ago: only the template goes out.
    let d = desk(24 * 3600 + 60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let template = crate::harness::template_body("order_update", "en_US");
    let first = agent
        .send_message_with_key(d.conversation, &template, "client-key-2")
        .await
        .expect(202);
    let retried = agent
        .send_message_with_key(
            d.conversation,
            &text_body("retried as text"),
            "client-key-2",
        )
        .await
        .expect(200);
    assert_eq!(retried.id, first.id);
    let fresh = agent.send_text(d.conversation, "new key").await;
    assert_eq!(
        fresh.error_code(422),
        ErrorCode::OutsideCustomerServiceWindow
    );
}

#[actix_web::test]
async fn free_text_needs_the_24_hour_window_templates_do_not() {
    // The customer wrote 24 h 1 min ago.
    let d = desk(24 * 3600 + 60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let refused = agent.send_text(d.conversation, "too late").await;
    assert_eq!(
        refused.error_code(422),
        ErrorCode::OutsideCustomerServiceWindow
    );
    agent
        .send_template(d.conversation, "order_update", "en_US")
        .await
        .expect(202);

    // 23 h 59 min ago: still open.
    let late = inbound("wamid.IN2", CUSTOMER, "hi", 23 * 3600 + 59 * 60);
    deliver(app, json!([late])).await;
    agent
        .send_text(d.conversation, "just in time")
        .await
        .expect(202);
}

#[actix_web::test]
async fn bad_message_bodies_are_422() {
    let d = desk(60).await;
    let agent = d.app.as_(d.app.user("agent"));
    for body in [
        text_body(""),
        text_body(&"x".repeat(4097)),
        json!({"type": "image", "image": {"id": "1"}}),
        json!({"type": "template", "template": {"name": "Bad Name", "language": {"code": "en"}}}),
        json!({"type": "template", "template": {"name": "hello", "language": {"code": "en"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "a\u{0}b"}]}]}}),
        json!({"type": "text"}),
    ] {
        assert_eq!(
            agent
                .send_message(d.conversation, &body)
                .await
                .error_code(422),
            ErrorCode::ValidationFailed,
            "{body}"
        );
    }
}

#[actix_web::test]
async fn transient_failures_are_retried_in_order_and_permanent_ones_fail_with_metas_code() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    agent.send_text(d.conversation, "first").await.expect(202);
    agent.send_text(d.conversation, "second").await.expect(202);
    app.gateway.answer(Err(GatewayError::Transient {
        code: Some(130429),
        message: "Rate limit hit".into(),
        retry_after: None,
    }));
    let report = app.dispatch().await;
    assert_eq!(
        (report.retried, report.accepted),
        (1, 0),
        "the second waits behind the first"
    );
    assert_eq!(app.dispatch().await.accepted, 1);
    app.gateway.answer(Err(GatewayError::Permanent {
        code: 131026,
        title: "Message undeliverable".into(),
        details: None,
    }));
    assert_eq!(app.dispatch().await.failed, 1);
    let bodies: Vec<_> = app
        .gateway
        .sent()
        .iter()
        .map(|m| format!("{:?}", m.content))
        .collect();
    assert!(
        bodies[0].contains("first") && bodies[1].contains("first") && bodies[2].contains("second"),
        "{bodies:?}"
    );

    let items = agent.thread(d.conversation, "").await.ok().items;
    assert_eq!(items[1].status, MessageStatusDto::Accepted);
    assert_eq!(items[2].status, MessageStatusDto::Failed);
    assert_eq!(items[2].error.as_ref().unwrap().code, 131026);
}

#[actix_web::test]
async fn a_message_that_keeps_failing_transiently_fails_after_the_last_attempt() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    agent.send_text(d.conversation, "doomed").await.expect(202);
    for _ in 0..3 {
        app.gateway.answer(Err(GatewayError::Transient {
            code: Some(131000),
            message: "Something went wrong".into(),
            retry_after: None,
        }));
        app.dispatch().await;
    }
    let items = agent.thread(d.conversation, "").await.ok().items;
    assert_eq!(items[1].status, MessageStatusDto::Failed);
    assert_eq!(items[1].error.as_ref().unwrap().code, 131000);
    assert_eq!(app.dispatch().await.handled(), 0);
}

#[actix_web::test]
async fn messages_queued_before_a_restart_are_sent_once_after_it() {
    let d = desk(60).await;
    {
        let agent = d.app.as_(d.app.user("agent"));
        agent.send_text(d.conversation, "one").await.expect(202);
        agent.send_text(d.conversation, "two").await.expect(202);
    }
    let restarted = d.app.restart().await;
    restarted.dispatch().await;
    restarted.dispatch().await;
    restarted.dispatch().await;
    assert_eq!(restarted.gateway.sent().len(), 2);
}

#[actix_web::test]
async fn a_business_initiated_conversation_starts_with_a_template() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let started = agent
        .start_conversation(d.number, "+1 650 555 9999", "order_update", "en_US")
        .await
        .expect(202);
    assert_eq!(started.conversation.contact.wa_id, "16505559999");
    assert_eq!(started.message.kind, "template");
    assert_eq!(started.conversation.window_expires_at, None);

    let free_text = agent
        .start_conversation(d.number, "+16505559999", "", "en_US")
        .await;
    assert_eq!(free_text.error_code(422), ErrorCode::ValidationFailed);
    let by_viewer = app
        .as_(app.user("viewer"))
        .start_conversation(d.number, "+16505559999", "x", "en_US")
        .await;
    assert_eq!(by_viewer.error_code(403), ErrorCode::Forbidden);
}

#[actix_web::test]
async fn stats_count_conversations_and_messages_of_visible_numbers() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    agent.send_text(d.conversation, "hi").await.expect(202);
    let stats = agent.stats(d.number).await;
    stats.expect(200);
    assert_eq!(
        stats.raw(),
        json!({"conversations_created": 1, "open": 1, "pending": 0, "resolved": 0, "messages_sent": 1, "messages_received": 1})
    );
    let outsider = app.as_(app.user("outsider"));
    assert_eq!(
        outsider.stats(d.number).await.error_code(404),
        ErrorCode::NotFound
    );
    assert_eq!(
        agent.get::<()>("/api/v1/stats").await.error_code(400),
        ErrorCode::InvalidQuery
    );
}

#[actix_web::test]
async fn the_thread_pages_back_in_meta_order() {
    let d = desk(600).await;
    let app = &d.app;
    // Delivered out of order: Meta's timestamps decide the thread order.
    deliver(app, json!([inbound("wamid.C", CUSTOMER, "third", 100)])).await;
    deliver(app, json!([inbound("wamid.B", CUSTOMER, "second", 200)])).await;
    let agent = app.as_(app.user("agent"));
    let newest = agent.thread(d.conversation, "limit=2").await.ok();
    assert_eq!(texts(&newest), ["second", "third"]);
    let before = newest.next_cursor.as_deref().unwrap();
    let older = agent
        .thread(d.conversation, &format!("limit=2&before={before}"))
        .await
        .ok();
    assert_eq!(texts(&older), ["Hello?"]);
    assert_eq!(older.next_cursor, None);
}

#[actix_web::test]
async fn gateway_answers_are_recorded_with_the_wamid() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    app.gateway.answer(Ok(Accepted {
        wamid: "wamid.CHOSEN".into(),
    }));
    agent.send_text(d.conversation, "x").await.expect(202);
    app.dispatch().await;
    let thread = agent.thread(d.conversation, "").await.ok();
    assert_eq!(thread.items[1].wamid.as_deref(), Some("wamid.CHOSEN"));
}

#[actix_web::test]
async fn a_contact_search_with_a_nul_or_over_100_characters_is_a_422_naming_query() {
    let d = desk(60).await;
    let agent = d.app.as_(d.app.user("agent"));
    let too_long = "5".repeat(101);
    for query in ["ab%00c", too_long.as_str()] {
        let refused = agent.contacts(query).await;
        assert_eq!(refused.error_code(422), ErrorCode::ValidationFailed);
        let fields: Vec<String> = refused
            .error()
            .error
            .details
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["query"], "{query}");
    }
    assert_eq!(agent.contacts(&"5".repeat(100)).await.ok().items.len(), 0);
}

#[actix_web::test]
async fn contacts_are_searchable_renamable_and_hidden_from_outsiders() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let found = agent.contacts("sheena").await.ok();
    assert_eq!(found.items[0].wa_id, CUSTOMER, "{found:?}");
    assert_eq!(agent.contacts("555123").await.ok().items.len(), 1);
    assert!(agent.contacts("nobody").await.ok().items.is_empty());
    let id = found.items[0].id;

    let renamed = agent
        .update_contact(id, &json!({"display_name": "Sheena (VIP)"}))
        .await
        .ok();
    assert_eq!(renamed.display_name.as_deref(), Some("Sheena (VIP)"));
    let fetched = agent.contact(id).await.ok();
    assert_eq!(fetched.display_name.as_deref(), Some("Sheena (VIP)"));
    let cleared = agent
        .update_contact(id, &json!({"display_name": null}))
        .await
        .ok();
    assert_eq!(cleared.display_name, None);

    let viewer = app.as_(app.user("viewer"));
    viewer.contact(id).await.expect(200);
    let refused = viewer
        .update_contact(id, &json!({"display_name": "x"}))
        .await;
    assert_eq!(refused.error_code(403), ErrorCode::Forbidden);
    let outsider = app.as_(app.user("outsider"));
    assert!(outsider.contacts("").await.ok().items.is_empty());
    assert_eq!(
        outsider.contact(id).await.error_code(404),
        ErrorCode::NotFound
    );
}

#[actix_web::test]
async fn an_inbound_image_is_kept_pending_through_a_failed_download_then_served() {
    let d = desk(60).await;
    let app = &d.app;
    let at = chrono::Utc::now().timestamp().to_string();
    let image = json!({"from": CUSTOMER, "id": "wamid.IMG", "timestamp": at, "type": "image",
        "image": {"id": "1037543291543636", "mime_type": "image/jpeg", "sha256": "unused-by-the-fake", "caption": "My order"}});
    assert_eq!(deliver(app, json!([image])).await.messages_stored, 1);

    let agent = app.as_(app.user("agent"));
    let thread = agent.thread(d.conversation, "").await.ok();
    let message = &thread.items[1];
    assert_eq!(message.kind, "image");
    assert_eq!(message.text.as_deref(), Some("My order"));
    assert_eq!(
        message.media.as_ref().unwrap().state,
        MediaStateDto::Pending
    );
    let media_path = format!("/api/v1/messages/{}/media", message.id);
    assert_eq!(
        agent.get::<()>(&media_path).await.error_code(409),
        ErrorCode::MediaNotReady
    );

    app.gateway.media.lock().unwrap().insert(
        "1037543291543636".into(),
        b"\xff\xd8\xff jpeg bytes".to_vec(),
    );
    app.gateway
        .media_failures
        .lock()
        .unwrap()
        .insert("1037543291543636".into(), 1);
    assert_eq!(
        app.fetch_media().await.retried,
        1,
        "the first download fails"
    );
    assert_eq!(app.fetch_media().await.stored, 1, "the retry succeeds");

    // The file itself is not JSON: its bytes are read as they came.
    let served = agent.get::<()>(&media_path).await;
    assert_eq!(served.status.as_u16(), 200);
    assert_eq!(served.header("content-type"), "image/jpeg");
    assert_eq!(served.bytes, b"\xff\xd8\xff jpeg bytes");
    let thread = agent.thread(d.conversation, "").await.ok();
    let media = thread.items[1].media.as_ref().unwrap();
    assert_eq!(media.state, MediaStateDto::Stored);
    assert_eq!(media.url.as_deref(), Some(media_path.as_str()));

    let first = thread.items[0].id;
    assert_eq!(
        agent
            .get::<()>(&format!("/api/v1/messages/{first}/media"))
            .await
            .error_code(404),
        ErrorCode::NoMedia
    );
    let outsider = app.as_(app.user("outsider"));
    assert_eq!(
        outsider.get::<()>(&media_path).await.error_code(404),
        ErrorCode::NotFound
    );
}

#[actix_web::test]
async fn media_that_never_downloads_is_marked_failed_and_the_message_kept() {
    let d = desk(60).await;
    let app = &d.app;
    let at = chrono::Utc::now().timestamp().to_string();
    let document = json!({"from": CUSTOMER, "id": "wamid.DOC", "timestamp": at, "type": "document",
        "document": {"id": "555", "mime_type": "application/pdf", "filename": "invoice.pdf"}});
    deliver(app, json!([document])).await;
    app.gateway
        .media
        .lock()
        .unwrap()
        .insert("555".into(), b"%PDF".to_vec());
    app.gateway
        .media_failures
        .lock()
        .unwrap()
        .insert("555".into(), 99);
    for _ in 0..3 {
        app.fetch_media().await;
    }
    let thread = app
        .as_(app.user("agent"))
        .thread(d.conversation, "")
        .await
        .ok();
    assert_eq!(
        thread.items[1].media.as_ref().unwrap().state,
        MediaStateDto::Failed
    );
    assert_eq!(app.fetch_media().await.handled(), 0, "no more attempts");
}

#[actix_web::test]
async fn an_agent_reacts_to_a_customer_message_inside_the_window() {
    let d = desk(60).await;
    let app = &d.app;
    let agent = app.as_(app.user("agent"));
    let queued = agent
        .send_reaction(d.conversation, "wamid.IN1", "\u{1f44d}")
        .await
        .expect(202);
    assert_eq!(queued.kind, "reaction");
    app.dispatch().await;
    let sent = app.gateway.sent();
    assert_eq!(
        sent[0].content,
        OutboundContent::Reaction {
            message_id: "wamid.IN1".into(),
            emoji: "\u{1f44d}".into()
        }
    );
    for (message_id, emoji) in [("not-a-wamid", "x"), ("wamid.IN1", "thumbs")] {
        assert_eq!(
            agent
                .send_reaction(d.conversation, message_id, emoji)
                .await
                .error_code(422),
            ErrorCode::ValidationFailed,
            "{message_id} {emoji}"
        );
    }
}

#[actix_web::test]
async fn a_reaction_outside_the_window_is_refused() {
    let d = desk(25 * 3600).await;
    let refused = d
        .app
        .as_(d.app.user("agent"))
        .send_reaction(d.conversation, "wamid.IN1", "\u{1f44d}")
        .await;
    assert_eq!(
        refused.error_code(422),
        ErrorCode::OutsideCustomerServiceWindow
    );
}
