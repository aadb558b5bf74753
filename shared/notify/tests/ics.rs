//! Calendar invites, checked by parsing them back with the independent `icalendar` crate.

mod common;

use chrono::{DateTime, Utc};
use cm_notify::{
    BookingEvent, BookingSnapshot, BookingStatus, IcsMethod, NotifyError, Party, Role, booking_uid, ics_method,
    render_email, render_ics,
};
use common::{calendar_prop, client, now, only_event, parse, photographer, snapshot, utc};
use icalendar::{Component, EventLike, EventStatus};
use proptest::prelude::*;

fn ics(s: &BookingSnapshot, method: IcsMethod) -> String {
    render_ics(s, method, &photographer(), &client(), now()).unwrap()
}

fn start_end(event: &icalendar::Event) -> (DateTime<Utc>, DateTime<Utc>) {
    let as_utc = |d: icalendar::DatePerhapsTime| match d {
        icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t)) => t,
        other => panic!("expected a UTC date-time, got {other:?}"),
    };
    (as_utc(event.get_start().unwrap()), as_utc(event.get_end().unwrap()))
}

#[test]
fn request_parses_back_with_uid_sequence_times_and_status() {
    let s = BookingSnapshot { sequence: 4, ..snapshot() };
    let calendar = parse(&ics(&s, IcsMethod::Request));
    assert_eq!(calendar_prop(&calendar, "METHOD"), Some("REQUEST"));
    assert_eq!(calendar_prop(&calendar, "VERSION"), Some("2.0"));
    assert!(calendar_prop(&calendar, "PRODID").is_some());

    let event = only_event(&calendar);
    assert_eq!(event.get_uid(), Some("booking-01JFBOOKING0000000000000001@capturemoments.app"));
    assert_eq!(event.get_sequence(), Some(4));
    assert_eq!(event.get_timestamp(), Some(now()));
    assert_eq!(start_end(event), (s.start, s.end));
    assert_eq!(event.get_status(), Some(EventStatus::Tentative));
    assert_eq!(event.get_summary(), Some("Wedding shoot: Asha Rao with Ravi Kumar"));
    assert_eq!(event.get_location(), Some("12 MG Road, Bengaluru"));
    let description = event.get_description().unwrap();
    assert!(description.contains("Photographer: Ravi Kumar\nClient: Asha Rao\nPrice: ₹1,50,000.00"));
    assert_eq!(event.property_value("ORGANIZER"), Some("mailto:ravi@example.com"));
    let attendees = event.multi_properties().get("ATTENDEE").unwrap();
    assert_eq!(attendees.len(), 1);
    assert_eq!(attendees[0].value(), "mailto:asha@example.com");
}

#[test]
fn raw_form_uses_utc_z_times_and_crlf() {
    let text = ics(&snapshot(), IcsMethod::Request);
    assert!(text.contains("\r\nDTSTART:20261226T043000Z\r\n"));
    assert!(text.contains("\r\nDTEND:20261226T063000Z\r\n"));
    assert!(text.contains("\r\nDTSTAMP:20261201T091500Z\r\n"));
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    // Every LF is part of a CRLF.
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    assert!(text.contains("ORGANIZER;CN=\"Ravi Kumar\":mailto:ravi@example.com\r\n"));
}

#[test]
fn confirmed_status_maps_to_confirmed() {
    let s = BookingSnapshot { status: BookingStatus::Confirmed, ..snapshot() };
    let calendar = parse(&ics(&s, IcsMethod::Request));
    assert_eq!(only_event(&calendar).get_status(), Some(EventStatus::Confirmed));
}

#[test]
fn cancel_yields_method_cancel_and_status_cancelled_with_the_same_uid() {
    let request = parse(&ics(&snapshot(), IcsMethod::Request));
    let cancelled = BookingSnapshot {
        status: BookingStatus::Cancelled,
        sequence: 1,
        reason: Some("Family emergency; sorry, truly".to_owned()),
        ..snapshot()
    };
    let cancel = parse(&ics(&cancelled, IcsMethod::Cancel));
    assert_eq!(calendar_prop(&cancel, "METHOD"), Some("CANCEL"));
    let event = only_event(&cancel);
    assert_eq!(event.get_status(), Some(EventStatus::Cancelled));
    assert_eq!(event.get_uid(), only_event(&request).get_uid());
    assert_eq!(event.get_sequence(), Some(1));
    assert!(event.get_description().unwrap().contains("Reason: Family emergency; sorry, truly"));
}

#[test]
fn cancel_overrides_a_stale_status() {
    // Even if the store still says confirmed, a CANCEL must not say CONFIRMED.
    let s = BookingSnapshot { status: BookingStatus::Confirmed, ..snapshot() };
    let calendar = parse(&ics(&s, IcsMethod::Cancel));
    assert_eq!(only_event(&calendar).get_status(), Some(EventStatus::Cancelled));
}

