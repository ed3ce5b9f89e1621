//! The resources the API answers with, shared by the routes that show them. A route's own
//! request bodies and parameters stay beside its handler.

pub(crate) mod contact;
pub(crate) mod conversation;
pub(crate) mod message;
