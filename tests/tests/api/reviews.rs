//! Reviews and feedback over HTTP, and the stream-triggered sentiment function.

use crate::support::*;
use chrono::Utc;
use cm_app::App;
use cm_booking::booking::Booking;
use cm_sentiment::Label;
use cm_store::DynamoStore;
use cm_tests::moto::{sdk_config, sns_messages};
use cm_tests::stream::{event, item_json, record, sequence_of};
use cm_tests::{ApiEvent, TestEnv, call, env};
use serde_json::{Value, json};

struct World {
    env: TestEnv,
    client: Session,
    photographer: Session,
    completed: Booking,
    scorer: score_sentiment::Scorer<DynamoStore>,
    aggregator: aggregate_activity::Aggregator<DynamoStore>,
    alerts: String,
}

async fn world() -> World {
    let env = env().await;
    let client = register(&env, "client").await;
    let photographer = photographer_with_profile(&env, profile("Asha", "Pune", &["portrait"], 100000, "INR")).await;
    let completed = booking(&env, &client, &photographer, cm_booking::BookingStatus::Completed).await;
    let sdk = sdk_config().await;
    let sns = aws_sdk_sns::Client::new(&sdk);
    let alerts = sns.create_topic().name(format!("alerts-{}", env.table)).send().await.unwrap().topic_arn.unwrap();
    let scorer = score_sentiment::Scorer {
        app: App::new(DynamoStore::new(env.dynamo.clone(), &env.table)),
        analyzer: cm_analyzer::Analyzer::Embedded,
        sns,
        alerts_topic: Some(alerts.clone()),
    };
    let aggregator = aggregate_activity::Aggregator { app: App::new(DynamoStore::new(env.dynamo.clone(), &env.table)) };
    World { env, client, photographer, completed, scorer, aggregator, alerts }
}

async fn post_review(w: &World, booking: &Booking, token: &str, body: Value) -> cm_tests::TestResponse {
    call(
        w.env.app,
        create_review::handle,
        ApiEvent::new("POST /bookings/{id}/review").path("id", booking.id).bearer(token).json(body),
    )
    .await
}

fn review_pk(b: &Booking) -> String {
    format!("BOOKING#{}", b.id)
}

/// Delivers the INSERT of a review or feedback (as the stream would) to the scorer,
/// then the MODIFY its analysis wrote to the aggregator, as the stream feeds both.
async fn deliver_insert(w: &World, pk: &str, sk: &str) -> aws_lambda_events::streams::DynamoDbEventResponse {
    let new = item_json(&w.env.dynamo, &w.env.table, pk, sk).await.unwrap();
    let ev = event(vec![record("INSERT", None, Some(&new))]);
    let scored = w.scorer.handle(lambda_runtime::LambdaEvent::new(ev, Default::default())).await.unwrap();
    let after = item_json(&w.env.dynamo, &w.env.table, pk, sk).await.unwrap();
    if after != new {
        let ev = event(vec![record("MODIFY", Some(&new), Some(&after))]);
        let r = aggregate_activity::handle(&w.aggregator, lambda_runtime::LambdaEvent::new(ev, Default::default()))
            .await
            .unwrap();
        assert!(r.batch_item_failures.is_empty(), "{r:?}");
    }
    scored
}

async fn rating(w: &World) -> Value {
    let r = call(
        w.env.app,
        get_photographer::handle,
        ApiEvent::new("GET /photographers/{id}").path("id", &w.photographer.id),
    )
    .await;
    r.ok(200)["rating"].clone()
}

