//! Email rendering: the recipient matrix, subjects, escaping, timezones and money, observed
//! through the public API only.

mod common;

use cm_notify::{BookingEvent, BookingStatus, NotifyError, Party, Role, recipients, render_email};
use common::{client, now, pair, photographer, snapshot, utc};
use proptest::prelude::*;

fn subject(event: BookingEvent, role: Role, s: &cm_notify::BookingSnapshot) -> String {
    let (recipient, other) = pair(role);
    render_email(event, s, &recipient, &other, now()).unwrap().subject
}

#[test]
fn created_mails_both_with_request_wording() {
    assert_eq!(recipients(BookingEvent::Created), &[Role::Photographer, Role::Client]);
    let s = snapshot();
    assert_eq!(
        subject(BookingEvent::Created, Role::Photographer, &s),
        "New booking request: Wedding shoot on Sat 26 Dec 2026 from Asha Rao"
    );
    // The client is in New York: 04:30Z on the 26th is still the 25th there.
    assert_eq!(
        subject(BookingEvent::Created, Role::Client, &s),
        "Booking request sent: Wedding shoot with Ravi Kumar on Fri 25 Dec 2026"
    );
}

#[test]
fn confirmed_mails_both() {
    assert_eq!(recipients(BookingEvent::Confirmed), &[Role::Photographer, Role::Client]);
    let s = cm_notify::BookingSnapshot { status: BookingStatus::Confirmed, ..snapshot() };
    assert_eq!(
        subject(BookingEvent::Confirmed, Role::Client, &s),
        "Booking confirmed: Wedding shoot with Ravi Kumar on Fri 25 Dec 2026"
    );
    assert_eq!(
        subject(BookingEvent::Confirmed, Role::Photographer, &s),
        "You confirmed: Wedding shoot for Asha Rao on Sat 26 Dec 2026"
    );
}

#[test]
fn declined_mails_only_the_client_with_the_reason() {
    assert_eq!(recipients(BookingEvent::Declined), &[Role::Client]);
    let s = cm_notify::BookingSnapshot {
        status: BookingStatus::Declined,
        reason: Some("Already booked that weekend.\nSorry!".to_owned()),
        ..snapshot()
    };
    let (recipient, other) = pair(Role::Client);
    let email = render_email(BookingEvent::Declined, &s, &recipient, &other, now()).unwrap();
    assert_eq!(email.subject, "Booking request declined: Wedding shoot on Fri 25 Dec 2026");
    assert!(email.text.contains("Reason: Already booked that weekend.\n  Sorry!"));
    assert!(email.html.contains("Already booked that weekend.<br>\nSorry!"));

    let (recipient, other) = pair(Role::Photographer);
    assert_eq!(
        render_email(BookingEvent::Declined, &s, &recipient, &other, now()),
        Err(NotifyError::NotARecipient { event: BookingEvent::Declined, role: Role::Photographer })
    );
}

#[test]
fn cancelled_mails_both_and_names_the_canceller() {
    assert_eq!(recipients(BookingEvent::Cancelled), &[Role::Photographer, Role::Client]);
    let s = cm_notify::BookingSnapshot {
        status: BookingStatus::Cancelled,
        cancelled_by: Some(Role::Client),
        reason: Some("Venue changed".to_owned()),
        ..snapshot()
    };
    assert_eq!(subject(BookingEvent::Cancelled, Role::Client, &s), "You cancelled: Wedding shoot on Fri 25 Dec 2026");
    assert_eq!(
        subject(BookingEvent::Cancelled, Role::Photographer, &s),
        "Booking cancelled by Asha Rao: Wedding shoot on Sat 26 Dec 2026"
    );
    let unknown = cm_notify::BookingSnapshot { cancelled_by: None, ..s.clone() };
    assert_eq!(
        subject(BookingEvent::Cancelled, Role::Photographer, &unknown),
        "Booking cancelled: Wedding shoot on Sat 26 Dec 2026"
    );
    let (recipient, other) = pair(Role::Photographer);
    let email = render_email(BookingEvent::Cancelled, &s, &recipient, &other, now()).unwrap();
    assert!(email.text.contains("Asha Rao cancelled the wedding shoot."));
    assert!(email.text.contains("Reason: Venue changed\n"));
}

