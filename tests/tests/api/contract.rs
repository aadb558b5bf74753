//! docs/openapi.json states the rules the code enforces. These tests read both and fail
//! when they drift: value lists against the Rust enums and tables, limits against the
//! exported constants, and every request pattern against the validator it describes, on
//! generated text full of white space, control characters and lengths at the limits.
//! (scripts/contract then proves the whole document against the running API.)

use chrono::{TimeDelta, Utc};
use cm_accounts::account::{self, Role};
use cm_booking::booking::HistoryAction;
use cm_booking::{Actor, BookingStatus, RuleViolation, TransitionContext, TransitionError, WallTime, limits};
use cm_calsync::source::{SourceUrl, UrlPolicy};
use cm_catalog::photographer::{self, PhotographerProfileInput, Specialization};
use cm_core::location::LocationInput;
use cm_core::{FieldErrors, UserId};
use cm_reviews::input::{MAX_REPLY_CHARS, MAX_REVIEW_CHARS, MAX_SUBJECT_CHARS};
use cm_reviews::{AnalysisState, FeedbackCategory, FeedbackStatus};
use cm_sentiment::{Label, Topic};
use proptest::prelude::*;
use regex::Regex;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn doc() -> Value {
    serde_json::from_str(openapi::DOCUMENT).expect("docs/openapi.json is JSON")
}

#[track_caller]
fn at<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    doc.pointer(pointer).unwrap_or_else(|| panic!("docs/openapi.json has nothing at {pointer}"))
}

fn names<T: serde::Serialize>(values: impl IntoIterator<Item = T>) -> Vec<String> {
    values.into_iter().map(|v| serde_json::to_value(v).unwrap().as_str().unwrap().to_string()).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// Every variant, kept complete by the compiler: a new variant breaks the match.
fn all_roles() -> Vec<Role> {
    let _ = |r: Role| match r {
        Role::Client | Role::Photographer | Role::Admin => (),
    };
    vec![Role::Client, Role::Photographer, Role::Admin]
}

fn all_actors() -> Vec<Actor> {
    let _ = |a: Actor| match a {
        Actor::Client | Actor::Photographer | Actor::Admin | Actor::System => (),
    };
    vec![Actor::Client, Actor::Photographer, Actor::Admin, Actor::System]
}

fn all_history_actions() -> Vec<HistoryAction> {
    let _ = |a: HistoryAction| match a {
        HistoryAction::Created | HistoryAction::StatusChanged | HistoryAction::Rescheduled => (),
    };
    vec![HistoryAction::Created, HistoryAction::StatusChanged, HistoryAction::Rescheduled]
}

fn all_categories() -> Vec<FeedbackCategory> {
    let _ = |c: FeedbackCategory| match c {
        FeedbackCategory::Booking
        | FeedbackCategory::Payment
        | FeedbackCategory::Platform
        | FeedbackCategory::Other => (),
    };
    vec![FeedbackCategory::Booking, FeedbackCategory::Payment, FeedbackCategory::Platform, FeedbackCategory::Other]
}

fn all_labels() -> Vec<Label> {
    let _ = |l: Label| match l {
        Label::Positive | Label::Neutral | Label::Negative => (),
    };
    vec![Label::Positive, Label::Neutral, Label::Negative]
}

fn all_topics() -> Vec<Topic> {
    let _ = |t: Topic| match t {
        Topic::Communication
        | Topic::Quality
        | Topic::Punctuality
        | Topic::Pricing
        | Topic::Creativity
        | Topic::Editing
        | Topic::Delivery
        | Topic::General => (),
    };
    Topic::SPECIFIC.into_iter().chain([Topic::General]).collect()
}

fn all_analysis_states() -> Vec<AnalysisState> {
    let _ = |s: AnalysisState| match s {
        AnalysisState::Pending | AnalysisState::Done => (),
    };
    vec![AnalysisState::Pending, AnalysisState::Done]
}

fn all_item_statuses() -> Vec<cm_media::ItemStatus> {
    use cm_media::ItemStatus;
    let _ = |s: ItemStatus| match s {
        ItemStatus::Pending | ItemStatus::Ready | ItemStatus::Rejected => (),
    };
    vec![ItemStatus::Pending, ItemStatus::Ready, ItemStatus::Rejected]
}

fn all_granularities() -> Vec<cm_reviews::insights::Granularity> {
    use cm_reviews::insights::Granularity;
    let _ = |g: Granularity| match g {
        Granularity::Day | Granularity::Week => (),
    };
    vec![Granularity::Day, Granularity::Week]
}

/// The `rule` of every booking-rule problem.
fn all_rule_codes() -> Vec<&'static str> {
    let date = Utc::now().date_naive();
    let all = [
        RuleViolation::InvalidDuration { minutes: 0 },
        RuleViolation::StartInPast,
        RuleViolation::MinNotice { minutes: 0 },
        RuleViolation::TooFarAhead { days: 0 },
        RuleViolation::OutsideWorkingHours,
        RuleViolation::NotOnSlotStep { step_minutes: 0 },
        RuleViolation::TimeOff,
        RuleViolation::Overlap,
        RuleViolation::DailyLimit { date, limit: 0 },
        RuleViolation::TravelTime {
            other_start: Utc::now(),
            other_is_before: true,
            distance_km: 0.0,
            needed_minutes: 0,
            gap_minutes: 0,
        },
    ];
    let _ = |v: &RuleViolation| match v {
        RuleViolation::InvalidDuration { .. }
        | RuleViolation::StartInPast
        | RuleViolation::MinNotice { .. }
        | RuleViolation::TooFarAhead { .. }
        | RuleViolation::OutsideWorkingHours
        | RuleViolation::NotOnSlotStep { .. }
        | RuleViolation::TimeOff
        | RuleViolation::Overlap
        | RuleViolation::DailyLimit { .. }
        | RuleViolation::TravelTime { .. } => (),
    };
    all.iter().map(RuleViolation::code).collect()
}

