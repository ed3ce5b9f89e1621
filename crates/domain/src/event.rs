//! The kinds of change the durable event log records (and `/api/v1/events` streams).

/// What happened; the event names the conversation and, for message events, the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    ConversationCreated,
    ConversationUpdated,
    MessageCreated,
    /// A message's delivery status changed.
    MessageUpdated,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::ConversationCreated,
        EventKind::ConversationUpdated,
        EventKind::MessageCreated,
        EventKind::MessageUpdated,
    ];

    /// The SSE event name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ConversationCreated => "conversation.created",
            EventKind::ConversationUpdated => "conversation.updated",
            EventKind::MessageCreated => "message.created",
            EventKind::MessageUpdated => "message.updated",
        }
    }
}
