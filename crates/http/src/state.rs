//! What every handler can reach.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use switchboard_domain::accounts::service::Accounts;
use switchboard_domain::contacts::service::Contacts;
use switchboard_domain::conversation::service::Conversations;
use switchboard_domain::health::HealthCheck;
use switchboard_domain::inbox::service::Inbox;
use switchboard_domain::ingest::ports::WebhookDecoder;
use switchboard_domain::ingest::service::Ingest;
use switchboard_domain::live::service::Live;
use switchboard_domain::media::service::MediaAccess;
use switchboard_domain::numbers::service::BusinessNumbers;
use switchboard_domain::outbound::service::Outbound;
use switchboard_domain::simulator::ports::CustomerSimulator;
use switchboard_domain::stats::service::Dashboard;
use switchboard_domain::users::service::UserAdmin;

use utoipa::ToSchema;

use crate::client_address::TrustedProxies;
use crate::login_throttle::LoginThrottle;

/// Which WhatsApp provider the server talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WhatsAppProvider {
    /// The built-in simulator of the Cloud API.
    Mock,
    /// Meta's WhatsApp Cloud API.
    Cloud,
}

/// The use cases the HTTP layer drives, shared by every worker.
#[derive(Clone)]
pub struct AppState {
    pub accounts: Accounts,
    pub users: UserAdmin,
    pub numbers: BusinessNumbers,
    pub inbox: Inbox,
    pub conversations: Conversations,
    pub outbound: Outbound,
    pub media: MediaAccess,
    pub contacts: Contacts,
    pub ingest: Ingest,
    pub live: Live,
    pub stats: Dashboard,
    pub webhook: Arc<dyn WebhookDecoder>,
    /// Present only with the mock WhatsApp provider.
    pub simulator: Option<Arc<dyn CustomerSimulator>>,
    pub health: Arc<dyn HealthCheck>,
    /// As `GET /about` reports it.
    pub whatsapp_provider: WhatsAppProvider,
    /// The built admin app served at `/`; `None` serves the API alone.
    pub admin_dir: Option<PathBuf>,
    /// Sign-in attempts per client address.
    pub login_throttle: Arc<LoginThrottle>,
    /// Whose forwarding headers name the client, for every limit kept per client address.
    pub trusted_proxies: TrustedProxies,
    /// Ticks whenever the event log grows; live streams wait on it.
    pub changes: tokio::sync::watch::Receiver<u64>,
    /// Turns true when this instance begins to shut down: live streams end at once, so their
    /// clients reconnect (to another instance) instead of waiting out the drain.
    pub closing: tokio::sync::watch::Receiver<bool>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}