/// The `code` of every transition problem answered as 409 (the others are 403 or 422).
fn conflict_transition_codes() -> Vec<&'static str> {
    let now = Utc::now();
    let all = [
        TransitionError::Illegal { from: BookingStatus::Pending, to: BookingStatus::Pending },
        TransitionError::ActorNotAllowed { actor: Actor::Client, action: "x" },
        TransitionError::ReasonRequired,
        TransitionError::ReasonTooLong { max: 1 },
        TransitionError::TooEarly { not_before: now },
        TransitionError::TooLate { deadline: now },
        TransitionError::InsideCancellationWindow { window_hours: 1 },
        TransitionError::NotReschedulable { status: BookingStatus::Expired },
    ];
    all.iter().filter(|e| cm_app::bookings::transition_problem(e).status == 409).map(TransitionError::code).collect()
}

#[test]
fn value_lists_are_the_rust_ones() {
    let d = doc();
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("/components/schemas/Role/enum", names(all_roles())),
        ("/components/schemas/Specialization/enum", names(Specialization::ALL)),
        ("/components/schemas/BookingStatus/enum", names(BookingStatus::ALL)),
        ("/components/schemas/Actor/enum", names(all_actors())),
        ("/components/schemas/HistoryAction/enum", names(all_history_actions())),
        ("/components/schemas/FeedbackCategory/enum", names(all_categories())),
        ("/components/schemas/FeedbackStatus/enum", names(FeedbackStatus::ALL)),
        ("/components/schemas/SentimentLabel/enum", names(all_labels())),
        ("/components/schemas/Topic/enum", names(all_topics())),
        ("/components/schemas/AnalysisState/enum", names(all_analysis_states())),
        ("/components/schemas/Granularity/enum", names(all_granularities())),
        ("/components/schemas/PortfolioItemStatus/enum", names(all_item_statuses())),
        ("/components/schemas/UploadContentType/enum", cm_media::upload::CONTENT_TYPES.map(String::from).to_vec()),
        ("/components/schemas/RecommendationReasonCode/enum", names(cm_catalog::recommend::ReasonCode::ALL)),
        ("/components/schemas/Problem/properties/rule/enum", all_rule_codes().into_iter().map(String::from).collect()),
        (
            "/components/schemas/Problem/properties/code/enum",
            conflict_transition_codes().into_iter().map(String::from).collect(),
        ),
    ];
    for (pointer, expected) in cases {
        assert_eq!(strings(at(&d, pointer)), expected, "{pointer}");
    }
    // Self-registration offers every role but admin.
    let registrable: Vec<String> = names(all_roles().into_iter().filter(|r| *r != Role::Admin)).into_iter().collect();
    assert_eq!(strings(at(&d, "/components/schemas/Registration/properties/role/enum")), registrable);
}

