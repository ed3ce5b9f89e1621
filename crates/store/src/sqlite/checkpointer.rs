//! Copying the write-ahead log back into the database file, on a thread of its own.
//!
//! By default the connection whose commit takes the WAL past 1,000 pages copies those pages
//! into the database file and syncs it before its COMMIT returns. That was the writer thread,
//! so every few thousand webhooks one batch waited for a checkpoint and the latency of the
//! fixed-rate scenario spiked. The writer's connection therefore runs with
//! `wal_autocheckpoint = 0` and this thread checkpoints instead. A PASSIVE checkpoint takes no
//! lock that the writer or the readers wait for: it copies what no reader still needs, and
//! SQLite starts the log over once all of it was copied. Under steady writes that moment never
//! comes, so the writer restarts the log when it passes its limit, and this thread empties its
//! file once writes have paused (see [`crate::sqlite::wal`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::sqlite::SqliteConnection;

use crate::sqlite::wal::{self, Mode};

/// How often the log is copied back; at the bench's write rates the WAL stays within a few
/// megabytes between checkpoints.
const INTERVAL: Duration = Duration::from_millis(500);

/// Keeps the checkpoint thread alive; it stops once every clone, and every [`CatchUp`] taken
/// from it, is dropped.
#[derive(Debug, Clone)]
pub(crate) struct Checkpointer {
    catch_up: CatchUp,
}

/// The writer's way to have the log copied back just before it stops to restart it.
///
/// Restarting needs every frame copied back and synced, and the writer cannot commit meanwhile.
/// Left to the writer's RESTART, that included the frames the checkpoint thread had not reached
/// yet, up to half a second's worth (tens of megabytes at full ingest). So the writer asks here
/// first and keeps committing while the thread copies, and its own RESTART later copies only
/// what came in between. What the stop still spends (the database file's sync, readers of older
/// snapshots) is in docs/benchmarks.md.
#[derive(Debug, Clone)]
pub(crate) struct CatchUp {
    ask: crossbeam_channel::Sender<()>,
    done: Arc<AtomicBool>,
}

impl CatchUp {
    /// Asks for a checkpoint now (merged with one already asked for); false when the checkpoint
    /// thread has stopped and none will come.
    pub(crate) fn ask(&self) -> bool {
        !matches!(
            self.ask.try_send(()),
            Err(crossbeam_channel::TrySendError::Disconnected(()))
        )
    }

    /// True once after a checkpoint asked for has finished.
    pub(crate) fn take_done(&self) -> bool {
        self.done.swap(false, Ordering::AcqRel)
    }

    /// One no checkpoint thread answers, for writers tested alone.
    #[cfg(test)]
    pub(crate) fn unanswered() -> Self {
        let (ask, _) = crossbeam_channel::bounded(1);
        Self {
            ask,
            done: Arc::new(AtomicBool::new(false)),
        }
    }

    /// One whose requests are taken (while the receiver lives) and never answered, as from a
    /// checkpoint thread starved of CPU.
    #[cfg(test)]
    pub(crate) fn never_answered() -> (Self, crossbeam_channel::Receiver<()>) {
        let (ask, asked) = crossbeam_channel::bounded(1);
        let catch_up = Self {
            ask,
            done: Arc::new(AtomicBool::new(false)),
        };
        (catch_up, asked)
    }
}

impl Checkpointer {
    /// Starts checkpointing through `connection` (opened with the store's pragmas), emptying
    /// the log file once no write has come for `idle_after`.
    pub(crate) fn start(
        connection: SqliteConnection,
        idle_after: Duration,
    ) -> std::io::Result<Self> {
        let (ask, asked) = crossbeam_channel::bounded::<()>(1);
        let done = Arc::new(AtomicBool::new(false));
        let idle = Idle::after(idle_after);
        let answer = Arc::clone(&done);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || checkpoint_forever(connection, idle, &asked, &answer))?;
        Ok(Self {
            catch_up: CatchUp { ask, done },
        })
    }

    /// The handle through which the writer asks for a checkpoint before restarting the log.
    pub(crate) fn catch_up(&self) -> CatchUp {
        self.catch_up.clone()
    }
}

fn checkpoint_forever(
    mut conn: SqliteConnection,
    mut idle: Idle,
    asked: &crossbeam_channel::Receiver<()>,
    done: &AtomicBool,
) {
    loop {
        let for_writer = match asked.recv_timeout(INTERVAL) {
            Ok(()) => true,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => false,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
        };
        let started = std::time::Instant::now();
        let round = wal::checkpoint(&mut conn, Mode::Passive);
        if let Ok(copied) = &round {
            tracing::trace!(
                for_writer,
                log = copied.log,
                checkpointed = copied.checkpointed,
                took_us = wal::micros(started.elapsed()),
                "WAL copied back"
            );
        }
        match round {
            // The writer asks only while it writes, and asked rounds come at no fixed interval,
            // so they cannot count towards a quiet spell.
            Ok(_) if for_writer => idle.writes_came(),
            Ok(round) => {
                if idle.observe(round) {
                    wal::start_over(&mut conn, Mode::Truncate, "writes paused");
                }
            }
            // The next round tries again; the log only grows meanwhile.
            Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
        }
        if for_writer {
            // Even after a failed round: the writer's RESTART then copies the rest itself.
            done.store(true, Ordering::Release);
        }
    }
}

