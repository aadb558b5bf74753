//! Money messages: the receipt when money is taken, the refund notice, the reminder
//! before the balance is charged, and the call to action when a balance charge fails.
//! Rendered from the ledger event ([`MoneyEvent`]), the booking it belongs to and the
//! ledger after the change (for the totals).
//!
//! | event              | photographer                 | client                              |
//! |--------------------|------------------------------|-------------------------------------|
//! | `payment_received` | you've been paid (net of fee)| receipt (what is still due, when)   |
//! | `payment_refunded` | —                            | refund notice                       |
//! | `balance_due`      | —                            | the balance is charged on date D    |
//! | `balance_failed`   | —                            | action needed (try n; last try?)    |
//!
//! The photographer hears of money they receive; refunds reach them as the booking's
//! cancellation, and a client's card trouble is the client's to fix.

use chrono::SecondsFormat;
use cm_payments::ledger::PaymentKind;
use cm_payments::terms::MAX_BALANCE_ATTEMPTS;
use cm_payments::{Ledger, MoneyEvent};
use serde_json::json;

use crate::email::{Content, Email};
use crate::error::NotifyError;
use crate::model::{BookingSnapshot, Party, Role};
use crate::money::format_money;
use crate::sns::{SNS_MESSAGE_VERSION, SnsMessage};
use crate::text::{humanise_event_type, single_line};
use crate::when::RecipientZone;

/// A ledger event with what the messages about it need to say.
#[derive(Debug, Clone, Copy)]
pub struct PaymentNotice<'a> {
    /// What happened.
    pub event: &'a MoneyEvent,
    /// The booking the money is for.
    pub booking: &'a BookingSnapshot,
    /// The ledger after the change.
    pub ledger: &'a Ledger,
}

/// Who is mailed for a money event (see the module's table).
pub fn payment_recipients(event: &MoneyEvent) -> &'static [Role] {
    match event {
        MoneyEvent::Received { .. } => &[Role::Photographer, Role::Client],
        MoneyEvent::Refunded { .. } | MoneyEvent::BalanceDue { .. } | MoneyEvent::BalanceFailed { .. } => {
            &[Role::Client]
        }
    }
}

fn kind_label(kind: PaymentKind) -> &'static str {
    match kind {
        PaymentKind::Deposit => "deposit",
        PaymentKind::Balance => "balance",
        PaymentKind::Full => "full payment",
    }
}

/// Renders the email `recipient` gets for a money event; `other` is the booking's other
/// party. Refuses a recipient the table does not mail and parties in the wrong places.
pub fn render_payment_email(notice: PaymentNotice<'_>, recipient: &Party, other: &Party) -> Result<Email, NotifyError> {
    if other.role != recipient.role.counterpart() {
        return Err(NotifyError::WrongRole {
            position: "other party",
            expected: recipient.role.counterpart(),
            found: other.role,
        });
    }
    if !payment_recipients(notice.event).contains(&recipient.role) {
        return Err(NotifyError::NotAPaymentRecipient { event: notice.event.name(), role: recipient.role });
    }
    let content = content(notice, recipient, other);
    Ok(Email { html: content.html(), text: content.text(), subject: content.subject, ics: None })
}