#[tokio::test]
async fn only_the_client_reviews_a_completed_booking_once() {
    let w = world().await;
    let other = register(&w.env, "client").await;
    let body = json!({"rating": 5, "text": "Wonderful session, stunning photos!"});
    post_review(&w, &w.completed, &other.access, body.clone()).await.problem(404);
    post_review(&w, &w.completed, &w.photographer.access, body.clone()).await.problem(403);
    let created = post_review(&w, &w.completed, &w.client.access, body.clone()).await;
    let v = created.ok(201);
    assert_eq!(v["rating"], 5);
    assert_eq!(v["author"], "Test");
    assert_eq!(v["analysis_state"], "pending");
    assert!(v.get("client_id").is_none(), "reviews are public: no client id");
    post_review(&w, &w.completed, &w.client.access, body.clone()).await.problem(409);

    let confirmed = booking(&w.env, &w.client, &w.photographer, cm_booking::BookingStatus::Confirmed).await;
    let r = post_review(&w, &confirmed, &w.client.access, body).await;
    assert_eq!(r.problem(409)["type"], "https://capturemoments.app/problems/review-not-yet");
}

#[tokio::test]
async fn invalid_reviews_are_422() {
    let w = world().await;
    for (body, field) in [
        (json!({"rating": 0, "text": "ok"}), "rating"),
        (json!({"rating": 6, "text": "ok"}), "rating"),
        (json!({"rating": 3, "text": "   "}), "text"),
        (json!({"rating": 3.5, "text": "ok"}), "rating"),
    ] {
        let r = post_review(&w, &w.completed, &w.client.access, body).await;
        r.problem(422);
        assert_eq!(r.error_fields(), [field]);
    }
}

#[tokio::test]
async fn the_stream_scores_a_review_and_moves_the_rating_exactly_once() {
    let w = world().await;
    post_review(
        &w,
        &w.completed,
        &w.client.access,
        json!({"rating": 4, "text": "The photos were stunning but he was an hour late."}),
    )
    .await
    .ok(201);
    assert_eq!(rating(&w).await, json!({"average": 0.0, "count": 0}), "nothing before the stream runs");

    let new = item_json(&w.env.dynamo, &w.env.table, &review_pk(&w.completed), "REVIEW").await.unwrap();
    let batch = event(vec![record("INSERT", None, Some(&new))]);
    let metrics = cm_metrics::Capture::new();
    for _ in 0..3 {
        // Redelivered three times, as AWS may.
        let handled = w.scorer.handle(lambda_runtime::LambdaEvent::new(batch.clone(), Default::default()));
        let resp = metrics.scope(handled).await.unwrap();
        assert!(resp.batch_item_failures.is_empty());
    }
    assert_eq!(rating(&w).await, json!({"average": 4.0, "count": 1}));
    // Counted once, by its sentiment, as an EMF line CloudWatch can read.
    let lines = metrics.parsed();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["ReviewsScored"], 1.0);
    assert_eq!(lines[0]["Sentiment"], "negative");
    assert_eq!(lines[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["Sentiment"]]));
    assert_eq!(
        lines[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"],
        json!([{"Name": "ReviewsScored", "Unit": "Count"}])
    );

    let list = call(
        w.env.app,
        list_photographer_reviews::handle,
        ApiEvent::new("GET /photographers/{id}/reviews").path("id", &w.photographer.id),
    )
    .await;
    let review = &list.ok(200)["items"][0];
    assert_eq!(review["analysis_state"], "done");
    assert_eq!(review["sentiment"]["label"], "negative", "the clause after `but` weighs more: {review}");
    let topics: Vec<&str> =
        review["sentiment"]["topics"].as_array().unwrap().iter().map(|t| t["topic"].as_str().unwrap()).collect();
    assert!(topics.contains(&"punctuality") && topics.contains(&"quality"), "{topics:?}");

    // The write-back itself is a MODIFY that the template's filter drops; delivered
    // anyway, it must change nothing.
    let done = item_json(&w.env.dynamo, &w.env.table, &review_pk(&w.completed), "REVIEW").await.unwrap();
    let ev = event(vec![record("MODIFY", Some(&new), Some(&done))]);
    w.scorer.handle(lambda_runtime::LambdaEvent::new(ev, Default::default())).await.unwrap();
    assert_eq!(rating(&w).await, json!({"average": 4.0, "count": 1}));
}

