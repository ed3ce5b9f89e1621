//! WhatsApp Cloud API adapters: wire types, webhook verification and parsing, and the real Cloud
//! API client behind the domain's gateway port.
//!
//! [`signature`] checks (and, for the simulator, produces) the `X-Hub-Signature-256` header of a
//! webhook POST; [`webhook`] answers the subscription handshake, parses the POST envelope and
//! translates it into the domain's `WebhookBatch`; [`cloud`] is the real Cloud API client for
//! `SWITCHBOARD_WHATSAPP_PROVIDER=cloud`. The Cloud API simulator and the mock gateway built on
//! it live in their own crate, `switchboard-simulator`, which this one never compiles.

pub mod cloud;
pub mod signature;
pub mod webhook;
