//! Customers (contacts): listing, viewing and renaming them. `model`: contacts; `ports`: the
//! contact store; `service`: [`service::Contacts`].

pub mod model;
pub mod ports;
pub mod service;
