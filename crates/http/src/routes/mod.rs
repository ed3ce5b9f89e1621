//! Route registration: the one place that lists every handler, for the server and for the
//! OpenAPI document alike.

pub(crate) mod about;
pub(crate) mod attachments;
pub(crate) mod auth;
pub(crate) mod business_numbers;
pub(crate) mod contacts;
pub(crate) mod conversations;
pub(crate) mod events;
pub(crate) mod health;
mod media_form;
pub(crate) mod simulator;
pub(crate) mod users;
pub(crate) mod webhook;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub(crate) fn register(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(webhook::verify_webhook)
        .service(webhook::receive_webhook)
        .service(
            scope("/api/v1")
                .service(about::about)
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::me)
                .service(auth::change_password)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(business_numbers::list_numbers)
                .service(business_numbers::create_number)
                .service(business_numbers::get_number)
                .service(business_numbers::update_number)
                .service(business_numbers::list_members)
                .service(business_numbers::add_member)
                .service(business_numbers::remove_member)
                .service(conversations::inbox::list_conversations)
                .service(conversations::start::start_conversation)
                .service(conversations::inbox::get_conversation)
                .service(conversations::inbox::update_conversation)
                .service(conversations::inbox::mark_read)
                .service(conversations::thread::list_messages)
                .service(conversations::send::send_message)
                .service(attachments::upload_attachment)
                .service(conversations::stats::stats)
                .service(conversations::thread::message_media)
                .service(contacts::list_contacts)
                .service(contacts::get_contact)
                .service(contacts::update_contact)
                .service(events::events)
                .service(simulator::simulate_inbound),
        );
}
