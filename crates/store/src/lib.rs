//! The Diesel store adapter: implements the domain's repository ports on SQLite (the embedded
//! default). The PostgreSQL backend will join it behind the same ports, with its own migrations
//! folder, selected by the database URL's scheme.

mod attachments;
mod awaiting_statuses;
mod business_numbers;
mod checkpointer;
mod contacts;
mod conversations;
mod database_url;
mod error;
mod events;
mod inbound;
mod inbox;
mod login_attempts;
mod media;
mod media_files;
mod outbox;
mod prepared;
mod readers;
mod rows;
mod schema;
mod sends;
mod sessions;
mod sqlite;
mod stats;
mod time;
mod users;
mod wal;
mod writer;

pub use database_url::{DatabaseUrl, DatabaseUrlError};
pub use media_files::FsMediaStore;
pub use sqlite::{OpenError, Store};
pub use wal::WalSettings;
