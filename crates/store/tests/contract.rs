//! The store contract: what every backend must do to satisfy the domain's ports, written once
//! against the traits and run here on SQLite (a temp file per test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use switchboard_domain::Timestamp;
use switchboard_domain::accounts::model::{NewRefreshToken, Rotation, SessionId, TokenDigest};
use switchboard_domain::accounts::ports::{
    AttemptBudget, LoginAttemptRepository, SessionRepository,
};
use switchboard_domain::conversation::ports::ConversationRepository;
use switchboard_domain::error::{ConflictKey, RepoError};
use switchboard_domain::health::HealthCheck;
use switchboard_domain::ingest::model::{InboundMessage, StatusReport, WebhookBatch};
use switchboard_domain::ingest::ports::InboundRepository;
use switchboard_domain::live::model::EventKind;
use switchboard_domain::live::ports::EventRepository;
use switchboard_domain::media::attachment::{AttachmentId, NewAttachment};
use switchboard_domain::media::model::MediaKind;
use switchboard_domain::media::ports::AttachmentRepository;
use switchboard_domain::message::{DeliveryError, MessageId, MessageStatus};
use switchboard_domain::numbers::model::{
    BusinessNumberChanges, BusinessNumberId, E164, InboxName, MetaId, NewBusinessNumber,
};
use switchboard_domain::numbers::ports::BusinessNumberRepository;
use switchboard_domain::outbound::model::{OutboundContent, Started};
use switchboard_domain::outbound::ports::{NewOutbound, OutboundRepository, OutboxRepository};
use switchboard_domain::simulator::ports::{AwaitingStatus, AwaitingStatusRepository};
use switchboard_domain::users::model::{DisplayName, PasswordHash, Role, UserId, Username};
use switchboard_domain::users::ports::{UserRecord, UserRepository, UserUpdate};
use switchboard_store::{DatabaseUrl, Store};

struct Fixture {
    store: Store,
    _dir: tempfile::TempDir,
}

fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("contract.db"))).unwrap();
    store.migrate().unwrap();
    Fixture { store, _dir: dir }
}

