//! Switchboard's domain: the entities and rules of a WhatsApp support desk, and the ports
//! (traits) through which adapters give it storage, credentials and time.
//!
//! Nothing here knows about HTTP, SQL, JSON or cryptography libraries; adapters translate
//! their errors into [`error::RepoError`] at their boundary, and the use-case services in
//! [`service`] return one error enum per use case.

pub mod attachment;
pub mod authz;
pub mod business_number;
pub mod clock;
pub mod conversation;
pub mod error;
pub mod event;
pub mod gateway;
pub mod ingest;
pub mod media;
pub mod message;
pub mod ports;
pub mod service;
pub mod session;
pub mod user;
pub mod validation;

/// The instant type used throughout the domain (UTC, millisecond precision in storage).
pub type Timestamp = chrono::DateTime<chrono::Utc>;
