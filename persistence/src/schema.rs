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
        places -> Nullable<Integer>,
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
        authority -> Nullable<Text>,
    }
}

diesel::table! {
    people (id) {
        id -> Text,
        provider_id -> Text,
        given_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        address_line1 -> Nullable<Text>,
        address_line2 -> Nullable<Text>,
        town -> Nullable<Text>,
        postcode -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address_supplied_by -> Nullable<Text>,
        phone_supplied_by -> Nullable<Text>,
        email_supplied_by -> Nullable<Text>,
        interpreter_language -> Nullable<Text>,
        access_needs -> Nullable<Text>,
        user_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        provider_id -> Text,
        centre_id -> Text,
        service_type -> Text,
        status -> Text,
        status_changed_at -> Timestamp,
        referrer_kind -> Text,
        referrer_user_id -> Nullable<Text>,
        referrer_details -> Text,
        external_ref -> Nullable<Text>,
        court_ordered -> Bool,
        court -> Nullable<Text>,
        risk -> Text,
        availability -> Nullable<Text>,
        missing -> Text,
        funder -> Nullable<Text>,
        session_minutes -> Integer,
        complete_at -> Nullable<Timestamp>,
        priority -> Integer,
        priority_reason -> Nullable<Text>,
        offer_expires_at -> Nullable<Timestamp>,
        decline_reason -> Nullable<Text>,
        signposted_service -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        suspension_reason -> Nullable<Text>,
        closure_reason -> Nullable<Text>,
        closure_notes -> Nullable<Text>,
        activated_on -> Nullable<Date>,
        next_review_on -> Nullable<Date>,
        first_session_on -> Nullable<Date>,
        created_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referral_parties (referral_id, person_id) {
        referral_id -> Text,
        person_id -> Text,
        role -> Text,
        relationship -> Nullable<Text>,
        position -> Integer,
    }
}

diesel::table! {
    referral_events (id) {
        id -> Text,
        referral_id -> Text,
        from_status -> Text,
        to_status -> Text,
        action -> Text,
        actor_user_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        reason -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    charges (id) {
        id -> Text,
        referral_id -> Text,
        kind -> Text,
        description -> Text,
        amount_pence -> BigInt,
        refundable -> Bool,
        payer -> Text,
        funder -> Nullable<Text>,
        due -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Text,
        referral_id -> Text,
        charge_id -> Text,
        kind -> Text,
        amount_pence -> BigInt,
        method -> Nullable<Text>,
        reference -> Nullable<Text>,
        payer -> Nullable<Text>,
        funder -> Nullable<Text>,
        reason -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        referral_id -> Text,
        outcome -> Text,
        unsupervised_contact_appropriate -> Nullable<Bool>,
        separate_entrances -> Bool,
        arrival_offset_minutes -> Nullable<Integer>,
        controls_notes -> Nullable<Text>,
        review_on -> Nullable<Date>,
        assessed_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pre_visits (id) {
        id -> Text,
        referral_id -> Text,
        party_role -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        attended -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        referral_id -> Text,
        held_on -> Date,
        outcome -> Text,
        notes -> Nullable<Text>,
        continue_reason -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    next_steps_meetings (id) {
        id -> Text,
        referral_id -> Text,
        held_on -> Date,
        attendees -> Text,
        outcome -> Text,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        referral_id -> Text,
        series_id -> Nullable<Text>,
        centre_id -> Text,
        service_type -> Text,
        room_id -> Nullable<Text>,
        supervisor_id -> Nullable<Text>,
        community_place -> Nullable<Text>,
        handover_slot -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        status -> Text,
        charge_id -> Nullable<Text>,
        cancelled_by -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        notice_minutes -> Nullable<BigInt>,
        cancellation_charge_id -> Nullable<Text>,
        ended_early_reason -> Nullable<Text>,
        version -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_parties (session_id, party) {
        session_id -> Text,
        party -> Text,
        expected_arrival -> Timestamp,
        expected_departure -> Timestamp,
        arrived_at -> Nullable<Timestamp>,
        departed_at -> Nullable<Timestamp>,
        late_minutes -> Nullable<Integer>,
        no_show -> Bool,
    }
}

diesel::table! {
    scheduling_policies (centre_id) {
        centre_id -> Text,
        arrival_order -> Text,
        arrival_offset_minutes -> Integer,
        lateness_threshold_minutes -> Integer,
        lateness_strikes -> Integer,
        lateness_window -> Integer,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    keep_apart (id) {
        id -> Text,
        referral_id -> Text,
        party -> Text,
        other_referral_id -> Text,
        other_party -> Text,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> Text,
        token_hash -> Text,
        referral_id -> Nullable<Text>,
        party -> Nullable<Text>,
        user_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        session_id -> Text,
        referral_id -> Text,
        status -> Text,
        author_id -> Nullable<Text>,
        arrival -> Nullable<Text>,
        activities -> Nullable<Text>,
        interaction -> Nullable<Text>,
        presentation -> Nullable<Text>,
        incidents -> Nullable<Text>,
        departure -> Nullable<Text>,
        ending -> Nullable<Text>,
        due_on -> Date,
        qa_by -> Nullable<Text>,
        qa_notes -> Nullable<Text>,
        amendment_reason -> Nullable<Text>,
        released_versions -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_releases (id) {
        id -> Text,
        report_id -> Text,
        version_number -> Integer,
        recipient -> Text,
        sections -> Text,
        approved_by -> Text,
        released_by -> Text,
        released_at -> Timestamp,
    }
}

diesel::table! {
    incidents (id) {
        id -> Text,
        session_id -> Text,
        referral_id -> Text,
        kind -> Text,
        occurred_at -> Timestamp,
        description -> Text,
        action_taken -> Text,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    indirect_schedules (referral_id) {
        referral_id -> Text,
        kinds -> Text,
        directions -> Text,
        frequency -> Text,
        occasions -> Text,
        notes -> Nullable<Text>,
        version -> BigInt,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indirect_items (id) {
        id -> Text,
        referral_id -> Text,
        direction -> Text,
        kind -> Text,
        from_whom -> Text,
        description -> Nullable<Text>,
        large_or_valuable -> Bool,
        received_at -> Timestamp,
        status -> Text,
        check_notes -> Nullable<Text>,
        checked_by -> Nullable<Text>,
        checked_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        withheld_reason -> Nullable<Text>,
        charge_id -> Nullable<Text>,
        postage -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        sent_by -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        return_reason -> Nullable<Text>,
        escalated_at -> Nullable<Timestamp>,
        escalation_notes -> Nullable<Text>,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        referral_id -> Text,
        kind -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Text,
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
diesel::joinable!(referral_parties -> referrals (referral_id));
diesel::joinable!(referral_parties -> people (person_id));
diesel::joinable!(referral_events -> referrals (referral_id));
diesel::joinable!(charges -> referrals (referral_id));
diesel::joinable!(ledger_entries -> charges (charge_id));
diesel::joinable!(session_parties -> sessions (session_id));
diesel::joinable!(reports -> sessions (session_id));
diesel::joinable!(incidents -> sessions (session_id));
diesel::joinable!(documents -> referrals (referral_id));
diesel::joinable!(reports -> referrals (referral_id));
diesel::joinable!(report_releases -> reports (report_id));
diesel::joinable!(scheduling_policies -> centres (centre_id));
diesel::joinable!(calendar_feeds -> users (user_id));
diesel::joinable!(indirect_schedules -> referrals (referral_id));
diesel::joinable!(indirect_items -> referrals (referral_id));
diesel::joinable!(indirect_items -> charges (charge_id));

diesel::allow_tables_to_appear_in_same_query!(
    indirect_schedules,
    indirect_items,
    documents,
    incidents,
    reports,
    report_releases,
    scheduling_policies,
    keep_apart,
    calendar_feeds,
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
    people,
    referrals,
    referral_parties,
    referral_events,
    charges,
    ledger_entries,
    assessments,
    pre_visits,
    reviews,
    next_steps_meetings,
    sessions,
    session_parties,
);

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        request_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        kind -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        referral_id -> Nullable<Text>,
        fields -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    safeguarding_concerns (id) {
        id -> Text,
        referral_id -> Text,
        child_id -> Text,
        session_id -> Nullable<Text>,
        concern -> Text,
        raised_by -> Text,
        raised_at -> Timestamp,
        suspended_case -> Bool,
        status -> Text,
        decision -> Nullable<Text>,
        rationale -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        agency -> Nullable<Text>,
        agency_contact -> Nullable<Text>,
        agency_reference -> Nullable<Text>,
        referred_at -> Nullable<Timestamp>,
        referred_by -> Nullable<Text>,
        outcome -> Nullable<Text>,
        closed_by -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    disclosures (id) {
        id -> Text,
        referral_id -> Text,
        recipient -> Text,
        recipient_name -> Text,
        what -> Text,
        safeguarding_reason -> Text,
        concern_id -> Nullable<Text>,
        disclosed_by -> Text,
        disclosed_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        provider_id -> Text,
        user_id -> Text,
        name -> Text,
        organisation_kind -> Text,
        scopes -> Text,
        secret_hash -> Text,
        secret_hint -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        secret_rotated_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        client_id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        event_id -> Text,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        attempt -> Integer,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(webhook_subscriptions -> api_clients (client_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    api_clients,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
);
// An authenticated request reads its account and API client together.
diesel::allow_tables_to_appear_in_same_query!(api_clients, users);

diesel::table! {
    retention_rules (provider_id, record_class) {
        provider_id -> Text,
        record_class -> Text,
        years -> Integer,
        action -> Text,
        legal_minimum_years -> Nullable<Integer>,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    legal_holds (id) {
        id -> Text,
        referral_id -> Text,
        reason -> Text,
        placed_by -> Text,
        placed_at -> Timestamp,
        lifted_by -> Nullable<Text>,
        lifted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    retention_actions (id) {
        id -> Text,
        referral_id -> Text,
        record_class -> Text,
        action -> Text,
        records -> Integer,
        applied_at -> Timestamp,
    }
}
