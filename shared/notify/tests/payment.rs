//! Money emails and SNS messages, rendered from real ledgers changed the way the
//! payment functions change them, with the events `money_events` derives.

mod common;

use chrono::TimeDelta;
use cm_core::{BookingId, UserId};
use cm_notify::{NotifyError, PaymentNotice, Role, payment_recipients, payment_sns_message, render_payment_email};
use cm_payments::ledger::{Intent, IntentReport, IntentStatus, PaymentKind, Refund, RefundReason};
use cm_payments::terms::MAX_BALANCE_ATTEMPTS;
use cm_payments::{Ledger, MoneyEvent, PaymentTerms, money_events};
use common::{now, pair, snapshot};

/// ₹1,50,000.00 at the default terms (30% deposit, 10% commission, balance 7 days out).
fn ledger() -> Ledger {
    let s = snapshot();
    let terms = PaymentTerms::default();
    let schedule = terms.schedule(&s.price).unwrap();
    Ledger::open(
        BookingId::new(),
        UserId::new(),
        UserId::new(),
        terms,
        schedule,
        "acct_1".into(),
        "cus_1".into(),
        s.start,
        now(),
    )
}

fn report(id: &str, status: IntentStatus, captured: i64) -> IntentReport {
    IntentReport {
        id: id.into(),
        status,
        at: 1,
        captured_minor: captured,
        failure: None,
        payment_method: None,
        charge: None,
    }
}

fn with_deposit_captured() -> (Ledger, Ledger) {
    let mut before = ledger();
    let fee = before.terms.application_fee(4_500_000);
    before.add_intent(Intent::created(
        PaymentKind::Deposit,
        1,
        4_500_000,
        fee,
        &report("pi_dep", IntentStatus::Authorized, 0),
    ));
    let after = before.changed(now(), |l| {
        l.report(&report("pi_dep", IntentStatus::Succeeded, 4_500_000));
    });
    (before, after.unwrap())
}

fn only(events: Vec<MoneyEvent>) -> MoneyEvent {
    assert_eq!(events.len(), 1, "{events:?}");
    events.into_iter().next().unwrap()
}

#[test]
fn a_captured_deposit_is_a_receipt_for_the_client_and_a_payout_notice_for_the_photographer() {
    let (before, after) = with_deposit_captured();
    let event = only(money_events(Some(&before), &after));
    let booking = snapshot();
    let notice = PaymentNotice { event: &event, booking: &booking, ledger: &after };
    assert_eq!(payment_recipients(&event), [Role::Photographer, Role::Client]);

    let (to, other) = pair(Role::Client);
    let receipt = render_payment_email(notice, &to, &other).unwrap();
    assert_eq!(receipt.subject, "Receipt: ₹45,000.00 deposit for your Wedding shoot on Fri 25 Dec 2026");
    for line in [
        "Amount paid: ₹45,000.00",
        "Total price: ₹1,50,000.00",
        "Paid so far: ₹45,000.00",
        "Still due: ₹1,05,000.00",
        "Payment reference: pi_dep",
        "Photographer: Ravi Kumar",
    ] {
        assert!(receipt.text.contains(line), "missing {line:?} in\n{}", receipt.text);
    }
    // Seven days before the session, in the client's own zone (New York).
    assert!(receipt.text.contains("charged to the same card on Fri 18 Dec 2026"), "{}", receipt.text);
    assert!(receipt.ics.is_none());

    let (to, other) = pair(Role::Photographer);
    let paid = render_payment_email(notice, &to, &other).unwrap();
    for line in ["Amount: ₹45,000.00", "Platform fee: ₹4,500.00", "Your share: ₹40,500.00", "Client: Asha Rao"] {
        assert!(paid.text.contains(line), "missing {line:?} in\n{}", paid.text);
    }
}

#[test]
fn the_receipt_for_the_last_payment_says_nothing_more_is_due() {
    let (_, mut l) = with_deposit_captured();
    let before = l.clone();
    l.add_intent(Intent::created(
        PaymentKind::Balance,
        1,
        10_500_000,
        1_050_000,
        &report("pi_bal", IntentStatus::Succeeded, 10_500_000),
    ));
    let event = only(money_events(Some(&before), &l));
    let booking = snapshot();
    let (to, other) = pair(Role::Client);
    let email =
        render_payment_email(PaymentNotice { event: &event, booking: &booking, ledger: &l }, &to, &other).unwrap();
    assert!(email.text.contains("Still due: ₹0.00"), "{}", email.text);
    assert!(email.text.contains("Nothing more is due"), "{}", email.text);
}

