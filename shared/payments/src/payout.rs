//! A photographer's payout account (a Stripe Connect Express account) as the platform
//! tracks it from `account.updated` webhooks.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    /// No account yet: onboarding never started.
    #[default]
    NotStarted,
    /// An account exists but Stripe is still waiting for details.
    Pending,
    /// Charges and payouts enabled: clients can pay.
    Active,
    /// Stripe has disabled the account until something is fixed.
    Restricted,
}

impl PayoutStatus {
    pub const ALL: [PayoutStatus; 4] = [Self::NotStarted, Self::Pending, Self::Active, Self::Restricted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Restricted => "restricted",
        }
    }

    /// From the account's flags: active only when Stripe lets it both take charges and
    /// pay out; restricted when Stripe names a reason it is disabled.
    pub fn from_account(charges_enabled: bool, payouts_enabled: bool, disabled_reason: Option<&str>) -> PayoutStatus {
        if charges_enabled && payouts_enabled {
            PayoutStatus::Active
        } else if disabled_reason.is_some_and(|r| !r.is_empty() && !r.starts_with("requirements.pending")) {
            PayoutStatus::Restricted
        } else {
            PayoutStatus::Pending
        }
    }
}

/// The payout account of a photographer, kept on their profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutAccount {
    /// Stripe's `acct_…` id.
    pub account: String,
    pub status: PayoutStatus,
    /// Stripe's `created` of the last `account.updated` applied: older ones are ignored.
    pub status_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_from_the_account_flags() {
        assert_eq!(PayoutStatus::from_account(true, true, None), PayoutStatus::Active);
        assert_eq!(PayoutStatus::from_account(false, false, None), PayoutStatus::Pending);
        assert_eq!(PayoutStatus::from_account(true, false, Some("requirements.past_due")), PayoutStatus::Restricted);
        assert_eq!(
            PayoutStatus::from_account(false, false, Some("requirements.pending_verification")),
            PayoutStatus::Pending
        );
        assert_eq!(PayoutStatus::from_account(false, false, Some("rejected.fraud")), PayoutStatus::Restricted);
    }
}
