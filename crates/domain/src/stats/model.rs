//! The dashboard's figures.

/// The dashboard's figures for one business number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub conversations: u64,
    pub open: u64,
    pub pending: u64,
    pub resolved: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
}
