//! Write-sharded keys (docs/scaling.md) against DynamoDB Local: every booking, pending
//! booking, ledger and settle request is written to one of several partitions by its
//! id, and each listing reads all of them (and the unsharded key of before) and merges
//! them back into the order the one partition gave, page by page. Each test spreads its
//! items over every shard and pages in small steps, so leaving a shard out of a read,
//! or merging out of order, or losing a shard's place in the cursor, fails it.

use crate::bookings::{admin_list, ids};
use crate::support::{Session, admin, booking_at};
use aws_sdk_dynamodb::types::AttributeValue as Av;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_core::{BookingId, UserId};
use cm_payments::{Ledger, PaymentTerms};
use cm_store::bookings::{BookingListQuery, Party};
use cm_store::payments::{PaymentQuery, PaymentScope};
use cm_store::{
    BookingReader, BookingWriter, InsightsReader, PageKey, PaymentHistory, PaymentWriter, PendingBookings,
    SentimentAggregates, SettleRequests, keys,
};
use cm_tests::{TestEnv, env};
use std::collections::{BTreeMap, BTreeSet};

fn someone() -> Session {
    Session { id: UserId::new().to_string(), access: String::new(), refresh: String::new() }
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2031, 3, 1, 9, 0, 0).unwrap()
}

/// Bookings until every booking shard holds at least two, at starts that interleave the
/// shards; a few share a start (the id then orders them).
async fn spread_bookings(env: &TestEnv, status: BookingStatus) -> Vec<Booking> {
    let (client, photographer) = (someone(), someone());
    let mut per_shard = BTreeMap::<u32, usize>::new();
    let mut out = Vec::new();
    let mut n = 0i64;
    while per_shard.len() < keys::BOOKING_SHARDS as usize || per_shard.values().any(|&c| c < 2) {
        // Every third shares the previous start.
        let start = base() + TimeDelta::minutes(37 * (n - n / 3));
        let b = booking_at(env, &client, &photographer, status, start).await;
        *per_shard.entry(keys::booking_shard(b.id)).or_default() += 1;
        out.push(b);
        n += 1;
    }
    out
}

/// What the one unsharded partition gave: by start, then id (the sort key `<start>#<id>`).
fn by_start(bookings: &[Booking]) -> Vec<String> {
    let mut sorted: Vec<&Booking> = bookings.iter().collect();
    sorted.sort_by_key(|b| (keys::instant(b.start), b.id.to_string()));
    sorted.iter().map(|b| b.id.to_string()).collect()
}

async fn every_page_of_everyone(env: &TestEnv, status: Option<BookingStatus>, limit: usize) -> Vec<String> {
    every_page(
        env,
        &BookingListQuery { party: Party::Everyone, status, from: None, to: None, limit, descending: false },
    )
    .await
}

async fn every_page(env: &TestEnv, q: &BookingListQuery) -> Vec<String> {
    let limit = q.limit;
    let mut seen = Vec::new();
    let mut after: Option<PageKey> = None;
    for _ in 0..200 {
        let page = env.app.store.list_bookings(q, after.as_ref()).await.unwrap();
        assert!(page.items.len() <= limit);
        seen.extend(page.items.iter().map(|b| b.id.to_string()));
        match page.next {
            Some(next) => after = Some(next),
            None => return seen,
        }
    }
    panic!("the listing does not end");
}

