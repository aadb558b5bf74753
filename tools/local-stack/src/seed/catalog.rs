//! The demo world: photographers across cities, countries and time zones, clients,
//! one admin, and review texts. Local only; every account shares [`DEMO_PASSWORD`].

use cm_catalog::Specialization::{self, *};

pub const DEMO_PASSWORD: &str = "demo-password-2026";
pub const ADMIN_EMAIL: &str = "admin@capturemoments.test";
pub const ADMIN_NAME: &str = "Ops Admin";
/// The photographer and client the smoke journey (and the README) use.
pub const DEMO_PHOTOGRAPHER: &str = "asha.reddy@photographers.test";
pub const DEMO_CLIENT: &str = "priya.sharma@clients.test";

pub struct City {
    pub name: &'static str,
    pub country: &'static str,
    pub tz: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub currency: &'static str,
    /// Typical hourly rate in the currency's minor unit (JPY has none).
    pub rate_minor: i64,
    pub languages: &'static [&'static str],
}

pub const CITIES: &[City] = &[
    City {
        name: "Hyderabad",
        country: "IN",
        tz: "Asia/Kolkata",
        lat: 17.385,
        lon: 78.4867,
        currency: "INR",
        rate_minor: 250_000,
        languages: &["en", "hi", "te"],
    },
    City {
        name: "Mumbai",
        country: "IN",
        tz: "Asia/Kolkata",
        lat: 19.076,
        lon: 72.8777,
        currency: "INR",
        rate_minor: 300_000,
        languages: &["en", "hi", "mr"],
    },
    City {
        name: "Bengaluru",
        country: "IN",
        tz: "Asia/Kolkata",
        lat: 12.9716,
        lon: 77.5946,
        currency: "INR",
        rate_minor: 280_000,
        languages: &["en", "kn", "hi"],
    },
    City {
        name: "London",
        country: "GB",
        tz: "Europe/London",
        lat: 51.5072,
        lon: -0.1276,
        currency: "GBP",
        rate_minor: 9_500,
        languages: &["en"],
    },
    City {
        name: "New York",
        country: "US",
        tz: "America/New_York",
        lat: 40.7128,
        lon: -74.006,
        currency: "USD",
        rate_minor: 15_000,
        languages: &["en", "es"],
    },
    City {
        name: "San Francisco",
        country: "US",
        tz: "America/Los_Angeles",
        lat: 37.7749,
        lon: -122.4194,
        currency: "USD",
        rate_minor: 17_500,
        languages: &["en"],
    },
    City {
        name: "Sydney",
        country: "AU",
        tz: "Australia/Sydney",
        lat: -33.8688,
        lon: 151.2093,
        currency: "AUD",
        rate_minor: 16_000,
        languages: &["en"],
    },
    City {
        name: "Berlin",
        country: "DE",
        tz: "Europe/Berlin",
        lat: 52.52,
        lon: 13.405,
        currency: "EUR",
        rate_minor: 11_000,
        languages: &["de", "en"],
    },
    City {
        name: "São Paulo",
        country: "BR",
        tz: "America/Sao_Paulo",
        lat: -23.5558,
        lon: -46.6396,
        currency: "BRL",
        rate_minor: 35_000,
        languages: &["pt-BR", "en"],
    },
    City {
        name: "Tokyo",
        country: "JP",
        tz: "Asia/Tokyo",
        lat: 35.6762,
        lon: 139.6503,
        currency: "JPY",
        rate_minor: 18_000,
        languages: &["ja", "en"],
    },
];

pub struct Photographer {
    pub name: &'static str,
    /// Index into [`CITIES`].
    pub city: usize,
    pub specializations: &'static [Specialization],
    pub years: u32,
    /// Percent of the city's typical rate.
    pub rate_percent: i64,
    pub bio: &'static str,
}

macro_rules! p {
    ($name:literal, $city:literal, [$($s:ident),+], $years:literal, $pct:literal, $bio:literal) => {
        Photographer { name: $name, city: $city, specializations: &[$($s),+], years: $years, rate_percent: $pct, bio: $bio }
    };
}

