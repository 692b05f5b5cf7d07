//! Typed path ids: each says once what its path segment names, for the handler's extractor
//! and the contract alike (an operation lists the type in `params(...)`; utoipa reads the
//! parameter's name and description from it).

macro_rules! path_id {
    ($name:ident, $doc:literal) => {
        #[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(names("id"), parameter_in = Path)]
        pub struct $name(#[doc = $doc] pub String);

        /// Reads as the id itself, as the `String` it replaces did.
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
    };
}

path_id!(CentreId, "Centre id");
path_id!(ClientId, "Client id");
path_id!(ConcernId, "Concern id");
path_id!(DeliveryId, "Delivery id");
path_id!(DocumentId, "Document id");
path_id!(FeedId, "Calendar feed id");
path_id!(HoldId, "Legal hold id");
path_id!(IndirectItemId, "Indirect item id");
path_id!(OfferingId, "Offering id");
path_id!(PersonId, "Person id");
path_id!(ProviderId, "Provider id");
path_id!(ReferralId, "Referral id");
path_id!(ReportId, "Report id");
path_id!(RoomId, "Room id");
path_id!(SeriesId, "Series id");
path_id!(SessionId, "Session id");
path_id!(SubscriptionId, "Subscription id");
path_id!(TariffId, "Tariff id");
path_id!(UserId, "User id");
