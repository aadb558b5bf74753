//! Photographer profiles: the document a photographer maintains, and the public view
//! clients search and read.

use cm_core::money::{Money, MoneyInput};
use cm_core::{FieldErrors, UserId};
use cm_payments::terms::{PaymentTerms, PlatformTerms, check_deposit_percent};
use cm_payments::{CancellationPolicy, CurrencyRules, Tier};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Specialization {
    Wedding,
    Portrait,
    Event,
    Commercial,
    Family,
    Fashion,
    Product,
    Newborn,
    RealEstate,
}

impl Specialization {
    pub const ALL: [Specialization; 9] = [
        Specialization::Wedding,
        Specialization::Portrait,
        Specialization::Event,
        Specialization::Commercial,
        Specialization::Family,
        Specialization::Fashion,
        Specialization::Product,
        Specialization::Newborn,
        Specialization::RealEstate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Specialization::Wedding => "wedding",
            Specialization::Portrait => "portrait",
            Specialization::Event => "event",
            Specialization::Commercial => "commercial",
            Specialization::Family => "family",
            Specialization::Fashion => "fashion",
            Specialization::Product => "product",
            Specialization::Newborn => "newborn",
            Specialization::RealEstate => "real_estate",
        }
    }

    pub fn parse(s: &str) -> Option<Specialization> {
        Self::ALL.into_iter().find(|sp| sp.as_str() == s)
    }

    pub fn allowed_list() -> String {
        Self::ALL.map(Specialization::as_str).join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub id: String,
    pub name: String,
    pub duration_minutes: u32,
    pub price: Money,
    /// The whole price is paid when the booking is requested (no deposit and balance).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub full_prepayment: bool,
}

/// The photographer-maintained document, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotographerProfile {
    pub display_name: String,
    pub bio: String,
    pub specializations: Vec<Specialization>,
    pub city: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub service_radius_km: u32,
    pub years_experience: u32,
    pub hourly_rate: Money,
    pub packages: Vec<Package>,
    pub portfolio_links: Vec<String>,
    pub languages: Vec<String>,
    /// Share of the price a client pays when requesting a booking.
    #[serde(default = "default_deposit_percent")]
    pub deposit_percent: u8,
    /// What a client's cancellation refunds, by notice; frozen into each booking.
    #[serde(default)]
    pub cancellation_policy: CancellationPolicy,
    /// Whether prices follow demand, and within which bounds of the base price.
    #[serde(default)]
    pub dynamic_pricing: DynamicPricing,
}

/// The lowest floor a photographer may set: half their base price. Lower would let a
/// quiet week's discount undercut what the photographer meant to charge at all.
pub const MIN_FLOOR_PERCENT: u16 = 50;
/// The highest ceiling: three times the base price, so a surge never shocks a client.
pub const MAX_CEILING_PERCENT: u16 = 300;

/// A photographer's opt-in to demand-based prices: quotes move with demand, lead time,
/// the calendar, their week and their rating, but never below `floor_percent` or above
/// `ceiling_percent` of the base price (package or hourly rate). Off by default: the
/// quote is then the plain rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DynamicPricing {
    pub enabled: bool,
    pub floor_percent: u16,
    pub ceiling_percent: u16,
}

