// Written by hand to match migrations/sqlite; every id is 64-bit (SQLite INTEGER PRIMARY KEY
// is a 64-bit rowid) and every time is epoch milliseconds.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        username_key -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (token_digest) {
        token_digest -> Text,
        session_id -> Text,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        username_key -> Text,
        failed_at -> BigInt,
    }
}

diesel::table! {
    business_numbers (id) {
        id -> BigInt,
        name -> Text,
        display_phone_number -> Text,
        phone_number_id -> Text,
        waba_id -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    business_number_members (business_number_id, user_id) {
        business_number_id -> BigInt,
        user_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(business_number_members -> users (user_id));
diesel::joinable!(business_number_members -> business_numbers (business_number_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    refresh_tokens,
    login_failures,
    business_numbers,
    business_number_members,
);
