//! The inbox: the list of conversations agents triage. `model`: the inbox query and its
//! cursor; `ports`: the listing; `service`: [`service::Inbox`].

pub mod model;
pub mod ports;
pub mod service;
