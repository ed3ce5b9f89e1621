//! Conversations, their messages, sending, and the dashboard figures: one module per action.

pub(crate) mod inbox;
pub(crate) mod send;
pub(crate) mod start;
pub(crate) mod stats;
pub(crate) mod thread;