/// `^(?:a|b|c)$` → {a, b, c}, with `\+` unescaped.
fn alternatives(pattern: &str) -> BTreeSet<String> {
    let inner = pattern.strip_prefix("^(?:").and_then(|p| p.strip_suffix(")$")).expect("an anchored alternation");
    inner.split('|').map(|s| s.replace("\\+", "+")).collect()
}

#[test]
fn time_zones_are_exactly_the_ones_the_api_parses() {
    let d = doc();
    let pattern = at(&d, "/components/schemas/TimeZone/pattern").as_str().unwrap();
    let documented = alternatives(pattern);
    let known: BTreeSet<String> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name().to_string()).collect();
    assert_eq!(documented, known);
    for name in &documented {
        assert!(account::check_timezone(name).is_ok(), "{name}");
    }
    let re = Regex::new(pattern).unwrap();
    for near_miss in ["utc", "Asia/kolkata", " UTC", "UTC ", "Mars/Olympus", ""] {
        assert!(!re.is_match(near_miss) && account::check_timezone(near_miss).is_err(), "{near_miss:?}");
    }
}

#[test]
fn currencies_are_exactly_the_ones_the_api_accepts() {
    let d = doc();
    let documented = alternatives(at(&d, "/components/schemas/Currency/pattern").as_str().unwrap());
    let mut accepted = BTreeSet::new();
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            for c in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b, c]).unwrap();
                if cm_core::money::Currency::try_from(code.clone()).is_ok() {
                    accepted.insert(code);
                }
            }
        }
    }
    assert_eq!(documented, accepted);
}

/// A photographer may price only in a currency clients can pay in.
#[test]
fn payable_currencies_are_exactly_the_ones_payments_take() {
    let d = doc();
    let documented = alternatives(at(&d, "/components/schemas/PayableCurrency/pattern").as_str().unwrap());
    let payable: BTreeSet<String> = cm_payments::CurrencyRules::all().map(|r| r.code.to_string()).collect();
    assert_eq!(documented, payable);
}

