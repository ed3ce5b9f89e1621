//! The one place that knows every concrete adapter: builds the use cases over them.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;

use switchboard_auth::{Argon2Hasher, HashCost, JwtCodec, JwtSecret, RandomSecrets};
use switchboard_domain::accounts::model::{LockoutPolicy, TokenLifetimes};
use switchboard_domain::accounts::service::{AccountPorts, Accounts};
use switchboard_domain::authz::visibility::Visibility;
use switchboard_domain::clock::{Clock, SystemClock};
use switchboard_domain::contacts::service::Contacts;
use switchboard_domain::conversation::service::{ConversationPorts, Conversations};
use switchboard_domain::inbox::service::Inbox;
use switchboard_domain::ingest::service::Ingest;
use switchboard_domain::live::service::Live;
use switchboard_domain::media::fetcher::MediaFetcher;
use switchboard_domain::media::ports::MediaStore;
use switchboard_domain::media::service::MediaAccess;
use switchboard_domain::numbers::service::BusinessNumbers;
use switchboard_domain::outbound::dispatcher::{Dispatcher, RetryPolicy};
use switchboard_domain::outbound::ports::WhatsAppGateway;
use switchboard_domain::outbound::service::{Outbound, OutboundPorts};
use switchboard_domain::simulator::ports::CustomerSimulator;
use switchboard_domain::stats::service::Dashboard;
use switchboard_domain::users::service::UserAdmin;
use switchboard_http::{AppState, LoginThrottle, TrustedProxies, WhatsAppProvider};
use switchboard_store::Store;
use switchboard_whatsapp::webhook::CloudWebhook;

use crate::dispatch::{NotifySignal, WatchSignal};

/// Secrets and tunables the adapters are built with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub jwt_secret: JwtSecret,
    pub lifetimes: TokenLifetimes,
    pub hash_cost: HashCost,
    pub whatsapp_app_secret: Vec<u8>,
    pub whatsapp_verify_token: Option<String>,
    pub retry: RetryPolicy,
    /// The built admin app to serve at `/`, if any.
    pub admin_dir: Option<PathBuf>,
    /// Sign-in attempts per client address and minute, whatever the usernames.
    pub login_attempts_per_address: NonZeroU32,
    /// The reverse proxies whose forwarding headers name the client.
    pub trusted_proxies: TrustedProxies,
}

/// Everything the server runs: the HTTP state and the dispatcher with its wake-up signal.
#[derive(Debug, Clone)]
pub struct Wired {
    pub state: AppState,
    /// What wakes the live streams: the store is told to tick it when another instance
    /// commits events.
    pub changes: Arc<WatchSignal>,
    pub dispatcher: Dispatcher,
    pub signal: Arc<NotifySignal>,
    pub media: MediaFetcher,
    /// Set to begin a shutdown: the live streams of `state` end.
    pub closing: tokio::sync::watch::Sender<bool>,
}

/// Builds the use cases over the store, the credential adapters and the WhatsApp gateway (and
/// the customer simulator, which only the mock provider offers).
pub fn wire(
    store: &Store,
    media_store: Arc<dyn MediaStore>,
    settings: &Settings,
    gateway: Arc<dyn WhatsAppGateway>,
    simulator: Option<Arc<dyn CustomerSimulator>>,
) -> Wired {
    let store = Arc::new(store.clone());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let hasher = Arc::new(Argon2Hasher::new(settings.hash_cost));
    let signal = Arc::new(NotifySignal::default());
    let (changes, changes_rx) = WatchSignal::new();
    let changes = Arc::new(changes);
    let (closing, closing_rx) = tokio::sync::watch::channel(false);
    let accounts = Accounts::new(
        AccountPorts {
            users: store.clone(),
            sessions: store.clone(),
            attempts: store.clone(),
            hasher: hasher.clone(),
            tokens: Arc::new(JwtCodec::new(
                &settings.jwt_secret,
                settings.lifetimes.access,
            )),
            secrets: Arc::new(RandomSecrets),
            clock: clock.clone(),
        },
        settings.lifetimes,
        LockoutPolicy::default(),
    );
    let visibility = Visibility::new(store.clone(), store.clone());
    let state = AppState {
        accounts,
        users: UserAdmin::new(store.clone(), hasher, clock.clone()),
        numbers: BusinessNumbers::new(store.clone(), clock.clone()),
        inbox: Inbox::new(store.clone(), visibility.clone()),
        conversations: Conversations::new(
            ConversationPorts {
                conversations: store.clone(),
                numbers: store.clone(),
                gateway: gateway.clone(),
                changes: changes.clone(),
                clock: clock.clone(),
            },
            visibility.clone(),
        ),
        outbound: Outbound::new(
            OutboundPorts {
                sends: store.clone(),
                attachments: store.clone(),
                media: media_store.clone(),
                outbox: signal.clone(),
                changes: changes.clone(),
                clock: clock.clone(),
            },
            visibility.clone(),
        ),
        media: MediaAccess::new(store.clone(), media_store.clone(), visibility.clone()),
        contacts: Contacts::new(store.clone(), visibility.clone(), clock.clone()),
        ingest: Ingest::new(store.clone(), changes.clone(), clock.clone()),
        live: Live::new(store.clone(), visibility.clone()),
        stats: Dashboard::new(store.clone(), visibility),
        webhook: Arc::new(CloudWebhook::new(
            settings.whatsapp_app_secret.clone(),
            settings.whatsapp_verify_token.clone(),
        )),
        // The customer simulator exists exactly when the provider is the mock.
        whatsapp_provider: if simulator.is_some() {
            WhatsAppProvider::Mock
        } else {
            WhatsAppProvider::Cloud
        },
        simulator,
        admin_dir: settings.admin_dir.clone(),
        login_throttle: Arc::new(LoginThrottle::new(settings.login_attempts_per_address)),
        trusted_proxies: settings.trusted_proxies.clone(),
        health: store.clone(),
        changes: changes_rx,
        closing: closing_rx,
    };
    Wired {
        state,
        dispatcher: Dispatcher::new(
            store.clone(),
            gateway.clone(),
            media_store.clone(),
            changes.clone(),
            clock.clone(),
            settings.retry,
        ),
        signal,
        media: MediaFetcher::new(
            store,
            gateway,
            media_store,
            changes.clone(),
            clock,
            settings.retry,
        ),
        changes,
        closing,
    }
}
