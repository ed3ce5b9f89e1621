//! Ports: what the domain needs from the outside world. Adapters implement them; use cases
//! hold them as `Arc<dyn Port>`.
//!
//! Every store method is atomic: where one business step touches several records it is one
//! method, run by the adapter in one transaction.

use async_trait::async_trait;

use crate::Timestamp;
use crate::attachment::{Attachment, AttachmentId, NewAttachment};
use crate::business_number::{
    BusinessNumber, BusinessNumberChanges, BusinessNumberId, Membership, NewBusinessNumber,
};
use crate::conversation::{
    Contact, ContactId, ConversationChanges, ConversationId, ConversationQuery, ConversationView,
    Stats,
};
use crate::error::{CryptoError, RepoError};
use crate::event::LiveEvent;
use crate::gateway::{Accepted, GatewayError, MediaInfo, OutboundContent, OutboundMessage};
use crate::ingest::{IngestSummary, WebhookBatch, WebhookRejection};
use crate::message::{DeliveryError, Message, MessageId, MessageStatus};
use crate::session::{
    AccessClaims, AccessToken, NewRefreshToken, RefreshToken, Rotation, SessionId, TokenDigest,
};
use crate::user::{
    DisplayName, Password, PasswordHash, Role, User, UserCredentials, UserId, Username,
};

/// A user to insert, with the password already hashed.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub username: Username,
    pub display_name: DisplayName,
    pub role: Role,
    pub password_hash: PasswordHash,
}

/// An admin's change to a user, ready to store.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub display_name: Option<DisplayName>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<PasswordHash>,
    /// Revoke every session of the user in the same transaction (deactivation, password reset).
    pub revoke_sessions: bool,
}

/// Accounts.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a new, active user.
    ///
    /// # Errors
    /// MUST return [`RepoError::Conflict`]`("username")` when a user with the same
    /// case-insensitive username exists (enforced by a unique index, not a prior look-up);
    /// [`RepoError::Unavailable`] / [`RepoError::Unexpected`] on storage failure.
    async fn create_user(&self, user: UserRecord, now: Timestamp) -> Result<User, RepoError>;

    /// The user with this id, active or not.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is none; storage failures as usual.
    async fn get_user(&self, id: UserId) -> Result<User, RepoError>;

    /// The user and password hash for a case-folded username key, or `None`.
    ///
    /// # Errors
    /// Storage failures only; an unknown user is `Ok(None)`.
    async fn find_credentials(
        &self,
        username_key: &str,
    ) -> Result<Option<UserCredentials>, RepoError>;

    /// The password hash of a user.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such user; storage failures as usual.
    async fn password_hash(&self, id: UserId) -> Result<PasswordHash, RepoError>;

    /// Every user, ordered by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_users(&self) -> Result<Vec<User>, RepoError>;

    /// How many users exist (active or not); `0` means the install needs bootstrapping.
    ///
    /// # Errors
    /// Storage failures only.
    async fn count_users(&self) -> Result<u64, RepoError>;

    /// How many active admins exist.
    ///
    /// # Errors
    /// Storage failures only.
    async fn count_active_admins(&self) -> Result<u64, RepoError>;

    /// Applies `update` and, when it asks, revokes all of the user's sessions, in one
    /// transaction; bumps `updated_at` to `now`. A change of role or activity that would leave
    /// no active admin is refused inside that transaction, which MUST be serialised with every
    /// other such change, so that two admins demoting each other at once cannot both succeed.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such user; [`RepoError::Conflict`]`("last_admin")`
    /// (nothing changed) when no active admin would remain; storage failures as usual.
    async fn update_user(
        &self,
        id: UserId,
        update: UserUpdate,
        now: Timestamp,
    ) -> Result<User, RepoError>;
}