#[test]
fn limits_are_the_exported_constants() {
    use cm_booking::{DURATION_GRANULARITY_MINUTES as STEP, MAX_DURATION_MINUTES, MIN_DURATION_MINUTES};
    let d = doc();
    let s = "/components/schemas";
    let av = format!("{s}/AvailabilityInput/properties");
    let duration = |p: &str| {
        vec![
            (format!("{p}/minimum"), i64::from(MIN_DURATION_MINUTES)),
            (format!("{p}/maximum"), i64::from(MAX_DURATION_MINUTES)),
            (format!("{p}/multipleOf"), i64::from(STEP)),
        ]
    };
    let mut cases: Vec<(String, i64)> = vec![
        (format!("{s}/MoneyInput/properties/amount_minor/maximum"), cm_core::money::MAX_AMOUNT_MINOR),
        (format!("{s}/ProfileInput/properties/packages/maxItems"), photographer::MAX_PACKAGES as i64),
        (format!("{s}/ProfileInput/properties/portfolio_links/maxItems"), photographer::MAX_LINKS as i64),
        (format!("{s}/ProfileInput/properties/languages/maxItems"), photographer::MAX_LANGUAGES as i64),
        (format!("{s}/ProfileInput/properties/service_radius_km/maximum"), photographer::MAX_SERVICE_RADIUS_KM),
        (format!("{s}/PackageInput/properties/duration_minutes/maximum"), photographer::MAX_PACKAGE_MINUTES),
        (format!("{s}/Registration/properties/password/minLength"), account::MIN_PASSWORD_CHARS as i64),
        (format!("{s}/Registration/properties/password/maxLength"), account::MAX_PASSWORD_CHARS as i64),
        (format!("{s}/IntervalList/maxItems"), limits::MAX_INTERVALS_PER_DAY as i64),
        (format!("{av}/overrides/maxItems"), limits::MAX_OVERRIDES as i64),
        (format!("{av}/time_off/maxItems"), limits::MAX_TIME_OFF as i64),
        (format!("{s}/Availability/properties/buffer_before_minutes/maximum"), i64::from(limits::MAX_BUFFER_MINUTES)),
        (
            format!("{s}/Availability/properties/buffer_before_minutes/multipleOf"),
            i64::from(limits::BUFFER_GRANULARITY_MINUTES),
        ),
        (format!("{s}/Availability/properties/buffer_after_minutes/maximum"), i64::from(limits::MAX_BUFFER_MINUTES)),
        (
            format!("{s}/Availability/properties/buffer_after_minutes/multipleOf"),
            i64::from(limits::BUFFER_GRANULARITY_MINUTES),
        ),
        (format!("{s}/Availability/properties/min_notice_minutes/maximum"), i64::from(limits::MAX_MIN_NOTICE_MINUTES)),
        (format!("{s}/Availability/properties/max_days_ahead/maximum"), i64::from(limits::MAX_DAYS_AHEAD)),
        (format!("{s}/Availability/properties/max_bookings_per_day/maximum"), i64::from(limits::MAX_BOOKINGS_PER_DAY)),
        (
            format!("{s}/Availability/properties/slot_step_minutes/minimum"),
            i64::from(limits::SLOT_STEP_GRANULARITY_MINUTES),
        ),
        (format!("{s}/Availability/properties/slot_step_minutes/maximum"), i64::from(limits::MAX_SLOT_STEP_MINUTES)),
        (
            format!("{s}/Availability/properties/slot_step_minutes/multipleOf"),
            i64::from(limits::SLOT_STEP_GRANULARITY_MINUTES),
        ),
        (
            format!("{s}/Availability/properties/cancellation_window_hours/maximum"),
            i64::from(limits::MAX_CANCELLATION_WINDOW_HOURS),
        ),
        ("/components/parameters/Limit/schema/anyOf/0/maximum".into(), cm_http::params::MAX_PAGE_SIZE as i64),
        (format!("{s}/BookingPage/properties/items/maxItems"), cm_http::params::MAX_PAGE_SIZE as i64),
        (format!("{s}/PortfolioPage/properties/items/maxItems"), cm_http::params::MAX_PAGE_SIZE as i64),
        (format!("{s}/PortfolioUploadInput/properties/size_bytes/maximum"), cm_media::upload::MAX_UPLOAD_BYTES as i64),
        (format!("{s}/PortfolioItemPatch/properties/position/maximum"), i64::from(cm_media::item::MAX_POSITION)),
        (format!("{s}/PortfolioItem/properties/position/maximum"), i64::from(cm_media::item::MAX_POSITION)),
    ];
    cases.extend(duration(&format!("{s}/BookingRequest/properties/duration_minutes")));
    cases.extend(duration(&format!("{s}/Reschedule/properties/duration_minutes")));
    cases.extend(duration(&format!("{s}/PackageInput/properties/duration_minutes")));
    cases.extend(duration("/paths/~1photographers~1{id}~1availability/get/parameters/3/schema"));
    // Every setting the input takes, the answer carries with the same bounds.
    for (name, schema) in at(&d, &format!("{s}/Availability/properties")).as_object().unwrap() {
        for bound in ["minimum", "maximum", "multipleOf"] {
            if let Some(v) = schema.get(bound) {
                cases.push((format!("{av}/{name}/{bound}"), v.as_i64().unwrap()));
            }
        }
    }
    for (pointer, expected) in cases {
        assert_eq!(at(&d, &pointer).as_i64(), Some(expected), "{pointer}");
    }
    let text = openapi::DOCUMENT;
    for phrase in [
        format!("{} bytes", cm_http::body::MAX_BODY_BYTES),
        format!("at most {} days counting both", cm_booking::MAX_QUERY_DAYS),
        format!("shorter than {} days", admin_sentiment_insights::MAX_RANGE_DAYS),
    ] {
        assert!(text.contains(&phrase), "the document should say `{phrase}`");
    }
}

