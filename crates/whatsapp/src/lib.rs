//! WhatsApp Cloud API adapters: wire types, webhook verification and parsing, and the mock and
//! real Cloud API clients behind the domain's gateway port.
//!
//! So far it holds the identity of the mock provider's demo number; the webhook, the gateway
//! clients and the simulator arrive with the messaging issues.

pub mod mock;
