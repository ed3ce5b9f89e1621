//! Signing in and sessions: login with lock-out, token refresh with reuse detection, sign-out,
//! password change. `model`: sessions and tokens; `ports`: the session and attempt stores,
//! password hashing and token signing; `service`: [`service::Accounts`].

pub mod model;
pub mod ports;
pub mod service;
