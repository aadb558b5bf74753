//! Money that moves: what a booking costs up front and later, what the platform keeps,
//! what a cancellation gives back, and where a booking's payments stand. Pure: Stripe,
//! DynamoDB and the clock are outside; every amount is an integer count of the
//! currency's minor unit and no arithmetic here loses or invents one.

pub mod currency;
pub mod events;
pub mod ledger;
pub mod payout;
pub mod policy;
pub mod request;
pub mod settle;
pub mod terms;
pub mod view;

pub use currency::{ChargeError, CurrencyRules};
pub use events::{MoneyEvent, money_events};
pub use ledger::{Intent, IntentStatus, Ledger, PaymentKind, PaymentState};
pub use payout::{PayoutAccount, PayoutStatus};
pub use policy::{CancellationPolicy, Tier};
pub use settle::Action;
pub use terms::{PaymentTerms, Schedule};
pub use view::PaymentView;
