//! How many connections the server may hold: as many as configured, but never more than its
//! file descriptors allow, so that a flood of connections is queued by the kernel rather than
//! failing `accept` (and every database or file open) with "too many open files".

/// Descriptors kept for everything but client connections: the database, its WAL and shared
/// memory for the writer, readers and checkpointer; media files; Cloud API connections; the
/// runtime's own.
const RESERVED_DESCRIPTORS: u64 = 256;

/// A connection holds a second descriptor while it serves a file (the admin app, media).
const DESCRIPTORS_PER_CONNECTION: u64 = 2;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (services are often started with a soft
/// limit of 1024 under a far higher hard one) and returns the soft limit now in force, or
/// `None` where it cannot be read.
pub fn raise_open_files_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => Some(limit),
        Err(error) => {
            tracing::warn!(%error, "cannot read or raise the open-files limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .ok()
                .map(|(soft, _)| soft)
        }
    }
}

/// The connections to allow in all: `configured`, lowered to what `open_files` descriptors
/// can serve (at least one).
pub fn budget(configured: usize, open_files: Option<u64>) -> usize {
    let Some(open_files) = open_files else {
        return configured;
    };
    let affordable = open_files.saturating_sub(RESERVED_DESCRIPTORS) / DESCRIPTORS_PER_CONNECTION;
    usize::try_from(affordable)
        .map_or(configured, |affordable| configured.min(affordable))
        .max(1)
}

/// actix counts its connection cap per worker: the share of each (at least one).
pub fn per_worker(total: usize, workers: usize) -> usize {
    (total / workers.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_the_configured_cap_when_descriptors_allow_it() {
        assert_eq!(budget(10_000, Some(1 << 20)), 10_000);
        assert_eq!(budget(10_000, None), 10_000);
    }

    #[test]
    fn the_budget_leaves_descriptors_for_the_database_and_files() {
        assert_eq!(budget(10_000, Some(1024)), (1024 - 256) / 2);
        assert_eq!(budget(10_000, Some(100)), 1);
    }

    #[test]
    fn each_worker_gets_its_share_of_the_cap() {
        assert_eq!(per_worker(384, 2), 192);
        assert_eq!(per_worker(1, 4), 1);
        assert_eq!(per_worker(10, 0), 10);
    }
}
