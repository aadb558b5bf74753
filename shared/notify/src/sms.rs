//! Text messages: short, one SMS segment, and nothing personal beyond what the reader
//! needs to act (no names, places, prices or reasons: a text shows on a locked screen
//! and stays in carriers' logs). The full story is in the email and the app.

use chrono::{DateTime, Utc};

use crate::model::{BookingEvent, BookingSnapshot, Role};
use crate::text::humanise_event_type;
use crate::when::RecipientZone;

/// One GSM-7 segment. Longer texts are split and billed per part, and a reader sees
/// them arrive out of order on some phones.
pub const MAX_SMS_CHARS: usize = 160;

/// The characters of the GSM 03.38 basic set that a single-segment text may carry
/// (outside it a phone falls back to UCS-2 and 70 characters a segment).
fn is_gsm7(c: char) -> bool {
    c.is_ascii_alphanumeric() || " @£$¥\n\r!\"#%&'()*+,-./:;<=>?_".contains(c)
}

/// `text` made safe for one GSM-7 segment: characters outside the set become a close
/// ASCII spelling or are dropped, and the text is cut at a word to fit.
pub fn sms_safe(text: &str) -> String {
    let mapped: String = text
        .chars()
        .filter_map(|c| match c {
            '–' | '—' => Some('-'),
            '‘' | '’' => Some('\''),
            '“' | '”' => Some('"'),
            c if is_gsm7(c) => Some(c),
            c if c.is_whitespace() => Some(' '),
            _ => None,
        })
        .collect();
    if mapped.chars().count() <= MAX_SMS_CHARS {
        return mapped;
    }
    let mut cut: String = mapped.chars().take(MAX_SMS_CHARS - 3).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    format!("{}...", cut.trim_end())
}

/// The verification code's text. The code comes first, as phones that offer to fill
/// codes in read it from the start.
pub fn verification_sms(code: &str) -> String {
    sms_safe(&format!("{code} is your Capture Moments code. It expires in 10 minutes. Never share it."))
}

/// e.g. `Mon 7 Dec 12:00 IST`.
fn when(zone: RecipientZone, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone.name().parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::Tz::UTC));
    local.format("%a %-d %b %H:%M %Z").to_string()
}

/// The text for a booking change, for the events that warrant one (confirmation and
/// cancellation); `None` for the rest.
pub fn booking_sms(
    event: BookingEvent,
    snapshot: &BookingSnapshot,
    recipient_timezone: &str,
    recipient: Role,
) -> Option<String> {
    let zone = RecipientZone::resolve(recipient_timezone);
    let session = humanise_event_type(&snapshot.event_type).to_lowercase();
    let at = when(zone, snapshot.start);
    let text = match event {
        BookingEvent::Confirmed => match recipient {
            Role::Client => format!("Capture Moments: your {session} on {at} is confirmed. Details are in the app."),
            Role::Photographer => format!("Capture Moments: you confirmed the {session} on {at}."),
        },
        BookingEvent::Cancelled => {
            let by = match (snapshot.cancelled_by, recipient) {
                (Some(who), me) if who == me => " by you",
                (Some(Role::Client), _) => " by the client",
                (Some(Role::Photographer), _) => " by the photographer",
                (None, _) => "",
            };
            format!("Capture Moments: the {session} on {at} was cancelled{by}. Details are in the app.")
        }
        _ => return None,
    };
    Some(sms_safe(&text))
}

/// Who is texted about a booking change: the client when it is confirmed (the
/// photographer just confirmed it), and on a cancellation whoever did not cancel (both
/// when it is not known who did). Nobody for the other events.
pub fn sms_recipients(event: BookingEvent, cancelled_by: Option<Role>) -> Vec<Role> {
    match (event, cancelled_by) {
        (BookingEvent::Confirmed, _) => vec![Role::Client],
        (BookingEvent::Cancelled, Some(by)) => vec![by.counterpart()],
        (BookingEvent::Cancelled, None) => vec![Role::Client, Role::Photographer],
        _ => Vec::new(),
    }
}