pub const PHOTOGRAPHERS: &[Photographer] = &[
    p!("Asha Reddy", 0, [Wedding, Portrait], 9, 100, "Candid weddings and quiet portraits across Hyderabad."),
    p!("Vikram Rao", 0, [Event, Commercial], 12, 120, "Conferences, launches and corporate events."),
    p!("Meera Iyer", 0, [Newborn, Family], 6, 90, "Gentle newborn and family sessions at home or in studio."),
    p!("Arjun Naidu", 0, [Product, RealEstate], 4, 80, "Clean product shots and bright property photography."),
    p!("Kavya Menon", 1, [Fashion, Portrait], 8, 130, "Editorial fashion and actor portfolios in Mumbai."),
    p!("Rohan Desai", 1, [Wedding, Event], 15, 150, "Big fat weddings, sangeets and receptions."),
    p!("Ishita Kapoor", 1, [Family, Newborn], 5, 85, "Maternity, newborn and first-birthday stories."),
    p!("Nikhil Shetty", 2, [Commercial, Product], 10, 110, "Startup brand shoots and e-commerce catalogues."),
    p!("Divya Hegde", 2, [Portrait, Event], 7, 95, "Headshots, team photos and tech meetups."),
    p!("Sanjay Gowda", 2, [RealEstate, Commercial], 11, 100, "Architecture, interiors and drone exteriors."),
    p!("Olivia Bennett", 3, [Wedding, Family], 10, 110, "Relaxed London weddings and family portraits."),
    p!("James Whitfield", 3, [Fashion, Commercial], 14, 140, "Lookbooks and campaigns for independent labels."),
    p!("Amelia Hughes", 3, [Newborn, Portrait], 6, 90, "Newborn and studio portraits in Islington."),
    p!("Michael Carter", 4, [Event, Wedding], 13, 120, "Galas, city hall weddings and parties."),
    p!("Sophia Nguyen", 4, [Fashion, Portrait], 9, 135, "Street-style fashion and creative portraits."),
    p!("Daniel Brooks", 4, [RealEstate, Product], 7, 100, "Manhattan listings and product flat lays."),
    p!("Emily Chen", 5, [Commercial, Event], 11, 125, "Tech brand storytelling and product launches."),
    p!("Ryan Patel", 5, [Family, Newborn], 5, 95, "Golden-hour family sessions by the bay."),
    p!("Grace Kim", 5, [Wedding, Portrait], 8, 115, "Elopements and intimate weddings."),
    p!("Jack Thompson", 6, [Wedding, Event], 12, 110, "Beach weddings and harbour events."),
    p!("Chloe Mitchell", 6, [Portrait, Fashion], 6, 100, "Natural-light portraits and model tests."),
    p!("Noah Williams", 6, [RealEstate, Commercial], 9, 105, "Property, hospitality and venue photography."),
    p!("Lena Fischer", 7, [Portrait, Family], 8, 100, "Family portraits in Berlin's parks."),
    p!("Maximilian Weber", 7, [Product, Commercial], 10, 120, "Studio product photography for makers."),
    p!("Sophie Wagner", 7, [Wedding, Newborn], 7, 110, "Registry-office weddings and newborn stories."),
    p!("João Almeida", 8, [Wedding, Event], 13, 110, "Colourful weddings and festivals in São Paulo."),
    p!("Camila Souza", 8, [Fashion, Portrait], 8, 120, "Fashion editorials and personal branding."),
    p!("Rafael Costa", 8, [RealEstate, Product], 6, 90, "Apartments, restaurants and menus."),
    p!("Haruto Sato", 9, [Commercial, Product], 15, 130, "Minimalist product and brand photography."),
    p!("Aiko Yamamoto", 9, [Wedding, Family], 9, 115, "Shrine weddings and family portraits."),
    p!("Ren Takahashi", 9, [Event, Portrait], 7, 100, "Concerts, conferences and portraits."),
    p!("Yui Nakamura", 9, [Newborn, Fashion], 5, 95, "Newborn sessions and kawaii fashion shoots."),
];

