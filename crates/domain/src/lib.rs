//! Switchboard's domain: the entities and rules of a WhatsApp support desk, and the ports
//! (traits) through which adapters give it storage, credentials and time.
//!
//! Nothing here knows about HTTP, SQL, JSON or cryptography libraries; adapters translate
//! their errors into [`error::RepoError`] at their boundary.
//!
//! The code is cut by use case: each slice is a directory holding its own `ports` (what it
//! needs from adapters), `service` (the use case) and `model` (the types it owns). A new
//! feature (notes, labels, ...) is a new slice next to these, wired in the app; it does not
//! edit another slice. Only entities several slices share live at the top level
//! ([`message`]) or in the slice that owns them and is imported by the others
//! ([`conversation::model`], [`numbers::model`], [`users::model`]).

// Shared kernel.
pub mod authz;
pub mod clock;
pub mod error;
pub mod health;
pub mod message;
pub mod validation;

// Use-case slices.
pub mod accounts;
pub mod contacts;
pub mod conversation;
pub mod inbox;
pub mod ingest;
pub mod live;
pub mod media;
pub mod numbers;
pub mod outbound;
pub mod simulator;
pub mod stats;
pub mod users;

/// The instant type used throughout the domain (UTC, millisecond precision in storage).
pub type Timestamp = chrono::DateTime<chrono::Utc>;
