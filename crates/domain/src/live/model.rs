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

impl std::str::FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event kind {s:?}"))
    }
}

/// An event with the resources it names, as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub id: i64,
    pub kind: EventKind,
    pub conversation: crate::conversation::model::ConversationView,
    pub message: Option<crate::message::Message>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kinds_round_trip_through_their_sse_names() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        }
        assert!("message.deleted".parse::<EventKind>().is_err());
    }
}