/// Answers whose shape is fixed by code: the patterns describe what the API issues.
#[test]
fn issued_tokens_and_cursors_match_their_documented_patterns() {
    let d = doc();
    let cursor = Regex::new(at(&d, "/components/parameters/Cursor/schema/anyOf/0/pattern").as_str().unwrap()).unwrap();
    let page = cm_store::PageKey(
        [("pk".to_string(), "LISTING#all".to_string()), ("sk".to_string(), "000#1".to_string())].into(),
    );
    let key = cm_http::CursorKey::new(b"a-cursor-key-that-is-32-bytes-long!!").unwrap();
    let issued = key.encode("scope", &page).unwrap();
    assert!(cursor.is_match(&issued), "{issued}");
    let next =
        Regex::new(at(&d, "/components/schemas/UserPage/properties/next_cursor/pattern").as_str().unwrap()).unwrap();
    assert!(next.is_match(&issued));
    let refresh =
        Regex::new(at(&d, "/components/schemas/Session/properties/refresh_token/pattern").as_str().unwrap()).unwrap();
    let token = cm_accounts::refresh::RefreshToken::new_family();
    assert!(refresh.is_match(&token.to_string()) && refresh.is_match(&token.next().to_string()));
}

fn pattern(d: &Value, pointer: &str) -> Regex {
    let text = at(d, pointer).as_str().unwrap_or_else(|| panic!("{pointer} is not a pattern"));
    regex::RegexBuilder::new(text).size_limit(1 << 28).build().unwrap_or_else(|e| panic!("{pointer}: {e}"))
}

/// Characters where the rules differ: every White_Space character, controls inside and
/// outside it, a byte-order mark (neither), astral characters, and plain text.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('a', 'z'),
        1 => prop::sample::select(vec![
            ' ', '\t', '\n', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{A0}', '\u{1680}', '\u{2000}', '\u{200A}',
            '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}', '\u{FEFF}', '\u{200B}', '\u{0}', '\u{1C}',
            '\u{1F}', '\u{7F}', '\u{9F}', '\u{AD}', 'é', '😀', '-', '.', '+', '@', '_', '(', '"', '/', ':',
        ]),
        1 => any::<char>(),
    ]
}

/// Text of up to `max_len` tricky characters; lengths near `edge` are as likely as short ones.
fn tricky_text(edge: usize) -> impl Strategy<Value = String> {
    let around = edge.saturating_sub(3)..edge + 4;
    prop_oneof![
        prop::collection::vec(tricky_char(), 0..12),
        (around, tricky_char(), prop::collection::vec(tricky_char(), 0..6), prop::collection::vec(tricky_char(), 0..6))
            .prop_map(|(n, fill, head, tail)| {
                let mut v = head;
                v.extend(std::iter::repeat_n(fill, n));
                v.extend(tail);
                v
            }),
    ]
    .prop_map(|v| v.into_iter().collect())
}

fn field_ok(result: Result<impl Sized, FieldErrors>, field: &str) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => e.iter().all(|e| e.field != field),
    }
}

