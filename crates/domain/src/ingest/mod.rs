//! What arrives from WhatsApp: webhook deliveries, decoded and stored exactly once. `model`:
//! the decoded batch; `ports`: the decoder and the inbound store; `service`:
//! [`service::Ingest`].

pub mod model;
pub mod ports;
pub mod service;
