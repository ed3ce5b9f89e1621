//! What is particular to the SQLite backend, beside the port contract every backend runs
//! (`tests/contract/`): its embedded migrations, and claims in a file only one process uses.

#![allow(clippy::unwrap_used)]

use switchboard_store::{DatabaseUrl, Store};

#[tokio::test]
async fn migrating_an_up_to_date_database_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("store.db"))).unwrap();
    assert!(
        !store.migrate().unwrap().is_empty(),
        "a new database gets every migration"
    );
    assert!(store.migrate().unwrap().is_empty(), "nothing left to apply");
}

/// One process uses an SQLite file, so a claim on a queued message that a previous process left
/// (it was killed mid-send) is from one that is gone: the next start sends the message at once
/// instead of waiting for the claim to run out, as another PostgreSQL instance would.
#[tokio::test]
async fn a_claim_left_by_a_process_that_is_gone_is_taken_at_once() {
    use chrono::{Duration, Utc};
    use switchboard_domain::numbers::model::{E164, InboxName, MetaId, NewBusinessNumber};
    use switchboard_domain::numbers::ports::BusinessNumberRepository;
    use switchboard_domain::outbound::model::OutboundContent;
    use switchboard_domain::outbound::ports::{NewOutbound, OutboundRepository, OutboxRepository};
    use switchboard_domain::users::model::{DisplayName, PasswordHash, Role, Username};
    use switchboard_domain::users::ports::{UserRecord, UserRepository};

    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("store.db"));
    let before = Store::open(&url).unwrap();
    before.migrate().unwrap();
    let ana = before
        .create_user(
            UserRecord {
                username: Username::parse("ana").unwrap(),
                display_name: DisplayName::parse("Ana").unwrap(),
                role: Role::Agent,
                password_hash: PasswordHash("$argon2id$fake".into()),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let number = before
        .create_number(
            NewBusinessNumber {
                name: InboxName::parse("Support").unwrap(),
                display_phone_number: E164::parse("p", "+15550100001").unwrap(),
                phone_number_id: MetaId::parse("p", "111").unwrap(),
                waba_id: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let new = NewOutbound {
        sender: ana.id,
        content: OutboundContent::Text { body: "hi".into() },
        idempotency_key: None,
    };
    let message = before
        .start_conversation(number.id, "16505551234", &new, Utc::now())
        .await
        .unwrap()
        .message
        .id;
    let now = Utc::now();
    let until = now + Duration::minutes(2);
    assert_eq!(before.claim_due(now, until, 10).await.unwrap().len(), 1);
    before.close().await;
    drop(before);

    let after = Store::open(&url).unwrap();
    let due = after.claim_due(now, until, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.message_id).collect::<Vec<_>>(),
        [message]
    );
}