/// Refresh tokens and their families (sessions).
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Opens a new session (family) for a user with its first refresh token.
    ///
    /// # Errors
    /// [`RepoError::Conflict`] if the digest or session id already exists (a broken random
    /// source); storage failures as usual.
    async fn start_session(&self, token: NewRefreshToken, now: Timestamp) -> Result<(), RepoError>;

    /// Atomically spends the refresh token with digest `presented` and stores its successor
    /// (digest `next`, expiring at `next_expires_at`) in the same session. If the token was already spent, MUST revoke its whole family instead and return
    /// [`Rotation::Reused`]; if it is unknown, expired at `now`, or its family is revoked, MUST
    /// change nothing and return [`Rotation::Invalid`]. Two concurrent rotations of one token
    /// MUST NOT both succeed.
    ///
    /// # Errors
    /// Storage failures only.
    async fn rotate(
        &self,
        presented: &TokenDigest,
        next: &TokenDigest,
        next_expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<Rotation, RepoError>;

    /// Revokes the family the token with this digest belongs to. Unknown digests are ignored.
    ///
    /// # Errors
    /// Storage failures only.
    async fn revoke_by_token(&self, digest: &TokenDigest, now: Timestamp) -> Result<(), RepoError>;

    /// The user behind an access token, if the user is active and the session not revoked.
    ///
    /// # Errors
    /// Storage failures only; a revoked session or inactive user is `Ok(None)`.
    async fn active_session_user(
        &self,
        user_id: UserId,
        session: &SessionId,
    ) -> Result<Option<User>, RepoError>;

    /// Deletes refresh tokens that expired before `before` (a spent token is kept until then,
    /// so its reuse is still detected) and sessions left with no token. Returns how many
    /// tokens were deleted.
    ///
    /// # Errors
    /// Storage failures only.
    async fn purge_expired(&self, before: Timestamp) -> Result<u64, RepoError>;

    /// Replaces a user's password hash and revokes all of their sessions except `keep`, in one
    /// transaction.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such user; storage failures as usual.
    async fn change_password(
        &self,
        user_id: UserId,
        hash: PasswordHash,
        keep: &SessionId,
        now: Timestamp,
    ) -> Result<(), RepoError>;
}

/// Sign-in attempts for the lock-out policy, keyed by case-folded username (known or not, so
/// the answer never tells whether an account exists). An attempt takes its place in the
/// username's budget before its password is checked and counts as a failure until a success
/// clears it, so guesses sent at the same moment cannot all be checked against the same count.
#[async_trait]
pub trait LoginAttemptRepository: Send + Sync {
    /// Counts the attempts for `username_key` after `since` and, when there are fewer than
    /// `max`, records one at `at`; both in one transaction that MUST be serialised with every
    /// other call for the same key, so that however many arrive at once, at most `max` are
    /// granted per window. Also forgets every key's attempts at or before `since`, so the
    /// table never holds more than one window of them.
    ///
    /// # Errors
    /// Storage failures only (the attempt is then not granted).
    async fn begin_attempt(
        &self,
        username_key: &str,
        at: Timestamp,
        since: Timestamp,
        max: usize,
    ) -> Result<AttemptBudget, RepoError>;

    /// Forgets all attempts for `username_key` (after a successful login).
    ///
    /// # Errors
    /// Storage failures only.
    async fn clear_failures(&self, username_key: &str) -> Result<(), RepoError>;
}

/// What [`LoginAttemptRepository::begin_attempt`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptBudget {
    /// The attempt is recorded; its password may be checked.
    Granted,
    /// The budget is spent: nothing was recorded. The times of the attempts inside the window,
    /// from which the policy tells how long the username stays locked.
    Spent { attempts: Vec<Timestamp> },
}

/// Business numbers and their members.
#[async_trait]
pub trait BusinessNumberRepository: Send + Sync {
    /// Connects a number.
    ///
    /// # Errors
    /// MUST return [`RepoError::Conflict`] naming the field (`display_phone_number` or
    /// `phone_number_id`) when another number already has it; storage failures as usual.
    async fn create_number(
        &self,
        number: NewBusinessNumber,
        now: Timestamp,
    ) -> Result<BusinessNumber, RepoError>;

    /// Applies a partial update.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such number; [`RepoError::Conflict`] as in
    /// [`BusinessNumberRepository::create_number`]; storage failures as usual.
    async fn update_number(
        &self,
        id: BusinessNumberId,
        changes: BusinessNumberChanges,
        now: Timestamp,
    ) -> Result<BusinessNumber, RepoError>;

