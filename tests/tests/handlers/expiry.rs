//! The expiry sweep (`expire_bookings`): pending bookings nobody answered in time
//! expire and free their slots; everything else is left alone.

use crate::support::*;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, TimeDelta, Utc};
use cm_accounts::account::Role;
use cm_booking::{Actor, BookingStatus};
use cm_tests::{ApiEvent, call};
use expire_bookings::{Summary, expire_due};
use serde_json::{Value, json};

fn summary(expired: usize, skipped: usize) -> Summary {
    Summary { expired, skipped, unreadable: 0 }
}

#[tokio::test]
async fn due_requests_expire_at_48_hours_or_at_their_start_and_free_their_slots() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let soon = w.booked(&c, &p, at(1, 15, 0), 60).await; // starts 31 h after the request
    let later = w.booked(&c, &p, at(5, 10, 0), 60).await;
    let confirmed = w.booked(&c, &p, at(5, 13, 0), 60).await;
    w.set_status(&p, confirmed, "confirmed", None).await.ok(200);
    let confirmed_before = w.store().bookings.get(confirmed).unwrap();

    assert_eq!(expire_due(w.app, t0()).await.unwrap(), summary(0, 0));
    assert_eq!(expire_due(w.app, at(1, 15, 0) - TimeDelta::seconds(1)).await.unwrap(), summary(0, 0));

    // A request lapses at its start when that comes before 48 hours.
    assert_eq!(expire_due(w.app, at(1, 15, 0)).await.unwrap(), summary(1, 0));
    assert_eq!(w.store().bookings.get(soon).unwrap().status, BookingStatus::Expired);
    assert_eq!(w.store().bookings.get(later).unwrap().status, BookingStatus::Pending);

    let due = t0() + TimeDelta::hours(48);
    assert_eq!(expire_due(w.app, due - TimeDelta::seconds(1)).await.unwrap(), summary(0, 0));
    assert_eq!(expire_due(w.app, due).await.unwrap(), summary(1, 0));
    let expired = w.store().bookings.get(later).unwrap();
    assert_eq!((expired.status, expired.version), (BookingStatus::Expired, 2));
    let last = expired.history.last().unwrap();
    assert_eq!((last.actor, last.by, last.at), (Actor::System, None, due));
    assert_eq!(last.reason.as_deref(), Some("not confirmed in time"));

    // Only the confirmed booking still holds blocks; it is untouched.
    let holders: Vec<_> = w.store().bookings.slots_of(p.id()).into_values().collect();
    assert_eq!(holders.len(), 4);
    assert!(holders.iter().all(|h| *h == confirmed));
    assert_eq!(w.store().bookings.get(confirmed).unwrap(), confirmed_before);

    // Running again finds nothing.
    assert_eq!(expire_due(w.app, due + TimeDelta::hours(1)).await.unwrap(), summary(0, 0));
}

#[tokio::test]
async fn a_confirmation_that_commits_during_the_sweep_wins_and_is_skipped() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(5, 10, 0), 60).await;

    // The photographer answers a minute before the deadline; the sweep had read the
    // booking as due (it runs a little late, with its own time).
    w.clock.set(t0() + TimeDelta::hours(48) - TimeDelta::minutes(1));
    let (app, token) = (w.app, w.token(&p));
    w.store().bookings.interleave(move || async move {
        let e = ApiEvent::new("PUT /bookings/{id}/status")
            .path("id", id)
            .bearer(&token)
            .json(json!({"status": "confirmed"}));
        call(app, update_booking_status::handle, e).await.ok(200);
    });
    assert_eq!(expire_due(w.app, t0() + TimeDelta::hours(49)).await.unwrap(), summary(0, 1));
    assert_eq!(w.store().bookings.get(id).unwrap().status, BookingStatus::Confirmed);
    assert_eq!(w.store().bookings.slots_of(p.id()).len(), 4);
}

fn scheduled_at(time: DateTime<Utc>) -> lambda_runtime::LambdaEvent<EventBridgeEvent<Value>> {
    let event: EventBridgeEvent<Value> = serde_json::from_value(json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": time.to_rfc3339(),
        "region": "ap-south-1", "resources": [], "detail": {}
    }))
    .unwrap();
    lambda_runtime::LambdaEvent::new(event, Default::default())
}

#[tokio::test]
async fn the_scheduled_run_expires_what_was_due_at_its_time_never_what_is_due_later() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let soon = w.booked(&c, &p, at(1, 15, 0), 60).await;
    let later = w.booked(&c, &p, at(5, 10, 0), 60).await;

    // A run scheduled just after the first deadline, delivered long after both.
    w.clock.set(t0() + TimeDelta::hours(50));
    let r = expire_bookings::handle(w.app, scheduled_at(at(1, 15, 1))).await.unwrap();
    assert_eq!(r, summary(1, 0));
    assert_eq!(w.store().bookings.get(soon).unwrap().status, BookingStatus::Expired);
    assert_eq!(w.store().bookings.get(later).unwrap().status, BookingStatus::Pending);

    // An event stamped in the future is read as now.
    w.clock.set(t0() + TimeDelta::hours(47));
    let r = expire_bookings::handle(w.app, scheduled_at(t0() + TimeDelta::days(30))).await.unwrap();
    assert_eq!(r, summary(0, 0));
    assert_eq!(w.store().bookings.get(later).unwrap().status, BookingStatus::Pending);
}
