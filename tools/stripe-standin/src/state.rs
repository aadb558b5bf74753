//! Everything the stand-in knows, kept as the Stripe JSON objects it serves (so what is
//! stored is exactly what is answered) plus the few facts Stripe keeps hidden (which test
//! card a payment method stands for, onboarding links, idempotent results).

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The Stripe test cards the stand-in knows, named by their documented `pm_card_*` tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Card {
    Visa,
    Mastercard,
    Declined,
    InsufficientFunds,
    AuthenticationRequired,
}

impl Card {
    pub fn from_token(token: &str) -> Option<Card> {
        Some(match token {
            "pm_card_visa" => Card::Visa,
            "pm_card_mastercard" => Card::Mastercard,
            "pm_card_chargeDeclined" => Card::Declined,
            "pm_card_chargeDeclinedInsufficientFunds" => Card::InsufficientFunds,
            "pm_card_authenticationRequired" => Card::AuthenticationRequired,
            _ => return None,
        })
    }

    pub fn brand(self) -> &'static str {
        match self {
            Card::Mastercard => "mastercard",
            _ => "visa",
        }
    }

    pub fn last4(self) -> &'static str {
        match self {
            Card::Visa => "4242",
            Card::Mastercard => "4444",
            Card::Declined => "0002",
            Card::InsufficientFunds => "9995",
            Card::AuthenticationRequired => "3184",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountLink {
    pub account: String,
    pub refresh_url: Option<String>,
    pub return_url: Option<String>,
    pub expires_at: i64,
}

/// A stored answer to a POST sent with an `Idempotency-Key`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stored {
    pub method: String,
    pub path: String,
    /// The decoded parameters, canonical (sorted keys), compared on replay.
    pub params: String,
    pub status: u16,
    pub body: String,
}

#[derive(Default, Serialize, Deserialize)]
pub struct State {
    pub customers: BTreeMap<String, Value>,
    pub payment_intents: BTreeMap<String, Value>,
    pub charges: BTreeMap<String, Value>,
    pub refunds: BTreeMap<String, Value>,
    pub payment_methods: BTreeMap<String, Value>,
    pub accounts: BTreeMap<String, Value>,
    pub disputes: BTreeMap<String, Value>,
    pub account_links: BTreeMap<String, AccountLink>,
    pub cards: BTreeMap<String, Card>,
    /// Payment methods used once without being attached to a customer: Stripe refuses
    /// to use those again.
    pub consumed: BTreeSet<String>,
    /// Oldest first.
    pub events: Vec<Value>,
    /// Keyed by API key and idempotency key: keys are scoped to the account's key.
    pub idempotency: BTreeMap<String, Stored>,
}

impl State {
    /// Any object by id, for `expand[]`.
    pub fn object(&self, id: &str) -> Option<&Value> {
        let map = match id.split('_').next()? {
            "cus" => &self.customers,
            "pi" => &self.payment_intents,
            "ch" => &self.charges,
            "re" => &self.refunds,
            "pm" => &self.payment_methods,
            "acct" => &self.accounts,
            "dp" => &self.disputes,
            _ => return None,
        };
        map.get(id)
    }
}

/// A Stripe-style id: prefix, underscore, 24 alphanumerics.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..24).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{prefix}_{tail}")
}
