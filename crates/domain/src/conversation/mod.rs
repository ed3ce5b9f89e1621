//! Working one conversation: reading it and its thread, changing status and assignee,
//! marking it read. `model`: conversations (shared by inbox, outbound, live, stats);
//! `ports`: the conversation store; `service`: [`service::Conversations`].

pub mod model;
pub mod ports;
pub mod service;