impl Default for DynamicPricing {
    fn default() -> Self {
        DynamicPricing { enabled: false, floor_percent: 90, ceiling_percent: 130 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicPricingInput {
    pub enabled: bool,
    #[serde(default)]
    pub floor_percent: Option<i64>,
    #[serde(default)]
    pub ceiling_percent: Option<i64>,
}

impl DynamicPricingInput {
    /// Bounds that contain the base price: `MIN_FLOOR_PERCENT..=100` and
    /// `100..=MAX_CEILING_PERCENT`; an omitted bound keeps the default.
    fn validate(self, errors: &mut FieldErrors) -> DynamicPricing {
        let d = DynamicPricing::default();
        let mut bound = |field: &str, value: Option<i64>, min: u16, max: u16, default: u16| match value {
            None => default,
            Some(v) if (i64::from(min)..=i64::from(max)).contains(&v) => v as u16,
            Some(_) => {
                errors.add(format!("dynamic_pricing.{field}"), format!("must be between {min} and {max}"));
                default
            }
        };
        let floor_percent = bound("floor_percent", self.floor_percent, MIN_FLOOR_PERCENT, 100, d.floor_percent);
        let ceiling_percent =
            bound("ceiling_percent", self.ceiling_percent, 100, MAX_CEILING_PERCENT, d.ceiling_percent);
        DynamicPricing { enabled: self.enabled, floor_percent, ceiling_percent }
    }
}

fn default_deposit_percent() -> u8 {
    cm_payments::terms::DEFAULT_DEPOSIT_PERCENT
}

impl PhotographerProfile {
    /// Where the photographer is based; `None` only for a stored profile whose
    /// coordinates are off the globe (validation refuses them).
    pub fn base(&self) -> Option<cm_geo::Point> {
        cm_geo::Point::new(self.lat, self.lon)
    }

    /// Whether a shoot at `at` lies within the service area (great-circle distance
    /// from the base at most `service_radius_km`); the error says how far it is.
    pub fn serves(&self, at: cm_geo::Point) -> Result<(), OutsideServiceArea> {
        let Some(base) = self.base() else { return Ok(()) };
        let distance_km = base.distance_km(&at);
        if distance_km <= f64::from(self.service_radius_km) {
            Ok(())
        } else {
            Err(OutsideServiceArea { distance_km, radius_km: self.service_radius_km })
        }
    }

    pub fn package(&self, id: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.id == id)
    }

    /// The payment terms a booking of `package` (or by the hour) is made under now.
    pub fn payment_terms(&self, package: Option<&str>, platform: PlatformTerms) -> PaymentTerms {
        let full = package.and_then(|id| self.package(id)).is_some_and(|p| p.full_prepayment);
        PaymentTerms {
            deposit_percent: if full { 100 } else { self.deposit_percent },
            cancellation_policy: self.cancellation_policy.clone(),
            commission_bps: platform.commission_bps,
            balance_due_days: platform.balance_due_days,
        }
    }
}

/// A shoot farther from the photographer's base than they travel.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("the place is {distance_km:.1} km from the photographer's base; they travel up to {radius_km} km")]
pub struct OutsideServiceArea {
    pub distance_km: f64,
    pub radius_km: u32,
}

/// Ratings are kept as integer sum and count so concurrent updates can use atomic
/// `ADD` and the average is always derived, never drifting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingTotals {
    pub sum: u64,
    pub count: u64,
}

impl RatingTotals {
    /// Average in hundredths of a star (0..=500), 0 when unrated.
    pub fn average_centi(self) -> u64 {
        (self.sum * 100).checked_div(self.count).unwrap_or(0)
    }

