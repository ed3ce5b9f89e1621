//! The status webhooks an accepted message is owed, and resuming them after a restart.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::delivery::Callback;
use crate::request::Kind;
use crate::scenario::{self, Report, TestNumber};
use crate::wire::{self, Category, Metadata, Tracked};

use super::{Resumed, SimulatorEngine, inside_window};

impl SimulatorEngine {
    /// Takes up the status webhooks still owed for a message this engine's predecessor accepted
    /// (before a restart lost its plans): those of the module docs' tables that come after
    /// `message.reached`, each after its status delay counted from the previous one (the first
    /// from now), with the recipient's rules and the 24-hour window as a send would apply them.
    /// The returned future posts them, retrying as [webhook delivery](super#webhook-delivery)
    /// says; it borrows nothing, so a caller can bound how many it runs at once.
    ///
    /// Only ids the simulator issues are resumed: statuses of a message another provider (the
    /// real Cloud API) accepted are that provider's to report, and the future does nothing.
    pub fn resume(&self, message: Resumed) -> impl Future<Output = ()> + Send + use<> {
        let owed = self.owed(&message);
        let callback = Arc::clone(&self.callback);
        async move {
            if let Some(owed) = owed {
                post_statuses(callback, owed.metadata, owed.message, owed.reports).await;
            }
        }
    }

    /// What [`SimulatorEngine::resume`] posts, or `None` when nothing is owed.
    fn owed(&self, message: &Resumed) -> Option<Owed> {
        if !wire::is_simulator_wamid(&message.wamid) {
            tracing::debug!(
                wamid = message.wamid,
                "not a simulator id; no statuses resumed"
            );
            return None;
        }
        let number = TestNumber::of(&message.recipient);
        let kind = if message.template {
            Kind::Template
        } else {
            Kind::FreeForm
        };
        let (metadata, outside_window) = {
            let state = self.state();
            let last_inbound = state
                .last_inbound
                .get(&(message.phone_number_id.clone(), message.recipient.clone()))
                .copied();
            let outside_window = kind == Kind::FreeForm
                && (number == TestNumber::OutsideWindow
                    || !inside_window(self.window, last_inbound, Utc::now().timestamp()));
            (state.metadata(&message.phone_number_id), outside_window)
        };
        let reports = scenario::remaining(
            scenario::reports(number, outside_window, self.status_delays),
            message.reached,
        );
        if reports.is_empty() {
            return None;
        }
        let conversation_id = wire::new_conversation_id()
            .inspect_err(|error| {
                tracing::warn!(%error, wamid = message.wamid, "no randomness; statuses not resumed");
            })
            .ok()?;
        let tracked = Tracked {
            wamid: message.wamid.clone(),
            recipient_id: message.recipient.clone(),
            conversation_id,
            category: Category::of(kind),
        };
        Some(Owed {
            metadata,
            message: tracked,
            reports,
        })
    }
}

/// The status webhooks still owed for one message, with what each repeats.
struct Owed {
    metadata: Metadata,
    message: Tracked,
    reports: Vec<(Duration, Report)>,
}

/// Posts the status webhooks of one accepted message, in order, each after its delay.
pub(super) async fn post_statuses(
    callback: Arc<Callback>,
    metadata: Metadata,
    message: Tracked,
    reports: Vec<(Duration, Report)>,
) {
    for (delay, report) in reports {
        tokio::time::sleep(delay).await;
        let what = format!("{} status of {}", report.status(), message.wamid);
        let build = || {
            let payload =
                wire::status_envelope(&metadata, &message, report, Utc::now().timestamp());
            Callback::body(&payload)
        };
        callback.post_with_retries(build, &what).await;
    }
}
