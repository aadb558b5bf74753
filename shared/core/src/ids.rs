//! Identifiers are ULIDs: globally unique without coordination, and their text sorts by
//! creation time, which keeps "newest first" listings cheap on DynamoDB sort keys.

/// A ULID identifier type: `ulid_id!(Name, "what")` (the word names it in parse
/// errors). Exported for the domain crates' own ids.
#[macro_export]
macro_rules! ulid_id {
    ($name:ident, $what:literal) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($crate::ids::__private::Ulid);

        impl $name {
            pub fn new() -> Self {
                Self($crate::ids::__private::Ulid::new())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::ids::__private::Ulid::from_string(s).map(Self).map_err(|_| $crate::InvalidId($what))
            }
        }

        impl $crate::ids::__private::Serialize for $name {
            fn serialize<S: $crate::ids::__private::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> $crate::ids::__private::Deserialize<'de> for $name {
            fn deserialize<D: $crate::ids::__private::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as $crate::ids::__private::Deserialize>::deserialize(d)?;
                s.parse().map_err(<D::Error as $crate::ids::__private::DeError>::custom)
            }
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use serde::de::Error as DeError;
    pub use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub use ulid::Ulid;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {0} id")]
pub struct InvalidId(pub &'static str);

ulid_id!(UserId, "user");
ulid_id!(BookingId, "booking");
ulid_id!(ReviewId, "review");
ulid_id!(FeedbackId, "feedback");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = UserId::new();
        assert_eq!(id.to_string().parse::<UserId>(), Ok(id));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!("not-an-id".parse::<UserId>().is_err());
        assert!(serde_json::from_str::<UserId>("\"../../etc\"").is_err());
    }
}
