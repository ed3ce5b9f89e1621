//! The dashboard's figures per business number. `model`: the figures; `ports`: their query;
//! `service`: [`service::Dashboard`].

pub mod model;
pub mod ports;
pub mod service;
