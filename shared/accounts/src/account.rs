//! Accounts: who a user is, what they may do, and the rules for their details.

use chrono::{DateTime, Utc};
use cm_core::{FieldErrors, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Client,
    Photographer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Photographer => "photographer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "client" => Some(Role::Client),
            "photographer" => Some(Role::Photographer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An email address as the user typed it, plus the key we deduplicate on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let trimmed = raw.trim();
        if trimmed.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        match email_address::EmailAddress::parse_with_options(
            trimmed,
            email_address::Options::default().without_display_text().without_domain_literal(),
        ) {
            Ok(addr) if addr.domain().contains('.') => Ok(Email { display: trimmed.to_string() }),
            _ => Err("is not a valid email address".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// Uniqueness is case-insensitive across the whole address: providers treat local
    /// parts case-insensitively in practice, and two accounts differing only in case
    /// are always a mistake or an attack.
    pub fn normalized(&self) -> String {
        self.display.to_lowercase()
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Argon2 accepts long inputs, but hashing megabytes is a cheap denial of service.
pub const MAX_PASSWORD_CHARS: usize = 256;

pub fn check_password_policy(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"))
    } else if chars > MAX_PASSWORD_CHARS {
        Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"))
    } else {
        Ok(())
    }
}

pub fn check_name(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    let chars = trimmed.chars().count();
    if chars == 0 {
        Err("must not be empty".into())
    } else if chars > 100 {
        Err("must be at most 100 characters".into())
    } else if trimmed.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(trimmed.to_string())
    }
}

/// E.164: a plus sign and 8 to 15 digits. Spaces, dashes and brackets people type
/// are dropped before checking so "+91 98480-22338" is accepted and stored canonically.
pub fn check_phone(phone: &str) -> Result<String, String> {
    let compact: String = phone.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    let digits = compact.strip_prefix('+').unwrap_or("");
    if (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0') {
        Ok(compact)
    } else {
        Err("must be an international number such as +14155550123".into())
    }
}

pub fn check_timezone(tz: &str) -> Result<String, String> {
    tz.parse::<chrono_tz::Tz>()
        .map(|z| z.name().to_string())
        .map_err(|_| "must be an IANA time zone name such as Asia/Kolkata".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    pub email: bool,
    pub sms: bool,
    pub push: bool,
    /// How long before each confirmed session to be reminded. Absent (accounts made
    /// before reminders, or a client that does not know them) means the default.
    #[serde(default)]
    pub reminder_hours: ReminderHours,
    /// Which events come by text when `sms` is on (and the phone is verified).
    /// Absent means all of them.
    #[serde(default)]
    pub sms_events: SmsEvents,
}

impl Default for NotificationPreferences {
    fn default() -> Self {
        Self {
            email: true,
            sms: false,
            push: true,
            reminder_hours: ReminderHours::default(),
            sms_events: SmsEvents::default(),
        }
    }
}

/// The moments that matter enough for a text message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsEvent {
    BookingConfirmed,
    BookingCancelled,
    /// The reminder a day before the session.
    Reminder,
}

impl SmsEvent {
    pub const ALL: [SmsEvent; 3] = [SmsEvent::BookingConfirmed, SmsEvent::BookingCancelled, SmsEvent::Reminder];

    pub fn as_str(self) -> &'static str {
        match self {
            SmsEvent::BookingConfirmed => "booking_confirmed",
            SmsEvent::BookingCancelled => "booking_cancelled",
            SmsEvent::Reminder => "reminder",
        }
    }

    fn bit(self) -> u8 {
        1 << Self::ALL.iter().position(|e| *e == self).unwrap_or(0)
    }
}

/// A set of [`SmsEvent`]s, serialised as an array of their names.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SmsEvents(u8);

impl SmsEvents {
    pub fn none() -> SmsEvents {
        SmsEvents(0)
    }

    pub fn of(events: &[SmsEvent]) -> SmsEvents {
        SmsEvents(events.iter().fold(0, |bits, e| bits | e.bit()))
    }

    pub fn contains(self, e: SmsEvent) -> bool {
        self.0 & e.bit() != 0
    }

    pub fn events(self) -> Vec<SmsEvent> {
        SmsEvent::ALL.into_iter().filter(|e| self.contains(*e)).collect()
    }
}

impl Default for SmsEvents {
    fn default() -> Self {
        SmsEvents::of(&SmsEvent::ALL)
    }
}

impl std::fmt::Debug for SmsEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.events().iter().map(|e| e.as_str())).finish()
    }
}

