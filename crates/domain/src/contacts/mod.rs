//! Customers (contacts): listing, viewing and renaming them. `model`: contacts; `ports`: the
//! contact store.

pub mod model;
pub mod ports;
pub mod service;
