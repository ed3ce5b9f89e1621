//! Read-only checks on the server's SQLite database: what the API answered must be what was
//! committed.

use std::path::Path;

use anyhow::Context as _;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection as _, QueryableByName, RunQueryDsl as _, SqliteConnection};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// An accepted outbound message, as a status webhook names it.
#[derive(Debug, QueryableByName)]
pub struct Accepted {
    #[diesel(sql_type = Text)]
    pub wamid: String,
    #[diesel(sql_type = Text)]
    pub wa_id: String,
    #[diesel(sql_type = BigInt)]
    pub business_number_id: i64,
}

pub fn open(data_dir: &Path) -> anyhow::Result<SqliteConnection> {
    let path = data_dir.join("switchboard.db");
    let mut connection = SqliteConnection::establish(&path.to_string_lossy())
        .with_context(|| format!("cannot open {}", path.display()))?;
    diesel::sql_query("PRAGMA busy_timeout = 5000").execute(&mut connection)?;
    Ok(connection)
}

/// Every outbound message to a silent customer (WhatsApp id ending in 0003) that the provider
/// accepted and nothing has reported on since.
pub fn accepted_outbound(data_dir: &Path) -> anyhow::Result<Vec<Accepted>> {
    Ok(diesel::sql_query(
        "SELECT m.wamid AS wamid, c.wa_id AS wa_id, v.business_number_id AS business_number_id \
         FROM messages m JOIN conversations v ON v.id = m.conversation_id \
         JOIN contacts c ON c.id = v.contact_id \
         WHERE m.direction = 'outbound' AND m.status = 'accepted' AND c.wa_id LIKE '%0003' \
         ORDER BY m.id",
    )
    .load(&mut open(data_dir)?)?)
}

/// The single number `sql` (a `SELECT count(*) AS n ...`) yields.
pub fn count(data_dir: &Path, sql: &str) -> anyhow::Result<i64> {
    let rows: Vec<Count> = diesel::sql_query(sql).load(&mut open(data_dir)?)?;
    rows.first().map(|c| c.n).context("no count")
}