    /// The number with this id.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is none; storage failures as usual.
    async fn get_number(&self, id: BusinessNumberId) -> Result<BusinessNumber, RepoError>;

    /// Every number, ordered by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_numbers(&self) -> Result<Vec<BusinessNumber>, RepoError>;

    /// The numbers `user` is a member of, ordered by id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_numbers_of_member(&self, user: UserId) -> Result<Vec<BusinessNumber>, RepoError>;

    /// Whether `user` is a member of `number`.
    ///
    /// # Errors
    /// Storage failures only; a missing number or user is `Ok(false)`.
    async fn is_member(&self, number: BusinessNumberId, user: UserId) -> Result<bool, RepoError>;

    /// The members of a number with their user records, ordered by user id.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_members(
        &self,
        number: BusinessNumberId,
    ) -> Result<Vec<(Membership, User)>, RepoError>;

    /// Makes `user` a member of `number`; idempotent. Returns whether it was newly added.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the number or the user does not exist; storage failures.
    async fn add_member(
        &self,
        number: BusinessNumberId,
        user: UserId,
        now: Timestamp,
    ) -> Result<bool, RepoError>;

    /// Removes a membership.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there was no such membership; storage failures as usual.
    async fn remove_member(&self, number: BusinessNumberId, user: UserId) -> Result<(), RepoError>;
}

/// Storing what the WhatsApp webhook delivers.
#[async_trait]
pub trait InboundRepository: Send + Sync {
    /// Applies a whole webhook batch in ONE durable transaction: for each message, upsert the
    /// contact by WhatsApp id (refreshing its profile name), find or create the conversation
    /// of that business number and contact (reopening it if resolved, counting it unread,
    /// moving `last_message_at` / `last_inbound_at` forward only), insert the message, and log
    /// the events; for each status, move the message forward if
    /// [`crate::message::MessageStatus::can_advance_to`] allows it (keeping Meta's timestamp
    /// for that status and the error of a failure), or keep it for later if the WhatsApp id is
    /// unknown. Items for unknown `phone_number_id`s are skipped and reported.
    ///
    /// MUST be idempotent: a message or status delivered again changes nothing, enforced by
    /// unique indexes (not look-up-then-insert), so concurrent redeliveries are safe.
    ///
    /// # Errors
    /// Storage failures only; on error nothing of the batch is stored.
    async fn ingest(
        &self,
        batch: &WebhookBatch,
        now: Timestamp,
    ) -> Result<IngestSummary, RepoError>;
}

/// Where a page of a thread ends: messages strictly older than this (`sent_at`, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageCursor {
    pub sent_at: Timestamp,
    pub id: MessageId,
}

/// An agent's message to store as `queued`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutbound {
    pub sender: UserId,
    pub content: OutboundContent,
    /// The client's key: the same key on the same conversation yields the first message.
    pub idempotency_key: Option<String>,
}

/// A queued message ready for the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchItem {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub business_number_id: BusinessNumberId,
    pub attempts: u32,
    pub outbound: OutboundMessage,
}

