//! Watching the server's SQLite write-ahead log from outside, sampled while a run goes on: its
//! largest size, how often the file was cut, and whether it was emptied once at its limit.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the log file's size is read; short, so a peak between two truncations is seen.
const EVERY: Duration = Duration::from_millis(5);

/// What the samples showed.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalFigures {
    /// The largest size seen, in bytes.
    pub high_water: u64,
    /// Times the file was seen shrinking: cut back to the limit when a restarted log's first
    /// commit is written, or emptied once writes pause.
    pub shrinks: u64,
    /// The smallest size seen after the file first reached the limit; below the limit only
    /// when the file was emptied while the run went on.
    pub low_after_limit: Option<u64>,
    /// Its size at the last sample.
    pub last: u64,
}

/// A sampler running on its own task until [`WalWatch::stop`].
#[derive(Debug)]
pub struct WalWatch {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<WalFigures>,
}

impl WalWatch {
    /// Starts sampling the log of the database in `data_dir` (`switchboard.db-wal`), whose
    /// server restarts it at `limit` bytes.
    pub fn start(data_dir: &std::path::Path, limit: u64) -> Self {
        let path: PathBuf = data_dir.join("switchboard.db-wal");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut figures = WalFigures::default();
            while !stopped.load(Ordering::Relaxed) {
                let len = std::fs::metadata(&path).map_or(0, |m| m.len());
                if len < figures.last {
                    figures.shrinks += 1;
                }
                figures.high_water = figures.high_water.max(len);
                if figures.high_water >= limit {
                    figures.low_after_limit =
                        Some(figures.low_after_limit.map_or(len, |low| low.min(len)));
                }
                figures.last = len;
                tokio::time::sleep(EVERY).await;
            }
            figures
        });
        Self { stop, task }
    }

    /// The figures so far, and the sampler stopped.
    pub async fn stop(self) -> WalFigures {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or_default()
    }
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}
