//! Black-box and in-process HTTP tests of the whole application, in one test binary to keep
//! link time down.

// Helpers outside #[test] functions panic on purpose: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod admin_app;
mod backend;
mod black_box;
mod business_numbers;
mod cli;
mod cloud_mode;
mod common;
mod conventions;
mod conversations;
mod error_bodies;
// The harness offers more helpers than today's tests call; unused ones are not dead weight.
#[allow(dead_code, unused_imports)]
mod harness;
mod mock_restart;
mod openapi;
mod outbound_media;
mod round_trip;
mod shutdown;
mod slow_clients;
mod spec_conformance;
mod two_instances;
mod users;
mod webhook;
