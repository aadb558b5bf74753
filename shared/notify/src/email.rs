//! Email copy for each booking event and recipient, rendered once into a plain structure
//! and then to both HTML and text so the two bodies never drift apart.

use chrono::{DateTime, Utc};

use crate::error::NotifyError;
use crate::ics::{IcsMethod, ics_method, join_location, render_ics};
use crate::model::{BookingEvent, BookingSnapshot, Party, Role};
use crate::money::format_money;
use crate::text::{escape_html, humanise_event_type, multi_line, single_line};
use crate::when::RecipientZone;

/// A rendered email, ready for SES v2 (simple or raw content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Single line; control characters from user data are already removed.
    pub subject: String,
    /// Complete HTML document; every user-provided string is escaped.
    pub html: String,
    /// Plain-text alternative with the same content.
    pub text: String,
    /// Calendar invite or cancellation; `None` when the event has no calendar effect.
    pub ics: Option<Attachment>,
}

/// A file to attach to the email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// e.g. `booking-01JABC.ics`.
    pub filename: String,
    /// e.g. `text/calendar; method=REQUEST; charset=UTF-8`.
    pub content_type: String,
    /// The iCalendar text, CRLF line endings.
    pub body: String,
}

/// Who is mailed for an event, photographer first when both are. See the crate docs for the
/// matrix and the reasoning behind it.
pub fn recipients(event: BookingEvent) -> &'static [Role] {
    const BOTH: &[Role] = &[Role::Photographer, Role::Client];
    const CLIENT: &[Role] = &[Role::Client];
    match event {
        BookingEvent::Created
        | BookingEvent::Confirmed
        | BookingEvent::Cancelled
        | BookingEvent::Rescheduled
        | BookingEvent::Expired => BOTH,
        BookingEvent::Declined | BookingEvent::Completed => CLIENT,
    }
}

/// Renders the email `recipient` gets for `event`, with times in the recipient's zone.
///
/// `other` is the other party of the booking. `now` is the invite's DTSTAMP, passed in so
/// rendering never reads the clock. Fails when the recipient matrix does not mail this role
/// for this event, when `other` is not the counterpart, or when the booking's time range is
/// empty, because each of those would put a wrong email in someone's inbox.
pub fn render_email(
    event: BookingEvent,
    snapshot: &BookingSnapshot,
    recipient: &Party,
    other: &Party,
    now: DateTime<Utc>,
) -> Result<Email, NotifyError> {
    check_counterpart(recipient, other)?;
    if !recipients(event).contains(&recipient.role) {
        return Err(NotifyError::NotARecipient { event, role: recipient.role });
    }
    if snapshot.end <= snapshot.start {
        return Err(NotifyError::EmptyTimeRange { booking_id: snapshot.booking_id.clone() });
    }

    let content = Content::new(event, snapshot, recipient, other);
    let (photographer, client) = match recipient.role {
        Role::Photographer => (recipient, other),
        Role::Client => (other, recipient),
    };
    let ics = match ics_method(event) {
        Some(method) => Some(attachment(snapshot, method, photographer, client, now)?),
        None => None,
    };

    Ok(Email { html: content.html(), text: content.text(), subject: content.subject, ics })
}

/// `other` must be the other side of the booking from `recipient`.
fn check_counterpart(recipient: &Party, other: &Party) -> Result<(), NotifyError> {
    if other.role != recipient.role.counterpart() {
        return Err(NotifyError::WrongRole {
            position: "other party",
            expected: recipient.role.counterpart(),
            found: other.role,
        });
    }
    Ok(())
}

fn attachment(
    snapshot: &BookingSnapshot,
    method: IcsMethod,
    photographer: &Party,
    client: &Party,
    now: DateTime<Utc>,
) -> Result<Attachment, NotifyError> {
    // Filenames travel in a MIME header and land on disk, so only a conservative alphabet
    // from the id survives.
    let safe_id: String =
        snapshot.booking_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
    let filename = if safe_id.is_empty() { "booking.ics".to_owned() } else { format!("booking-{safe_id}.ics") };
    Ok(Attachment {
        filename,
        content_type: method.content_type(),
        body: render_ics(snapshot, method, photographer, client, now)?,
    })
}