    pub fn view(self) -> RatingView {
        RatingView { average: self.average_centi() as f64 / 100.0, count: self.count }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatingView {
    pub average: f64,
    pub count: u64,
}

/// What anyone may see about a photographer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicProfile {
    pub id: UserId,
    #[serde(flatten)]
    pub profile: PhotographerProfile,
    pub rating: RatingView,
    /// The portfolio photo the photographer chose to be seen by.
    #[serde(default)]
    pub cover_photo: Option<CoverPhoto>,
}

/// A ready portfolio photo shown with the profile and in search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverPhoto {
    /// The portfolio item it is.
    pub item_id: String,
    /// Its small (400 px) and large (1600 px) display sizes.
    pub url: String,
    pub large_url: String,
    pub width: u32,
    pub height: u32,
    pub colour: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageInput {
    pub id: String,
    pub name: String,
    pub duration_minutes: i64,
    pub price: MoneyInput,
    #[serde(default)]
    pub full_prepayment: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotographerProfileInput {
    pub display_name: String,
    #[serde(default)]
    pub bio: String,
    pub specializations: Vec<String>,
    pub city: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub service_radius_km: i64,
    pub years_experience: i64,
    pub hourly_rate: MoneyInput,
    #[serde(default)]
    pub packages: Vec<PackageInput>,
    #[serde(default)]
    pub portfolio_links: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub deposit_percent: Option<i64>,
    #[serde(default)]
    pub cancellation_policy: Option<Vec<Tier>>,
    #[serde(default)]
    pub dynamic_pricing: Option<DynamicPricingInput>,
}

pub const MAX_PACKAGES: usize = 20;
pub const MAX_LINKS: usize = 10;
pub const MAX_LANGUAGES: usize = 12;
pub const MAX_BIO_CHARS: usize = 4000;
pub const MAX_SERVICE_RADIUS_KM: i64 = 1000;
/// Matches the longest bookable duration, so every package can actually be booked.
pub const MAX_PACKAGE_MINUTES: i64 = 600;

fn check_text(errors: &mut FieldErrors, field: &str, value: &str, min: usize, max: usize) -> String {
    let trimmed = value.trim();
    let n = trimmed.chars().count();
    if n < min {
        errors.add(
            field,
            if min == 1 { "must not be empty".to_string() } else { format!("must be at least {min} characters") },
        );
    } else if n > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errors.add(field, "must not contain control characters");
    }
    trimmed.to_string()
}

fn check_range(errors: &mut FieldErrors, field: &str, value: i64, min: i64, max: i64) -> u32 {
    if value < min || value > max {
        errors.add(field, format!("must be between {min} and {max}"));
    }
    value.clamp(0, i64::from(u32::MAX)) as u32
}

/// BCP 47-shaped tags ("en", "hi", "pt-BR"): enough to render and filter on without
/// carrying the full IANA subtag registry into every Lambda.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok =
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    primary_ok && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

impl PhotographerProfileInput {
    pub fn validate(self) -> Result<PhotographerProfile, FieldErrors> {
        let mut errors = FieldErrors::new();
        let display_name = check_text(&mut errors, "display_name", &self.display_name, 1, 80);
        let bio = check_text(&mut errors, "bio", &self.bio, 0, MAX_BIO_CHARS);

        let mut specializations = Vec::new();
        if self.specializations.is_empty() {
            errors.add("specializations", "list at least one specialization");
        }
        for (i, s) in self.specializations.iter().enumerate() {
            match Specialization::parse(s) {
                Some(sp) if specializations.contains(&sp) => {
                    errors.add(format!("specializations[{i}]"), "is listed twice")
                }
                Some(sp) => specializations.push(sp),
                None => errors.add(
                    format!("specializations[{i}]"),
                    format!("must be one of: {}", Specialization::allowed_list()),
                ),
            }
        }

        let city = check_text(&mut errors, "city", &self.city, 1, 80);
        let country = self.country.trim().to_string();
        if !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase())) {
            errors.add("country", "must be an ISO 3166-1 alpha-2 code such as IN or US");
        }
        if !(self.lat.is_finite() && (-90.0..=90.0).contains(&self.lat)) {
            errors.add("lat", "must be between -90 and 90");
        }
        if !(self.lon.is_finite() && (-180.0..=180.0).contains(&self.lon)) {
            errors.add("lon", "must be between -180 and 180");
        }
        let service_radius_km =
            check_range(&mut errors, "service_radius_km", self.service_radius_km, 0, MAX_SERVICE_RADIUS_KM);
        let years_experience = check_range(&mut errors, "years_experience", self.years_experience, 0, 80);

        let hourly_rate = match self.hourly_rate.into_price() {
            Ok(m) if CurrencyRules::of(m.currency.as_str()).is_none() => {
                errors.add(
                    "hourly_rate.currency",
                    format!("clients cannot pay in {} here; use a currency card payments support", m.currency.as_str()),
                );
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                errors.merge_nested("hourly_rate", e);
                None
            }
        };

        if self.packages.len() > MAX_PACKAGES {
            errors.add("packages", format!("at most {MAX_PACKAGES} packages"));
        }
        let mut packages: Vec<Package> = Vec::new();
        for (i, p) in self.packages.into_iter().enumerate() {
            let at = format!("packages[{i}]");
            let id = p.id.trim().to_string();
            if id.is_empty()
                || id.len() > 40
                || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                errors.add(format!("{at}.id"), "must be 1-40 characters of a-z, 0-9, - and _");
            } else if packages.iter().any(|q| q.id == id) {
                errors.add(format!("{at}.id"), "is used by another package");
            }
            let name = check_text(&mut errors, &format!("{at}.name"), &p.name, 1, 80);
            if p.duration_minutes < 15 || p.duration_minutes > MAX_PACKAGE_MINUTES || p.duration_minutes % 15 != 0 {
                errors.add(
                    format!("{at}.duration_minutes"),
                    format!("must be a multiple of 15 between 15 and {MAX_PACKAGE_MINUTES}"),
                );
            }
            match p.price.into_price() {
                Ok(price) => {
                    if hourly_rate.as_ref().is_some_and(|h| h.currency != price.currency) {
                        errors.add(format!("{at}.price.currency"), "must match the hourly rate's currency");
                    }
                    packages.push(Package {
                        id,
                        name,
                        duration_minutes: p.duration_minutes.clamp(0, MAX_PACKAGE_MINUTES) as u32,
                        price,
                        full_prepayment: p.full_prepayment,
                    });
                }
                Err(e) => errors.merge_nested(&format!("{at}.price"), e),
            }
        }