/// Conversations, their messages and contacts, as agents work them.
#[async_trait]
pub trait ConversationRepository: Send + Sync {
    /// A page of the inbox, newest `last_message_at` first, ties by id descending, starting
    /// after `query.after`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_conversations(
        &self,
        query: &ConversationQuery,
    ) -> Result<Vec<ConversationView>, RepoError>;

    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_conversation(&self, id: ConversationId) -> Result<ConversationView, RepoError>;

    /// Applies the changes and logs `conversation.updated`, in one transaction.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn update_conversation(
        &self,
        id: ConversationId,
        changes: &ConversationChanges,
        now: Timestamp,
    ) -> Result<ConversationView, RepoError>;

    /// Clears the unread count (logging `conversation.updated` if it was not zero) and returns
    /// the WhatsApp id of the newest inbound message, for the read receipt.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn mark_read(
        &self,
        id: ConversationId,
        now: Timestamp,
    ) -> Result<Option<String>, RepoError>;

    /// Up to `limit` messages older than `before` (or the newest), oldest first, ordered by
    /// Meta's timestamp then arrival.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_messages(
        &self,
        conversation: ConversationId,
        before: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>, RepoError>;

    /// Stores an agent's message as `queued` and logs `message.created` and
    /// `conversation.updated`, in one transaction. If a message with the same idempotency key
    /// exists on the conversation, stores nothing and returns that one with `false`.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the conversation does not exist; storage failures.
    async fn queue_message(
        &self,
        conversation: ConversationId,
        new: &NewOutbound,
        now: Timestamp,
    ) -> Result<(Message, bool), RepoError>;

    /// One message.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_message(&self, id: MessageId) -> Result<Message, RepoError>;

    /// The message sent on `conversation` with this idempotency key, if any.
    ///
    /// # Errors
    /// Storage failures only.
    async fn find_by_idempotency_key(
        &self,
        conversation: ConversationId,
        key: &str,
    ) -> Result<Option<Message>, RepoError>;

    /// Finds or creates the contact (by WhatsApp id) and its conversation on `number`, then
    /// queues the message as [`ConversationRepository::queue_message`] does, in one transaction.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the number does not exist; storage failures.
    async fn start_conversation(
        &self,
        number: BusinessNumberId,
        wa_id: &str,
        new: &NewOutbound,
        now: Timestamp,
    ) -> Result<(ConversationView, Message, bool), RepoError>;

    /// The dashboard figures of one number.
    ///
    /// # Errors
    /// Storage failures only.
    async fn stats(&self, number: BusinessNumberId) -> Result<Stats, RepoError>;
}

/// Customers.
#[async_trait]
pub trait ContactRepository: Send + Sync {
    /// Up to `limit` contacts, ordered by id, that have a conversation on one of `numbers`
    /// (`None`: any), matching `query` (case-insensitive, in the phone number, WhatsApp id,
    /// profile name or display name) when given.
    ///
    /// # Errors
    /// Storage failures only.
    async fn list_contacts(
        &self,
        numbers: Option<&[BusinessNumberId]>,
        query: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Contact>, RepoError>;

    /// A contact and the numbers it has conversations on.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_contact(
        &self,
        id: ContactId,
    ) -> Result<(Contact, Vec<BusinessNumberId>), RepoError>;

    /// Sets (or with `None` clears) the name agents gave the contact.
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn rename_contact(
        &self,
        id: ContactId,
        display_name: Option<&str>,
        now: Timestamp,
    ) -> Result<Contact, RepoError>;
}

/// The durable event log behind live updates.
#[async_trait]
pub trait EventRepository: Send + Sync {
    /// Up to `limit` events with ids above `after`, in id order, of the given numbers (`None`:
    /// all numbers), each with its conversation and (message events) its message as they are
    /// now. A page costs a fixed number of queries, whatever its length.
    ///
    /// # Errors
    /// Storage failures; [`RepoError::Unexpected`] when an event names a conversation that
    /// does not exist. A message event whose message is missing has `message: None`.
    async fn events_after(
        &self,
        after: i64,
        numbers: Option<&[BusinessNumberId]>,
        limit: u32,
    ) -> Result<Vec<LiveEvent>, RepoError>;

    /// The newest event id (0 when the log is empty): where a new subscriber starts.
    ///
    /// # Errors
    /// Storage failures only.
    async fn last_event_id(&self) -> Result<i64, RepoError>;
}