#[test]
fn rescheduled_mails_both_with_new_and_previous_time() {
    assert_eq!(recipients(BookingEvent::Rescheduled), &[Role::Photographer, Role::Client]);
    let s = cm_notify::BookingSnapshot {
        status: BookingStatus::Confirmed,
        start: utc(2026, 12, 27, 4, 30),
        end: utc(2026, 12, 27, 6, 30),
        previous_start: Some(utc(2026, 12, 26, 4, 30)),
        sequence: 2,
        ..snapshot()
    };
    assert_eq!(
        subject(BookingEvent::Rescheduled, Role::Photographer, &s),
        "Booking rescheduled: Wedding shoot now on Sun 27 Dec 2026"
    );
    assert_eq!(
        subject(BookingEvent::Rescheduled, Role::Client, &s),
        "Booking rescheduled: Wedding shoot now on Sat 26 Dec 2026"
    );
    let (recipient, other) = pair(Role::Photographer);
    let email = render_email(BookingEvent::Rescheduled, &s, &recipient, &other, now()).unwrap();
    assert!(email.text.contains("When: Sun 27 Dec 2026, 10:00–12:00 IST (Asia/Kolkata)\n"));
    assert!(email.text.contains("Previously: Sat 26 Dec 2026, 10:00 IST (Asia/Kolkata)\n"));
}

#[test]
fn expired_mails_both() {
    assert_eq!(recipients(BookingEvent::Expired), &[Role::Photographer, Role::Client]);
    let s = cm_notify::BookingSnapshot { status: BookingStatus::Expired, ..snapshot() };
    assert_eq!(
        subject(BookingEvent::Expired, Role::Client, &s),
        "Booking request expired: Wedding shoot on Fri 25 Dec 2026"
    );
    assert_eq!(
        subject(BookingEvent::Expired, Role::Photographer, &s),
        "Booking request expired: Wedding shoot for Asha Rao on Sat 26 Dec 2026"
    );
}

#[test]
fn completed_invites_only_the_client_to_review_without_an_invite() {
    assert_eq!(recipients(BookingEvent::Completed), &[Role::Client]);
    let s = cm_notify::BookingSnapshot { status: BookingStatus::Completed, ..snapshot() };
    let (recipient, other) = pair(Role::Client);
    let email = render_email(BookingEvent::Completed, &s, &recipient, &other, now()).unwrap();
    assert_eq!(email.subject, "How was your wedding shoot with Ravi Kumar?");
    assert!(email.text.contains("Leave a review for Ravi Kumar"));
    assert!(email.ics.is_none());
    let (recipient, other) = pair(Role::Photographer);
    assert!(matches!(
        render_email(BookingEvent::Completed, &s, &recipient, &other, now()),
        Err(NotifyError::NotARecipient { .. })
    ));
}

#[test]
fn every_mailed_cell_renders_and_every_blank_cell_is_refused() {
    for event in BookingEvent::ALL {
        for role in [Role::Photographer, Role::Client] {
            let (recipient, other) = pair(role);
            let result = render_email(event, &snapshot(), &recipient, &other, now());
            if recipients(event).contains(&role) {
                let email = result.unwrap();
                assert!(!email.subject.is_empty());
                assert!(email.html.starts_with("<!DOCTYPE html>"));
                assert!(email.text.contains("Booking reference: 01JFBOOKING0000000000000001"));
                assert_eq!(email.ics.is_some(), event != BookingEvent::Completed);
            } else {
                assert!(result.is_err(), "{event} / {role} should be refused");
            }
        }
    }
}

#[test]
fn mismatched_parties_and_empty_ranges_are_refused() {
    let s = snapshot();
    assert_eq!(
        render_email(BookingEvent::Created, &s, &client(), &client(), now()),
        Err(NotifyError::WrongRole { position: "other party", expected: Role::Photographer, found: Role::Client })
    );
    let empty = cm_notify::BookingSnapshot { end: s.start, ..s.clone() };
    assert_eq!(
        render_email(BookingEvent::Created, &empty, &client(), &photographer(), now()),
        Err(NotifyError::EmptyTimeRange { booking_id: s.booking_id.clone() })
    );
}