#[tokio::test]
async fn a_one_star_review_yields_exactly_one_admin_alert() {
    let w = world().await;
    post_review(
        &w,
        &w.completed,
        &w.client.access,
        json!({"rating": 1, "text": "Rude, late and the photos were blurry."}),
    )
    .await
    .ok(201);
    for _ in 0..3 {
        deliver_insert(&w, &review_pk(&w.completed), "REVIEW").await;
    }
    let alerts = sns_messages(&w.alerts).await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let text = alerts[0].to_string();
    assert!(text.contains(&w.completed.id.to_string()), "{text}");

    // A 5-star review raises none.
    let another = booking(&w.env, &w.client, &w.photographer, cm_booking::BookingStatus::Completed).await;
    post_review(&w, &another, &w.client.access, json!({"rating": 5, "text": "Brilliant!"})).await.ok(201);
    deliver_insert(&w, &review_pk(&another), "REVIEW").await;
    assert_eq!(sns_messages(&w.alerts).await.len(), 1);
    assert_eq!(rating(&w).await, json!({"average": 3.0, "count": 2}));
}

#[tokio::test]
async fn a_poison_record_fails_alone() {
    let w = world().await;
    post_review(&w, &w.completed, &w.client.access, json!({"rating": 5, "text": "Lovely"})).await.ok(201);
    let good = item_json(&w.env.dynamo, &w.env.table, &review_pk(&w.completed), "REVIEW").await.unwrap();
    let mut poison = good.clone();
    poison["rating"] = json!({"S": "five"});
    let records = vec![record("INSERT", None, Some(&poison)), record("INSERT", None, Some(&good))];
    let poison_seq = sequence_of(&records[0]);
    let resp = w.scorer.handle(lambda_runtime::LambdaEvent::new(event(records), Default::default())).await.unwrap();
    let failed: Vec<_> =
        resp.batch_item_failures.iter().map(|f| f.item_identifier.clone().unwrap_or_default()).collect();
    assert_eq!(failed, [poison_seq]);
    assert_eq!(rating(&w).await, json!({"average": 5.0, "count": 1}), "the good record was processed");
}

#[tokio::test]
async fn photographers_reply_to_their_own_reviews_only() {
    let w = world().await;
    post_review(&w, &w.completed, &w.client.access, json!({"rating": 5, "text": "Great"})).await.ok(201);
    let reply = |token: String, text: &str| {
        call(
            w.env.app,
            reply_to_review::handle,
            ApiEvent::new("PUT /reviews/{id}/reply")
                .path("id", w.completed.id)
                .bearer(&token)
                .json(json!({"text": text})),
        )
    };
    let stranger = register(&w.env, "photographer").await;
    reply(stranger.access.clone(), "Thanks!").await.problem(403);
    reply(w.client.access.clone(), "Thanks!").await.problem(403);
    let first = reply(w.photographer.access.clone(), "Thank you!").await.ok(200).clone();
    assert_eq!(first["reply"]["text"], "Thank you!");
    let edited = reply(w.photographer.access.clone(), "Thank you so much!").await.ok(200).clone();
    assert_eq!(edited["reply"]["text"], "Thank you so much!");
    assert_eq!(edited["reply"]["created_at"], first["reply"]["created_at"], "editing keeps the original time");
    reply(w.photographer.access.clone(), "").await.problem(422);
    call(
        w.env.app,
        reply_to_review::handle,
        ApiEvent::new("PUT /reviews/{id}/reply")
            .path("id", ulid::Ulid::new())
            .bearer(&w.photographer.access)
            .json(json!({"text": "x"})),
    )
    .await
    .problem(404);
}

