//! The Diesel store adapter: implements the domain's repository ports on SQLite (the embedded
//! default) or PostgreSQL (for several instances), chosen by the database URL's scheme.
//!
//! The repositories (one module per port) are written once against [`conn::Conn`]; what only
//! one backend has lives in its folder: `sqlite/` (the writer thread's group commit, the
//! readers, the write-ahead log's checkpoints) and `postgres/` (the connection pool).

mod attachments;
mod awaiting_statuses;
mod business_numbers;
mod conn;
mod contacts;
mod conversations;
mod database_url;
mod error;
mod events;
mod group_commit;
mod inbound;
mod inbox;
mod locks;
mod login_attempts;
mod media;
mod media_files;
mod outbox;
mod postgres;
mod prepared;
mod rows;
mod schema;
mod sends;
mod sessions;
mod sql_types;
mod sqlite;
mod stats;
mod statuses;
mod store;
mod time;
mod users;

pub use database_url::{DatabaseUrl, DatabaseUrlError};
pub use media_files::FsMediaStore;
pub use sqlite::WalSettings;
pub use store::{OpenError, Store, StoreSettings};