/// Photographers who carry the seeded booking history ([`super::history`]): listed
/// and bookable like anyone, but kept apart from [`PHOTOGRAPHERS`] so the demo
/// photographers' calendars, the smoke journey's counts and the portfolio seeding stay
/// as they were. Two busy Hyderabad wedding studios' worth and a Bengaluru portrait
/// group make the dense series; one photographer each elsewhere makes sparse ones.
pub const HISTORY_PHOTOGRAPHERS: &[Photographer] = &[
    p!("Lakshmi Varma", 0, [Wedding, Portrait], 11, 105, "Telugu weddings from haldi to vidaai."),
    p!("Karthik Chowdary", 0, [Wedding, Event], 9, 110, "Grand weddings and receptions in Hyderabad's palaces."),
    p!("Sneha Pillai", 0, [Wedding, Family], 7, 95, "Candid wedding stories and family portraits."),
    p!("Harsha Vardhan", 0, [Wedding, Portrait], 13, 125, "Traditional and cinematic wedding coverage."),
    p!("Swathi Goud", 0, [Portrait, Newborn], 6, 90, "Studio portraits and newborn sessions in Banjara Hills."),
    p!("Ananya Krishnan", 2, [Portrait, Family], 8, 100, "Headshots and family portraits in Bengaluru's parks."),
    p!("Rahul Bhat", 2, [Portrait, Event], 6, 95, "Personal branding portraits and startup events."),
    p!("Deepa Shenoy", 2, [Portrait, Fashion], 10, 110, "Editorial portraits and model portfolios."),
    p!("Aditya Joshi", 1, [Fashion, Portrait], 7, 120, "Fashion lookbooks for Mumbai's labels."),
    p!("Harriet Cole", 3, [Wedding, Portrait], 12, 115, "Town-hall and country-house weddings."),
    p!("Marcus Reed", 4, [Event, Commercial], 10, 120, "Corporate galas and holiday parties."),
    p!("Owen Parker", 5, [Commercial, Product], 8, 115, "Brand shoots for Bay Area startups."),
    p!("Isla Morgan", 6, [Wedding, Family], 9, 105, "Beach and vineyard weddings around Sydney."),
    p!("Jonas Becker", 7, [Family, Newborn], 6, 95, "Relaxed family sessions at home."),
    p!("Beatriz Lima", 8, [Event, Wedding], 9, 100, "Festas, formaturas and weddings."),
    p!("Sakura Ito", 9, [Product, Commercial], 11, 120, "Product photography for makers and shops."),
];

/// The clients of the seeded history: each city's history is booked by the clients in
/// its time zone.
pub const HISTORY_CLIENTS: &[Client] = &[
    Client { name: "Ananya Gupta", email: "ananya.gupta@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Vivek Reddy", email: "vivek.reddy@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Pooja Nair", email: "pooja.nair@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Siddharth Rao", email: "siddharth.rao@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Neha Agarwal", email: "neha.agarwal@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Arvind Kumar", email: "arvind.kumar@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Kavitha Srinivasan", email: "kavitha.srinivasan@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Manish Tiwari", email: "manish.tiwari@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Divya Prasad", email: "divya.prasad@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Farhan Ali", email: "farhan.ali@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Lavanya Murthy", email: "lavanya.murthy@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Rohit Malhotra", email: "rohit.malhotra@clients.test", tz: "Asia/Kolkata", phone: None },
    Client { name: "Charlotte Evans", email: "charlotte.evans@clients.test", tz: "Europe/London", phone: None },
    Client { name: "Oliver Shaw", email: "oliver.shaw@clients.test", tz: "Europe/London", phone: None },
    Client { name: "Ava Robinson", email: "ava.robinson@clients.test", tz: "America/New_York", phone: None },
    Client { name: "Ethan Morales", email: "ethan.morales@clients.test", tz: "America/New_York", phone: None },
    Client { name: "Mia Anderson", email: "mia.anderson@clients.test", tz: "America/Los_Angeles", phone: None },
    Client { name: "Zoe Taylor", email: "zoe.taylor@clients.test", tz: "Australia/Sydney", phone: None },
    Client { name: "Jack Harris", email: "jack.harris@clients.test", tz: "Australia/Sydney", phone: None },
    Client { name: "Lea Hoffmann", email: "lea.hoffmann@clients.test", tz: "Europe/Berlin", phone: None },
    Client { name: "Gabriel Santos", email: "gabriel.santos@clients.test", tz: "America/Sao_Paulo", phone: None },
    Client { name: "Mariana Rocha", email: "mariana.rocha@clients.test", tz: "America/Sao_Paulo", phone: None },
    Client { name: "Haruka Suzuki", email: "haruka.suzuki@clients.test", tz: "Asia/Tokyo", phone: None },
];

