//! Ports the mock provider needs to play Meta: resuming owed statuses, delivering as a customer.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::RepoError;
use crate::message::{MessageId, MessageStatus};

/// An outbound message the WhatsApp provider took (it has a WhatsApp id) that is not yet
/// `read` or `failed`: the provider still owes it status webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingStatus {
    pub message_id: MessageId,
    /// The WhatsApp id the provider gave it.
    pub wamid: String,
    /// The business number it was sent from: Meta's id and the number as customers see it.
    pub phone_number_id: String,
    pub display_phone_number: String,
    /// The recipient's WhatsApp id.
    pub recipient: String,
    /// Meta's message type (`text`, `template`, `image`, ...).
    pub kind: String,
    /// The last status stored: [`MessageStatus::Accepted`], [`MessageStatus::Sent`] or
    /// [`MessageStatus::Delivered`].
    pub status: MessageStatus,
}

/// The messages whose statuses are still to come, for a provider that reports statuses itself
/// (the mock) to resume them after a restart, as Meta redelivers what it owes.
#[async_trait]
pub trait AwaitingStatusRepository: Send + Sync {
    /// Up to `limit` outbound messages that have a WhatsApp id and the status `accepted`,
    /// `sent` or `delivered`, accepted before `accepted_before` (those accepted later belong to
    /// the running process, which reports them itself), with an id above `after` (`None`: from
    /// the first), in id order. Walk them by passing the last id of a page as the next `after`;
    /// a page shorter than `limit` is the last. The walk holds no lock and no snapshot between
    /// pages, so a message that advances meanwhile may be left out or shown at its older
    /// status (a resumed status is then a duplicate, which ingest ignores).
    ///
    /// # Errors
    /// Storage failures only ([`RepoError::Unavailable`], [`RepoError::Unexpected`]); no such
    /// message is an empty page.
    async fn awaiting_statuses(
        &self,
        accepted_before: Timestamp,
        after: Option<MessageId>,
        limit: u32,
    ) -> Result<Vec<AwaitingStatus>, RepoError>;
}

/// Playing the customer (mock mode): makes the provider deliver an inbound text message
/// through the same signed webhook path Meta uses.
#[async_trait]
pub trait CustomerSimulator: Send + Sync {
    /// Delivers `text` from `from` (WhatsApp id) to the number, returning the new message's
    /// WhatsApp id once our webhook has stored it.
    ///
    /// # Errors
    /// A description of why the webhook did not accept the delivery.
    async fn deliver_inbound(
        &self,
        phone_number_id: &str,
        display_phone_number: &str,
        from: &str,
        name: Option<&str>,
        text: &str,
    ) -> Result<String, String>;
}