/// Tells from successive PASSIVE rounds when writes have paused with a log left to truncate.
#[derive(Debug)]
struct Idle {
    /// Rounds in a row with no new frame in the log after which writes count as paused.
    rounds: u32,
    last_log: i32,
    quiet_rounds: u32,
}

impl Idle {
    /// Counts as paused once no frame came for `quiet` (at least one round).
    fn after(quiet: Duration) -> Self {
        let rounds = quiet.as_millis().div_ceil(INTERVAL.as_millis()).max(1);
        Self {
            rounds: u32::try_from(rounds).unwrap_or(u32::MAX),
            last_log: 0,
            quiet_rounds: 0,
        }
    }

    /// Starts the quiet spell over.
    fn writes_came(&mut self) {
        self.last_log = 0;
        self.quiet_rounds = 0;
    }

    /// Takes one round's outcome; true once, when the log is wholly copied and has not grown
    /// for the quiet spell's rounds.
    fn observe(&mut self, round: wal::Checkpoint) -> bool {
        let quiet = round.log > 0 && round.log == self.last_log;
        self.last_log = round.log;
        self.quiet_rounds = if quiet { self.quiet_rounds + 1 } else { 0 };
        if self.quiet_rounds >= self.rounds && round.checkpointed == round.log {
            // A truncated log reports 0 frames next round, so this fires once per pause.
            self.quiet_rounds = 0;
            self.last_log = 0;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use diesel::Connection as _;
    use diesel::connection::SimpleConnection as _;

    use super::*;

    fn round(log: i32, checkpointed: i32) -> wal::Checkpoint {
        wal::Checkpoint {
            busy: 0,
            log,
            checkpointed,
        }
    }

    #[test]
    fn writes_count_as_paused_only_after_the_whole_quiet_spell_and_once_per_pause() {
        // Ten seconds are twenty half-second rounds.
        let mut idle = Idle::after(Duration::from_secs(10));
        assert!(!idle.observe(round(40, 10)), "new frames: not quiet");
        for quiet in 1..20 {
            assert!(!idle.observe(round(40, 40)), "only {quiet} quiet rounds");
        }
        assert!(idle.observe(round(40, 40)), "the twentieth quiet round");
        // The truncated log reports no frames until writes come again.
        assert!(!idle.observe(round(0, 0)));
        assert!(!idle.observe(round(0, 0)));
    }

    #[test]
    fn a_round_the_writer_asked_for_starts_the_quiet_spell_over() {
        let mut idle = Idle::after(Duration::from_secs(1));
        assert!(!idle.observe(round(40, 40)));
        assert!(!idle.observe(round(40, 40)), "one quiet round of two");
        idle.writes_came();
        assert!(!idle.observe(round(40, 40)), "the spell started over");
        assert!(!idle.observe(round(40, 40)));
        assert!(idle.observe(round(40, 40)));
    }

    #[test]
    fn a_log_not_yet_wholly_copied_is_not_truncated_however_quiet() {
        let mut idle = Idle::after(Duration::from_millis(500));
        assert!(!idle.observe(round(40, 10)));
        assert!(
            !idle.observe(round(40, 30)),
            "a long read holds back the copy"
        );
        assert!(idle.observe(round(40, 40)));
    }

    #[test]
    fn a_catch_up_asked_for_is_answered_once_by_a_checkpoint_round() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("c.db").to_string_lossy().into_owned();
        SqliteConnection::establish(&url)
            .unwrap()
            .batch_execute("PRAGMA journal_mode = WAL;")
            .unwrap();
        let checkpointer = Checkpointer::start(
            SqliteConnection::establish(&url).unwrap(),
            Duration::from_secs(60),
        )
        .unwrap();
        let catch_up = checkpointer.catch_up();
        assert!(!catch_up.take_done(), "nothing asked yet");
        assert!(catch_up.ask(), "the checkpoint thread is running");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut done = false;
        while !done && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
            done = catch_up.take_done();
        }
        assert!(done, "only a round asked for sets the answer");
        assert!(!catch_up.take_done(), "one answer per request");
    }

    #[test]
    fn with_no_checkpoint_thread_the_writer_is_told_to_restart_the_log_itself() {
        assert!(!CatchUp::unanswered().ask());
    }

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
        let checkpointer = Checkpointer::start(
            SqliteConnection::establish(&url).unwrap(),
            Duration::from_secs(60),
        )
        .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while file_len(&path) < 4_000_000 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(file_len(&path) >= 4_000_000, "{} bytes", file_len(&path));
        drop(checkpointer);
    }
}
