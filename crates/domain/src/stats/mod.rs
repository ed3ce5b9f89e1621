//! The dashboard's figures per business number. `model`: the figures; `ports`: their query.

pub mod model;
pub mod ports;
pub mod service;
