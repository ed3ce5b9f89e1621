//! User administration (admins create, change and deactivate users). `model`: users, roles
//! and credentials (shared: every slice names users); `ports`: the user store; `service`:
//! [`service::UserAdmin`].

pub mod model;
pub mod ports;
pub mod service;
