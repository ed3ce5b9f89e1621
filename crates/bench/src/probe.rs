//! Probes: each starts the server on loopback, does to it what an outside stress or security
//! run did, and fails when the server misbehaves; CI runs them through `make`.

pub mod slow_clients;
