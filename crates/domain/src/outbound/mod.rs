//! Sending: queueing agents' messages (text, templates, files) and starting conversations,
//! then dispatching the queue through the WhatsApp gateway. `model`: outbound content and the
//! gateway's answers; `content`: the rules each kind of content is made by; `ports`: the send
//! store, the outbox, the gateway; `service`: [`service::Outbound`] (media sends in
//! `attachments`); `dispatcher`: [`dispatcher::Dispatcher`].

mod attachments;
pub mod content;
pub mod dispatcher;
pub mod model;
pub mod ports;
pub mod service;