fn profile_with(field: &str, value: &str) -> bool {
    let mut v = json!({"display_name": "Asha Lens", "bio": "", "specializations": ["wedding"], "city": "Pune",
        "country": "IN", "lat": 1.0, "lon": 1.0, "service_radius_km": 5, "years_experience": 5,
        "hourly_rate": {"amount_minor": 100, "currency": "INR"},
        "packages": [{"id": "p", "name": "P", "duration_minutes": 60, "price": {"amount_minor": 100, "currency": "INR"}}],
        "portfolio_links": [], "languages": []});
    let at_field = match field {
        "packages[0].name" => &mut v["packages"][0]["name"],
        "packages[0].id" => &mut v["packages"][0]["id"],
        "portfolio_links[0]" => {
            v["portfolio_links"] = json!([""]);
            &mut v["portfolio_links"][0]
        }
        "languages[0]" => {
            v["languages"] = json!([""]);
            &mut v["languages"][0]
        }
        other => &mut v[other],
    };
    *at_field = json!(value);
    field_ok(serde_json::from_value::<PhotographerProfileInput>(v).unwrap().validate(), field)
}

fn location_with(field: &str, value: &str) -> bool {
    let mut v = json!({"address": "1 MG Road", "city": "Pune"});
    v[field] = json!(value);
    field_ok(serde_json::from_value::<LocationInput>(v).unwrap().validate(), field)
}

fn notes_ok(value: &str) -> bool {
    let input = json!({"photographer_id": UserId::new().to_string(), "event_type": "wedding",
        "start": "2030-01-01T10:00:00Z", "duration_minutes": 60, "location": {"address": "a", "city": "b"}, "notes": value});
    field_ok(serde_json::from_value::<cm_booking::request::BookingRequestInput>(input).unwrap().validate(), "notes")
}

fn text_ok(value: &str, max: usize) -> bool {
    let mut errors = FieldErrors::new();
    cm_core::text::check_text(&mut errors, "f", value, max);
    errors.is_empty()
}

/// `field` of an otherwise valid upload request.
fn upload_field_ok(field: &str, filename: &str, caption: &str) -> bool {
    let r = cm_media::UploadRequest::parse(filename, "image/jpeg", 10, "wedding", Some(caption));
    field_ok(r, field)
}

/// A cancellation reason, where it is required: checked before any timing rule.
fn reason_ok(value: &str) -> bool {
    let now = Utc::now();
    let ctx =
        TransitionContext::new(now, now, now + TimeDelta::days(30), now + TimeDelta::days(31), TimeDelta::hours(1))
            .with_reason(value);
    cm_booking::transition(BookingStatus::Pending, BookingStatus::Cancelled, Actor::Client, &ctx).is_ok()
}

/// The same, where a reason is optional (blank counts as none).
fn optional_reason_ok(value: &str) -> bool {
    let now = Utc::now();
    let ctx =
        TransitionContext::new(now, now, now + TimeDelta::days(30), now + TimeDelta::days(31), TimeDelta::hours(1))
            .with_reason(value);
    cm_booking::transition(BookingStatus::Pending, BookingStatus::Confirmed, Actor::Photographer, &ctx).is_ok()
}

fn wall_time_ok(value: &str, is_end: bool) -> bool {
    WallTime::parse(value, is_end)
        .is_some_and(|t| u32::from(t.minutes()).is_multiple_of(limits::INTERVAL_GRANULARITY_MINUTES))
}

/// Each documented request pattern next to the rule it states; `exact` = the pattern
/// accepts exactly what the rule accepts, otherwise the documented set is a subset
/// (what matches is always accepted).
struct Rule {
    pointer: &'static str,
    accepts: fn(&str) -> bool,
    edge: usize,
    exact: bool,
}

