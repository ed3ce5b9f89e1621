// Written by hand to match migrations/sqlite and migrations/postgres (the schema parity test
// compares the two): every id is 64-bit (SQLite's INTEGER PRIMARY KEY is a 64-bit rowid), every
// time is a `Moment` and every JSON document a `Json` (see crate::sql_types).

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    users (id) {
        id -> BigInt,
        username -> Text,
        username_key -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Moment,
        updated_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Moment,
        revoked_at -> Nullable<Moment>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    refresh_tokens (token_digest) {
        token_digest -> Text,
        session_id -> Text,
        expires_at -> Moment,
        used_at -> Nullable<Moment>,
        created_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    login_failures (id) {
        id -> BigInt,
        username_key -> Text,
        failed_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    business_numbers (id) {
        id -> BigInt,
        name -> Text,
        display_phone_number -> Text,
        phone_number_id -> Text,
        waba_id -> Nullable<Text>,
        created_at -> Moment,
        updated_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    business_number_members (business_number_id, user_id) {
        business_number_id -> BigInt,
        user_id -> BigInt,
        created_at -> Moment,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(business_number_members -> users (user_id));
diesel::joinable!(business_number_members -> business_numbers (business_number_id));

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    contacts (id) {
        id -> BigInt,
        wa_id -> Text,
        phone -> Text,
        profile_name -> Nullable<Text>,
        display_name -> Nullable<Text>,
        created_at -> Moment,
        updated_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    conversations (id) {
        id -> BigInt,
        business_number_id -> BigInt,
        contact_id -> BigInt,
        status -> Text,
        assignee_id -> Nullable<BigInt>,
        last_message_at -> Moment,
        last_inbound_at -> Nullable<Moment>,
        unread_count -> Integer,
        last_message_id -> Nullable<BigInt>,
        created_at -> Moment,
        updated_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::{Json, Moment};

    messages (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        direction -> Text,
        kind -> Text,
        body -> Nullable<Text>,
        payload -> Json,
        wamid -> Nullable<Text>,
        sender_user_id -> Nullable<BigInt>,
        sent_at -> Moment,
        status -> Text,
        accepted_at -> Nullable<Moment>,
        sent_status_at -> Nullable<Moment>,
        delivered_at -> Nullable<Moment>,
        read_at -> Nullable<Moment>,
        failed_at -> Nullable<Moment>,
        error_code -> Nullable<BigInt>,
        error_title -> Nullable<Text>,
        error_details -> Nullable<Text>,
        reply_to_wamid -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
        media_id -> Nullable<Text>,
        media_mime -> Nullable<Text>,
        media_sha256 -> Nullable<Text>,
        media_state -> Nullable<Text>,
        media_key -> Nullable<Text>,
        media_size -> Nullable<BigInt>,
        media_attempts -> Integer,
        media_next_at -> Nullable<Moment>,
        attempts -> Integer,
        next_attempt_at -> Nullable<Moment>,
        created_at -> Moment,
        claimed_by -> Nullable<Text>,
        claim_expires_at -> Nullable<Moment>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    pending_statuses (id) {
        id -> BigInt,
        wamid -> Text,
        status -> Text,
        status_at -> Moment,
        error_code -> Nullable<BigInt>,
        error_title -> Nullable<Text>,
        error_details -> Nullable<Text>,
        received_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    events (id) {
        id -> BigInt,
        business_number_id -> BigInt,
        kind -> Text,
        conversation_id -> BigInt,
        message_id -> Nullable<BigInt>,
        created_at -> Moment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Moment;

    attachments (id) {
        id -> BigInt,
        owner_id -> BigInt,
        kind -> Text,
        mime_type -> Text,
        size -> BigInt,
        filename -> Text,
        sha256 -> Text,
        created_at -> Moment,
    }
}

diesel::joinable!(conversations -> contacts (contact_id));
diesel::joinable!(conversations -> business_numbers (business_number_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(attachments -> users (owner_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    refresh_tokens,
    login_failures,
    business_numbers,
    business_number_members,
    contacts,
    conversations,
    messages,
    pending_statuses,
    events,
    attachments,
);
