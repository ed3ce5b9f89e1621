//! Live events across instances: every transaction that appends to the event log also sends a
//! `NOTIFY` (delivered by PostgreSQL only if it commits), and each instance listens for them on
//! a connection of its own and wakes its live streams. The notification carries nothing: the
//! event log stays the truth, and a stream that wakes reads it from where it was.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection as _;
use diesel::pg::PgConnection;
use diesel::{Connection as _, RunQueryDsl as _};
use switchboard_domain::live::ports::ChangeSignal;

use crate::error::Fail;

/// The channel appends notify on.
pub(crate) const CHANNEL: &str = "switchboard_events";

/// How often the listener looks for notifications that arrived. Reading them does not block
/// (libpq has no wait of its own that Diesel exposes), so this bounds the extra delay a
/// notification sees, at a cost of one non-blocking read per period.
const PERIOD: Duration = Duration::from_millis(50);

/// How long the listener waits before reconnecting after it lost its connection.
const RECONNECT: Duration = Duration::from_secs(1);

/// Every this many periods (about half a minute) the listener asks the server something, so a
/// connection that died without a word is noticed and replaced.
const PERIODS_PER_CHECK: u32 = 600;

/// Sends this transaction's notification (PostgreSQL folds repeats in one transaction into one).
pub(crate) fn notify(conn: &mut PgConnection) -> Result<(), Fail> {
    diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(conn)?;
    Ok(())
}

/// Listens on its own thread until `stop` is set, calling `signal` for every notification.
pub(crate) fn start(
    url: String,
    signal: Arc<dyn ChangeSignal>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("postgres-listener".to_owned())
        .spawn(move || listen_forever(&url, signal.as_ref(), &stop))?;
    Ok(())
}

fn listen_forever(url: &str, signal: &dyn ChangeSignal, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        let mut conn = match PgConnection::establish(url)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                c.batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map(|()| c)
                    .map_err(|e| e.to_string())
            }) {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for other instances' events; retrying");
                std::thread::sleep(RECONNECT);
                continue;
            }
        };
        // Whatever was committed while this connection was away: a stream that wakes for
        // nothing finds nothing new, which costs one query.
        signal.changed();
        let mut periods = 0_u32;
        'connected: while !stop.load(Ordering::SeqCst) {
            periods = (periods + 1) % PERIODS_PER_CHECK;
            if periods == 0
                && let Err(error) = conn.batch_execute("SELECT 1")
            {
                tracing::warn!(%error, "lost the connection listening for events");
                break 'connected;
            }
            let mut woke = false;
            for notification in conn.notifications_iter() {
                match notification {
                    Ok(_) => woke = true,
                    Err(error) => {
                        tracing::warn!(%error, "lost the connection listening for events");
                        break 'connected;
                    }
                }
            }
            if woke {
                signal.changed();
            }
            std::thread::sleep(PERIOD);
        }
    }
}