#[tokio::test]
async fn feedback_is_scored_listed_triaged_and_summarised() {
    let w = world().await;
    let admin = admin(&w.env).await;
    let post = |token: String, body: Value| {
        call(w.env.app, create_feedback::handle, ApiEvent::new("POST /feedback").bearer(&token).json(body))
    };
    post("nope".into(), json!({"category": "platform", "subject": "s", "message": "m"})).await.problem(401);
    post(w.client.access.clone(), json!({"category": "weather", "subject": "s", "message": "m"})).await.problem(422);
    let bad = post(w.client.access.clone(), json!({"category": "payment", "subject": "Refund", "message": "Terrible: the refund never arrived and support ignored me."})).await;
    let good = post(
        w.photographer.access.clone(),
        json!({"category": "platform", "subject": "Calendar", "message": "Love the new calendar, really helpful!"}),
    )
    .await;
    let bad_id = bad.ok(201)["id"].as_str().unwrap().to_string();
    good.ok(201);
    for id in [&bad_id, good.body["id"].as_str().unwrap()] {
        let r = deliver_insert(&w, &format!("FEEDBACK#{id}"), "FEEDBACK").await;
        assert!(r.batch_item_failures.is_empty());
    }
    assert_eq!(sns_messages(&w.alerts).await.len(), 1, "only the negative feedback alerts");

    let list = |q: &[(&str, &str)]| {
        let mut e = ApiEvent::new("GET /admin/feedback").bearer(&admin.access);
        for (k, v) in q {
            e = e.query(k, v);
        }
        call(w.env.app, admin_list_feedback::handle, e)
    };
    let negative = list(&[("sentiment", "negative")]).await.ok(200).clone();
    assert_eq!(negative["items"].as_array().unwrap().len(), 1);
    assert_eq!(negative["items"][0]["id"], bad_id.as_str());
    call(w.env.app, admin_list_feedback::handle, ApiEvent::new("GET /admin/feedback").bearer(&w.client.access))
        .await
        .problem(403);

    let insights = |q: &[(&str, String)]| {
        let mut e = ApiEvent::new("GET /admin/insights/sentiment").bearer(&admin.access);
        for (k, v) in q {
            e = e.query(k, v);
        }
        call(w.env.app, admin_sentiment_insights::handle, e)
    };
    let today = Utc::now().date_naive().to_string();
    let s = insights(&[("from", today.clone()), ("to", today.clone())]).await.ok(200).clone();
    assert_eq!(s["distribution"]["total"], 2);
    assert_eq!(s["distribution"]["negative"], 1);
    assert_eq!(s["distribution"]["positive"], 1);
    assert_eq!(s["most_negative_open"][0]["id"], bad_id.as_str());

    let patch = call(
        w.env.app,
        admin_update_feedback::handle,
        ApiEvent::new("PATCH /admin/feedback/{id}")
            .path("id", &bad_id)
            .bearer(&admin.access)
            .json(json!({"status": "resolved"})),
    )
    .await;
    assert_eq!(patch.ok(200)["status"], "resolved");
    let s = insights(&[("from", today.clone()), ("to", today)]).await.ok(200).clone();
    assert_eq!(s["most_negative_open"], json!([]), "resolved items are not open");
    assert_eq!(list(&[("status", "resolved")]).await.ok(200)["items"].as_array().unwrap().len(), 1);
    insights(&[("granularity", "month".into())]).await.problem(400);
    insights(&[("from", "2026-01-01".into()), ("to", "2027-06-01".into())]).await.problem(400);
}

#[tokio::test]
async fn backfill_rescores_without_double_counting() {
    let w = world().await;
    post_review(&w, &w.completed, &w.client.access, json!({"rating": 3, "text": "It was fine."})).await.ok(201);
    deliver_insert(&w, &review_pk(&w.completed), "REVIEW").await;
    let backfill = backfill_sentiment::Backfill {
        app: App::new(DynamoStore::new(w.env.dynamo.clone(), &w.env.table)),
        analyzer: cm_analyzer::Analyzer::Embedded,
    };
    let req = |dry| backfill_sentiment::Request {
        kind: backfill_sentiment::Kind::Reviews,
        cursor: None,
        page_size: None,
        dry_run: dry,
    };
    let report = backfill.run(req(false)).await.unwrap();
    assert_eq!((report.examined, report.unchanged, report.rescored), (1, 1, 0), "same analyzer, nothing to change");
    assert_eq!(rating(&w).await, json!({"average": 3.0, "count": 1}));
    let _ = Label::Neutral;
}
