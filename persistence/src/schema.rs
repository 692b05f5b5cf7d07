//! The tables, as diesel sees them. Written by hand to match migrations/ on both backends, using
//! only SQL types the multi-backend connection supports.

diesel::table! {
    providers (id) {
        id -> Text,
        name -> Text,
        charity_number -> Nullable<Text>,
        website -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        provider_id -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (email) {
        email -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    centres (id) {
        id -> Text,
        provider_id -> Text,
        name -> Text,
        address_line1 -> Text,
        address_line2 -> Nullable<Text>,
        town -> Text,
        postcode -> Text,
        phone -> Nullable<Text>,
        time_zone -> Text,
        opening_pattern -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
        town_key -> Text,
    }
}

diesel::table! {
    rooms (id) {
        id -> Text,
        centre_id -> Text,
        name -> Text,
        kind -> Text,
        capacity -> Integer,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
    }
}

diesel::table! {
    tariffs (id) {
        id -> Text,
        provider_id -> Text,
        name -> Text,
        service_type -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_key -> Text,
    }
}

diesel::table! {
    tariff_versions (id) {
        id -> Text,
        tariff_id -> Text,
        effective_from -> Date,
        referral_fee_pence -> BigInt,
        referral_fee_refundable -> Bool,
        balance_pence -> BigInt,
        balance_refundable -> Bool,
        covers_months -> Nullable<Integer>,
        covers_sessions -> Nullable<Integer>,
        session_fee_basis -> Nullable<Text>,
        session_fee_pence -> Nullable<BigInt>,
        item_fee_pence -> Nullable<BigInt>,
        cancellation_rule -> Text,
        cancellation_fee_pence -> Nullable<BigInt>,
        waivers -> Text,
        price_on_application -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    offerings (id) {
        id -> Text,
        centre_id -> Text,
        service_type -> Text,
        tariff_id -> Text,
        default_session_minutes -> Integer,
        days_offered -> Text,
        waiting_list_open -> Bool,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        response_headers -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> providers (provider_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(centres -> providers (provider_id));
diesel::joinable!(rooms -> centres (centre_id));
diesel::joinable!(tariffs -> providers (provider_id));
diesel::joinable!(tariff_versions -> tariffs (tariff_id));
diesel::joinable!(offerings -> centres (centre_id));
diesel::joinable!(offerings -> tariffs (tariff_id));

diesel::allow_tables_to_appear_in_same_query!(
    providers,
    users,
    refresh_tokens,
    login_throttle,
    centres,
    rooms,
    tariffs,
    tariff_versions,
    offerings,
    idempotency_keys,
);
