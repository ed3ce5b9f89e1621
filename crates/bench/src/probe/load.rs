//! A load that runs until stopped: a fixed number of workers, each posting requests in a loop.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Requests posted by a fixed number of workers, each in a loop until stopped or until its
/// request fails (the server is gone).
pub struct Load {
    stop: Arc<AtomicBool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    /// `request` makes one request and answers whether it succeeded.
    pub fn start<F, Fut>(concurrency: usize, request: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        let request = Arc::new(request);
        let stop = Arc::new(AtomicBool::new(false));
        let workers = (0..concurrency)
            .map(|_| {
                let (request, stop) = (Arc::clone(&request), Arc::clone(&stop));
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        if !request().await {
                            break;
                        }
                    }
                })
            })
            .collect();
        Self { stop, workers }
    }

    /// Stops the workers and waits for their last requests.
    pub async fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for worker in self.workers {
            let _ = worker.await;
        }
    }
}