#[test]
fn refunds_go_to_the_client_only() {
    let (_, paid) = with_deposit_captured();
    let mut refunded = paid.clone();
    refunded.add_refund(Refund {
        id: "re_1".into(),
        intent: "pi_dep".into(),
        amount_minor: 2_250_000,
        reason: RefundReason::ClientCancelled,
        at: now(),
    });
    let event = only(money_events(Some(&paid), &refunded));
    let booking = snapshot();
    let notice = PaymentNotice { event: &event, booking: &booking, ledger: &refunded };
    let (to, other) = pair(Role::Client);
    let email = render_payment_email(notice, &to, &other).unwrap();
    assert_eq!(email.subject, "Refund: ₹22,500.00 for your Wedding shoot on Fri 25 Dec 2026");
    assert!(email.text.contains("Refunded in all: ₹22,500.00"), "{}", email.text);
    assert!(email.text.contains("Paid in all: ₹45,000.00"), "{}", email.text);
    let (to, other) = pair(Role::Photographer);
    assert_eq!(
        render_payment_email(notice, &to, &other),
        Err(NotifyError::NotAPaymentRecipient { event: "payment_refunded", role: Role::Photographer })
    );
}

#[test]
fn the_reminder_names_the_day_the_balance_is_charged() {
    let (_, paid) = with_deposit_captured();
    let due = paid.balance_due_at.unwrap();
    let told = paid.changed(now(), |l| l.balance_reminded_at = Some(due - TimeDelta::days(3))).unwrap();
    let event = only(money_events(Some(&paid), &told));
    let booking = snapshot();
    let (to, other) = pair(Role::Client);
    let email =
        render_payment_email(PaymentNotice { event: &event, booking: &booking, ledger: &told }, &to, &other).unwrap();
    assert_eq!(email.subject, "Balance due on Fri 18 Dec 2026: ₹1,05,000.00 for your Wedding shoot");
    assert!(email.text.contains("pay the balance now"), "{}", email.text);
}

#[test]
fn a_failed_balance_charge_asks_the_client_to_act_and_says_whether_we_try_again() {
    let (_, paid) = with_deposit_captured();
    let declined = |attempts: u32, failure: &str| {
        paid.changed(now(), |l| {
            let mut r = report("pi_bal", IntentStatus::Failed, 0);
            r.failure = Some(failure.into());
            l.add_intent(Intent::created(PaymentKind::Balance, 1, 10_500_000, 1_050_000, &r));
            l.balance_attempts = attempts;
        })
        .unwrap()
    };
    let booking = snapshot();
    let (to, other) = pair(Role::Client);

    let first = declined(1, "authentication_required");
    let event = only(money_events(Some(&paid), &first));
    let email =
        render_payment_email(PaymentNotice { event: &event, booking: &booking, ledger: &first }, &to, &other).unwrap();
    assert_eq!(email.subject, "Action needed: confirm your balance payment of ₹1,05,000.00");
    assert!(email.text.contains("Your bank asked you to confirm"), "{}", email.text);
    assert!(email.text.contains("We'll try again tomorrow"), "{}", email.text);
    assert!(email.text.contains(&format!("Automatic try: 1 of {MAX_BALANCE_ATTEMPTS}")), "{}", email.text);

    let last = declined(MAX_BALANCE_ATTEMPTS, "insufficient_funds");
    let event = only(money_events(Some(&paid), &last));
    let email =
        render_payment_email(PaymentNotice { event: &event, booking: &booking, ledger: &last }, &to, &other).unwrap();
    assert_eq!(email.subject, "Action needed: your balance payment of ₹1,05,000.00 didn't go through");
    assert!(email.text.contains("(insufficient funds)"), "{}", email.text);
    assert!(email.text.contains("We won't try that card again"), "{}", email.text);
}

#[test]
fn names_are_escaped_in_html_and_kept_on_one_line_in_subjects() {
    let (before, after) = with_deposit_captured();
    let event = only(money_events(Some(&before), &after));
    let booking = snapshot();
    let (to, mut other) = pair(Role::Photographer);
    other.name = "<script>alert(1)</script>\r\nBcc: x@evil.test".into();
    let email =
        render_payment_email(PaymentNotice { event: &event, booking: &booking, ledger: &after }, &to, &other).unwrap();
    assert!(!email.html.contains("<script>"));
    assert!(email.html.contains("&lt;script&gt;"));
    assert!(!email.subject.contains('\n') && !email.subject.contains('\r'));
}

#[test]
fn the_sns_message_carries_ids_and_amounts_but_no_personal_data() {
    let (before, after) = with_deposit_captured();
    let event = only(money_events(Some(&before), &after));
    let booking = snapshot();
    let m = payment_sns_message(PaymentNotice { event: &event, booking: &booking, ledger: &after });
    let body: serde_json::Value = serde_json::from_str(&m.message).unwrap();
    assert_eq!(body["event"], "payment_received");
    assert_eq!(body["kind"], "deposit");
    assert_eq!(body["amount_minor"], 4_500_000);
    assert_eq!(body["fee_minor"], 450_000);
    assert_eq!(body["currency"], "INR");
    assert_eq!(body["payment_state"], "deposit_paid");
    assert_eq!(body["due_minor"], 10_500_000);
    assert_eq!(body["photographer_id"], after.photographer_id.to_string());
    assert!(!m.message.contains("Asha") && !m.message.contains("@"));
    let attr = |name: &str| m.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(attr("event"), Some("payment_received"));
    assert_eq!(attr("booking_id"), Some(booking.booking_id.as_str()));
    assert!(m.subject.is_ascii() && m.subject.len() <= 100);
}