impl Serialize for SmsEvents {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names: Vec<&str> = self.events().iter().map(|e| e.as_str()).collect();
        names.serialize(s)
    }
}

impl<'de> Deserialize<'de> for SmsEvents {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut events = Vec::new();
        for name in &names {
            let Some(e) = SmsEvent::ALL.into_iter().find(|e| e.as_str() == name) else {
                return Err(serde::de::Error::custom(format!(
                    "{name:?} is not an SMS event; they are booking_confirmed, booking_cancelled, reminder"
                )));
            };
            if events.contains(&e) {
                return Err(serde::de::Error::custom(format!("{name} is given twice")));
            }
            events.push(e);
        }
        Ok(SmsEvents::of(&events))
    }
}

/// A set of reminder offsets, from the offsets the reminder job serves (it queries one
/// window per offset, so the set is closed). At most three; empty turns reminders off.
/// Serialised as a JSON array of hours, longest first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReminderHours(u16);

impl ReminderHours {
    /// The offsets the platform reminds at, in hours before the session.
    pub const OFFERED: [u32; 9] = [168, 72, 48, 24, 12, 6, 3, 2, 1];
    pub const MAX: usize = 3;

    pub fn none() -> ReminderHours {
        ReminderHours(0)
    }

    /// The set of `hours`, or why it is not one.
    pub fn of(hours: &[u32]) -> Result<ReminderHours, String> {
        if hours.len() > Self::MAX {
            return Err(format!("at most {} reminders", Self::MAX));
        }
        let mut bits = 0u16;
        for h in hours {
            let Some(i) = Self::OFFERED.iter().position(|o| o == h) else {
                return Err(format!("{h} is not offered; reminders are {:?} hours before", Self::OFFERED));
            };
            if bits & (1 << i) != 0 {
                return Err(format!("{h} is given twice"));
            }
            bits |= 1 << i;
        }
        Ok(ReminderHours(bits))
    }

    pub fn contains(self, hours: u32) -> bool {
        Self::OFFERED.iter().position(|o| *o == hours).is_some_and(|i| self.0 & (1 << i) != 0)
    }

    /// Longest first.
    pub fn hours(self) -> Vec<u32> {
        Self::OFFERED.iter().enumerate().filter(|(i, _)| self.0 & (1 << i) != 0).map(|(_, h)| *h).collect()
    }
}

impl Default for ReminderHours {
    /// A day before, and two hours before.
    fn default() -> Self {
        ReminderHours((1 << 3) | (1 << 7))
    }
}

impl std::fmt::Debug for ReminderHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.hours()).finish()
    }
}

impl Serialize for ReminderHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.hours().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ReminderHours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let hours = Vec::<u32>::deserialize(d)?;
        ReminderHours::of(&hours).map_err(serde::de::Error::custom)
    }
}

/// A stored account. `password_hash` never leaves the storage and auth layers:
/// the public shape is [`UserView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub phone: Option<String>,
    /// When `phone` was proven to be the user's (a texted code, `cm_accounts::phone`);
    /// `None` for a number only typed in. Texts go to verified numbers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified_at: Option<DateTime<Utc>>,
    pub timezone: String,
    pub notification_preferences: NotificationPreferences,
    pub active: bool,
    pub password_hash: String,
    /// Sessions started before this no longer refresh: set when the account is
    /// deactivated, so reactivating it does not bring old sign-ins back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions_valid_after: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub phone: Option<String>,
    /// Whether `phone` was verified with a texted code (only then can texts be sent).
    pub phone_verified: bool,
    pub timezone: String,
    pub notification_preferences: NotificationPreferences,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// The number texts may go to: set and verified.
    pub fn verified_phone(&self) -> Option<&str> {
        self.phone.as_deref().filter(|_| self.phone_verified_at.is_some())
    }

    /// The number to text about `event`: only for an active account that turned texts
    /// on, for that event, with a verified number.
    pub fn texts_for(&self, event: SmsEvent) -> Option<&str> {
        let p = self.notification_preferences;
        (self.active && p.sms && p.sms_events.contains(event)).then(|| self.verified_phone()).flatten()
    }
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            phone: u.phone.clone(),
            phone_verified: u.verified_phone().is_some(),
            timezone: u.timezone.clone(),
            notification_preferences: u.notification_preferences,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

