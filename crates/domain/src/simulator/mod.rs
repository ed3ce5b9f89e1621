//! What the mock provider (the Cloud API simulator) needs from the app: owed statuses to
//! resume after a restart, and delivering a message as a customer. `ports` only.

pub mod ports;
