//! The one place the contract suite gets its ports: a [`Backend`] bundles every port the store
//! implements, as trait objects over one fresh database, with the seeding every module shares.
//! Nothing outside this file names a concrete store type.

use std::any::Any;
use std::sync::Arc;

use chrono::Utc;
use switchboard_domain::accounts::ports::{LoginAttemptRepository, SessionRepository};
use switchboard_domain::contacts::ports::ContactRepository;
use switchboard_domain::conversation::ports::ConversationRepository;
use switchboard_domain::health::HealthCheck;
use switchboard_domain::inbox::ports::InboxRepository;
use switchboard_domain::ingest::model::InboundMessage;
use switchboard_domain::ingest::ports::InboundRepository;
use switchboard_domain::live::ports::EventRepository;
use switchboard_domain::media::ports::{AttachmentRepository, MediaRepository};
use switchboard_domain::numbers::model::{
    BusinessNumberId, E164, InboxName, MetaId, NewBusinessNumber,
};
use switchboard_domain::numbers::ports::BusinessNumberRepository;
use switchboard_domain::outbound::ports::{OutboundRepository, OutboxRepository};
use switchboard_domain::simulator::ports::AwaitingStatusRepository;
use switchboard_domain::stats::ports::StatsRepository;
use switchboard_domain::users::model::{DisplayName, PasswordHash, Role, UserId, Username};
use switchboard_domain::users::ports::{UserRecord, UserRepository};
use switchboard_store::{DatabaseUrl, Store};
use switchboard_test_support::TestDatabase;

/// Every port a store backend implements, all over the same fresh database.
#[allow(
    dead_code,
    reason = "some ports have no contract tests yet; they are here so that one written for them \
              needs no change to the fixture"
)]
pub struct Backend {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub login_attempts: Arc<dyn LoginAttemptRepository>,
    pub numbers: Arc<dyn BusinessNumberRepository>,
    pub contacts: Arc<dyn ContactRepository>,
    pub inbox: Arc<dyn InboxRepository>,
    pub conversations: Arc<dyn ConversationRepository>,
    pub outbound: Arc<dyn OutboundRepository>,
    pub outbox: Arc<dyn OutboxRepository>,
    pub inbound: Arc<dyn InboundRepository>,
    pub events: Arc<dyn EventRepository>,
    pub media: Arc<dyn MediaRepository>,
    pub attachments: Arc<dyn AttachmentRepository>,
    pub awaiting_statuses: Arc<dyn AwaitingStatusRepository>,
    pub stats: Arc<dyn StatsRepository>,
    pub health: Arc<dyn HealthCheck>,
    /// The database's URL, to open another instance of the store on it.
    url: DatabaseUrl,
    /// Whatever the database lives in (for SQLite, its temp directory): declared last, so it
    /// is dropped after the ports.
    _database: Box<dyn Any + Send + Sync>,
}

/// A type implementing every port, as one store backend does.
pub trait AllPorts:
    UserRepository
    + SessionRepository
    + LoginAttemptRepository
    + BusinessNumberRepository
    + ContactRepository
    + InboxRepository
    + ConversationRepository
    + OutboundRepository
    + OutboxRepository
    + InboundRepository
    + EventRepository
    + MediaRepository
    + AttachmentRepository
    + AwaitingStatusRepository
    + StatsRepository
    + HealthCheck
    + 'static
{
}

impl<T> AllPorts for T where
    T: UserRepository
        + SessionRepository
        + LoginAttemptRepository
        + BusinessNumberRepository
        + ContactRepository
        + InboxRepository
        + ConversationRepository
        + OutboundRepository
        + OutboxRepository
        + InboundRepository
        + EventRepository
        + MediaRepository
        + AttachmentRepository
        + AwaitingStatusRepository
        + StatsRepository
        + HealthCheck
        + 'static
{
}

impl Backend {
    /// The SQLite store on a new, migrated file in a temp directory of its own.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("contract.db"));
        let store = Store::open(&url).unwrap();
        store.migrate().unwrap();
        Self::over(Arc::new(store), url, dir)
    }

    /// The PostgreSQL store on a new, migrated database of its own on the test server, or
    /// `None` (the test skips itself, saying so) when no server is configured.
    pub async fn postgres() -> Option<Self> {
        let database = TestDatabase::create()?;
        let url = DatabaseUrl::parse(database.url()).unwrap();
        let store = Store::open(&url).unwrap();
        store.migrate().unwrap();
        Some(Self::over(Arc::new(store), url, database))
    }

    /// Every port on `store`; `database` is kept alive as long as they are.
    fn over<S: AllPorts>(
        store: Arc<S>,
        url: DatabaseUrl,
        database: impl Any + Send + Sync,
    ) -> Self {
        Self {
            users: store.clone(),
            sessions: store.clone(),
            login_attempts: store.clone(),
            numbers: store.clone(),
            contacts: store.clone(),
            inbox: store.clone(),
            conversations: store.clone(),
            outbound: store.clone(),
            outbox: store.clone(),
            inbound: store.clone(),
            events: store.clone(),
            media: store.clone(),
            attachments: store.clone(),
            awaiting_statuses: store.clone(),
            stats: store.clone(),
            health: store,
            url,
            _database: Box::new(database),
        }
    }

    /// Another instance of the store on the same database, as a second process would open it.
    pub fn another_instance(&self) -> Self {
        let store = Store::open(&self.url).unwrap();
        Self::over(Arc::new(store), self.url.clone(), ())
    }

    /// Another instance of the store on the same database that ticks `signal` whenever any
    /// instance commits an event (PostgreSQL's `LISTEN`; nothing on SQLite).
    pub fn another_instance_watching(
        &self,
        signal: Arc<dyn switchboard_domain::live::ports::ChangeSignal>,
    ) -> Self {
        let store = Store::open(&self.url).unwrap();
        store.watch_changes(signal).unwrap();
        Self::over(Arc::new(store), self.url.clone(), ())
    }

    /// Creates an active user named `name` (also its display name) with `role`.
    pub async fn user(&self, name: &str, role: Role) -> UserId {
        self.users
            .create_user(user_record(name, role), Utc::now())
            .await
            .unwrap()
            .id
    }

    /// Creates an inbox named "Support" for the business number `phone`, Meta's `id`.
    pub async fn number(&self, phone: &str, id: &str) -> BusinessNumberId {
        self.numbers
            .create_number(new_number(phone, id), Utc::now())
            .await
            .unwrap()
            .id
    }
}

/// A user to create: `name` as username and display name, a placeholder password hash.
pub fn user_record(name: &str, role: Role) -> UserRecord {
    UserRecord {
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        role,
        password_hash: PasswordHash("$argon2id$fake".into()),
    }
}

/// An inbox named "Support" for the business number `phone`, Meta's `id`.
pub fn new_number(phone: &str, id: &str) -> NewBusinessNumber {
    NewBusinessNumber {
        name: InboxName::parse("Support").unwrap(),
        display_phone_number: E164::parse("p", phone).unwrap(),
        phone_number_id: MetaId::parse("p", id).unwrap(),
        waba_id: None,
    }
}

/// A customer's text `wamid` from `wa_id` to the business number Meta knows as
/// `phone_number_id`, sent now.
pub fn inbound_text(phone_number_id: &str, wa_id: &str, wamid: &str, text: &str) -> InboundMessage {
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