/// Everything an email says, as plain text. Renderers escape on output, so no field here
/// is ever trusted as markup.
pub(crate) struct Content {
    pub(crate) subject: String,
    pub(crate) heading: String,
    pub(crate) intro: String,
    pub(crate) details: Vec<(&'static str, String)>,
    pub(crate) closing: String,
}

const SEARCH_AGAIN: &str =
    "Other photographers may still be free on your date: search again in the Capture Moments app.";

impl Content {
    fn new(event: BookingEvent, snapshot: &BookingSnapshot, recipient: &Party, other: &Party) -> Self {
        let zone = RecipientZone::resolve(&recipient.timezone);
        let other_name = single_line(&other.name);
        let title = humanise_event_type(&snapshot.event_type);
        // Mid-sentence the type reads as typed ("pre wedding shoot"), not capitalised.
        let kind = single_line(&snapshot.event_type.replace(['_', '-'], " "));
        let kind = if kind.is_empty() { "photo".to_owned() } else { kind };
        let date = zone.date(snapshot.start);
        let role = recipient.role;

        let (subject, heading, intro, closing) = match (event, role) {
            (BookingEvent::Created, Role::Photographer) => (
                format!("New booking request: {title} shoot on {date} from {other_name}"),
                "New booking request".to_owned(),
                format!("{other_name} would like to book you for their {kind} shoot."),
                "Please confirm or decline the request in the Capture Moments app before it expires.".to_owned(),
            ),
            (BookingEvent::Created, Role::Client) => (
                format!("Booking request sent: {title} shoot with {other_name} on {date}"),
                "We've sent your request".to_owned(),
                format!(
                    "{other_name} has your request for your {kind} shoot. We'll email you as soon as they respond."
                ),
                "The attached calendar entry stays tentative until the booking is confirmed.".to_owned(),
            ),
            (BookingEvent::Confirmed, Role::Client) => (
                format!("Booking confirmed: {title} shoot with {other_name} on {date}"),
                "Your booking is confirmed".to_owned(),
                format!("{other_name} has confirmed your {kind} shoot."),
                "The attached calendar invite has the details.".to_owned(),
            ),
            (BookingEvent::Confirmed, Role::Photographer) => (
                format!("You confirmed: {title} shoot for {other_name} on {date}"),
                "Booking confirmed".to_owned(),
                format!("You confirmed the {kind} shoot for {other_name}."),
                "The attached calendar invite has the details.".to_owned(),
            ),
            (BookingEvent::Declined, _) => (
                format!("Booking request declined: {title} shoot on {date}"),
                "Your request was declined".to_owned(),
                format!("{other_name} can't take your {kind} shoot on {date}."),
                SEARCH_AGAIN.to_owned(),
            ),
            (BookingEvent::Cancelled, _) => {
                let (subject, intro) = match snapshot.cancelled_by {
                    Some(by) if by == role => (
                        format!("You cancelled: {title} shoot on {date}"),
                        format!("You cancelled the {kind} shoot with {other_name}."),
                    ),
                    Some(_) => (
                        format!("Booking cancelled by {other_name}: {title} shoot on {date}"),
                        format!("{other_name} cancelled the {kind} shoot."),
                    ),
                    None => (
                        format!("Booking cancelled: {title} shoot on {date}"),
                        format!("The {kind} shoot with {other_name} has been cancelled."),
                    ),
                };
                (
                    subject,
                    "Booking cancelled".to_owned(),
                    intro,
                    "The attached calendar update removes the booking from your calendar.".to_owned(),
                )
            }
            (BookingEvent::Rescheduled, _) => (
                format!("Booking rescheduled: {title} shoot now on {date}"),
                "Booking rescheduled".to_owned(),
                format!("The {kind} shoot with {other_name} has moved to a new time."),
                "The attached calendar update replaces the old time.".to_owned(),
            ),
            (BookingEvent::Expired, Role::Client) => (
                format!("Booking request expired: {title} shoot on {date}"),
                "Your request expired".to_owned(),
                format!("{other_name} didn't respond to your request in time, so it has expired."),
                SEARCH_AGAIN.to_owned(),
            ),
            (BookingEvent::Expired, Role::Photographer) => (
                format!("Booking request expired: {title} shoot for {other_name} on {date}"),
                "A booking request expired".to_owned(),
                format!("The request from {other_name} expired before you answered it."),
                "Answering requests quickly helps clients book with you.".to_owned(),
            ),
            (BookingEvent::Completed, _) => (
                format!("How was your {kind} shoot with {other_name}?"),
                "Thanks for booking with Capture Moments".to_owned(),
                format!("We hope your {kind} shoot with {other_name} went well."),
                format!(
                    "Leave a review for {other_name} under My bookings in the Capture Moments app: it helps other clients choose."
                ),
            ),
        };

        let mut details = vec![("When", zone.range(snapshot.start, snapshot.end))];
        if event == BookingEvent::Rescheduled
            && let Some(previous) = snapshot.previous_start
        {
            details.push(("Previously", zone.instant(previous)));
        }
        let location = single_line(&join_location(&snapshot.location.address, &snapshot.location.city));
        if !location.is_empty() {
            details.push(("Where", location));
        }
        details.push(("Shoot", title));
        details.push((
            match other.role {
                Role::Photographer => "Photographer",
                Role::Client => "Client",
            },
            other_name,
        ));
        details.push(("Price", format_money(snapshot.price.amount_minor, snapshot.price.currency.as_str())));
        if matches!(event, BookingEvent::Declined | BookingEvent::Cancelled)
            && let Some(reason) = snapshot.reason.as_deref().map(multi_line)
            && !reason.is_empty()
        {
            details.push(("Reason", reason));
        }
        details.push(("Booking reference", single_line(&snapshot.booking_id)));

        Content { subject: single_line(&subject), heading, intro, details, closing }
    }

