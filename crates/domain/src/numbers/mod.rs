//! Business numbers and their members. `model`: numbers and memberships (shared: visibility
//! is decided by membership); `ports`: the number store; `service`: [`service::BusinessNumbers`].

pub mod model;
pub mod ports;
pub mod service;