fn rules() -> Vec<Rule> {
    let s = |rest: &'static str| rest;
    vec![
        Rule {
            pointer: s("/components/schemas/Registration/properties/name/pattern"),
            accepts: |v| account::check_name(v).is_ok(),
            edge: 100,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/MePatch/properties/name/pattern"),
            accepts: |v| account::check_name(v).is_ok(),
            edge: 100,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/Registration/properties/phone/pattern"),
            accepts: |v| account::check_phone(v).is_ok(),
            edge: 15,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/Registration/properties/email/pattern"),
            accepts: |v| account::Email::parse(v).is_ok() && v.trim().contains('@'),
            edge: 64,
            exact: false,
        },
        Rule {
            pointer: s("/components/schemas/ProfileInput/properties/display_name/pattern"),
            accepts: |v| profile_with("display_name", v),
            edge: 80,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/ProfileInput/properties/bio/pattern"),
            accepts: |v| profile_with("bio", v),
            edge: photographer::MAX_BIO_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/ProfileInput/properties/city/pattern"),
            accepts: |v| profile_with("city", v),
            edge: 80,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/ProfileInput/properties/country/pattern"),
            accepts: |v| profile_with("country", v),
            edge: 2,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/ProfileInput/properties/languages/items/pattern"),
            accepts: |v| profile_with("languages[0]", v),
            edge: 8,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/ProfileInput/properties/portfolio_links/items/pattern"),
            accepts: |v| profile_with("portfolio_links[0]", v),
            edge: 40,
            exact: false,
        },
        Rule {
            pointer: s("/components/schemas/PackageInput/properties/name/pattern"),
            accepts: |v| profile_with("packages[0].name", v),
            edge: 80,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/PackageInput/properties/id/pattern"),
            accepts: |v| profile_with("packages[0].id", v),
            edge: 40,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/LocationInput/properties/address/pattern"),
            accepts: |v| location_with("address", v),
            edge: 300,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/LocationInput/properties/city/pattern"),
            accepts: |v| location_with("city", v),
            edge: 80,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/BookingRequest/properties/notes/pattern"),
            accepts: notes_ok,
            edge: cm_booking::request::MAX_NOTES_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/StatusChange/properties/reason/pattern"),
            accepts: optional_reason_ok,
            edge: cm_booking::MAX_REASON_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/PortfolioUploadInput/properties/filename/pattern"),
            accepts: |v| upload_field_ok("filename", v, "x"),
            edge: cm_media::upload::MAX_FILENAME_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/PortfolioUploadInput/properties/caption/pattern"),
            accepts: |v| upload_field_ok("caption", "photo.jpg", v),
            edge: cm_media::item::MAX_CAPTION_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/PortfolioItemPatch/properties/caption/pattern"),
            accepts: |v| {
                let mut errors = FieldErrors::new();
                cm_media::item::check_caption(&mut errors, Some(v));
                errors.is_empty()
            },
            edge: cm_media::item::MAX_CAPTION_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/ReviewInput/properties/text/pattern"),
            accepts: |v| text_ok(v, MAX_REVIEW_CHARS),
            edge: MAX_REVIEW_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/ReplyInput/properties/text/pattern"),
            accepts: |v| text_ok(v, MAX_REPLY_CHARS),
            edge: MAX_REPLY_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/FeedbackInput/properties/subject/pattern"),
            accepts: |v| text_ok(v, MAX_SUBJECT_CHARS),
            edge: MAX_SUBJECT_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/FeedbackInput/properties/message/pattern"),
            accepts: |v| text_ok(v, MAX_REVIEW_CHARS),
            edge: MAX_REVIEW_CHARS,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/Ulid/pattern"),
            accepts: |v| v.parse::<UserId>().is_ok(),
            edge: 26,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/Interval/properties/start/pattern"),
            accepts: |v| wall_time_ok(v, false),
            edge: 5,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/Interval/properties/end/pattern"),
            accepts: |v| wall_time_ok(v, true),
            edge: 5,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/PhoneVerificationStart/properties/phone/pattern"),
            accepts: |v| account::check_phone(v).is_ok(),
            edge: 15,
            exact: true,
        },
        Rule {
            pointer: s("/components/schemas/PhoneVerificationConfirm/properties/code/pattern"),
            accepts: |v| cm_accounts::phone::parse_code(v).is_ok(),
            edge: 6,
            exact: true,
        },
        // The common form of a calendar address: what matches is always taken; literal
        // public addresses, ports and queries are taken too, undocumented by the pattern.
        Rule {
            pointer: s("/components/schemas/NewExternalCalendar/properties/url/pattern"),
            accepts: |v| SourceUrl::parse(v, UrlPolicy::default()).is_ok(),
            edge: 2048,
            exact: false,
        },
        Rule {
            pointer: s("/components/schemas/NewExternalCalendar/properties/label/pattern"),
            accepts: |v| {
                let url = SourceUrl::parse("https://calendar.example.com/a.ics", UrlPolicy::default()).unwrap();
                cm_calsync::source::label(Some(v), &url).is_ok()
            },
            edge: 60,
            exact: false,
        },
    ]
}