/// The dispatcher's view of queued messages.
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// Up to `limit` queued messages due at `now`: per conversation only the oldest queued one,
    /// so a conversation's messages go out in order.
    ///
    /// # Errors
    /// Storage failures only.
    async fn due_messages(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<DispatchItem>, RepoError>;

    /// Records the Cloud API's acceptance and applies any statuses that arrived for the WhatsApp
    /// id before it was known, logging `message.updated`, in one transaction.
    ///
    /// # Errors
    /// [`RepoError::Conflict`] if another message already has this WhatsApp id; storage failures.
    async fn mark_accepted(
        &self,
        id: MessageId,
        wamid: &str,
        now: Timestamp,
    ) -> Result<(), RepoError>;

    /// Fails a message with Meta's error and logs `message.updated`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn mark_failed(
        &self,
        id: MessageId,
        error: &DeliveryError,
        now: Timestamp,
    ) -> Result<(), RepoError>;

    /// Keeps a message queued for another attempt at `next_attempt_at`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn schedule_retry(
        &self,
        id: MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
    ) -> Result<(), RepoError>;

    /// Records the WhatsApp media id a queued media message's file was uploaded as, so that a
    /// later attempt sends by that id instead of uploading again. MUST be visible in the
    /// [`OutboundContent::Media`] that [`OutboxRepository::due_messages`] returns afterwards.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is no such message; storage failures.
    async fn record_media_upload(&self, id: MessageId, media_id: &str) -> Result<(), RepoError>;
}

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

/// Agents' uploaded files (their descriptions; the bytes are in the [`MediaStore`] under
/// [`crate::attachment::attachment_key`]).
#[async_trait]
pub trait AttachmentRepository: Send + Sync {
    /// Stores a new attachment's description and returns it with its id.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if the owner does not exist; storage failures.
    async fn create_attachment(
        &self,
        new: &NewAttachment,
        now: Timestamp,
    ) -> Result<Attachment, RepoError>;

    /// One attachment, whoever owns it (the use case checks the owner).
    ///
    /// # Errors
    /// [`RepoError::NotFound`]; storage failures.
    async fn get_attachment(&self, id: AttachmentId) -> Result<Attachment, RepoError>;

    /// Forgets an attachment whose bytes could not be stored.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if there is none; storage failures.
    async fn delete_attachment(&self, id: AttachmentId) -> Result<(), RepoError>;
}

/// The channel's webhook format: authenticity and decoding of what Meta (or the mock) posts.
pub trait WebhookDecoder: Send + Sync {
    /// Checks the signature over the exact raw bytes, then decodes every message and status.
    ///
    /// # Errors
    /// [`WebhookRejection`]: a missing or wrong signature (checked first, so an unsigned body
    /// is never parsed), a body that is not JSON, or JSON that is not an envelope.
    fn decode(
        &self,
        raw_body: &[u8],
        signature: Option<&str>,
    ) -> Result<WebhookBatch, WebhookRejection>;

    /// The subscription handshake: the challenge to echo when `mode` is `subscribe` and `token`
    /// is our verify token; `None` (answer 403) otherwise, including when no verify token is
    /// configured.
    fn handshake(
        &self,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> Option<String>;
}

/// The WhatsApp Cloud API (real or mock), as the dispatcher uses it.
#[async_trait]
pub trait WhatsAppGateway: Send + Sync {
    /// Sends one message.
    ///
    /// # Errors
    /// [`GatewayError::Transient`] when a later retry may succeed (rate limits, Meta's
    /// temporary codes, timeouts, network failures); [`GatewayError::Permanent`] with Meta's
    /// code otherwise. Implementations MUST classify Meta codes with
    /// [`crate::gateway::is_transient`].
    async fn send(&self, message: &OutboundMessage) -> Result<Accepted, GatewayError>;

    /// Sends the read receipt for an inbound message (the customer sees blue ticks).
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`].
    async fn mark_read(&self, phone_number_id: &str, wamid: &str) -> Result<(), GatewayError>;

    /// Looks a media object up (its download URL, type, checksum and size).
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`]; an unknown media id is permanent.
    async fn media_info(&self, media_id: &str) -> Result<MediaInfo, GatewayError>;