fn content(notice: PaymentNotice<'_>, recipient: &Party, other: &Party) -> Content {
    let PaymentNotice { event, booking, ledger } = notice;
    let zone = RecipientZone::resolve(&recipient.timezone);
    let currency = ledger.schedule.total.currency.as_str();
    let money = |minor: i64| format_money(minor, currency);
    let other_name = single_line(&other.name);
    let title = humanise_event_type(&booking.event_type);
    let kind = single_line(&booking.event_type.replace(['_', '-'], " "));
    let kind = if kind.is_empty() { "photo".to_owned() } else { kind };
    let date = zone.date(booking.start);
    let when = zone.range(booking.start, booking.end);
    let with = match other.role {
        Role::Photographer => "Photographer",
        Role::Client => "Client",
    };
    let reference = ("Booking reference", single_line(&booking.booking_id));

    let (subject, heading, intro, mut details, closing) = match (event, recipient.role) {
        (MoneyEvent::Received { intent, kind: paid_for, amount_minor, .. }, Role::Client) => {
            let due = ledger.due();
            let closing = if due == 0 {
                "Nothing more is due for this booking. Keep this email as your receipt.".to_owned()
            } else {
                match ledger.balance_due_at {
                    Some(at) if at > ledger.updated_at => format!(
                        "The balance of {} is charged to the same card on {}; we'll email you before we do.",
                        money(due),
                        zone.date(at)
                    ),
                    Some(_) => format!("The balance of {} is charged to the same card shortly.", money(due)),
                    None => format!("The balance of {} is due before the session.", money(due)),
                }
            };
            (
                format!("Receipt: {} {} for your {title} shoot on {date}", money(*amount_minor), kind_label(*paid_for)),
                "Payment received".to_owned(),
                format!(
                    "Thank you. We've received your {} of {} for your {kind} shoot with {other_name}.",
                    kind_label(*paid_for),
                    money(*amount_minor)
                ),
                vec![
                    ("Amount paid", money(*amount_minor)),
                    ("For", kind_label(*paid_for).to_owned()),
                    ("Total price", money(ledger.schedule.total.amount_minor)),
                    ("Paid so far", money(ledger.captured())),
                    ("Still due", money(due)),
                    ("When", when),
                    (with, other_name.clone()),
                    ("Payment reference", single_line(intent)),
                ],
                closing,
            )
        }
        (MoneyEvent::Received { kind: paid_for, amount_minor, fee_minor, .. }, Role::Photographer) => (
            format!(
                "Payment received: {} {} from {other_name} for {date}",
                money(*amount_minor),
                kind_label(*paid_for)
            ),
            "You've been paid".to_owned(),
            format!(
                "{other_name} paid the {} of {} for their {kind} shoot.",
                kind_label(*paid_for),
                money(*amount_minor)
            ),
            vec![
                ("Amount", money(*amount_minor)),
                ("Platform fee", money(*fee_minor)),
                ("Your share", money(amount_minor - fee_minor)),
                ("When", when),
                (with, other_name.clone()),
            ],
            "Stripe pays your share out to your bank account on your payout schedule.".to_owned(),
        ),
        (MoneyEvent::Refunded { amount_minor, .. }, _) => (
            format!("Refund: {} for your {title} shoot on {date}", money(*amount_minor)),
            "We've refunded you".to_owned(),
            format!(
                "We've refunded {} for your {kind} shoot with {other_name} to the card you paid with.",
                money(*amount_minor)
            ),
            vec![
                ("Refunded now", money(*amount_minor)),
                ("Refunded in all", money(ledger.refunded())),
                ("Paid in all", money(ledger.captured())),
                ("When", when),
                (with, other_name.clone()),
            ],
            "Refunds usually reach your account within 5 to 10 business days, depending on your bank.".to_owned(),
        ),
        (MoneyEvent::BalanceDue { due_at, amount_minor }, _) => {
            let on = zone.date(*due_at);
            (
                format!("Balance due on {on}: {} for your {title} shoot", money(*amount_minor)),
                "Your balance is due soon".to_owned(),
                format!(
                    "On {on} we'll charge the balance of {} for your {kind} shoot with {other_name} to the card you paid the deposit with.",
                    money(*amount_minor)
                ),
                vec![("Balance", money(*amount_minor)), ("Charged on", on), ("When", when), (with, other_name.clone())],
                "Nothing to do if that card still works. To pay with another card, open the booking in the Capture \
                 Moments app and pay the balance now."
                    .to_owned(),
            )
        }
        (MoneyEvent::BalanceFailed { attempt, last, reason, amount_minor }, _) => {
            let amount = money(*amount_minor);
            let (subject, intro) = if event.needs_authentication() {
                (
                    format!("Action needed: confirm your balance payment of {amount}"),
                    format!(
                        "Your bank asked you to confirm the balance payment of {amount} for your {kind} shoot with {other_name}, so we could not charge it automatically."
                    ),
                )
            } else {
                let why = reason.as_deref().map(|r| single_line(&r.replace('_', " "))).filter(|r| !r.is_empty());
                (
                    format!("Action needed: your balance payment of {amount} didn't go through"),
                    match why {
                        Some(why) => format!(
                            "We tried to charge the balance of {amount} for your {kind} shoot with {other_name}, but it didn't go through ({why})."
                        ),
                        None => format!(
                            "We tried to charge the balance of {amount} for your {kind} shoot with {other_name}, but it didn't go through."
                        ),
                    },
                )
            };
            let closing = if *last {
                "We won't try that card again. Please open the booking in the Capture Moments app and pay the \
                 balance before the session."
                    .to_owned()
            } else {
                "We'll try again tomorrow. To settle it now, open the booking in the Capture Moments app and pay the \
                 balance with the card of your choice."
                    .to_owned()
            };
            (
                subject,
                "Your balance payment needs attention".to_owned(),
                intro,
                vec![
                    ("Balance", amount),
                    ("Automatic try", format!("{attempt} of {MAX_BALANCE_ATTEMPTS}")),
                    ("When", when),
                    (with, other_name.clone()),
                ],
                closing,
            )
        }
    };
    details.push(reference);
    Content { subject: single_line(&subject), heading, intro, details, closing }
}