/// Strings built for each rule's alphabet: digits, ULID letters, times, phone marks.
fn shaped_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9A-Za-z]{24,28}",
        "[0-2][0-9]:[0-6][05]",
        "[ +().0-9-]{6,24}",
        "[ a-z]{0,4}[a-z]{2,3}(-[A-Za-z0-9]{1,9}){0,3}[ ]{0,2}",
        "[a-z0-9_ -]{0,44}",
        "[ ]{0,2}[A-Za-z]{1,3}[ ]{0,2}",
        "https://[a-z0-9.-]{0,20}(/[a-z]{0,5}){0,3}",
        "[a-z.!#+]{0,10}@[a-z0-9.-]{0,20}",
    ]
}

/// Every rule with its compiled pattern, built once for all generated cases.
static COMPILED: std::sync::LazyLock<Vec<(Rule, Regex)>> = std::sync::LazyLock::new(|| {
    let d = doc();
    rules()
        .into_iter()
        .map(|rule| {
            let re = pattern(&d, rule.pointer);
            (rule, re)
        })
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn request_patterns_state_the_validators(raw in prop_oneof![tricky_text(0), shaped_text()]) {
        for (rule, re) in COMPILED.iter() {
            check(re, rule, &raw)?;
            // And the same text pushed to the rule's length limit.
            let long: String = std::iter::repeat_n('x', rule.edge.saturating_sub(1)).collect::<String>() + &raw;
            check(re, rule, &long)?;
        }
    }
}

fn check(re: &Regex, rule: &Rule, text: &str) -> Result<(), TestCaseError> {
    let documented = re.is_match(text);
    let accepted = (rule.accepts)(text);
    if rule.exact {
        prop_assert_eq!(documented, accepted, "{} on {:?}", rule.pointer, text);
    } else if documented {
        prop_assert!(accepted, "{} documents {:?}, which the API refuses", rule.pointer, text);
    }
    Ok(())
}

/// Long edges the generator rarely reaches: exactly at, and one past, every limit.
#[test]
fn request_patterns_hold_at_their_limits() {
    for (rule, re) in COMPILED.iter() {
        for n in [rule.edge.saturating_sub(1), rule.edge, rule.edge + 1] {
            for fill in ['x', '😀', ' ', '\u{3000}', '\u{7F}'] {
                for wrap in ["", " ", "\u{85}", "\t"] {
                    let text = format!("{wrap}{}{wrap}", std::iter::repeat_n(fill, n).collect::<String>());
                    check(re, rule, &text).unwrap();
                }
            }
        }
    }
}

#[test]
fn cancelling_needs_a_reason_as_documented() {
    let d = doc();
    let then = at(&d, "/components/schemas/StatusChange/then/properties/reason/pattern").as_str().unwrap();
    let non_blank = Regex::new(then).unwrap();
    for reason in ["", " ", "\u{3000}\t", "x", " moving city ", "\u{FEFF}"] {
        let optional_ok = pattern(&d, "/components/schemas/StatusChange/properties/reason/pattern").is_match(reason);
        assert_eq!(optional_ok && non_blank.is_match(reason), reason_ok(reason), "{reason:?}");
    }
}