        if self.portfolio_links.len() > MAX_LINKS {
            errors.add("portfolio_links", format!("at most {MAX_LINKS} links"));
        }
        let mut portfolio_links = Vec::new();
        for (i, link) in self.portfolio_links.iter().enumerate() {
            match url::Url::parse(link.trim()) {
                Ok(u) if u.scheme() == "https" && u.host_str().is_some() && link.len() <= 500 => {
                    portfolio_links.push(u.to_string())
                }
                _ => errors.add(format!("portfolio_links[{i}]"), "must be an https URL of at most 500 characters"),
            }
        }

        if self.languages.len() > MAX_LANGUAGES {
            errors.add("languages", format!("at most {MAX_LANGUAGES} languages"));
        }
        let mut languages: Vec<String> = Vec::new();
        for (i, l) in self.languages.iter().enumerate() {
            let l = l.trim();
            if !is_language_tag(l) {
                errors.add(format!("languages[{i}]"), "must be a language tag such as en, hi or pt-BR");
            } else if languages.iter().any(|x| x == l) {
                errors.add(format!("languages[{i}]"), "is listed twice");
            } else {
                languages.push(l.to_string());
            }
        }

        let deposit_percent = match self.deposit_percent {
            Some(p) => check_deposit_percent(&mut errors, "deposit_percent", p).unwrap_or(0),
            None => default_deposit_percent(),
        };
        let cancellation_policy = match self.cancellation_policy {
            Some(tiers) => CancellationPolicy::new(tiers).unwrap_or_else(|e| {
                for fe in e.iter() {
                    errors.add(fe.field.clone(), fe.message.clone());
                }
                CancellationPolicy::default()
            }),
            None => CancellationPolicy::default(),
        };
        let dynamic_pricing = self.dynamic_pricing.map(|d| d.validate(&mut errors)).unwrap_or_default();

