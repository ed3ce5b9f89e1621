//! Files: customers' media downloaded from WhatsApp, agents' attachments, and their
//! download. `model`: Meta's type and size rules; `attachment`: agents' files; `ports`: the
//! media store and the bookkeeping; `service`: [`service::MediaAccess`]; `fetcher`:
//! [`fetcher::MediaFetcher`].

pub mod attachment;
pub mod fetcher;
pub mod model;
pub mod ports;
pub mod service;