async fn user(repo: &dyn UserRepository, name: &str, role: Role) -> UserId {
    repo.create_user(
        UserRecord {
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            role,
            password_hash: PasswordHash("$argon2id$fake".into()),
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .id
}

fn token(digest: &str, session: &str, user: UserId, expires_at: Timestamp) -> NewRefreshToken {
    NewRefreshToken {
        digest: TokenDigest(digest.into()),
        session_id: SessionId(session.into()),
        user_id: user,
        expires_at,
    }
}

fn number(phone: &str, id: &str) -> NewBusinessNumber {
    NewBusinessNumber {
        name: InboxName::parse("Support").unwrap(),
        display_phone_number: E164::parse("p", phone).unwrap(),
        phone_number_id: MetaId::parse("p", id).unwrap(),
        waba_id: None,
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_the_database_answers() {
    let f = sqlite();
    assert!(
        f.store.migrate().unwrap().is_empty(),
        "nothing left to apply"
    );
    f.store.ping().await.unwrap();
}

#[tokio::test]
async fn usernames_are_unique_case_insensitively_by_index() {
    let f = sqlite();
    user(&f.store, "Ana", Role::Agent).await;
    let duplicate = f
        .store
        .create_user(
            UserRecord {
                username: Username::parse("ANA").unwrap(),
                display_name: DisplayName::parse("x").unwrap(),
                role: Role::Viewer,
                password_hash: PasswordHash("h".into()),
            },
            Utc::now(),
        )
        .await;
    assert_eq!(
        duplicate.unwrap_err(),
        RepoError::Conflict(ConflictKey::Username)
    );
    let found = f.store.find_credentials("ana").await.unwrap().unwrap();
    assert_eq!(found.user.username, "Ana");
    assert_eq!(
        f.store
            .find_credentials("nobody")
            .await
            .unwrap()
            .map(|c| c.user.id),
        None
    );
    assert_eq!(
        f.store.get_user(UserId(999)).await.unwrap_err(),
        RepoError::NotFound
    );
}

#[tokio::test]
async fn counting_users_and_active_admins() {
    let f = sqlite();
    assert_eq!(f.store.count_users().await.unwrap(), 0);
    let a = user(&f.store, "a-admin", Role::Admin).await;
    user(&f.store, "b-admin", Role::Admin).await;
    user(&f.store, "agent", Role::Agent).await;
    assert_eq!(f.store.count_users().await.unwrap(), 3);
    assert_eq!(f.store.count_active_admins().await.unwrap(), 2);
    f.store
        .update_user(
            a,
            UserUpdate {
                active: Some(false),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(f.store.count_active_admins().await.unwrap(), 1);
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let f = sqlite();
    for round in 0..10 {
        let a = user(&f.store, &format!("a-admin-{round}"), Role::Admin).await;
        let b = user(&f.store, &format!("b-admin-{round}"), Role::Admin).await;
        // Everyone else steps down, so a and b are the only admins.
        for other in f.store.list_users().await.unwrap() {
            if other.id != a && other.id != b && other.role == Role::Admin {
                f.store
                    .update_user(
                        other.id,
                        UserUpdate {
                            role: Some(Role::Agent),
                            ..Default::default()
                        },
                        Utc::now(),
                    )
                    .await
                    .unwrap();
            }
        }
        let demote = |id, update: UserUpdate| {
            let store = f.store.clone();
            tokio::spawn(async move { store.update_user(id, update, Utc::now()).await })
        };
        let first = demote(
            a,
            UserUpdate {
                role: Some(Role::Agent),
                ..Default::default()
            },
        );
        let second = demote(
            b,
            UserUpdate {
                active: Some(false),
                ..Default::default()
            },
        );
        let outcomes = [first.await.unwrap(), second.await.unwrap()];
        assert_eq!(
            outcomes.iter().filter(|o| o.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .any(|o| o == &Err(RepoError::Conflict(ConflictKey::LastAdmin))),
            "{outcomes:?}"
        );
        assert_eq!(f.store.count_active_admins().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn rotation_spends_the_token_and_reuse_revokes_the_session() {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    s.start_session(token("t1", "s1", ana, later), now)
        .await
        .unwrap();
    assert!(
        s.active_session_user(ana, &SessionId("s1".into()))
            .await
            .unwrap()
            .is_some()
    );

    let rotated = s
        .rotate(
            &TokenDigest("t1".into()),
            &TokenDigest("t2".into()),
            later,
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        rotated,
        Rotation::Rotated {
            user_id: ana,
            session_id: SessionId("s1".into())
        }
    );

    let reused = s
        .rotate(
            &TokenDigest("t1".into()),
            &TokenDigest("t3".into()),
            later,
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        reused,
        Rotation::Reused {
            session_id: SessionId("s1".into())
        }
    );
    assert!(
        s.active_session_user(ana, &SessionId("s1".into()))
            .await
            .unwrap()
            .is_none()
    );
    let successor = s
        .rotate(
            &TokenDigest("t2".into()),
            &TokenDigest("t4".into()),
            later,
            now,
        )
        .await
        .unwrap();
    assert_eq!(successor, Rotation::Invalid);

    let unknown = s
        .rotate(
            &TokenDigest("nope".into()),
            &TokenDigest("t5".into()),
            later,
            now,
        )
        .await
        .unwrap();
    assert_eq!(unknown, Rotation::Invalid);
}

#[tokio::test]
async fn concurrent_rotations_of_one_token_succeed_exactly_once() {
    let f = sqlite();
    let ana = user(&f.store, "ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    f.store
        .start_session(token("t0", "s1", ana, later), now)
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = f.store.clone();
        tasks.spawn(async move {
            store
                .rotate(
                    &TokenDigest("t0".into()),
                    &TokenDigest(format!("next{i}")),
                    later,
                    now,
                )
                .await
                .unwrap()
        });
    }
    let outcomes = tasks.join_all().await;
    let rotated = outcomes
        .iter()
        .filter(|o| matches!(o, Rotation::Rotated { .. }))
        .count();
    assert_eq!(rotated, 1, "{outcomes:?}");
    // The first loser finds the token spent and revokes the session; later ones find the
    // session revoked. None may succeed.
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Rotation::Reused { .. })),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn an_expired_refresh_token_is_invalid_and_purged() {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let now = Utc::now();
    s.start_session(
        token("old", "s-old", ana, now - Duration::seconds(1)),
        now - Duration::days(30),
    )
    .await
    .unwrap();
    s.start_session(token("live", "s-live", ana, now + Duration::days(1)), now)
        .await
        .unwrap();
    let expired = s
        .rotate(
            &TokenDigest("old".into()),
            &TokenDigest("n".into()),
            now,
            now,
        )
        .await
        .unwrap();
    assert_eq!(expired, Rotation::Invalid);

    assert_eq!(s.purge_expired(now).await.unwrap(), 1);
    assert!(
        s.active_session_user(ana, &SessionId("s-old".into()))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.active_session_user(ana, &SessionId("s-live".into()))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(s.purge_expired(now).await.unwrap(), 0);
}

#[tokio::test]
async fn revoking_by_token_ends_only_that_session() {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    s.start_session(token("a", "s-a", ana, later), now)
        .await
        .unwrap();
    s.start_session(token("b", "s-b", ana, later), now)
        .await
        .unwrap();
    s.revoke_by_token(&TokenDigest("a".into()), now)
        .await
        .unwrap();
    s.revoke_by_token(&TokenDigest("unknown".into()), now)
        .await
        .unwrap();
    assert!(
        s.active_session_user(ana, &SessionId("s-a".into()))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.active_session_user(ana, &SessionId("s-b".into()))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn deactivation_and_password_changes_revoke_sessions_in_the_same_step() {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let now = Utc::now();
    let later = now + Duration::days(1);
    for name in ["s1", "s2", "s3"] {
        s.start_session(token(name, name, ana, later), now)
            .await
            .unwrap();
    }
    s.change_password(
        ana,
        PasswordHash("new".into()),
        &SessionId("s1".into()),
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        s.password_hash(ana).await.unwrap(),
        PasswordHash("new".into())
    );
    assert!(
        s.active_session_user(ana, &SessionId("s1".into()))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        s.active_session_user(ana, &SessionId("s2".into()))
            .await
            .unwrap()
            .is_none()
    );

    s.update_user(
        ana,
        UserUpdate {
            active: Some(false),
            revoke_sessions: true,
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    assert!(
        s.active_session_user(ana, &SessionId("s1".into()))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        s.change_password(
            UserId(999),
            PasswordHash("x".into()),
            &SessionId("s".into()),
            now
        )
        .await
        .unwrap_err(),
        RepoError::NotFound
    );
}

#[tokio::test]
async fn login_attempts_are_counted_per_key_and_pruned_after_the_window() {
    let f = sqlite();
    let s = &f.store;
    // Whole milliseconds, as the store keeps them.
    let now = chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let window_start = now - Duration::minutes(15);
    let old = now - Duration::minutes(20);
    assert_eq!(
        s.begin_attempt("ana", old, old - Duration::minutes(15), 2)
            .await
            .unwrap(),
        AttemptBudget::Granted
    );
    // The 20-minute-old attempt is forgotten, so ana has room for two more.
    for at in [now - Duration::minutes(1), now] {
        assert_eq!(
            s.begin_attempt("ana", at, window_start, 2).await.unwrap(),
            AttemptBudget::Granted
        );
    }
    let AttemptBudget::Spent { mut attempts } =
        s.begin_attempt("ana", now, window_start, 2).await.unwrap()
    else {
        panic!("a third attempt in the window is refused");
    };
    attempts.sort();
    assert_eq!(attempts, vec![now - Duration::minutes(1), now]);
    assert_eq!(
        s.begin_attempt("bob", now, window_start, 2).await.unwrap(),
        AttemptBudget::Granted,
        "keys have budgets of their own"
    );
    s.clear_failures("ana").await.unwrap();
    assert_eq!(
        s.begin_attempt("ana", now, window_start, 2).await.unwrap(),
        AttemptBudget::Granted
    );
    assert_eq!(
        s.begin_attempt("bob", now, window_start, 2).await.unwrap(),
        AttemptBudget::Granted
    );
    assert!(matches!(
        s.begin_attempt("bob", now, window_start, 2).await.unwrap(),
        AttemptBudget::Spent { .. }
    ));
}

#[tokio::test]
async fn attempts_arriving_at_once_are_granted_no_more_than_the_budget() {
    let f = sqlite();
    let now = Utc::now();
    let window_start = now - Duration::minutes(15);
    let attempts: Vec<_> = (0..100)
        .map(|_| {
            let store = f.store.clone();
            tokio::spawn(async move { store.begin_attempt("ana", now, window_start, 5).await })
        })
        .collect();
    let mut granted = 0;
    for attempt in attempts {
        if attempt.await.unwrap().unwrap() == AttemptBudget::Granted {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
}

#[tokio::test]
async fn business_numbers_name_the_colliding_field() {
    let f = sqlite();
    let s = &f.store;
    let first = s
        .create_number(number("+15550100001", "111"), Utc::now())
        .await
        .unwrap();
    let same_phone = s
        .create_number(number("+15550100001", "222"), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(
        same_phone,
        RepoError::Conflict(ConflictKey::DisplayPhoneNumber)
    );
    let same_id = s
        .create_number(number("+15550100002", "111"), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(same_id, RepoError::Conflict(ConflictKey::PhoneNumberId));

    let second = s
        .create_number(number("+15550100002", "222"), Utc::now())
        .await
        .unwrap();
    let clash = s
        .update_number(
            second.id,
            BusinessNumberChanges {
                phone_number_id: Some(MetaId::parse("p", "111").unwrap()),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert_eq!(clash, RepoError::Conflict(ConflictKey::PhoneNumberId));
    let missing = s
        .update_number(
            BusinessNumberId(999),
            BusinessNumberChanges::default(),
            Utc::now(),
        )
        .await;
    assert_eq!(missing.unwrap_err(), RepoError::NotFound);
    assert_eq!(
        s.list_numbers()
            .await
            .unwrap()
            .iter()
            .map(|n| n.id)
            .collect::<Vec<_>>(),
        [first.id, second.id]
    );
}

#[tokio::test]
async fn memberships_are_idempotent_and_reference_real_rows() {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let n = s
        .create_number(number("+15550100001", "111"), Utc::now())
        .await
        .unwrap()
        .id;
    assert!(s.add_member(n, ana, Utc::now()).await.unwrap());
    assert!(!s.add_member(n, ana, Utc::now()).await.unwrap());
    assert!(s.is_member(n, ana).await.unwrap());
    assert_eq!(s.list_numbers_of_member(ana).await.unwrap().len(), 1);
    assert_eq!(s.list_members(n).await.unwrap()[0].1.username, "ana");

    assert_eq!(
        s.add_member(n, UserId(999), Utc::now()).await.unwrap_err(),
        RepoError::NotFound
    );
    assert_eq!(
        s.add_member(BusinessNumberId(999), ana, Utc::now())
            .await
            .unwrap_err(),
        RepoError::NotFound
    );

    s.remove_member(n, ana).await.unwrap();
    assert!(!s.is_member(n, ana).await.unwrap());
    assert_eq!(
        s.remove_member(n, ana).await.unwrap_err(),
        RepoError::NotFound
    );
}

fn pdf(owner: UserId) -> NewAttachment {
    NewAttachment {
        owner,
        kind: MediaKind::Document,
        mime_type: "application/pdf".into(),
        size: 1234,
        filename: "invoice.pdf".into(),
        sha256: "ab".repeat(32),
    }
}

#[tokio::test]
async fn attachments_are_stored_with_their_owner_and_read_back_whole() {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let at = Utc::now();
    let stored = s.create_attachment(&pdf(ana), at).await.unwrap();
    let other = s.create_attachment(&pdf(ana), at).await.unwrap();
    assert_ne!(stored.id, other.id, "each upload is its own attachment");
    assert_ne!(stored.key(), other.key());

    let read = s.get_attachment(stored.id).await.unwrap();
    assert_eq!(read, stored);
    assert_eq!(read.owner, ana);
    assert_eq!(read.kind, MediaKind::Document);
    assert_eq!(
        (read.mime_type.as_str(), read.size, read.filename.as_str()),
        ("application/pdf", 1234, "invoice.pdf")
    );
    assert_eq!(read.created_at.timestamp_millis(), at.timestamp_millis());

    assert_eq!(
        s.get_attachment(AttachmentId(999)).await.unwrap_err(),
        RepoError::NotFound
    );
    assert_eq!(
        s.create_attachment(&pdf(UserId(999)), at)
            .await
            .unwrap_err(),
        RepoError::NotFound,
        "the owner must exist"
    );
    s.delete_attachment(stored.id).await.unwrap();
    assert_eq!(
        s.get_attachment(stored.id).await.unwrap_err(),
        RepoError::NotFound
    );
    assert_eq!(
        s.delete_attachment(stored.id).await.unwrap_err(),
        RepoError::NotFound
    );
}

#[tokio::test]
async fn a_queued_media_message_keeps_its_file_and_the_recorded_media_id() {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let n = s
        .create_number(number("+15550100001", "111"), Utc::now())
        .await
        .unwrap()
        .id;
    let content = OutboundContent::Media {
        kind: MediaKind::Image,
        mime_type: "image/png".into(),
        key: "attachments/1".into(),
        filename: "photo.png".into(),
        caption: Some("look".into()),
        size: 42,
        sha256: "cd".repeat(32),
        media_id: None,
    };
    let new = NewOutbound {
        sender: ana,
        content: content.clone(),
        idempotency_key: None,
    };
    let Started {
        message, created, ..
    } = s
        .start_conversation(n, "16505551234", &new, Utc::now())
        .await
        .unwrap();
    assert!(created);
    assert_eq!(message.kind, "image");
    assert_eq!(message.text.as_deref(), Some("look"));
    let file = message.media.clone().expect("the message has its file");
    assert_eq!(file.key.as_deref(), Some("attachments/1"));
    assert_eq!(file.mime_type.as_deref(), Some("image/png"));
    assert_eq!(file.size, Some(42));

    let due = s.due_messages(Utc::now(), 10).await.unwrap();
    assert_eq!(due[0].outbound.content, content);

    s.record_media_upload(message.id, "1037543291543636")
        .await
        .unwrap();
    let due = s.due_messages(Utc::now(), 10).await.unwrap();
    let OutboundContent::Media { media_id, .. } = &due[0].outbound.content else {
        panic!("{:?}", due[0].outbound.content);
    };
    assert_eq!(media_id.as_deref(), Some("1037543291543636"));
    let shown = s.get_message(message.id).await.unwrap();
    assert!(
        shown.payload.contains("1037543291543636"),
        "{}",
        shown.payload
    );
}

/// Queues a text (or, with `template`, a template) to `wa_id` on `number` and, unless `wamid` is
/// `None`, has the provider accept it at `accepted_at`.
async fn outbound(
    s: &Store,
    number: BusinessNumberId,
    sender: UserId,
    wa_id: &str,
    template: bool,
    wamid: Option<&str>,
    accepted_at: Timestamp,
) -> MessageId {
    let content = if template {
        OutboundContent::Template {
            name: "order_update".into(),
            language: "en_US".into(),
            components_json: "[]".into(),
        }
    } else {
        OutboundContent::Text {
            body: format!("to {wa_id}"),
        }
    };
    let new = NewOutbound {
        sender,
        content,
        idempotency_key: None,
    };
    let Started { message, .. } = s
        .start_conversation(number, wa_id, &new, Utc::now())
        .await
        .unwrap();
    if let Some(wamid) = wamid {
        s.mark_accepted(message.id, wamid, accepted_at)
            .await
            .unwrap();
    }
    message.id
}

async fn report(s: &Store, wamid: &str, status: MessageStatus) {
    let error = (status == MessageStatus::Failed).then(|| DeliveryError {
        code: 131026,
        title: Some("Message undeliverable".into()),
        details: None,
    });
    s.ingest(
        &WebhookBatch {
            messages: Vec::new(),
            statuses: vec![StatusReport {
                phone_number_id: "111".into(),
                wamid: wamid.into(),
                status,
                at: Utc::now(),
                error,
            }],
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn awaiting_statuses_walks_accepted_sent_and_delivered_replies_accepted_before_the_bound_in_pages()
 {
    let f = sqlite();
    let s = &f.store;
    let ana = user(s, "ana", Role::Agent).await;
    let n = s
        .create_number(number("+15550100001", "111"), Utc::now())
        .await
        .unwrap()
        .id;
    let start = Utc::now();
    let before = start - Duration::seconds(1);
    let queued = outbound(s, n, ana, "16505550101", false, None, before).await;
    let accepted = outbound(s, n, ana, "16505550102", false, Some("wamid.a"), before).await;
    let sent = outbound(s, n, ana, "16505550103", true, Some("wamid.s"), before).await;
    report(s, "wamid.s", MessageStatus::Sent).await;
    let read = outbound(s, n, ana, "16505550104", false, Some("wamid.r"), before).await;
    report(s, "wamid.r", MessageStatus::Read).await;
    let failed = outbound(s, n, ana, "16505550105", false, Some("wamid.f"), before).await;
    report(s, "wamid.f", MessageStatus::Failed).await;
    let delivered = outbound(s, n, ana, "16505550106", false, Some("wamid.d"), before).await;
    report(s, "wamid.d", MessageStatus::Delivered).await;
    // Accepted by the running process: it reports that one itself.
    let late = outbound(s, n, ana, "16505550107", false, Some("wamid.l"), start).await;
    // A customer's message has a WhatsApp id and no statuses to come.
    s.ingest(
        &WebhookBatch {
            messages: vec![InboundMessage {
                phone_number_id: "111".into(),
                wa_id: "16505550108".into(),
                profile_name: None,
                wamid: "wamid.in".into(),
                sent_at: before,
                kind: "text".into(),
                text: Some("hi".into()),
                payload: "{}".into(),
                reply_to: None,
                media: None,
            }],
            statuses: Vec::new(),
        },
        Utc::now(),
    )
    .await
    .unwrap();

    let first = s.awaiting_statuses(start, None, 2).await.unwrap();
    let second = s
        .awaiting_statuses(start, Some(first[1].message_id), 2)
        .await
        .unwrap();
    let third = s
        .awaiting_statuses(start, Some(second[0].message_id), 2)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(second.len(), 1, "the last page is short: {second:?}");
    assert!(third.is_empty(), "{third:?}");
    let expect = |message_id, wamid: &str, recipient: &str, kind: &str, status| AwaitingStatus {
        message_id,
        wamid: wamid.into(),
        phone_number_id: "111".into(),
        display_phone_number: "+15550100001".into(),
        recipient: recipient.into(),
        kind: kind.into(),
        status,
    };
    assert_eq!(
        [first, second].concat(),
        [
            expect(
                accepted,
                "wamid.a",
                "16505550102",
                "text",
                MessageStatus::Accepted
            ),
            expect(
                sent,
                "wamid.s",
                "16505550103",
                "template",
                MessageStatus::Sent
            ),
            expect(
                delivered,
                "wamid.d",
                "16505550106",
                "text",
                MessageStatus::Delivered
            ),
        ]
    );
    let all = s
        .awaiting_statuses(start + Duration::seconds(1), None, 100)
        .await
        .unwrap();
    let ids: Vec<MessageId> = all.iter().map(|m| m.message_id).collect();
    assert_eq!(ids, [accepted, sent, delivered, late]);
    for left_out in [queued, read, failed] {
        assert!(
            !ids.contains(&left_out),
            "{left_out} is not awaiting statuses"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_each_get_their_own_outcome_and_only_successes_are_stored() {
    let f = sqlite();
    // 15 of the 25 names are wanted twice: of each pair exactly one write may succeed, whatever
    // batch the writes share, and a failure must not take its neighbours with it.
    let names: Vec<String> = (0..40).map(|i| format!("user{}", i % 25)).collect();
    let writes: Vec<_> = names
        .iter()
        .map(|name| {
            let store = f.store.clone();
            let record = UserRecord {
                username: Username::parse(name).unwrap(),
                display_name: DisplayName::parse(name).unwrap(),
                role: Role::Agent,
                password_hash: PasswordHash("$argon2id$fake".into()),
            };
            tokio::spawn(async move { store.create_user(record, Utc::now()).await })
        })
        .collect();
    let mut created = 0;
    let mut conflicts = 0;
    for write in writes {
        match write.await.unwrap() {
            Ok(_) => created += 1,
            Err(RepoError::Conflict(field)) => {
                assert_eq!(field, ConflictKey::Username);
                conflicts += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let distinct: std::collections::HashSet<&String> = names.iter().collect();
    assert_eq!(created, distinct.len());
    assert_eq!(conflicts, names.len() - distinct.len());
    assert_eq!(f.store.list_users().await.unwrap().len(), distinct.len());
}

fn inbound(phone_number_id: &str, wa_id: &str, wamid: &str, text: &str) -> InboundMessage {
    InboundMessage {
        phone_number_id: phone_number_id.into(),
        wa_id: wa_id.into(),
        profile_name: None,
        wamid: wamid.into(),
        sent_at: Utc::now(),
        kind: "text".into(),
        text: Some(text.into()),
        payload: "{}".into(),
        reply_to: None,
        media: None,
    }
}

#[tokio::test]
async fn a_page_of_events_carries_each_events_conversation_and_message_as_they_are_now() {
    let f = sqlite();
    let s = &f.store;
    let one = s
        .create_number(number("+15550100001", "111"), Utc::now())
        .await
        .unwrap()
        .id;
    let two = s
        .create_number(number("+15550100002", "222"), Utc::now())
        .await
        .unwrap()
        .id;
    let batch = WebhookBatch {
        messages: vec![
            inbound("111", "16505550101", "wamid.1", "first"),
            inbound("222", "16505550102", "wamid.2", "other number"),
            inbound("111", "16505550101", "wamid.3", "second"),
        ],
        statuses: Vec::new(),
    };
    s.ingest(&batch, Utc::now()).await.unwrap();

    let all = s.events_after(0, None, 100).await.unwrap();
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "in id order");
    let of_one = s.events_after(0, Some(&[one]), 100).await.unwrap();
    assert!(!of_one.is_empty());
    assert!(
        of_one
            .iter()
            .all(|e| e.conversation.conversation.business_number_id == one)
    );
    assert!(
        all.iter()
            .any(|e| e.conversation.conversation.business_number_id == two)
    );
    // Every event shows its conversation as it is now: after both messages.
    for event in &of_one {
        assert_eq!(event.conversation.conversation.unread_count, 2);
        let newest = event.conversation.last_message.as_ref().unwrap();
        assert_eq!(newest.text.as_deref(), Some("second"));
    }
    let texts: Vec<Option<&str>> = of_one
        .iter()
        .filter(|e| e.kind == EventKind::MessageCreated)
        .map(|e| e.message.as_ref().unwrap().text.as_deref())
        .collect();
    assert_eq!(texts, [Some("first"), Some("second")]);
    assert!(
        of_one
            .iter()
            .filter(|e| e.kind != EventKind::MessageCreated && e.kind != EventKind::MessageUpdated)
            .all(|e| e.message.is_none())
    );
    // Paging: ids above the cursor, at most `limit`.
    let page = s.events_after(all[0].id, None, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        all[1..3].iter().map(|e| e.id).collect::<Vec<_>>()
    );
    assert!(
        s.events_after(all.last().unwrap().id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
