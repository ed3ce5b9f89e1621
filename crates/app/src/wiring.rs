//! The one place that knows every concrete adapter: builds the use cases over them.

use std::sync::Arc;

use switchboard_auth::{Argon2Hasher, HashCost, JwtCodec, JwtSecret, RandomSecrets};
use switchboard_domain::clock::{Clock, SystemClock};
use switchboard_domain::service::{
    AccountPorts, Accounts, BusinessNumbers, Messaging, MessagingPorts, UserAdmin,
};
use switchboard_domain::session::{LockoutPolicy, TokenLifetimes};
use switchboard_http::AppState;
use switchboard_store::Store;
use switchboard_whatsapp::webhook::CloudWebhook;

/// Secrets and tunables the adapters are built with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub jwt_secret: JwtSecret,
    pub lifetimes: TokenLifetimes,
    pub hash_cost: HashCost,
    pub whatsapp_app_secret: Vec<u8>,
    pub whatsapp_verify_token: Option<String>,
}

/// Builds the HTTP layer's state over the store and the other adapters.
pub fn app_state(store: &Store, settings: &Settings) -> AppState {
    let store = Arc::new(store.clone());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let hasher = Arc::new(Argon2Hasher::new(settings.hash_cost));
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
    AppState {
        accounts,
        users: UserAdmin::new(store.clone(), hasher, clock.clone()),
        numbers: BusinessNumbers::new(store.clone(), clock.clone()),
        messaging: Messaging::new(MessagingPorts {
            inbound: store.clone(),
            clock,
        }),
        webhook: Arc::new(CloudWebhook::new(
            settings.whatsapp_app_secret.clone(),
            settings.whatsapp_verify_token.clone(),
        )),
        health: store,
    }
}