#[test]
fn events_map_to_methods() {
    use BookingEvent::*;
    assert_eq!(ics_method(Created), Some(IcsMethod::Request));
    assert_eq!(ics_method(Confirmed), Some(IcsMethod::Request));
    assert_eq!(ics_method(Rescheduled), Some(IcsMethod::Request));
    assert_eq!(ics_method(Declined), Some(IcsMethod::Cancel));
    assert_eq!(ics_method(Cancelled), Some(IcsMethod::Cancel));
    assert_eq!(ics_method(Expired), Some(IcsMethod::Cancel));
    assert_eq!(ics_method(Completed), None);
}

#[test]
fn decline_and_expiry_emails_carry_a_cancel() {
    for event in [BookingEvent::Declined, BookingEvent::Expired, BookingEvent::Cancelled] {
        let email = render_email(event, &snapshot(), &client(), &photographer(), now()).unwrap();
        let calendar = parse(&email.ics.unwrap().body);
        assert_eq!(calendar_prop(&calendar, "METHOD"), Some("CANCEL"), "{event}");
        assert_eq!(only_event(&calendar).get_status(), Some(EventStatus::Cancelled), "{event}");
    }
}

#[test]
fn reschedule_keeps_uid_and_increases_sequence() {
    // The lifecycle as the store would emit it: created, confirmed, moved twice.
    let created = snapshot();
    let confirmed = BookingSnapshot { status: BookingStatus::Confirmed, sequence: 1, ..created.clone() };
    let moved = BookingSnapshot {
        start: utc(2026, 12, 27, 4, 30),
        end: utc(2026, 12, 27, 7, 30),
        previous_start: Some(created.start),
        sequence: 2,
        ..confirmed.clone()
    };
    let moved_again = BookingSnapshot {
        start: utc(2026, 12, 28, 4, 30),
        end: utc(2026, 12, 28, 7, 30),
        previous_start: Some(moved.start),
        sequence: 3,
        ..moved.clone()
    };
    let steps = [
        (BookingEvent::Created, &created),
        (BookingEvent::Confirmed, &confirmed),
        (BookingEvent::Rescheduled, &moved),
        (BookingEvent::Rescheduled, &moved_again),
    ];

    let mut seen_uid = None;
    let mut last_sequence = None;
    for (event, s) in steps {
        let email = render_email(event, s, &client(), &photographer(), now()).unwrap();
        let calendar = parse(&email.ics.unwrap().body);
        assert_eq!(calendar_prop(&calendar, "METHOD"), Some("REQUEST"));
        let vevent = only_event(&calendar);
        let uid = vevent.get_uid().unwrap().to_owned();
        assert_eq!(uid, booking_uid(&s.booking_id));
        if let Some(previous) = &seen_uid {
            assert_eq!(&uid, previous, "UID changed on {event}");
        }
        seen_uid = Some(uid);
        let sequence = vevent.get_sequence().unwrap();
        if let Some(previous) = last_sequence {
            assert!(sequence > previous, "SEQUENCE did not increase on {event}");
        }
        last_sequence = Some(sequence);
        assert_eq!(start_end(vevent), (s.start, s.end));
    }
}

#[test]
fn wrong_roles_and_empty_ranges_are_refused() {
    let s = snapshot();
    assert_eq!(
        render_ics(&s, IcsMethod::Request, &client(), &photographer(), now()),
        Err(NotifyError::WrongRole { position: "organizer", expected: Role::Photographer, found: Role::Client })
    );
    assert_eq!(
        render_ics(&s, IcsMethod::Request, &photographer(), &photographer(), now()),
        Err(NotifyError::WrongRole { position: "attendee", expected: Role::Client, found: Role::Photographer })
    );
    let backwards = BookingSnapshot { end: utc(2026, 12, 26, 3, 0), ..s.clone() };
    assert!(matches!(
        render_ics(&backwards, IcsMethod::Request, &photographer(), &client(), now()),
        Err(NotifyError::EmptyTimeRange { .. })
    ));
}

#[test]
fn text_values_are_escaped_and_round_trip() {
    let mut s = snapshot();
    s.location.address = "Flat 4; Block B, Lake View\\Annexe".to_owned();
    s.location.city = "Mumbai".to_owned();
    let organizer = Party { name: "Ravi, \"The Lens\"; Kumar".to_owned(), ..photographer() };
    let text = render_ics(&s, IcsMethod::Request, &organizer, &client(), now()).unwrap();
    assert!(text.contains("LOCATION:Flat 4\\; Block B\\, Lake View\\\\Annexe\\, Mumbai\r\n"), "{text}");
    // Parameter values are quoted, with RFC 6868 caret escapes for the double quotes.
    assert!(text.contains("ORGANIZER;CN=\"Ravi, ^'The Lens^'; Kumar\":mailto:"));

    let calendar = parse(&text);
    let event = only_event(&calendar);
    assert_eq!(event.get_location(), Some("Flat 4; Block B, Lake View\\Annexe, Mumbai"));
    assert_eq!(event.get_summary(), Some("Wedding shoot: Asha Rao with Ravi, \"The Lens\"; Kumar"));
}