#[test]
fn user_strings_are_escaped_in_html_and_plain_in_text() {
    let evil_client = Party { name: "<script>alert('x')</script>".to_owned(), ..client() };
    let mut s = snapshot();
    s.event_type = "wedding<img src=x onerror=alert(1)>".to_owned();
    s.location.address = "5 \"Quote\" & <b>Bold</b> Lane".to_owned();
    s.reason = Some("<iframe src=//evil>".to_owned());
    s.cancelled_by = Some(Role::Client);

    let email = render_email(BookingEvent::Cancelled, &s, &photographer(), &evil_client, now()).unwrap();
    for raw in ["<script", "<img", "<b>", "<iframe", "\"Quote\""] {
        assert!(!email.html.contains(raw), "raw {raw} leaked into HTML");
    }
    assert!(email.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(email.html.contains("5 &quot;Quote&quot; &amp; &lt;b&gt;Bold&lt;/b&gt; Lane"));
    assert!(email.html.contains("&lt;iframe src=//evil&gt;"));
    // The subject is escaped inside <title> too.
    assert!(email.html.contains("<title>Booking cancelled by &lt;script&gt;"));
    // Text is not HTML: it carries the strings verbatim.
    assert!(email.text.contains("<script>alert('x')</script> cancelled"));
}

#[test]
fn subjects_never_carry_line_breaks_from_user_data() {
    let sneaky = Party { name: "Asha\r\nBcc: everyone@example.com".to_owned(), ..client() };
    let email = render_email(BookingEvent::Created, &snapshot(), &photographer(), &sneaky, now()).unwrap();
    assert!(!email.subject.contains('\r') && !email.subject.contains('\n'));
    assert!(email.subject.ends_with("from Asha Bcc: everyone@example.com"));
}

#[test]
fn times_follow_the_recipients_zone_across_dst() {
    let summer =
        cm_notify::BookingSnapshot { start: utc(2026, 7, 4, 14, 0), end: utc(2026, 7, 4, 16, 0), ..snapshot() };
    let winter =
        cm_notify::BookingSnapshot { start: utc(2026, 1, 10, 15, 0), end: utc(2026, 1, 10, 17, 0), ..snapshot() };
    let text = |s: &cm_notify::BookingSnapshot| {
        render_email(BookingEvent::Created, s, &client(), &photographer(), now()).unwrap().text
    };
    assert!(text(&summer).contains("When: Sat 4 Jul 2026, 10:00–12:00 EDT (America/New_York)"));
    assert!(text(&winter).contains("When: Sat 10 Jan 2026, 10:00–12:00 EST (America/New_York)"));

    // Same booking, other recipient: Kolkata has no DST and shows IST.
    let photographer_text =
        render_email(BookingEvent::Created, &summer, &photographer(), &client(), now()).unwrap().text;
    assert!(photographer_text.contains("When: Sat 4 Jul 2026, 19:30–21:30 IST (Asia/Kolkata)"));
}

#[test]
fn an_unknown_timezone_falls_back_to_utc() {
    let lost = Party { timezone: "Not/A_Zone".to_owned(), ..client() };
    let email = render_email(BookingEvent::Created, &snapshot(), &lost, &photographer(), now()).unwrap();
    assert!(email.text.contains("When: Sat 26 Dec 2026, 04:30–06:30 UTC\n"));
    assert!(email.subject.ends_with("on Sat 26 Dec 2026"));
}

#[test]
fn prices_use_the_currency_exponent() {
    let render = |amount_minor: i64, currency: &str| {
        let mut s = snapshot();
        s.price.amount_minor = amount_minor;
        s.price.currency = currency.to_owned().try_into().unwrap();
        render_email(BookingEvent::Created, &s, &client(), &photographer(), now()).unwrap().text
    };
    assert!(render(15_000_000, "INR").contains("Price: ₹1,50,000.00\n"));
    assert!(render(250_050, "USD").contains("Price: $2,500.50\n"));
    assert!(render(120_000, "JPY").contains("Price: ¥120,000\n"));
    assert!(render(99, "EUR").contains("Price: €0.99\n"));
    assert!(render(199_999, "GBP").contains("Price: £1,999.99\n"));
}

#[test]
fn attachment_metadata_follows_the_method() {
    let email = render_email(BookingEvent::Created, &snapshot(), &client(), &photographer(), now()).unwrap();
    let ics = email.ics.unwrap();
    assert_eq!(ics.filename, "booking-01JFBOOKING0000000000000001.ics");
    assert_eq!(ics.content_type, "text/calendar; method=REQUEST; charset=UTF-8");

    let mut s = snapshot();
    s.booking_id = "../../etc/passwd\r\n".to_owned();
    let email = render_email(BookingEvent::Expired, &s, &client(), &photographer(), now()).unwrap();
    let ics = email.ics.unwrap();
    assert_eq!(ics.filename, "booking-etcpasswd.ics");
    assert_eq!(ics.content_type, "text/calendar; method=CANCEL; charset=UTF-8");
}

#[test]
fn rendering_is_deterministic() {
    let a = render_email(BookingEvent::Confirmed, &snapshot(), &client(), &photographer(), now());
    let b = render_email(BookingEvent::Confirmed, &snapshot(), &client(), &photographer(), now());
    assert_eq!(a, b);
}

fn tag_count(html: &str) -> usize {
    html.matches('<').count()
}

proptest! {
    /// Whatever users type into names, addresses or event types, the HTML has exactly the
    /// tags of the template: user text can never add markup.
    #[test]
    fn user_text_never_adds_markup(
        name in any::<String>(),
        address in any::<String>(),
        event_type in any::<String>(),
        event in prop::sample::select(BookingEvent::ALL.to_vec()),
    ) {
        let role = recipients(event)[0];
        let (recipient, other) = pair(role);
        let baseline = render_email(event, &snapshot(), &recipient, &other, now()).unwrap();

        let mut s = snapshot();
        s.location.address = address;
        s.event_type = event_type;
        let other = Party { name, ..other };
        let email = render_email(event, &s, &recipient, &other, now()).unwrap();

        let baseline_tags = tag_count(&baseline.html);
        // A blank address drops the Where row, whose <tr><th></th><td></td></tr> has six.
        let tags = tag_count(&email.html);
        prop_assert!(tags == baseline_tags || tags + 6 == baseline_tags, "{} vs {}", tags, baseline_tags);
        prop_assert!(!email.subject.chars().any(char::is_control));
    }
}

#[test]
fn a_delivered_gallery_mails_the_client_with_the_date_in_their_zone() {
    use cm_notify::{GalleryDelivery, gallery_sns_message, render_gallery_email};
    // Delivered 03:00Z on 1 Jan; 30 days later is 31 Jan 03:00Z, still the 30th in New York.
    let delivery = GalleryDelivery {
        booking_id: "01JD3QB7Z0H4N8Q2R6T9W3Y5XC".into(),
        ready_photos: 120,
        retention_days: 30,
        delivered_at: utc(2027, 1, 1, 3, 0),
    };
    let photographer = Party { name: "Ravi <b>Kumar</b>".into(), ..photographer() };
    let email = render_gallery_email(&delivery, &client(), &photographer).unwrap();
    assert_eq!(email.subject, "Your photos from Ravi <b>Kumar</b> are ready");
    assert!(email.text.contains("Download before: Sat 30 Jan 2027"), "{}", email.text);
    assert!(email.text.contains("120 photos"));
    assert!(email.html.contains("Ravi &lt;b&gt;Kumar&lt;/b&gt;") && !email.html.contains("<b>Kumar"));
    assert!(email.ics.is_none());
    let one = render_gallery_email(&GalleryDelivery { ready_photos: 1, ..delivery.clone() }, &client(), &photographer);
    assert!(one.unwrap().text.contains("delivered 1 photo from"));
    assert!(matches!(
        render_gallery_email(&delivery, &photographer, &client()),
        Err(NotifyError::WrongRole { expected: Role::Client, .. })
    ));
    let sns = gallery_sns_message(&delivery, "P", "C");
    let body: serde_json::Value = serde_json::from_str(&sns.message).unwrap();
    assert_eq!((body["event"].as_str(), body["ready_photos"].as_u64()), (Some("gallery_delivered"), Some(120)));
    assert!(sns.attributes.contains(&("event".to_owned(), "gallery_delivered".to_owned())));
}

#[test]
fn reminders_name_the_session_in_each_zone_and_carry_the_same_invite() {
    use cm_notify::render_reminder_email;
    use icalendar::Component;
    let s = cm_notify::BookingSnapshot { status: BookingStatus::Confirmed, ..snapshot() };
    let (c, p) = pair(Role::Client);
    let to_client = render_reminder_email(&s, &c, &p, 24, now()).unwrap();
    assert_eq!(to_client.subject, "Reminder: Wedding shoot with Ravi Kumar on Fri 25 Dec 2026");
    assert!(to_client.text.starts_with("Your shoot is in 24 hours\n"), "{}", to_client.text);
    let (p2, c2) = pair(Role::Photographer);
    let to_photographer = render_reminder_email(&s, &p2, &c2, 2, now()).unwrap();
    assert_eq!(to_photographer.subject, "Reminder: Wedding shoot with Asha Rao on Sat 26 Dec 2026");
    assert!(to_photographer.text.starts_with("Your shoot is in 2 hours\n"));
    // The invite is the booking's own: the same UID and SEQUENCE as the confirmation's.
    let confirmation = render_email(BookingEvent::Confirmed, &s, &c, &p, now()).unwrap();
    let uid = |e: &cm_notify::Email| {
        let calendar = common::parse(&e.ics.as_ref().unwrap().body);
        let ev = common::only_event(&calendar);
        (ev.get_uid().map(String::from), ev.get_sequence())
    };
    assert_eq!(uid(&to_client), uid(&confirmation));
    assert!(to_client.ics.as_ref().unwrap().content_type.contains("method=REQUEST"));
    // The other party must be the counterpart.
    assert!(render_reminder_email(&s, &c, &c, 24, now()).is_err());
}
