//! Keeping SQLite's write-ahead log short.
//!
//! Commits append to the log; a checkpoint copies logged pages back into the database file,
//! and only once every logged page was copied, with no reader still needing the log, can the
//! next commit start writing it from the beginning again. Under a steady stream of group
//! commits a PASSIVE checkpoint never finds that moment: new frames arrive while it copies, so
//! the log (and the `-wal` file) grew without bound, to gigabytes in minutes. Three rules keep
//! it bounded, none of them on a commit's path in the common case:
//!
//! - the checkpoint thread copies the log back every half second (PASSIVE: it takes no lock
//!   the writer or readers wait for), so the log's unchecked tail stays short;
//! - when the `-wal` file passes [`WalSettings::limit_bytes`], the writer asks the checkpoint
//!   thread to copy the log back at once and goes on committing; once that copy is done (or
//!   the file is [`WalSettings::most_bytes`] long) it runs, between two batches, a RESTART
//!   checkpoint: it copies only the frames committed meanwhile and waits for readers of older
//!   snapshots (reads are short), so the next commit writes the log from its start again, and
//!   `journal_size_limit` cuts the file back to the limit;
//! - once no write has come for [`WalSettings::idle_after`], the checkpoint thread empties the
//!   file (TRUNCATE), and the store does so again when it opens and when it closes.
//!
//! Under load the file is restarted in place (cut back to the limit, never emptied), and the
//! idle truncation waits long enough that a steady stream of webhooks never triggers it; what
//! the restarts cost a commit is measured in docs/benchmarks.md.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::RunQueryDsl as _;
use diesel::sql_types::Integer;
use diesel::sqlite::SqliteConnection;

/// How large the log may grow before the writer restarts it, and how long writes must pause
/// before its file is emptied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalSettings {
    /// The `-wal` file's size, in bytes, past which the writer restarts the log (and the size
    /// SQLite's own `journal_size_limit` cuts a restarted log's file back to).
    pub limit_bytes: u64,
    /// How long no write may come before the checkpoint thread empties the log file.
    pub idle_after: Duration,
}

impl WalSettings {
    /// 64 MiB: a few seconds of ingest at full speed, so the limit is rarely reached while
    /// the PASSIVE checkpoints keep up, and a few pages of database cache when it is.
    pub const DEFAULT_LIMIT_BYTES: u64 = 64 * 1024 * 1024;
    /// Ten seconds: longer than the gaps in a steady stream of webhooks, whose commits would
    /// otherwise start on an emptied file, and short enough that an idle server's log is
    /// soon gone.
    pub const DEFAULT_IDLE_AFTER: Duration = Duration::from_secs(10);
}

impl WalSettings {
    /// The file's size past which the writer restarts the log without waiting any longer for
    /// the checkpoint thread's copy: a quarter over the limit. A thread starved of CPU would
    /// otherwise let the log grow on unchecked while commits go on.
    pub const fn most_bytes(&self) -> u64 {
        self.limit_bytes + self.limit_bytes / 4
    }
}

impl Default for WalSettings {
    fn default() -> Self {
        Self {
            limit_bytes: Self::DEFAULT_LIMIT_BYTES,
            idle_after: Self::DEFAULT_IDLE_AFTER,
        }
    }
}

/// The log file beside the database at `database`.
pub(crate) fn wal_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// The log file's size in bytes; 0 when there is none.
pub(crate) fn wal_len(wal: &Path) -> u64 {
    std::fs::metadata(wal).map_or(0, |m| m.len())
}

/// Which checkpoint to run (SQLite's modes of `PRAGMA wal_checkpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Copies what it can without waiting for anyone.
    Passive,
    /// Waits for readers of older snapshots, copies everything, and leaves the log to start
    /// over from the beginning of its file at the next commit.
    Restart,
    /// Waits for the writer lock and for readers of older snapshots, copies everything and
    /// empties the log file.
    Truncate,
}

/// What a checkpoint reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::QueryableByName)]
pub(crate) struct Checkpoint {
    /// 1 when a RESTART or TRUNCATE could not get its locks in time (the log goes on).
    #[diesel(sql_type = Integer)]
    pub busy: i32,
    /// Frames in the log.
    #[diesel(sql_type = Integer)]
    pub log: i32,
    /// Frames of the log already copied into the database file.
    #[diesel(sql_type = Integer)]
    pub checkpointed: i32,
}

