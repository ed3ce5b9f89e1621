//! The Switchboard application: configuration, wiring of adapters into the domain's use
//! cases, first-run bootstrap, and the HTTP server. `main.rs` adds the command line.

pub mod bootstrap;
pub mod config;
pub mod connections;
pub mod dispatch;
pub mod housekeeping;
pub mod owed_statuses;
pub mod server;
pub mod shutdown;
pub mod wiring;

pub use config::Config;
pub use server::Application;