pub struct Client {
    pub name: &'static str,
    pub email: &'static str,
    pub tz: &'static str,
    pub phone: Option<&'static str>,
}

pub const CLIENTS: &[Client] = &[
    Client { name: "Priya Sharma", email: DEMO_CLIENT, tz: "Asia/Kolkata", phone: Some("+919848022338") },
    Client { name: "Rahul Verma", email: "rahul.verma@clients.test", tz: "Asia/Kolkata", phone: None },
    Client {
        name: "Emma Clarke",
        email: "emma.clarke@clients.test",
        tz: "Europe/London",
        phone: Some("+447700900123"),
    },
    Client { name: "Michael Johnson", email: "michael.johnson@clients.test", tz: "America/New_York", phone: None },
    Client { name: "Sofia Martinez", email: "sofia.martinez@clients.test", tz: "America/Los_Angeles", phone: None },
    Client { name: "Liam Wilson", email: "liam.wilson@clients.test", tz: "Australia/Sydney", phone: None },
    Client { name: "Hannah Schmidt", email: "hannah.schmidt@clients.test", tz: "Europe/Berlin", phone: None },
    Client { name: "Lucas Oliveira", email: "lucas.oliveira@clients.test", tz: "America/Sao_Paulo", phone: None },
    Client { name: "Yuki Tanaka", email: "yuki.tanaka@clients.test", tz: "Asia/Tokyo", phone: None },
];

/// Stars and text of the reviews left on completed bookings, cycled through.
pub const REVIEWS: &[(u8, &str)] = &[
    (5, "Absolutely stunning photos. Every emotion of the day was captured beautifully and the album arrived early."),
    (4, "Lovely session and great photos, though editing took a little longer than promised."),
    (5, "Professional, friendly and brilliant with the kids. We will book again for sure."),
    (3, "Good photos overall, but the photographer arrived twenty minutes late and seemed rushed."),
    (5, "Fantastic eye for detail. The product shots doubled our conversion rate."),
    (2, "Disappointed. Half the pictures were blurry and communication afterwards was poor."),
    (4, "Very creative and easy to work with. A couple of shots were overexposed but the rest are gorgeous."),
    (5, "Outstanding work, calm and kind throughout. Highly recommend!"),
];

/// `asha.reddy@photographers.test` for "Asha Reddy" (accents dropped).
pub fn photographer_email(name: &str) -> String {
    let ascii: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ã' | 'á' | 'à' | 'â' => 'a',
            'é' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'õ' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ç' => 'c',
            ' ' => '.',
            other => other,
        })
        .collect();
    format!("{ascii}@photographers.test")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_covers_the_brief() {
        assert!(PHOTOGRAPHERS.len() >= 30);
        for s in Specialization::ALL {
            assert!(PHOTOGRAPHERS.iter().any(|p| p.specializations.contains(&s)), "{} is not covered", s.as_str());
        }
        for (i, c) in CITIES.iter().enumerate() {
            assert!(PHOTOGRAPHERS.iter().any(|p| p.city == i), "nobody in {}", c.name);
            assert!(c.tz.parse::<chrono_tz::Tz>().is_ok());
        }
        assert_eq!(photographer_email("João Almeida"), "joao.almeida@photographers.test");
        assert_eq!(photographer_email(PHOTOGRAPHERS[0].name), DEMO_PHOTOGRAPHER);
    }

    #[test]
    fn history_accounts_are_their_own() {
        let mut emails = std::collections::HashSet::new();
        for p in PHOTOGRAPHERS.iter().chain(HISTORY_PHOTOGRAPHERS) {
            assert!(emails.insert(photographer_email(p.name)), "{} twice", p.name);
        }
        for c in CLIENTS.iter().chain(HISTORY_CLIENTS) {
            assert!(emails.insert(c.email.to_string()), "{} twice", c.email);
            assert!(c.tz.parse::<chrono_tz::Tz>().is_ok());
        }
    }
}
