//! Live updates as Server-Sent Events, replayable from the durable event log.

use std::time::Duration;

use actix_web::{HttpRequest, Responder, get, web};
use actix_web_lab::sse::{self, Sse};
use serde::{Deserialize, Serialize};
use switchboard_domain::authz::Actor;
use switchboard_domain::live::model::{EventKind, LiveEvent};
use utoipa::openapi::schema::{Object, ObjectBuilder, OneOfBuilder, Ref, Schema, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::dto::conversation::ConversationDto;
use crate::dto::message::MessageDto;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;

/// Events per database round trip.
const BATCH: u32 = 100;
/// Comment lines that keep proxies from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// The longest a stream waits without a change signal (another instance may have written).
const POLL: Duration = Duration::from_secs(5);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsParams {
    /// Resume after this event id (the `Last-Event-ID` header takes precedence).
    pub last_event_id: Option<i64>,
}

/// What an event is about; its `data` is the conversation (`conversation.*`) or the message
/// (`message.*`).
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the stream for OpenAPI; `render` writes the events.
pub(crate) enum LiveEventKind {
    #[schema(rename = "conversation.created")]
    ConversationCreated,
    #[schema(rename = "conversation.updated")]
    ConversationUpdated,
    #[schema(rename = "message.created")]
    MessageCreated,
    #[schema(rename = "message.updated")]
    MessageUpdated,
}

/// One Server-Sent Event of the stream (before OpenAPI 3.2, the schema of a
/// `text/event-stream` describes each event). Comment lines (heartbeats) carry no event.
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the stream for OpenAPI; `render` writes the events.
pub(crate) struct LiveEventFrame {
    event: LiveEventKind,
    /// The event's place in the durable log; send it back as `Last-Event-ID` to resume.
    #[schema(pattern = "^[0-9]+$", example = "42")]
    id: String,
    #[schema(schema_with = event_data)]
    data: String,
}

/// A live event as a client reads it off the stream: the frame's `event` is `type`, its `id` is
/// `id`, and its `data`, parsed, is `data`. Generated clients type their event handlers with it.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(tag = "type")]
#[schema(as = LiveEvent)]
#[allow(dead_code)] // Documents the stream for OpenAPI; `render` writes the events.
pub enum LiveEventDoc {
    /// A customer wrote in for the first time on this number, or an agent started it.
    #[serde(rename = "conversation.created")]
    ConversationCreated { id: String, data: ConversationDto },
    /// Its status, assignee, unread count or newest message changed.
    #[serde(rename = "conversation.updated")]
    ConversationUpdated { id: String, data: ConversationDto },
    /// A message arrived or was queued.
    #[serde(rename = "message.created")]
    MessageCreated { id: String, data: MessageDto },
    /// A message's delivery status changed.
    #[serde(rename = "message.updated")]
    MessageUpdated { id: String, data: MessageDto },
}

/// `data` is one line of JSON: a `ConversationDto` or a `MessageDto`.
fn event_data() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some(
            "JSON: the conversation as `GET /conversations/{id}` returns it (`conversation.*` \
             events), or the message as the thread returns it (`message.*` events). The event \
             parsed is a `LiveEvent`.",
        ))
        .content_media_type("application/json")
        .content_schema(Some(Schema::OneOf(
            OneOfBuilder::new()
                .item(Ref::from_schema_name("MessageDto"))
                .item(Ref::from_schema_name("ConversationDto"))
                .build(),
        )))
        .build()
}

fn render(event: LiveEvent) -> sse::Event {
    let LiveEvent {
        id,
        kind,
        conversation,
        message,
    } = event;
    let (kind, data) = match (kind, message) {
        (EventKind::MessageCreated | EventKind::MessageUpdated, Some(message)) => {
            (kind, serde_json::to_string(&MessageDto::from(message)))
        }
        // The log names a message for every message event, and messages are never deleted;
        // should one be missing, the stream still says only what its schema allows.
        (EventKind::MessageCreated | EventKind::MessageUpdated, None) => {
            tracing::error!(event = id, "a message event without its message");
            let data = serde_json::to_string(&ConversationDto::from(conversation));
            (EventKind::ConversationUpdated, data)
        }
        (EventKind::ConversationCreated | EventKind::ConversationUpdated, _) => (
            kind,
            serde_json::to_string(&ConversationDto::from(conversation)),
        ),
    };
    sse::Event::Data(
        sse::Data::new(data.unwrap_or_else(|_| "{}".to_owned()))
            .event(kind.as_str())
            .id(id.to_string()),
    )
}

/// Live updates: `conversation.created`, `conversation.updated` (data: the conversation as
/// `GET /conversations/{id}` returns it), `message.created`, `message.updated` (data: the
/// message as the thread returns it). Every event has an increasing `id` from a durable log;
/// reconnect with `Last-Event-ID` (or `?last_event_id=`) to receive what was missed. Without
/// it the stream starts with the next event. Only events of the caller's business numbers
/// are sent. Comment heartbeats come every 15 s. The stream ends when the access token
/// expires or the session is revoked (reconnect with a fresh token and `Last-Event-ID`), and
/// when the instance shuts down (reconnect, to another instance, with `Last-Event-ID`).
#[utoipa::path(
    tag = "conversations",
    security(("bearer" = [])),
    params(
        EventsParams,
        ("Last-Event-ID" = Option<i64>, Header, nullable = false, description = "The id of the last event received"),
    ),
    responses(
        (status = 200, description = "An endless `text/event-stream`; the schema describes each frame, and `LiveEvent` each event parsed (its `type`, `id` and `data`)", content_type = "text/event-stream", body = LiveEventFrame),
        (status = 400, description = "`invalid_last_event_id`", body = ErrorBody),
    )
)]
#[get("/events")]
pub(crate) async fn events(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<EventsParams>,
) -> Result<impl Responder, ApiError> {
    let header = req
        .headers()
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::new(
                        actix_web::http::StatusCode::BAD_REQUEST,
                        ErrorCode::InvalidLastEventId,
                        "Last-Event-ID must be an event id this stream sent",
                    )
                })
        })
        .transpose()?;
    let mut last = match header.or(params.last_event_id) {
        Some(id) => id,
        None => state.live.last_event_id().await?,
    };
    let token = caller.1;
    let mut changes = state.changes.clone();
    let mut closing = state.closing.clone();
    let (tx, rx) = tokio::sync::mpsc::channel(BATCH as usize);
    actix_web::rt::spawn(async move {
        loop {
            // Checked every round, so deactivation, logout or expiry ends the stream.
            let Ok(principal) = state.accounts.authenticate(&token.0).await else {
                return;
            };
            let actor = Actor::from(&principal.user);
            let mut full = false;
            match state.live.events_after(&actor, last, BATCH).await {
                Ok(batch) => {
                    full = batch.len() == BATCH as usize;
                    for event in batch {
                        last = event.id;
                        if tx.send(render(event)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading the event log failed; will retry"),
            }
            if full {
                continue;
            }
            tokio::select! {
                changed = changes.changed() => {
                    // The sender is gone only when the server shuts down.
                    if changed.is_err() {
                        return;
                    }
                }
                () = tokio::time::sleep(POLL) => {}
                () = tx.closed() => return,
                // Ending the response (rather than being cut off after the drain) tells the
                // client at once to reconnect, with `Last-Event-ID`, to another instance.
                Ok(_) = closing.wait_for(|closing| *closing) => return,
            }
        }
    });
    Ok(Sse::from_infallible_receiver(rx).with_keep_alive(HEARTBEAT))
}