pub const DEFAULT_TIMEZONE: &str = "UTC";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    pub email: String,
    pub password: String,
    pub name: String,
    pub role: String,
    pub phone: Option<String>,
    pub timezone: Option<String>,
}

/// A registration that passed every rule; only the password still needs hashing.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: Email,
    pub password: String,
    pub name: String,
    pub role: Role,
    pub phone: Option<String>,
    pub timezone: String,
}

impl Registration {
    /// The account this registration creates, with its password hashed. Also used
    /// by the admin-creation command, which is the only way to get `Role::Admin`.
    pub fn into_user(self, now: DateTime<Utc>) -> Result<User, crate::password::HashError> {
        Ok(User {
            id: UserId::new(),
            email: self.email.as_str().to_string(),
            name: self.name,
            role: self.role,
            phone: self.phone,
            phone_verified_at: None,
            timezone: self.timezone,
            notification_preferences: NotificationPreferences::default(),
            active: true,
            password_hash: crate::password::hash_password(&self.password)?,
            sessions_valid_after: None,
            created_at: now,
            updated_at: now,
        })
    }
}

impl RegistrationInput {
    pub fn validate(self) -> Result<Registration, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = Email::parse(&self.email).map_err(|m| errors.add("email", m)).ok();
        if let Err(m) = check_password_policy(&self.password) {
            errors.add("password", m);
        }
        let name = check_name(&self.name).map_err(|m| errors.add("name", m)).ok();
        let role = match Role::parse(&self.role) {
            Some(r @ (Role::Client | Role::Photographer)) => Some(r),
            Some(Role::Admin) => {
                errors.add("role", "admins cannot self-register");
                None
            }
            None => {
                errors.add("role", "must be `client` or `photographer`");
                None
            }
        };
        let phone = match self.phone.as_deref() {
            Some(p) => check_phone(p).map(Some).map_err(|m| errors.add("phone", m)).ok().flatten(),
            None => None,
        };
        let timezone = check_timezone(self.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE))
            .map_err(|m| errors.add("timezone", m))
            .ok();
        match (email, name, role, timezone) {
            (Some(email), Some(name), Some(role), Some(timezone)) if errors.is_empty() => {
                Ok(Registration { email, password: self.password, name, role, phone, timezone })
            }
            _ => Err(errors),
        }
    }
}

/// `PATCH /me`: absent fields stay as they are; `"phone": null` clears the phone.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatchInput {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "deserialize_some")]
    pub phone: Option<Option<String>>,
    pub timezone: Option<String>,
    pub notification_preferences: Option<NotificationPreferences>,
}

/// Distinguishes "field absent" from "field: null" for nullable patch fields.
fn deserialize_some<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub timezone: Option<String>,
    pub notification_preferences: Option<NotificationPreferences>,
}

impl ProfilePatch {
    pub fn is_empty(&self) -> bool {
        *self == ProfilePatch::default()
    }

    pub fn apply(&self, user: &mut User) {
        if let Some(n) = &self.name {
            user.name = n.clone();
        }
        if let Some(p) = &self.phone {
            if user.phone != *p {
                user.phone_verified_at = None;
            }
            user.phone = p.clone();
        }
        if let Some(t) = &self.timezone {
            user.timezone = t.clone();
        }
        if let Some(np) = self.notification_preferences {
            user.notification_preferences = np;
        }
    }
}