/// The platform-topic message for a money event: ids, amounts and the ledger's totals,
/// no personal data; `event`, `booking_id` and `photographer_id` attributes as for
/// booking events.
pub fn payment_sns_message(notice: PaymentNotice<'_>) -> SnsMessage {
    let PaymentNotice { event, booking, ledger } = notice;
    let mut detail = match event {
        MoneyEvent::Received { intent, kind, amount_minor, fee_minor, .. } => json!({
            "intent_id": intent, "kind": kind.as_str(), "amount_minor": amount_minor, "fee_minor": fee_minor,
        }),
        MoneyEvent::Refunded { intent, amount_minor, refunded_total_minor } => json!({
            "intent_id": intent, "amount_minor": amount_minor, "refunded_total_minor": refunded_total_minor,
        }),
        MoneyEvent::BalanceDue { due_at, amount_minor } => json!({
            "due_at": due_at.to_rfc3339_opts(SecondsFormat::Secs, true), "amount_minor": amount_minor,
        }),
        MoneyEvent::BalanceFailed { attempt, last, reason, amount_minor } => json!({
            "attempt": attempt, "last": last, "reason": reason, "amount_minor": amount_minor,
        }),
    };
    let photographer_id = ledger.photographer_id.to_string();
    if let Some(o) = detail.as_object_mut() {
        for (k, v) in [
            ("version", json!(SNS_MESSAGE_VERSION)),
            ("event", json!(event.name())),
            ("booking_id", json!(booking.booking_id)),
            ("photographer_id", json!(photographer_id)),
            ("client_id", json!(ledger.client_id.to_string())),
            ("currency", json!(ledger.schedule.total.currency.as_str())),
            ("payment_state", json!(ledger.state().as_str())),
            ("paid_minor", json!(ledger.captured())),
            ("refunded_minor", json!(ledger.refunded())),
            ("due_minor", json!(ledger.due())),
        ] {
            o.insert(k.to_owned(), v);
        }
    }
    let attributes =
        [("event", event.name()), ("booking_id", booking.booking_id.as_str()), ("photographer_id", &photographer_id)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
    let safe_id: String = booking.booking_id.chars().filter(|c| c.is_ascii_graphic()).collect();
    let subject = format!("Payment {}: {safe_id}", event.name().replace('_', " ")).chars().take(100).collect();
    SnsMessage { subject, message: detail.to_string(), attributes }
}
