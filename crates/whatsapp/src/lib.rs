//! WhatsApp Cloud API adapters: wire types, webhook verification and parsing, and the mock and
//! real Cloud API clients behind the domain's gateway port.
//!
//! [`signature`] checks (and, for the mock, produces) the `X-Hub-Signature-256` header of a
//! webhook POST; [`webhook`] answers the subscription handshake, parses the POST envelope and
//! translates it into the domain's `WebhookBatch`; [`mock`] is the mock Cloud API behind the
//! domain's `WhatsAppGateway` port, which answers sends like Meta and POSTs signed status webhooks
//! back to our own webhook, and plays customers writing in for the simulator; [`cloud`] is the
//! real Cloud API client for `SWITCHBOARD_WHATSAPP_PROVIDER=cloud`. [`simulator`] is the Cloud
//! API simulator engine behind the mock, also served over HTTP on the Graph API's routes for any
//! Cloud API client to be tested against.

pub mod cloud;
pub mod mock;
pub mod signature;
pub mod simulator;
pub mod webhook;