    pub(crate) fn html(&self) -> String {
        let mut rows = String::new();
        for (label, value) in &self.details {
            // Only the reason can span lines; line breaks are inserted after escaping so
            // they are the only markup that user text can cause.
            let value = escape_html(value).replace('\n', "<br>\n");
            rows.push_str(&format!(
                "<tr><th style=\"text-align:left;vertical-align:top;padding:4px 16px 4px 0;font-weight:600;white-space:nowrap;\">{}</th><td style=\"padding:4px 0;\">{}</td></tr>\n",
                escape_html(label),
                value
            ));
        }
        format!(
            "<!DOCTYPE html>\n\
<html lang=\"en\">\n\
<head>\n\
<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{subject}</title>\n\
</head>\n\
<body style=\"margin:0;padding:0;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#18181b;\">\n\
<div style=\"max-width:600px;margin:0 auto;padding:24px;background:#ffffff;\">\n\
<p style=\"margin:0 0 24px;font-size:14px;font-weight:700;letter-spacing:0.05em;color:#71717a;\">CAPTURE MOMENTS</p>\n\
<h1 style=\"margin:0 0 16px;font-size:22px;\">{heading}</h1>\n\
<p style=\"margin:0 0 16px;font-size:16px;line-height:1.5;\">{intro}</p>\n\
<table role=\"presentation\" style=\"border-collapse:collapse;margin:0 0 16px;font-size:15px;line-height:1.4;\">\n\
{rows}</table>\n\
<p style=\"margin:0 0 24px;font-size:16px;line-height:1.5;\">{closing}</p>\n\
<p style=\"margin:0;font-size:12px;color:#71717a;\">{footer}</p>\n\
</div>\n\
</body>\n\
</html>\n",
            subject = escape_html(&self.subject),
            heading = escape_html(&self.heading),
            intro = escape_html(&self.intro),
            closing = escape_html(&self.closing),
            footer = escape_html(FOOTER),
        )
    }

    pub(crate) fn text(&self) -> String {
        let mut out = format!("{}\n\n{}\n\n", self.heading, self.intro);
        for (label, value) in &self.details {
            // Continuation lines of a multi-line reason are indented under their label.
            let value = value.replace('\n', "\n  ");
            out.push_str(&format!("{label}: {value}\n"));
        }
        out.push_str(&format!("\n{}\n\n-- \nCapture Moments\n{FOOTER}\n", self.closing));
        out
    }
}

const FOOTER: &str = "You are receiving this email because you have a booking on Capture Moments.";

/// A client gallery the photographer has just delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryDelivery {
    /// The booking the gallery belongs to.
    pub booking_id: String,
    /// Photos ready when it was delivered.
    pub ready_photos: u32,
    /// Days each photo is kept after it was processed.
    pub retention_days: u32,
    /// When the photographer delivered it.
    pub delivered_at: DateTime<Utc>,
}

