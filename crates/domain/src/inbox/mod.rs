//! The inbox: the list of conversations agents triage. `model`: the inbox query and its
//! cursor; `ports`: the listing.

pub mod model;
pub mod ports;
pub mod service;