#[tokio::test]
async fn every_booking_is_listed_once_in_start_order_over_all_shards() {
    let env = env().await;
    let bookings = spread_bookings(&env, BookingStatus::Confirmed).await;
    let expected = by_start(&bookings);
    for limit in [1, 3, 7, 100] {
        assert_eq!(every_page_of_everyone(&env, None, limit).await, expected, "limit {limit}");
    }
    // The filter applies within every shard; the order holds.
    assert_eq!(every_page_of_everyone(&env, Some(BookingStatus::Confirmed), 4).await, expected);
    assert!(every_page_of_everyone(&env, Some(BookingStatus::Pending), 4).await.is_empty());
    // A window of starts, as the reminders read it: `[from, to)` (the key condition ends at
    // `to` itself, which sorts before every `<to>#<id>`).
    let (from, to) = (bookings[3].start, bookings[bookings.len() - 3].start);
    let q = BookingListQuery {
        party: Party::Everyone,
        status: None,
        from: Some(from),
        to: Some(to),
        limit: 5,
        descending: false,
    };
    let mut windowed = Vec::new();
    let mut after = None;
    for round in 0.. {
        assert!(round < 1_000, "the listing does not end");
        let page = env.app.store.list_bookings(&q, after.as_ref()).await.unwrap();
        windowed.extend(page.items.into_iter().map(|b| b.id.to_string()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut inside: Vec<&Booking> = bookings.iter().filter(|b| b.start >= from && b.start < to).collect();
    assert!(inside.len() > 10, "a window across shards");
    inside.sort_by_key(|b| (keys::instant(b.start), b.id.to_string()));
    let inside: Vec<String> = inside.iter().map(|b| b.id.to_string()).collect();
    assert_eq!(windowed, inside);
    // Latest first: the same bookings, the other way round, whatever the page size.
    for limit in [1, 4, 100] {
        let all =
            BookingListQuery { party: Party::Everyone, status: None, from: None, to: None, limit, descending: true };
        assert_eq!(every_page(&env, &all).await, expected.iter().rev().cloned().collect::<Vec<_>>(), "limit {limit}");
    }
    let latest_in_window = every_page(&env, &BookingListQuery { descending: true, limit: 4, ..q }).await;
    assert_eq!(latest_in_window, inside.iter().rev().cloned().collect::<Vec<_>>());
}

#[tokio::test]
async fn the_admin_listing_pages_over_every_shard_with_signed_cursors() {
    let env = env().await;
    let bookings = spread_bookings(&env, BookingStatus::Pending).await;
    let admin = admin(&env).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut q = vec![("limit", "3")];
        if let Some(c) = &cursor {
            q.push(("cursor", c.as_str()));
        }
        let page = admin_list(&env, &admin.access, &q).await.ok(200).clone();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, by_start(&bookings));
}

#[tokio::test]
async fn a_booking_keeps_its_shard_when_rewritten_and_leaves_the_pending_shard() {
    let env = env().await;
    let b = booking_at(&env, &someone(), &someone(), BookingStatus::Pending, base()).await;
    let item = |env: &TestEnv, id: BookingId| {
        let dynamo = env.dynamo.clone();
        let table = env.table.clone();
        async move {
            dynamo
                .get_item()
                .table_name(table)
                .key("pk", Av::S(keys::booking(id)))
                .key("sk", Av::S(keys::BOOKING_SK.into()))
                .send()
                .await
                .unwrap()
                .item
                .unwrap()
        }
    };
    let shard = keys::booking_shard(b.id);
    let before = item(&env, b.id).await;
    assert_eq!(before["gsi3pk"], Av::S(keys::all_bookings(shard)));
    assert_eq!(before["gsi4pk"], Av::S(keys::pending(shard)));
    let mut confirmed = b.clone();
    confirmed.status = BookingStatus::Confirmed;
    confirmed.version += 1;
    confirmed.updated_at = b.updated_at + TimeDelta::seconds(1);
    // The conditional rewrite finds its item (the version read), and stays in its shard.
    env.app.store.update_booking_status(&b, &confirmed).await.unwrap();
    let after = item(&env, b.id).await;
    assert_eq!(after["gsi3pk"], Av::S(keys::all_bookings(shard)));
    assert!(!after.contains_key("gsi4pk"), "no longer pending");
}

#[tokio::test]
async fn the_expiry_sweep_reads_every_shard_soonest_expiry_first() {
    let env = env().await;
    let bookings = spread_bookings(&env, BookingStatus::Pending).await;
    // booking_at makes a booking expire at its start.
    let expected = by_start(&bookings);
    let now = bookings.iter().map(|b| b.expires_at).max().unwrap();
    for limit in [1, 4, 50] {
        let mut seen = Vec::new();
        let mut after: Option<PageKey> = None;
        for round in 0.. {
            assert!(round < 1_000, "the listing does not end");
            let page = env.app.store.pending_due(now, limit, after.as_ref()).await.unwrap();
            seen.extend(page.items.into_iter().map(|b| b.unwrap().id.to_string()));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, expected, "limit {limit}");
    }
    // Nothing is due before the first expiry; only the first at it.
    let first = bookings.iter().map(|b| b.expires_at).min().unwrap();
    let early = env.app.store.pending_due(first - TimeDelta::seconds(1), 10, None).await.unwrap();
    assert!(early.items.is_empty());
}

#[tokio::test]
async fn items_written_before_sharding_are_still_listed_and_swept_in_order() {
    let env = env().await;
    let bookings = spread_bookings(&env, BookingStatus::Pending).await;
    // Two bookings as the unsharded code wrote them.
    for b in &bookings[..2] {
        env.dynamo
            .update_item()
            .table_name(&env.table)
            .key("pk", Av::S(keys::booking(b.id)))
            .key("sk", Av::S(keys::BOOKING_SK.into()))
            .update_expression("SET gsi3pk = :all, gsi4pk = :pending")
            .expression_attribute_values(":all", Av::S(keys::UNSHARDED_ALL_BOOKINGS.into()))
            .expression_attribute_values(":pending", Av::S(keys::UNSHARDED_PENDING.into()))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(every_page_of_everyone(&env, None, 3).await, by_start(&bookings));
    let now = bookings.iter().map(|b| b.expires_at).max().unwrap();
    let due = env.app.store.pending_due(now, 100, None).await.unwrap();
    assert_eq!(due.items.into_iter().map(|b| b.unwrap().id.to_string()).collect::<Vec<_>>(), by_start(&bookings));
}

#[tokio::test]
async fn settle_requests_come_oldest_first_from_every_shard() {
    let env = env().await;
    let mut per_shard = BTreeSet::new();
    let mut expected = Vec::new();
    let mut n = 0i64;
    while per_shard.len() < keys::PAYMENT_SHARDS as usize {
        let booking = BookingId::new();
        // Requested in an order that has nothing to do with the shards.
        let at = base() + TimeDelta::milliseconds(1_000 * ((n * 7919) % 1_009));
        env.app.store.request_settlement(booking, at).await.unwrap();
        per_shard.insert(keys::payment_shard(booking));
        expected.push((keys::instant_micros(at), booking.to_string()));
        n += 1;
    }
    expected.sort();
    let expected: Vec<String> = expected.into_iter().map(|(_, b)| b).collect();
    for limit in [1, 5, 1_000] {
        let mut seen = Vec::new();
        let mut after: Option<PageKey> = None;
        for round in 0.. {
            assert!(round < 1_000, "the listing does not end");
            let page = env.app.store.settle_requests(limit, after.as_ref()).await.unwrap();
            seen.extend(page.items.iter().map(|r| r.booking.to_string()));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, expected, "limit {limit}");
    }
    // Settling takes a request out of its shard; the others stay in order.
    let first = env.app.store.settle_requests(1, None).await.unwrap().items.remove(0);
    assert!(env.app.store.settlement_done(&first).await.unwrap());
    let rest = env.app.store.settle_requests(1_000, None).await.unwrap();
    assert_eq!(rest.items.iter().map(|r| r.booking.to_string()).collect::<Vec<_>>(), expected[1..]);
}

#[tokio::test]
async fn the_admins_payment_history_is_newest_first_over_every_shard() {
    let env = env().await;
    let (client, photographer) = (UserId::new(), UserId::new());
    let terms = PaymentTerms::default();
    let price: cm_core::money::Money =
        serde_json::from_value(serde_json::json!({"amount_minor": 500000, "currency": "INR"})).unwrap();
    let mut per_shard = BTreeSet::new();
    let mut expected = Vec::new();
    let mut n = 0i64;
    while per_shard.len() < keys::PAYMENT_SHARDS as usize {
        let booking = BookingId::new();
        let now = base() - TimeDelta::days(30) + TimeDelta::seconds((n * 7919) % 100_003);
        let ledger = Ledger::open(
            booking,
            client,
            photographer,
            terms.clone(),
            terms.schedule(&price).unwrap(),
            "acct_1".into(),
            "cus_1".into(),
            base(),
            now,
        );
        assert!(env.app.store.create_ledger(&ledger).await.unwrap());
        per_shard.insert(keys::payment_shard(booking));
        expected.push((keys::instant_micros(now), booking.to_string()));
        n += 1;
    }
    expected.sort();
    expected.reverse();
    let expected: Vec<String> = expected.into_iter().map(|(_, b)| b).collect();
    for limit in [2, 9] {
        let q = PaymentQuery {
            scope: PaymentScope::All,
            state: None,
            currency: Some("INR".into()),
            from: DateTime::UNIX_EPOCH,
            to: base(),
            limit,
        };
        let mut seen = Vec::new();
        let mut after: Option<PageKey> = None;
        for round in 0.. {
            assert!(round < 1_000, "the listing does not end");
            let page = env.app.store.list_payments(&q, after.as_ref()).await.unwrap();
            seen.extend(page.items.iter().map(|l| l.booking_id.to_string()));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, expected, "limit {limit}");
    }
    // The client's own history is one partition, in the same order.
    let q = PaymentQuery {
        scope: PaymentScope::Client(client),
        state: None,
        currency: None,
        from: DateTime::UNIX_EPOCH,
        to: base(),
        limit: 1_000,
    };
    let mine = env.app.store.list_payments(&q, None).await.unwrap();
    assert_eq!(mine.items.iter().map(|l| l.booking_id.to_string()).collect::<Vec<_>>(), expected);
}

#[tokio::test]
async fn daily_sentiment_adds_every_shard_up_exactly_once() {
    let env = env().await;
    let day = base().date_naive();
    let mut shards = BTreeSet::new();
    let mut total = 0i64;
    let mut n = 0;
    while shards.len() < keys::INSIGHTS_SHARDS as usize {
        let analysis = format!("BOOKING#{}#REVIEW#v1", BookingId::new());
        shards.insert(keys::insights_shard(&analysis));
        let deltas = BTreeMap::from([("n".to_string(), 1), ("pos".to_string(), n % 2)]);
        env.app.store.add_sentiment_deltas(&analysis, day, &deltas, base()).await.unwrap();
        // A redelivery adds nothing, whichever shard it is on.
        env.app.store.add_sentiment_deltas(&analysis, day, &deltas, base()).await.unwrap();
        total += 1;
        n += 1;
    }
    // The day as the unsharded code wrote it counts too.
    env.dynamo
        .update_item()
        .table_name(&env.table)
        .key("pk", Av::S(keys::UNSHARDED_INSIGHTS_SENTIMENT.into()))
        .key("sk", Av::S(keys::insights_day(day)))
        .update_expression("ADD n :one")
        .expression_attribute_values(":one", Av::N("1".into()))
        .send()
        .await
        .unwrap();
    let days = env.app.store.sentiment_days(day, day).await.unwrap();
    assert_eq!(days.len(), 1, "one day, whatever the shards");
    assert_eq!(days[0].counters["n"], total + 1);
    assert_eq!(days[0].counters["pos"], (0..n).filter(|i| i % 2 == 1).count() as i64);
}