        match hourly_rate {
            Some(hourly_rate) if errors.is_empty() => Ok(PhotographerProfile {
                display_name,
                bio,
                specializations,
                city,
                country,
                lat: cm_core::location::coordinate(self.lat),
                lon: cm_core::location::coordinate(self.lon),
                service_radius_km,
                years_experience,
                hourly_rate,
                packages,
                portfolio_links,
                languages,
                deposit_percent,
                cancellation_policy,
                dynamic_pricing,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_photographer_serves_places_within_their_radius_and_says_how_far_others_are() {
        let p: PhotographerProfile =
            serde_json::from_value::<PhotographerProfileInput>(sample_json()).unwrap().validate().unwrap();
        let at = |lat, lon| cm_geo::Point::new(lat, lon).unwrap();
        assert_eq!(p.serves(at(17.385, 78.4867)), Ok(()));
        assert_eq!(p.serves(at(17.4126, 78.4482)), Ok(()), "Banjara Hills, 5 km");
        let far = p.serves(at(17.9689, 79.5941)).unwrap_err();
        assert_eq!(far.radius_km, 50);
        assert!((far.distance_km - 134.0).abs() < 2.0, "{far:?}");
        assert_eq!(
            far.to_string(),
            format!("the place is {:.1} km from the photographer's base; they travel up to 50 km", far.distance_km)
        );
    }

    pub(crate) fn sample_json() -> serde_json::Value {
        serde_json::json!({"display_name": "Asha Lens", "bio": "Candid weddings.", "specializations": ["wedding", "portrait"],
          "city": "Hyderabad", "country": "IN", "lat": 17.385, "lon": 78.4867, "service_radius_km": 50,
          "years_experience": 7, "hourly_rate": {"amount_minor": 250000, "currency": "INR"},
          "packages": [{"id": "basic", "name": "Basic", "duration_minutes": 120,
                        "price": {"amount_minor": 500000, "currency": "INR"}}],
          "portfolio_links": ["https://example.com/asha"], "languages": ["en", "hi"]})
    }

    fn parse(v: serde_json::Value) -> Result<PhotographerProfile, FieldErrors> {
        serde_json::from_value::<PhotographerProfileInput>(v).unwrap().validate()
    }

    #[test]
    fn the_documented_example_is_valid() {
        let p = parse(sample_json()).unwrap();
        assert_eq!(p.specializations, [Specialization::Wedding, Specialization::Portrait]);
        assert_eq!(p.package("basic").unwrap().price.amount_minor, 500000);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut v = sample_json();
        v["specializations"] = serde_json::json!(["wedding", "wedding", "astronaut"]);
        v["country"] = "India".into();
        v["lat"] = 91.0.into();
        v["service_radius_km"] = (-1).into();
        v["packages"][0]["duration_minutes"] = 100.into();
        v["packages"][0]["price"]["currency"] = "USD".into();
        v["portfolio_links"] = serde_json::json!(["http://insecure.example"]);
        v["languages"] = serde_json::json!(["English"]);
        let fields: Vec<String> = parse(v).unwrap_err().iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            [
                "specializations[1]",
                "specializations[2]",
                "country",
                "lat",
                "service_radius_km",
                "packages[0].duration_minutes",
                "packages[0].price.currency",
                "portfolio_links[0]",
                "languages[0]"
            ]
        );
    }

    #[test]
    fn dynamic_pricing_is_off_by_default_and_its_bounds_contain_the_base_price() {
        assert_eq!(parse(sample_json()).unwrap().dynamic_pricing, DynamicPricing::default());
        assert!(!DynamicPricing::default().enabled);
        let mut v = sample_json();
        v["dynamic_pricing"] = serde_json::json!({"enabled": true, "floor_percent": 80});
        let on = parse(v).unwrap().dynamic_pricing;
        assert_eq!(on, DynamicPricing { enabled: true, floor_percent: 80, ceiling_percent: 130 });
        for (floor, ceiling, bad) in [
            (49, 130, vec!["dynamic_pricing.floor_percent"]),
            (101, 130, vec!["dynamic_pricing.floor_percent"]),
            (90, 99, vec!["dynamic_pricing.ceiling_percent"]),
            (90, 301, vec!["dynamic_pricing.ceiling_percent"]),
            (0, 1000, vec!["dynamic_pricing.floor_percent", "dynamic_pricing.ceiling_percent"]),
            (50, 300, vec![]),
            (100, 100, vec![]),
        ] {
            let mut v = sample_json();
            v["dynamic_pricing"] =
                serde_json::json!({"enabled": true, "floor_percent": floor, "ceiling_percent": ceiling});
            let fields: Vec<String> = match parse(v) {
                Ok(_) => vec![],
                Err(e) => e.iter().map(|e| e.field.clone()).collect(),
            };
            assert_eq!(fields, bad, "{floor}..{ceiling}");
        }
        let mut v = sample_json();
        v["dynamic_pricing"] = serde_json::json!({"enabled": true, "surge": 9});
        assert!(serde_json::from_value::<PhotographerProfileInput>(v).is_err(), "unknown fields are refused");
    }

    /// Profiles stored before dynamic pricing existed read back with it off.
    #[test]
    fn stored_profiles_without_the_setting_read_with_it_off() {
        let mut stored = serde_json::to_value(parse(sample_json()).unwrap()).unwrap();
        stored.as_object_mut().unwrap().remove("dynamic_pricing");
        let p: PhotographerProfile = serde_json::from_value(stored).unwrap();
        assert_eq!(p.dynamic_pricing, DynamicPricing::default());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut v = sample_json();
        v["rating"] = 5.into();
        assert!(serde_json::from_value::<PhotographerProfileInput>(v).is_err());
    }

    #[test]
    fn averages_are_exact_hundredths() {
        assert_eq!(RatingTotals { sum: 14, count: 3 }.average_centi(), 466);
        assert_eq!(RatingTotals::default().average_centi(), 0);
        assert_eq!(RatingTotals { sum: 9, count: 2 }.view().average, 4.5);
    }

    proptest! {
        #[test]
        fn average_stays_within_star_range(ratings in proptest::collection::vec(1u64..=5, 0..200)) {
            let t = RatingTotals { sum: ratings.iter().sum(), count: ratings.len() as u64 };
            let avg = t.average_centi();
            prop_assert!(avg <= 500);
            if !ratings.is_empty() { prop_assert!(avg >= 100); }
        }

        #[test]
        fn specialization_names_round_trip(i in 0usize..9) {
            let s = Specialization::ALL[i];
            prop_assert_eq!(Specialization::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
    }
}
