//! Probes: runs that do to the real server on loopback what an outside stress or security run
//! did, and fail, with a message naming what broke, when it does not hold up. Each is a
//! subcommand of `switchboard-bench` and a CI check run through `make`.

pub mod crash;
mod load;
pub mod slow_clients;
pub mod wal;