impl ProfilePatchInput {
    pub fn validate(self) -> Result<ProfilePatch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut patch = ProfilePatch { notification_preferences: self.notification_preferences, ..Default::default() };
        if let Some(n) = self.name {
            patch.name = check_name(&n).map_err(|m| errors.add("name", m)).ok();
        }
        match self.phone {
            Some(Some(p)) => {
                patch.phone = check_phone(&p).map(|p| Some(Some(p))).map_err(|m| errors.add("phone", m)).ok().flatten()
            }
            Some(None) => patch.phone = Some(None),
            None => {}
        }
        if let Some(t) = self.timezone {
            patch.timezone = check_timezone(&t).map_err(|m| errors.add("timezone", m)).ok();
        }
        if errors.is_empty() && patch.is_empty() {
            errors.add("", "send at least one of: name, phone, timezone, notification_preferences");
        }
        errors.into_result(patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sms_events_default_to_all_and_read_back_by_name() {
        let stored: NotificationPreferences =
            serde_json::from_value(serde_json::json!({"email": true, "sms": true, "push": true})).unwrap();
        assert_eq!(stored.sms_events, SmsEvents::of(&SmsEvent::ALL), "older accounts get every event");
        let some: SmsEvents = serde_json::from_value(serde_json::json!(["reminder", "booking_confirmed"])).unwrap();
        assert_eq!(some.events(), [SmsEvent::BookingConfirmed, SmsEvent::Reminder]);
        assert_eq!(serde_json::to_value(some).unwrap(), serde_json::json!(["booking_confirmed", "reminder"]));
        for bad in [serde_json::json!(["booking_created"]), serde_json::json!(["reminder", "reminder"])] {
            assert!(serde_json::from_value::<SmsEvents>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_go_only_to_active_verified_numbers_for_chosen_events() {
        let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let mut u = Registration {
            email: Email::parse("a@b.test").unwrap(),
            password: "x".into(),
            name: "A".into(),
            role: Role::Client,
            phone: Some("+447700900123".into()),
            timezone: "UTC".into(),
        }
        .into_user(now)
        .unwrap();
        u.notification_preferences.sms = true;
        assert_eq!(u.texts_for(SmsEvent::Reminder), None, "a typed-in number is not verified");
        u.phone_verified_at = Some(now);
        assert_eq!(u.texts_for(SmsEvent::Reminder), Some("+447700900123"));
        u.notification_preferences.sms_events = SmsEvents::of(&[SmsEvent::BookingCancelled]);
        assert_eq!(u.texts_for(SmsEvent::Reminder), None, "not chosen");
        assert_eq!(u.texts_for(SmsEvent::BookingCancelled), Some("+447700900123"));
        u.notification_preferences.sms = false;
        assert_eq!(u.texts_for(SmsEvent::BookingCancelled), None, "texts off");
        u.notification_preferences.sms = true;
        u.active = false;
        assert_eq!(u.texts_for(SmsEvent::BookingCancelled), None, "deactivated");
        u.active = true;
        let patch = ProfilePatch { phone: Some(Some("+447700900124".into())), ..Default::default() };
        patch.apply(&mut u);
        assert_eq!(u.texts_for(SmsEvent::BookingCancelled), None, "a changed number needs verifying again");
    }

    #[test]
    fn reminders_default_to_a_day_and_two_hours_before() {
        assert_eq!(ReminderHours::default().hours(), [24, 2]);
        let stored: NotificationPreferences =
            serde_json::from_value(serde_json::json!({"email": true, "sms": false, "push": true})).unwrap();
        assert_eq!(stored.reminder_hours, ReminderHours::default(), "older accounts get the default");
        let json = serde_json::to_value(NotificationPreferences::default()).unwrap();
        assert_eq!(json["reminder_hours"], serde_json::json!([24, 2]));
    }

    #[test]
    fn reminder_sets_are_offered_hours_at_most_three_each_once() {
        assert_eq!(ReminderHours::of(&[2, 168]).unwrap().hours(), [168, 2], "longest first");
        assert!(ReminderHours::of(&[]).unwrap().hours().is_empty(), "empty turns them off");
        assert!(ReminderHours::of(&[5]).is_err());
        assert!(ReminderHours::of(&[24, 24]).is_err());
        assert!(ReminderHours::of(&[1, 2, 3, 6]).is_err());
        let set = ReminderHours::of(&[48, 1]).unwrap();
        assert!(set.contains(48) && set.contains(1) && !set.contains(24) && !set.contains(7));
        let bad = serde_json::from_value::<NotificationPreferences>(
            serde_json::json!({"email": true, "sms": false, "push": true, "reminder_hours": [25]}),
        );
        assert!(bad.is_err());
    }

    proptest! {
        #[test]
        fn reminder_sets_round_trip(picks in proptest::sample::subsequence(ReminderHours::OFFERED.to_vec(), 0..=3)) {
            let set = ReminderHours::of(&picks).unwrap();
            let back: ReminderHours = serde_json::from_value(serde_json::to_value(set).unwrap()).unwrap();
            prop_assert_eq!(back, set);
            prop_assert_eq!(set.hours(), picks, "OFFERED is longest first, as subsequences keep it");
        }
    }

    fn reg(email: &str, password: &str, role: &str) -> RegistrationInput {
        RegistrationInput {
            email: email.into(),
            password: password.into(),
            name: "Asha".into(),
            role: role.into(),
            phone: None,
            timezone: None,
        }
    }

    #[test]
    fn registration_collects_every_error() {
        let err = RegistrationInput {
            email: "nope".into(),
            password: "short".into(),
            name: "  ".into(),
            role: "admin".into(),
            phone: Some("12".into()),
            timezone: Some("Mars/Olympus".into()),
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "name", "role", "phone", "timezone"]);
    }

    #[test]
    fn registration_normalizes() {
        let r = reg("  Asha@Example.COM ", "correct horse battery", "photographer").validate().unwrap();
        assert_eq!(r.email.as_str(), "Asha@Example.COM");
        assert_eq!(r.email.normalized(), "asha@example.com");
        assert_eq!(r.timezone, "UTC");
        assert_eq!(r.role, Role::Photographer);
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        assert!(check_password_policy("ééééééééé").is_err()); // 9 chars, 18 bytes
        assert!(check_password_policy("éééééééééé").is_ok());
        assert!(check_password_policy(&"x".repeat(257)).is_err());
    }

    #[test]
    fn emails_need_a_dotted_domain() {
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("Asha <a@b.co>").is_err());
    }

    #[test]
    fn phones_are_canonical_e164() {
        assert_eq!(check_phone("+91 98480-22338").unwrap(), "+919848022338");
        assert!(check_phone("9848022338").is_err());
        assert!(check_phone("+0123456789").is_err());
    }

    #[test]
    fn patch_distinguishes_null_from_absent() {
        let p: ProfilePatchInput = serde_json::from_str(r#"{"phone": null}"#).unwrap();
        assert_eq!(p.validate().unwrap().phone, Some(None));
        let p: ProfilePatchInput = serde_json::from_str(r#"{"name": "B"}"#).unwrap();
        assert_eq!(p.validate().unwrap().phone, None);
        let p: ProfilePatchInput = serde_json::from_str(r#"{}"#).unwrap();
        assert!(p.validate().is_err());
        assert!(serde_json::from_str::<ProfilePatchInput>(r#"{"role": "admin"}"#).is_err());
    }

    proptest! {
        #[test]
        fn normalized_email_is_case_insensitive(local in "[a-zA-Z0-9]{1,20}", domain in "[a-zA-Z]{1,10}") {
            let a = Email::parse(&format!("{local}@{domain}.com")).unwrap();
            let b = Email::parse(&format!("{}@{}.COM", local.to_uppercase(), domain.to_lowercase())).unwrap();
            prop_assert_eq!(a.normalized(), b.normalized());
        }

        #[test]
        fn names_never_keep_outer_whitespace(name in "\\PC{0,120}") {
            if let Ok(n) = check_name(&name) {
                prop_assert_eq!(n.trim(), n.as_str());
                prop_assert!(!n.is_empty() && n.chars().count() <= 100);
            }
        }
    }
}