/// The day-before reminder's text.
pub fn reminder_sms(snapshot: &BookingSnapshot, recipient_timezone: &str) -> String {
    let zone = RecipientZone::resolve(recipient_timezone);
    let session = humanise_event_type(&snapshot.event_type).to_lowercase();
    sms_safe(&format!(
        "Capture Moments reminder: your {session} is on {}. Details are in the app.",
        when(zone, snapshot.start)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BookingStatus, Currency, Location, Money};
    use proptest::prelude::*;

    fn snapshot(event_type: &str) -> BookingSnapshot {
        BookingSnapshot {
            booking_id: "01KBOOKING".into(),
            status: BookingStatus::Confirmed,
            start: "2026-12-07T06:30:00Z".parse().unwrap(),
            end: "2026-12-07T08:30:00Z".parse().unwrap(),
            event_type: event_type.into(),
            location: Location {
                address: "12 Secret Lane".into(),
                city: "Hyderabad".into(),
                lat: Some(17.4),
                lon: Some(78.4),
            },
            price: Money { amount_minor: 250000, currency: Currency::try_from("INR".to_string()).unwrap() },
            sequence: 2,
            reason: Some("my cat is ill".into()),
            previous_start: None,
            cancelled_by: Some(Role::Client),
        }
    }

    #[test]
    fn a_confirmation_says_what_and_when_in_the_readers_zone_and_nothing_else() {
        let s = snapshot("portrait");
        let text = booking_sms(BookingEvent::Confirmed, &s, "Asia/Kolkata", Role::Client).unwrap();
        assert_eq!(text, "Capture Moments: your portrait on Mon 7 Dec 12:00 IST is confirmed. Details are in the app.");
        for private in ["Secret", "2500", "cat", "01KBOOKING"] {
            assert!(!text.contains(private), "{private} leaked: {text}");
        }
    }

    #[test]
    fn a_cancellation_says_who_from_the_readers_side() {
        let s = snapshot("wedding");
        let client = booking_sms(BookingEvent::Cancelled, &s, "Europe/London", Role::Client).unwrap();
        let photographer = booking_sms(BookingEvent::Cancelled, &s, "Asia/Kolkata", Role::Photographer).unwrap();
        assert!(client.contains("on Mon 7 Dec 06:30 GMT was cancelled by you."), "{client}");
        assert!(photographer.contains("cancelled by the client."), "{photographer}");
        assert!(!client.contains("cat"));
    }

    #[test]
    fn only_confirmations_and_cancellations_are_texted() {
        let s = snapshot("portrait");
        for event in BookingEvent::ALL {
            let texted = booking_sms(event, &s, "UTC", Role::Client).is_some();
            assert_eq!(texted, matches!(event, BookingEvent::Confirmed | BookingEvent::Cancelled), "{event:?}");
        }
    }

    #[test]
    fn the_one_who_acted_is_not_texted() {
        assert_eq!(sms_recipients(BookingEvent::Confirmed, None), [Role::Client]);
        assert_eq!(sms_recipients(BookingEvent::Cancelled, Some(Role::Client)), [Role::Photographer]);
        assert_eq!(sms_recipients(BookingEvent::Cancelled, Some(Role::Photographer)), [Role::Client]);
        assert_eq!(sms_recipients(BookingEvent::Cancelled, None), [Role::Client, Role::Photographer]);
        assert!(sms_recipients(BookingEvent::Rescheduled, None).is_empty());
    }

    #[test]
    fn the_code_comes_first() {
        assert!(verification_sms("042917").starts_with("042917 is your Capture Moments code."));
    }

    #[test]
    fn long_or_unusual_text_is_cut_at_a_word_and_kept_to_gsm7() {
        let s = sms_safe(&format!("Zoë’s shoot – {}", "word ".repeat(60)));
        assert!(s.chars().count() <= MAX_SMS_CHARS);
        assert!(s.ends_with("..."));
        assert!(s.starts_with("Zo's shoot - word"), "{s}");
    }

    proptest! {
        /// Whatever the event type or zone, every text fits one GSM-7 segment.
        #[test]
        fn every_text_fits_one_segment(event_type in "\\PC{0,80}", tz in prop::sample::select(vec!["Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Nowhere/Else", ""]), hour in 0i64..48) {
            let mut s = snapshot(&event_type);
            s.start += chrono::TimeDelta::hours(hour);
            let texts = [
                booking_sms(BookingEvent::Confirmed, &s, tz, Role::Client),
                booking_sms(BookingEvent::Cancelled, &s, tz, Role::Photographer),
                Some(reminder_sms(&s, tz)),
                Some(verification_sms("123456")),
            ];
            for t in texts.into_iter().flatten() {
                prop_assert!(t.chars().count() <= MAX_SMS_CHARS, "{}", t);
                prop_assert!(t.chars().all(is_gsm7), "{}", t);
            }
        }
    }
}