#[test]
fn long_multibyte_values_fold_and_parse_back() {
    let mut s = snapshot();
    s.location.address = "पुराना किला रोड, प्रगति मैदान के पास, नई दिल्ली 110001 — 😀🎉📸 ".repeat(4);
    let text = ics(&s, IcsMethod::Request);
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let calendar = parse(&text);
    assert_eq!(
        only_event(&calendar).get_location().map(str::to_owned),
        Some(format!("{}, Bengaluru", s.location.address.trim()))
    );
}

/// Text without control characters, with extra weight on the characters that need
/// escaping or are more than one octet long.
fn user_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => any::<char>().prop_filter("no control characters", |c| !c.is_control()),
            1 => prop::sample::select(vec![',', ';', '\\', '\n', '"', ':', 'é', '😀', '₹']),
        ],
        0..160,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any user text yields lines within 75 octets, CRLF endings, valid UTF-8 per line,
    /// and an invite the independent parser reads back to the same values.
    #[test]
    fn any_user_text_round_trips(
        client_name in user_text(),
        photographer_name in user_text(),
        address in user_text(),
        reason in user_text(),
    ) {
        let mut s = BookingSnapshot {
            status: BookingStatus::Cancelled,
            reason: Some(reason.clone()),
            ..snapshot()
        };
        s.location.address = address.clone();
        let organizer = Party { name: photographer_name.clone(), ..photographer() };
        let attendee = Party { name: client_name.clone(), ..client() };
        let text = render_ics(&s, IcsMethod::Cancel, &organizer, &attendee, now()).unwrap();

        prop_assert!(text.ends_with("\r\n"));
        prop_assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
        for line in text.as_bytes().split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            prop_assert!(line.len() <= 75);
            prop_assert!(std::str::from_utf8(line).is_ok());
        }

        let calendar = parse(&text);
        let event = only_event(&calendar);
        let expected_summary = format!("Wedding shoot: {client_name} with {photographer_name}");
        prop_assert_eq!(event.get_summary(), Some(expected_summary.as_str()));
        let expected_location = [address.trim(), "Bengaluru"]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        prop_assert_eq!(event.get_location(), Some(expected_location.as_str()));
        let description = event.get_description().unwrap_or_default();
        let expected_photographer = format!("Photographer: {photographer_name}\n");
        prop_assert!(description.contains(&expected_photographer));
        if !reason.trim().is_empty() {
            let expected_reason = format!("Reason: {}\n", reason.trim());
            prop_assert!(description.contains(&expected_reason));
        }
        let expected_uid = booking_uid(&s.booking_id);
        prop_assert_eq!(event.get_uid(), Some(expected_uid.as_str()));
    }
}

#[test]
fn a_feed_publishes_every_booking_with_its_invite_uid_and_status() {
    let confirmed = BookingSnapshot { status: BookingStatus::Confirmed, sequence: 2, ..snapshot() };
    let cancelled = BookingSnapshot {
        booking_id: "01JFBOOKING0000000000000002".into(),
        status: BookingStatus::Cancelled,
        sequence: 5,
        start: utc(2027, 1, 9, 4, 30),
        end: utc(2027, 1, 9, 6, 30),
        ..snapshot()
    };
    let entries: Vec<cm_notify::FeedEntry> = [&confirmed, &cancelled]
        .into_iter()
        .map(|s| cm_notify::FeedEntry { snapshot: s.clone(), organizer: photographer(), attendee: client() })
        .collect();
    let text = cm_notify::render_feed("Capture Moments: Ravi Kumar", &entries, now()).unwrap();
    let calendar = parse(&text);
    assert_eq!(calendar_prop(&calendar, "METHOD"), Some("PUBLISH"));
    assert_eq!(calendar_prop(&calendar, "X-WR-CALNAME"), Some("Capture Moments: Ravi Kumar"));
    assert!(text.contains("\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
    let events: Vec<&icalendar::Event> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 2);
    // The same UID and SEQUENCE as the emailed invite of each booking.
    let invite = parse(&ics(&confirmed, IcsMethod::Request));
    assert_eq!(events[0].get_uid(), only_event(&invite).get_uid());
    assert_eq!(events[0].get_sequence(), Some(2));
    assert_eq!(events[0].get_status(), Some(EventStatus::Confirmed));
    assert_eq!(events[1].get_uid(), Some(booking_uid(&cancelled.booking_id).as_str()));
    assert_eq!(events[1].get_sequence(), Some(5));
    assert_eq!(events[1].get_status(), Some(EventStatus::Cancelled));
    assert_eq!(start_end(events[1]), (cancelled.start, cancelled.end));
    // An empty feed is still a valid calendar.
    let empty = parse(&cm_notify::render_feed("Capture Moments", &[], now()).unwrap());
    assert_eq!(empty.components.iter().filter_map(|c| c.as_event()).count(), 0);
}
