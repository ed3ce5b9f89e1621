//! The bulk fixture loader: conversations and messages written straight through the store's
//! webhook ingestion (the code path real traffic takes, so contacts, conversations, unread
//! counts, previews and the event log are all consistent), in large batches and not over
//! HTTP.

use anyhow::Context as _;
use chrono::{Duration as Span, Utc};
use switchboard_domain::ingest::model::{InboundMessage, WebhookBatch};
use switchboard_domain::ingest::ports::InboundRepository;
use switchboard_domain::numbers::model::{E164, InboxName, MetaId, NewBusinessNumber};
use switchboard_domain::numbers::ports::BusinessNumberRepository;
use switchboard_store::Store;

use crate::database::Database;

/// Messages per transaction.
const BATCH: usize = 5_000;

/// What to load.
#[derive(Debug, Clone, Copy)]
pub struct Fixtures {
    pub conversations: usize,
    pub messages: usize,
    /// Business numbers to spread them over (created when the database has fewer).
    pub numbers: usize,
}

/// Loads `fixtures` into `db` (migrating it first). Customers are `1557…` WhatsApp ids, so
/// they never meet the scenarios' own. Returns the number of messages stored.
pub async fn load(db: &Database, fixtures: Fixtures) -> anyhow::Result<usize> {
    let store = Store::open(&db.url()).context("opening the database")?;
    store.migrate().context("migrating the database")?;
    let now = Utc::now();
    let mut numbers = store.list_numbers().await?;
    for n in numbers.len()..fixtures.numbers {
        let number = NewBusinessNumber {
            name: InboxName::parse(&format!("Fixture line {n}"))?,
            display_phone_number: E164::parse("display_phone_number", &format!("+1555800{n:04}"))?,
            phone_number_id: MetaId::parse("phone_number_id", &format!("10880000000{n:04}"))?,
            waba_id: None,
        };
        numbers.push(store.create_number(number, now).await?);
    }
    let numbers: Vec<String> = numbers
        .iter()
        .take(fixtures.numbers.max(1))
        .map(|n| n.phone_number_id.clone())
        .collect();

    // Message i belongs to conversation i % conversations; times spread over the last 30
    // days in order, so the inbox and every thread have a long history to page through.
    let span_ms = Span::days(30).num_milliseconds();
    let mut stored = 0;
    for start in (0..fixtures.messages).step_by(BATCH) {
        let end = (start + BATCH).min(fixtures.messages);
        let messages = (start..end)
            .map(|i| {
                let conversation = i % fixtures.conversations.max(1);
                let wa_id = format!("1557{conversation:06}1");
                let wamid = format!("wamid.fixture.{i}");
                let text = format!("Fixture message {i}: where is my order?");
                let at = now - Span::milliseconds(span_ms)
                    + Span::milliseconds(span_ms * i as i64 / fixtures.messages as i64);
                let payload = serde_json::json!({
                    "from": wa_id, "id": wamid, "timestamp": at.timestamp().to_string(),
                    "type": "text", "text": {"body": text},
                });
                InboundMessage {
                    phone_number_id: numbers[conversation % numbers.len()].clone(),
                    profile_name: Some(format!("Customer {conversation}")),
                    wa_id,
                    wamid,
                    sent_at: at,
                    kind: "text".to_owned(),
                    text: Some(text),
                    payload: payload.to_string(),
                    reply_to: None,
                    media: None,
                }
            })
            .collect();
        let summary = store
            .ingest(
                &WebhookBatch {
                    messages,
                    statuses: Vec::new(),
                },
                Utc::now(),
            )
            .await?;
        stored += summary.messages_stored;
    }
    Ok(stored)
}