    /// Downloads the bytes behind a looked-up media object and checks them against its SHA-256.
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`]; a checksum mismatch is transient (a truncated or corrupted
    /// transfer is worth retrying).
    async fn download_media(&self, media: &MediaInfo) -> Result<Vec<u8>, GatewayError>;

    /// Uploads a file for the business number `phone_number_id` to send, and returns
    /// WhatsApp's media id for it; a media message then names that id.
    ///
    /// # Errors
    /// As [`WhatsAppGateway::send`]: [`GatewayError::Transient`] for rate limits, Meta's
    /// temporary codes, timeouts and network failures (the upload may be retried as a whole);
    /// [`GatewayError::Permanent`] with Meta's code otherwise, e.g. 100 for a type Meta does not
    /// take or 131053 for a file over its type's limit. Implementations MUST classify Meta codes
    /// with [`crate::gateway::is_transient`].
    async fn upload_media(
        &self,
        phone_number_id: &str,
        bytes: &[u8],
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GatewayError>;
}

/// Where media files are kept, customers' downloads and agents' uploads alike (a directory
/// under the data directory by default).
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` under `key`, durably, replacing any earlier content.
    ///
    /// # Errors
    /// [`RepoError::Unavailable`] when the storage cannot be written.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), RepoError>;

    /// The bytes stored under `key`.
    ///
    /// # Errors
    /// [`RepoError::NotFound`] if nothing is stored there; [`RepoError::Unavailable`] on I/O
    /// failure.
    async fn get(&self, key: &str) -> Result<Vec<u8>, RepoError>;
}

/// A customer's file waiting to be downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMedia {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub business_number_id: BusinessNumberId,
    pub media_id: String,
    pub attempts: u32,
}

/// The bookkeeping of media downloads.
#[async_trait]
pub trait MediaRepository: Send + Sync {
    /// Up to `limit` messages whose media is still to download and due at `now`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn pending_media(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<PendingMedia>, RepoError>;

    /// Records a stored download (key, type, size) and logs `message.updated`.
    ///
    /// # Errors
    /// Storage failures only.
    async fn media_stored(
        &self,
        message: MessageId,
        key: &str,
        mime_type: &str,
        size: u64,
        now: Timestamp,
    ) -> Result<(), RepoError>;

    /// Schedules another download attempt; `failed` gives up (logging `message.updated`). The
    /// message is kept either way.
    ///
    /// # Errors
    /// Storage failures only.
    async fn media_retry(
        &self,
        message: MessageId,
        attempts: u32,
        next_attempt_at: Timestamp,
        failed: bool,
        now: Timestamp,
    ) -> Result<(), RepoError>;
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

/// The store's health.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Whether the database answers a trivial query.
    ///
    /// # Errors
    /// [`RepoError::Unavailable`] when it does not.
    async fn ping(&self) -> Result<(), RepoError>;
}

/// Password hashing (argon2id in production). Slow on purpose: adapters run it off the
/// async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password with a fresh random salt.
    ///
    /// # Errors
    /// [`CryptoError`] if the hashing library fails (it does not for valid input).
    async fn hash(&self, password: &Password) -> Result<PasswordHash, CryptoError>;

    /// Whether `password` matches `hash`, compared in constant time. A malformed hash is a
    /// mismatch, not an error.
    async fn verify(&self, password: &str, hash: &PasswordHash) -> bool;

    /// Does the same work as [`PasswordHasher::verify`] against a dummy hash, so an unknown
    /// username takes as long to refuse as a wrong password.
    async fn verify_dummy(&self, password: &str);
}

/// Signs and verifies access tokens.
pub trait AccessTokenCodec: Send + Sync {
    /// Signs a token for `user_id` in `session` valid from `now` for the configured lifetime.
    ///
    /// # Errors
    /// [`CryptoError`] if signing fails.
    fn issue(
        &self,
        user_id: UserId,
        session: &SessionId,
        now: Timestamp,
    ) -> Result<AccessToken, CryptoError>;

    /// Verifies signature, issuer and expiry and returns the claims, or `None` for any token
    /// that is not one of ours or has expired.
    fn verify(&self, token: &str) -> Option<AccessClaims>;
}

/// Random secrets for sessions.
pub trait SessionSecrets: Send + Sync {
    /// A fresh refresh token (at least 256 bits of entropy) and its digest.
    fn new_refresh_token(&self) -> (RefreshToken, TokenDigest);

    /// The digest a presented refresh token is looked up by.
    fn digest(&self, token: &str) -> TokenDigest;

    /// A fresh, unguessable session (family) id.
    fn new_session_id(&self) -> SessionId;
}
