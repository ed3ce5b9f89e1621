//! The resources the API answers with, shared by the routes that show them. A route's own
//! request bodies and parameters stay beside its handler.
//!
//! Every type the API answers with is re-exported here, so Rust clients (the black-box tests
//! among them) read replies as these types rather than as untyped JSON; they deserialize from
//! exactly what the server writes.

pub mod contact;
pub mod conversation;
pub mod message;
pub mod message_kind;
pub mod message_payload;
pub(crate) mod open_union;
pub mod template_component;
pub mod webhook_envelope;

pub use crate::routes::about::AboutDto;
pub use crate::routes::attachments::{AttachmentDto, MediaKindDto};
pub use crate::routes::auth::TokenResponse;
pub use crate::routes::business_numbers::{
    BusinessNumberDto, BusinessNumberList, MemberDto, MemberList,
};
pub use crate::routes::contacts::ContactList;
pub use crate::routes::conversations::start::StartedConversation;
pub use crate::routes::conversations::stats::StatsDto;
pub use crate::routes::health::Health;
pub use crate::routes::simulator::SimulatedInboundReceipt;
pub use crate::routes::users::{RoleDto, UserDto, UserList};
pub use crate::routes::webhook::WebhookReceipt;
pub use contact::ContactDto;
pub use conversation::{
    ConversationDto, ConversationPage, ConversationStatusDto, MessagePreviewDto,
};
pub use message::{
    DeliveryErrorDto, DirectionDto, MediaDto, MediaStateDto, MessageDto, MessagePage,
    MessageStatusDto, StatusTimesDto,
};
pub use message_kind::MessageKindDto;
