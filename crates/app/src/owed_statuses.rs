//! Mock mode after a restart: the status webhooks the mock provider still owes, taken up again
//! from the stored statuses (see [`MockGateway::resume_statuses`]).

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt as _};
use switchboard_domain::Timestamp;
use switchboard_domain::error::RepoError;
use switchboard_domain::message::MessageId;
use switchboard_domain::simulator::ports::{AwaitingStatus, AwaitingStatusRepository};
use switchboard_simulator::mock::MockGateway;

/// Messages read from the store at a time.
const PAGE: u32 = 500;
/// Messages whose statuses are being resumed at once. Each holds only its plan while it waits
/// out its status delays, and posts in one of the mock's bounded delivery slots; with a
/// backlog of hundreds of thousands, this bound (and reading a page only when there is room
/// for it) is what keeps memory flat.
const AT_ONCE: usize = 1024;
/// Attempts at reading one page before the resumption gives up.
const READ_ATTEMPTS: u32 = 5;
const READ_RETRY_WAIT: Duration = Duration::from_secs(1);

/// Resumes the status webhooks of every message the mock accepted before `accepted_before` (the
/// start of this process) that is not yet `read` or `failed`, at most [`AT_ONCE`] at a time;
/// returns once all are posted or given up on. Messages this process accepts are left alone: the
/// mock reports them already.
pub async fn resume(
    store: Arc<dyn AwaitingStatusRepository>,
    mock: Arc<MockGateway>,
    accepted_before: Timestamp,
) {
    // The cursor: `Some(after)` while pages remain.
    let pages = stream::unfold(Some(None), move |cursor: Option<Option<MessageId>>| {
        let store = Arc::clone(&store);
        async move {
            let after = cursor?;
            let page = match read_page(store.as_ref(), accepted_before, after).await {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!(
                        %error,
                        "cannot read the messages awaiting statuses; the mock's status webhooks \
                         owed before the restart are not all resumed"
                    );
                    return None;
                }
            };
            let next = (page.len() >= PAGE as usize)
                .then(|| page.last().map(|m| m.message_id))
                .flatten()
                .map(Some);
            Some((page, next))
        }
    });
    let mut walked = 0_usize;
    pages
        .flat_map(stream::iter)
        .inspect(|_| walked += 1)
        .for_each_concurrent(AT_ONCE, |message| mock.resume_statuses(&message))
        .await;
    if walked > 0 {
        tracing::info!(
            awaiting = walked,
            "resumed the mock's status webhooks owed before the restart"
        );
    }
}

async fn read_page(
    store: &dyn AwaitingStatusRepository,
    accepted_before: Timestamp,
    after: Option<MessageId>,
) -> Result<Vec<AwaitingStatus>, RepoError> {
    let mut attempt = 1;
    loop {
        match store.awaiting_statuses(accepted_before, after, PAGE).await {
            Err(error) if attempt < READ_ATTEMPTS => {
                tracing::warn!(%error, attempt, "reading the messages awaiting statuses; retrying");
                attempt += 1;
                tokio::time::sleep(READ_RETRY_WAIT).await;
            }
            outcome => return outcome,
        }
    }
}
