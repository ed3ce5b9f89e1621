//! Copying the write-ahead log back into the database file, on a thread of its own.
//!
//! By default the connection whose commit takes the WAL past 1,000 pages copies those pages
//! into the database file and syncs it before its COMMIT returns. That was the writer thread,
//! so every few thousand webhooks one batch waited for a checkpoint and the latency of the
//! fixed-rate scenario spiked. The writer's connection therefore runs with
//! `wal_autocheckpoint = 0` and this thread checkpoints instead. A PASSIVE checkpoint takes no
//! lock that the writer or the readers wait for: it copies what no reader still needs, and
//! SQLite starts the log over once all of it was copied.

use std::time::Duration;

use diesel::connection::SimpleConnection as _;
use diesel::sqlite::SqliteConnection;

/// How often the log is copied back; at the bench's write rates the WAL stays within a few
/// megabytes between checkpoints.
const INTERVAL: Duration = Duration::from_millis(500);

/// Keeps the checkpoint thread alive; it stops once every clone is dropped.
#[derive(Debug, Clone)]
pub(crate) struct Checkpointer {
    _alive: crossbeam_channel::Sender<()>,
}

impl Checkpointer {
    /// Starts checkpointing through `connection` (opened with the store's pragmas).
    pub(crate) fn start(connection: SqliteConnection) -> std::io::Result<Self> {
        let (alive, stopped) = crossbeam_channel::bounded::<()>(0);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || checkpoint_forever(connection, &stopped))?;
        Ok(Self { _alive: alive })
    }
}

fn checkpoint_forever(mut conn: SqliteConnection, stopped: &crossbeam_channel::Receiver<()>) {
    while let Err(crossbeam_channel::RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
        if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
            // The next round tries again; the log only grows meanwhile.
            tracing::warn!(%error, "WAL checkpoint failed");
        }
    }
    // A last one, so a store closed after a burst leaves a short log behind.
    let _ = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);");
}

#[cfg(test)]
mod tests {
    use diesel::Connection as _;

    use super::*;

    fn file_len(path: &std::path::Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    #[test]
    fn the_log_written_by_a_connection_that_never_checkpoints_reaches_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let url = path.to_string_lossy().into_owned();
        let mut writer = SqliteConnection::establish(&url).unwrap();
        writer
            .batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
                 CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
            )
            .unwrap();
        let before = file_len(&path);
        // About 4 MB of rows, all of it in the log so far.
        writer
            .batch_execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
                 INSERT INTO items (body) SELECT printf('%.1000c', 'x') FROM n;",
            )
            .unwrap();
        assert_eq!(file_len(&path), before, "nothing checkpointed yet");
        let checkpointer = Checkpointer::start(SqliteConnection::establish(&url).unwrap()).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while file_len(&path) < 4_000_000 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(file_len(&path) >= 4_000_000, "{} bytes", file_len(&path));
        drop(checkpointer);
    }
}
