//! The test harness in the style of crates.io's `TestApp`: a builder seeds users and numbers
//! and gives back typed handles; the app runs in-process ([`TestAppBuilder::build`]) or as a
//! real server on a free port ([`TestAppBuilder::spawn`]); both answer the same typed
//! helpers ([`Transport`], [`Client`]), which read replies as the API's own DTOs.
//!
//! The older free functions in `crate::common` stay for tests that build odd requests by
//! hand; [`InProcess::send`] takes such a request too.

pub mod builder;
pub mod client;
pub mod in_process;
pub mod live;
pub mod reply;
pub mod seed;
pub mod spawned;
pub mod transport;
pub mod webhook;

pub use builder::TestAppBuilder;
pub use client::{Client, template_body, text_body};
pub use in_process::InProcess;
pub use reply::Reply;
pub use seed::{NumberSpec, SALES, SUPPORT, Seeded, SeededNumber, SeededUser};
pub use spawned::Server;
pub use transport::{ApiRequest, Transport};
