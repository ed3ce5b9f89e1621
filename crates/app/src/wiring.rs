//! The one place that knows every concrete adapter: builds the use cases over them.

use std::sync::Arc;

use switchboard_auth::{Argon2Hasher, HashCost, JwtCodec, JwtSecret, RandomSecrets};
use switchboard_domain::clock::{Clock, SystemClock};
use switchboard_domain::service::{AccountPorts, Accounts, BusinessNumbers, UserAdmin};
use switchboard_domain::session::{LockoutPolicy, TokenLifetimes};
use switchboard_http::AppState;
use switchboard_store::Store;

/// Builds the HTTP layer's state over the store and the credential adapters.
pub fn app_state(
    store: &Store,
    jwt_secret: &JwtSecret,
    lifetimes: TokenLifetimes,
    cost: HashCost,
) -> AppState {
    let store = Arc::new(store.clone());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let hasher = Arc::new(Argon2Hasher::new(cost));
    let accounts = Accounts::new(
        AccountPorts {
            users: store.clone(),
            sessions: store.clone(),
            attempts: store.clone(),
            hasher: hasher.clone(),
            tokens: Arc::new(JwtCodec::new(jwt_secret, lifetimes.access)),
            secrets: Arc::new(RandomSecrets),
            clock: clock.clone(),
        },
        lifetimes,
        LockoutPolicy::default(),
    );
    AppState {
        accounts,
        users: UserAdmin::new(store.clone(), hasher, clock.clone()),
        numbers: BusinessNumbers::new(store.clone(), clock),
        health: store,
    }
}
