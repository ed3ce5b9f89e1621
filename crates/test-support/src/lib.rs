//! Test doubles that more than one of Switchboard's test suites needs, kept in one place so
//! that they cannot drift apart:
//!
//! - [`WebhookReceiver`]: the desk's webhook endpoint as the WhatsApp side sees it, a loopback
//!   server that records every POST (headers, body, the status it answered), answers the
//!   statuses a test scripts, and waits for the POSTs a test expects;
//! - [`ScriptedGateway`]: the domain's `WhatsAppGateway` port answering from a script and
//!   recording sends, read receipts, media downloads and uploads;
//! - [`TestDatabase`]: a fresh database of its own on the test PostgreSQL server
//!   (`SWITCHBOARD_TEST_DATABASE_URL`), dropped with it; the test skips itself when no server
//!   is configured, except under `CI=true`.
//!
//! This crate is a dev-dependency only: no production target may depend on it.

mod lock;
mod postgres;
mod scripted_gateway;
mod webhook_receiver;

pub use postgres::{TEST_DATABASE_URL_VAR, TestDatabase};
pub use scripted_gateway::{ScriptedGateway, Upload};
pub use webhook_receiver::{PATIENCE, Post, WebhookReceiver};