/// Runs one checkpoint on `conn`.
pub(crate) fn checkpoint(
    conn: &mut SqliteConnection,
    mode: Mode,
) -> Result<Checkpoint, diesel::result::Error> {
    let sql = match mode {
        Mode::Passive => "PRAGMA wal_checkpoint(PASSIVE)",
        Mode::Restart => "PRAGMA wal_checkpoint(RESTART)",
        Mode::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    let mut rows: Vec<Checkpoint> = diesel::sql_query(sql).load(conn)?;
    rows.pop().ok_or(diesel::result::Error::NotFound)
}

/// `d` in whole microseconds, for logs.
pub(crate) fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// Restarts (`Mode::Restart`) or empties (`Mode::Truncate`) the log from the thread that owns
/// `conn`, logging (not failing on) what went wrong: a log left long is only space, and the
/// next round tries again.
pub(crate) fn start_over(conn: &mut SqliteConnection, mode: Mode, why: &str) {
    let started = std::time::Instant::now();
    match checkpoint(conn, mode) {
        Ok(outcome) if outcome.busy == 0 => {
            let took_us = micros(started.elapsed());
            tracing::debug!(
                why,
                ?mode,
                frames = outcome.log,
                took_us,
                "WAL started over"
            );
        }
        // Expected now and then: the checkpoint thread's round holds the checkpoint lock, or a
        // reader an old snapshot; the writer tries again after its next batch.
        Ok(_) => tracing::debug!(
            why,
            ?mode,
            "WAL checkpoint could not run now (another checkpoint or a long read); retried later"
        ),
        Err(error) => tracing::warn!(why, ?mode, %error, "WAL checkpoint failed"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use diesel::connection::SimpleConnection as _;

    use super::*;
    use crate::conn::on_backend;
    use crate::{DatabaseUrl, Store, StoreSettings};

    const LIMIT: u64 = 1024 * 1024;
    const SETTINGS: WalSettings = WalSettings {
        limit_bytes: LIMIT,
        idle_after: Duration::from_secs(1),
    };

    async fn store(dir: &tempfile::TempDir) -> Store {
        let url = DatabaseUrl::Sqlite(dir.path().join("wal.db"));
        let store = Store::open_with(
            &url,
            StoreSettings {
                wal: SETTINGS,
                ..StoreSettings::default()
            },
        )
        .unwrap();
        store
            .write(|conn| {
                on_backend!(conn, |conn| {
                    conn.batch_execute("CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT)")?;
                    Ok(())
                })
            })
            .await
            .unwrap();
        store
    }

    /// One write of about 64 KiB, so a megabyte of log takes sixteen of them.
    async fn write_rows(store: &Store) {
        store
            .write(|conn| {
                on_backend!(conn, |conn| {
                    conn.batch_execute(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64)
                     INSERT INTO items (body) SELECT printf('%.1000c', 'x') FROM n;",
                )?;
                    Ok(())
                })
            })
            .await
            .unwrap();
    }

    async fn eventually_empty(wal: &Path) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while wal_len(wal) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        wal_len(wal) == 0
    }

    #[tokio::test]
    async fn under_steady_writes_the_log_never_grows_much_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let wal = wal_path(&dir.path().join("wal.db"));
        let (mut high_water, mut low_water_after_limit) = (0, None::<u64>);
        // 16 MiB written without a pause, sixteen times the limit.
        for _ in 0..256 {
            write_rows(&store).await;
            let len = wal_len(&wal);
            high_water = high_water.max(len);
            if high_water >= LIMIT {
                low_water_after_limit = Some(low_water_after_limit.map_or(len, |low| low.min(len)));
            }
        }
        // The writer goes on committing while the checkpoint thread catches up, then restarts
        // the log (at the latest a quarter over, `writer::tests`). A restart cannot run while
        // that thread's round does, so on cores busy with other tests the log overshoots by
        // what comes in during one slow round: up to 5.4 MiB seen with both cores saturated,
        // 1.3 MiB on idle ones, against the 16 MiB these writes make of an unbounded log.
        assert!(
            high_water <= 8 * LIMIT,
            "the log reached {high_water} bytes with a limit of {LIMIT}"
        );
        // Restarted in place: later commits overwrite the file's blocks.
        assert_eq!(
            low_water_after_limit,
            Some(LIMIT),
            "once at its limit the log file is cut back to it, never emptied under load"
        );
    }

    #[tokio::test]
    async fn once_writes_pause_the_log_is_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        for _ in 0..4 {
            write_rows(&store).await;
        }
        let wal = wal_path(&dir.path().join("wal.db"));
        assert!(wal_len(&wal) > 0, "the writes are in the log");
        assert!(eventually_empty(&wal).await, "{} bytes left", wal_len(&wal));
    }

    #[tokio::test]
    async fn closing_the_store_empties_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        for _ in 0..4 {
            write_rows(&store).await;
        }
        let wal = wal_path(&dir.path().join("wal.db"));
        assert!(wal_len(&wal) > 0, "the writes are in the log");
        store.close().await;
        assert_eq!(wal_len(&wal), 0);
    }

    #[tokio::test]
    async fn opening_the_store_copies_back_and_empties_a_log_left_by_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crashed.db");
        // A connection that never checkpoints and is never closed, as a killed process leaves it.
        let mut crashed =
            <SqliteConnection as diesel::Connection>::establish(&path.to_string_lossy()).unwrap();
        crashed
            .batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
                 CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 512)
                 INSERT INTO items (body) SELECT printf('%.1000c', 'x') FROM n;",
            )
            .unwrap();
        std::mem::forget(crashed);
        let wal = wal_path(&path);
        assert!(wal_len(&wal) > 0);

        let store = Store::open_with(
            &DatabaseUrl::Sqlite(path),
            StoreSettings {
                wal: SETTINGS,
                ..StoreSettings::default()
            },
        )
        .unwrap();
        assert_eq!(wal_len(&wal), 0, "the left-over log is emptied");
        let rows = store
            .run(|conn| {
                on_backend!(conn, |conn| {
                    #[derive(diesel::QueryableByName)]
                    struct Count {
                        #[diesel(sql_type = diesel::sql_types::BigInt)]
                        n: i64,
                    }
                    let rows: Vec<Count> =
                        diesel::sql_query("SELECT count(*) AS n FROM items").load(conn)?;
                    Ok(rows[0].n)
                })
            })
            .await
            .unwrap();
        assert_eq!(rows, 512, "nothing the left-over log held is lost");
    }
}
