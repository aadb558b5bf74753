//! How long ranking the photographers of a busy area takes: 1,000 feature rows, each
//! with ten co-booked photographers, for a signed-in client with five past bookings and
//! every part of the query given (event type, date, place, budget, language).
//! Run: `cargo bench -p cm-catalog --bench recommend`

use chrono::NaiveDate;
use cm_catalog::RatingTotals;
use cm_catalog::Specialization;
use cm_catalog::recommend::{Candidate, CoBooked, PackagePrice, PastPhotographer, RecQuery, recommend};
use cm_core::UserId;
use cm_core::money::{Currency, Money};
use cm_geo::Point;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn id(n: u64) -> UserId {
    format!("01HZ{n:022}").parse().expect("a ULID")
}

fn inr(amount_minor: i64) -> Money {
    Money { amount_minor, currency: Currency::try_from("INR".to_string()).expect("INR") }
}

/// A fixed pseudo-random sequence (xorshift), so every run ranks the same rows.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn candidates(n: u64, centre: Point) -> Vec<Candidate> {
    let mut s = Seq(0x9e37_79b9_7f4a_7c15);
    let since = NaiveDate::from_ymd_opt(2022, 1, 1).expect("date");
    (0..n)
        .map(|i| {
            let specializations: Vec<Specialization> = {
                let mut v = vec![Specialization::ALL[s.below(9) as usize]];
                let extra = Specialization::ALL[s.below(9) as usize];
                if !v.contains(&extra) {
                    v.push(extra);
                }
                v
            };
            let count = s.below(120);
            let hourly = 100_000 + s.below(400_000) as i64;
            let completed = s.below(200) as u32;
            Candidate {
                id: id(i),
                display_name: format!("Photographer {i}"),
                specializations,
                languages: if s.below(2) == 0 { vec!["en".into(), "hi".into()] } else { vec!["mr".into()] },
                base: Point::new(centre.lat() + (s.unit() - 0.5) * 0.3, centre.lon() + (s.unit() - 0.5) * 0.3),
                service_radius_km: 30 + s.below(50) as u32,
                hourly_rate: inr(hourly),
                packages: vec![PackagePrice { duration_minutes: 480, price: inr(hourly * 6) }],
                rating: RatingTotals { sum: count * (3 + s.below(3)), count },
                sentiment: Some(s.unit() * 2.0 - 1.0),
                response_minutes: Some(s.below(2000) as u32),
                completed_bookings: completed,
                listed_since: since + chrono::Duration::days(s.below(1500) as i64),
                free_on_date: [Some(true), Some(false), None][s.below(3) as usize],
                clients: completed,
                co_booked: (0..10)
                    .map(|_| CoBooked {
                        photographer: id(s.below(n)),
                        shared_clients: s.below(8) as u32,
                        their_clients: 10 + s.below(100) as u32,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pune = Point::new(18.52, 73.85).expect("point");
    let rows = candidates(1_000, pune);
    let today = NaiveDate::from_ymd_opt(2026, 5, 1).expect("date");
    let query = |limit| RecQuery {
        event_type: Some(Specialization::Wedding),
        date: NaiveDate::from_ymd_opt(2026, 6, 12),
        point: Some(pune),
        budget: Some(inr(2_500_000)),
        languages: vec!["hi".into()],
        history: (0..5)
            .map(|i| PastPhotographer {
                id: id(i * 97),
                display_name: format!("Photographer {}", i * 97),
                stars: Some(5),
            })
            .collect(),
        limit,
    };
    let (top10, top50) = (query(10), query(50));
    let covering = recommend(&RecQuery { limit: usize::MAX, ..query(0) }, &rows, today).len();
    c.bench_function(&format!("recommend: 1,000 candidates ({covering} cover the point), top 10"), |b| {
        b.iter(|| recommend(black_box(&top10), black_box(&rows), today))
    });
    c.bench_function("recommend: 1,000 candidates, top 50", |b| {
        b.iter(|| recommend(black_box(&top50), black_box(&rows), today))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
