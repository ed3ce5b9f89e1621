//! WhatsApp Cloud API adapters: wire types, webhook verification and parsing, and the mock and
//! real Cloud API clients behind the domain's gateway port.
//!
//! So far it holds the inbound half of the wire layer, as pure library code: [`signature`] checks
//! (and, for the mock, produces) the `X-Hub-Signature-256` header of a webhook POST, [`webhook`]
//! answers the subscription handshake, parses the POST envelope and translates it into the
//! domain's `WebhookBatch`; plus the identity of the mock
//! provider's demo number. The gateway clients and the simulator arrive with the messaging issues.

pub mod mock;
pub mod signature;
pub mod webhook;
