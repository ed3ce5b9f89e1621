//! Probes: runs that break the real server on purpose and fail, with a message naming what
//! broke, when it does not hold up. Each is a subcommand of `switchboard-bench` and a CI check.

pub mod crash;
