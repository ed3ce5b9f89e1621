//! Live updates: the durable event log replayed to subscribers. `model`: events; `ports`:
//! the event log and the signal that it grew; `service`: [`service::Live`].

pub mod model;
pub mod ports;
pub mod service;