/// The client's email for a delivered gallery: how many photos, and until when they can
/// be downloaded at least (the retention counts from each photo's processing, which
/// came before delivery), in the client's zone.
pub fn render_gallery_email(
    delivery: &GalleryDelivery,
    client: &Party,
    photographer: &Party,
) -> Result<Email, NotifyError> {
    for (party, expected, position) in
        [(client, Role::Client, "recipient"), (photographer, Role::Photographer, "other party")]
    {
        if party.role != expected {
            return Err(NotifyError::WrongRole { position, expected, found: party.role });
        }
    }
    let zone = RecipientZone::resolve(&client.timezone);
    let name = single_line(&photographer.name);
    let photos = match delivery.ready_photos {
        1 => "1 photo".to_owned(),
        n => format!("{n} photos"),
    };
    let kept_until = delivery.delivered_at + chrono::TimeDelta::days(i64::from(delivery.retention_days));
    let content = Content {
        subject: single_line(&format!("Your photos from {name} are ready")),
        heading: "Your gallery is ready".to_owned(),
        intro: format!("{name} has delivered {photos} from your booking."),
        details: vec![
            ("Photos", delivery.ready_photos.to_string()),
            ("Download before", zone.date(kept_until)),
            ("Booking", single_line(&delivery.booking_id)),
        ],
        closing: "Open the booking in the Capture Moments app to view the photos, mark your favourites and download \
                  them at full resolution. They are deleted after the date above."
            .to_owned(),
    };
    Ok(Email { html: content.html(), text: content.text(), subject: content.subject, ics: None })
}

/// The reminder `hours` before a confirmed session, to one of its two people, times in
/// their zone, with the session's calendar invite again (same UID and SEQUENCE: a
/// calendar that has it already keeps one copy). `now` is the invite's DTSTAMP.
pub fn render_reminder_email(
    snapshot: &BookingSnapshot,
    recipient: &Party,
    other: &Party,
    hours: u32,
    now: DateTime<Utc>,
) -> Result<Email, NotifyError> {
    check_counterpart(recipient, other)?;
    if snapshot.end <= snapshot.start {
        return Err(NotifyError::EmptyTimeRange { booking_id: snapshot.booking_id.clone() });
    }
    let zone = RecipientZone::resolve(&recipient.timezone);
    let other_name = single_line(&other.name);
    let title = humanise_event_type(&snapshot.event_type);
    let kind = single_line(&snapshot.event_type.replace(['_', '-'], " "));
    let kind = if kind.is_empty() { "photo".to_owned() } else { kind };
    let within = match hours {
        1 => "1 hour".to_owned(),
        24 => "24 hours".to_owned(),
        h if h % 24 == 0 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    };
    let mut details = vec![("When", zone.range(snapshot.start, snapshot.end))];
    let location = single_line(&join_location(&snapshot.location.address, &snapshot.location.city));
    if !location.is_empty() {
        details.push(("Where", location));
    }
    details.push(("Shoot", title.clone()));
    details.push((
        match other.role {
            Role::Photographer => "Photographer",
            Role::Client => "Client",
        },
        other_name.clone(),
    ));
    details.push(("Booking reference", single_line(&snapshot.booking_id)));
    let closing = match recipient.role {
        Role::Client => "Running late or need to change something? Message your photographer from the booking in the \
                         Capture Moments app."
            .to_owned(),
        Role::Photographer => {
            "Need to reach your client? Message them from the booking in the Capture Moments app.".to_owned()
        }
    };
    let content = Content {
        subject: single_line(&format!("Reminder: {title} shoot with {other_name} on {}", zone.date(snapshot.start))),
        heading: format!("Your shoot is in {within}"),
        intro: format!("A reminder of your {kind} shoot with {other_name}."),
        details,
        closing,
    };
    let (photographer, client) = match recipient.role {
        Role::Photographer => (recipient, other),
        Role::Client => (other, recipient),
    };
    let ics = Some(attachment(snapshot, IcsMethod::Request, photographer, client, now)?);
    Ok(Email { html: content.html(), text: content.text(), subject: content.subject, ics })
}
