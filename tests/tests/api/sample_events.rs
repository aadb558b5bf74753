//! Replays every sample event in events/ through its function: each is a real payload
//! of its trigger, and each handler answers it without a server error.

use crate::support::*;
use cm_app::App;
use cm_http::Request;
use cm_store::DynamoStore;
use cm_tests::events::respond;
use cm_tests::template::{self, repo_root};
use cm_tests::{TestResponse, env};

/// The handler behind each deployed binary.
async fn invoke(app: &'static App<DynamoStore>, binary: &str, req: Request) -> Option<TestResponse> {
    Some(match binary {
        "health" => respond(app, health::handle, req).await,
        "openapi" => respond(app, openapi::handle, req).await,
        "not-found" => respond(app, not_found::handle, req).await,
        "auth-register" => respond(app, auth_register::handle, req).await,
        "auth-login" => respond(app, auth_login::handle, req).await,
        "auth-refresh" => respond(app, auth_refresh::handle, req).await,
        "auth-logout" => respond(app, auth_logout::handle, req).await,
        "get-me" => respond(app, get_me::handle, req).await,
        "update-me" => respond(app, update_me::handle, req).await,
        "put-my-photographer-profile" => respond(app, put_my_photographer_profile::handle, req).await,
        "get-my-photographer-profile" => respond(app, get_my_photographer_profile::handle, req).await,
        "get-photographer" => respond(app, get_photographer::handle, req).await,
        "search-photographers" => respond(app, search_photographers::handle, req).await,
        "admin-list-users" => respond(app, admin_list_users::handle, req).await,
        "admin-update-user" => respond(app, admin_update_user::handle, req).await,
        "put-my-availability" => respond(app, put_my_availability::handle, req).await,
        "get-my-availability" => respond(app, get_my_availability::handle, req).await,
        "get-photographer-availability" => respond(app, get_photographer_availability::handle, req).await,
        "create-booking" => respond(app, create_booking::handle, req).await,
        "update-booking-status" => respond(app, update_booking_status::handle, req).await,
        "reschedule-booking" => respond(app, reschedule_booking::handle, req).await,
        "get-booking" => respond(app, get_booking::handle, req).await,
        "list-my-bookings" => respond(app, list_my_bookings::handle, req).await,
        "admin-list-bookings" => respond(app, admin_list_bookings::handle, req).await,
        "create-review" => respond(app, create_review::handle, req).await,
        "list-photographer-reviews" => respond(app, list_photographer_reviews::handle, req).await,
        "reply-to-review" => respond(app, reply_to_review::handle, req).await,
        "create-feedback" => respond(app, create_feedback::handle, req).await,
        "admin-list-feedback" => respond(app, admin_list_feedback::handle, req).await,
        "admin-update-feedback" => respond(app, admin_update_feedback::handle, req).await,
        "admin-sentiment-insights" => respond(app, admin_sentiment_insights::handle, req).await,
        _ => return None,
    })
}

#[tokio::test]
async fn every_http_sample_event_is_answered_without_a_server_error() {
    let env = env().await;
    let admin = admin(&env).await;
    let photographer = register(&env, "photographer").await;
    let client = register(&env, "client").await;
    let t = template::load();
    for f in template::functions(&t) {
        let routes = f.routes();
        if routes.is_empty() {
            continue;
        }
        let path = repo_root().join("events").join(format!("{}.json", f.binary));
        let mut event: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            routes.contains(&event["routeKey"].as_str().unwrap_or_default().to_string()) || routes == ["$default"],
            "{}: routeKey does not match the template",
            path.display()
        );
        // The sample's bearer token was signed elsewhere; swap in one this test can verify.
        if event["headers"].get("authorization").is_some() {
            let token = if f.binary.starts_with("admin-") {
                &admin.access
            } else if f.binary.contains("photographer-profile")
                || f.binary.contains("-my-availability")
                || f.binary == "reply-to-review"
            {
                &photographer.access
            } else {
                &client.access
            };
            event["headers"]["authorization"] = format!("Bearer {token}").into();
        }
        let req = lambda_http::request::from_str(&event.to_string())
            .unwrap_or_else(|e| panic!("{}: not an API Gateway v2 event: {e}", path.display()));
        let resp = invoke(env.app, &f.binary, req).await.unwrap_or_else(|| panic!("no handler wired for {}", f.binary));
        assert!(resp.status < 500, "{} answered {}: {}", f.binary, resp.status, resp.text);
        if resp.status >= 400 {
            resp.problem(resp.status);
        }
    }
}

#[tokio::test]
async fn the_scheduled_expiry_event_runs_the_sweep() {
    let env = env().await;
    let text = std::fs::read_to_string(repo_root().join("events/expire-bookings.json")).unwrap();
    let event: aws_lambda_events::eventbridge::EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(&text).unwrap();
    let summary =
        expire_bookings::handle(env.app, lambda_runtime::LambdaEvent::new(event, Default::default())).await.unwrap();
    assert_eq!(summary, expire_bookings::Summary { expired: 0, skipped: 0, unreadable: 0 });
}

#[tokio::test]
async fn the_sample_stream_event_is_processed_without_failures() {
    let env = env().await;
    let text = std::fs::read_to_string(repo_root().join("events/score-sentiment.json")).unwrap();
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_str(&text).unwrap();
    let scorer = score_sentiment::Scorer {
        app: App::new(DynamoStore::new(env.dynamo.clone(), &env.table)),
        analyzer: cm_analyzer::Analyzer::Embedded,
        sns: aws_sdk_sns::Client::new(&cm_tests::moto::sdk_config().await),
        alerts_topic: None,
    };
    let resp = scorer.handle(lambda_runtime::LambdaEvent::new(event, Default::default())).await.unwrap();
    assert!(resp.batch_item_failures.is_empty());
}

#[tokio::test]
async fn the_sample_backfill_request_runs() {
    let env = env().await;
    let text = std::fs::read_to_string(repo_root().join("events/backfill-sentiment.json")).unwrap();
    let request: backfill_sentiment::Request = serde_json::from_str(&text).unwrap();
    let backfill = backfill_sentiment::Backfill {
        app: App::new(DynamoStore::new(env.dynamo.clone(), &env.table)),
        analyzer: cm_analyzer::Analyzer::Embedded,
    };
    let report = backfill.run(request).await.unwrap();
    assert_eq!(report.examined, 0);
}

#[tokio::test]
async fn the_sample_aggregate_event_counts_its_analysis_once() {
    use cm_store::InsightsReader;
    let env = env().await;
    let text = std::fs::read_to_string(repo_root().join("events/aggregate-sentiment.json")).unwrap();
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_str(&text).unwrap();
    let aggregator =
        aggregate_sentiment::Aggregator { app: App::new(DynamoStore::new(env.dynamo.clone(), &env.table)) };
    for _ in 0..2 {
        // Delivered twice, as a stream may.
        let resp = aggregate_sentiment::handle(
            &aggregator,
            lambda_runtime::LambdaEvent::new(event.clone(), Default::default()),
        )
        .await
        .unwrap();
        assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
    }
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let days = env.app.store.sentiment_days(day, day).await.unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!((days[0].get("n"), days[0].get("neg"), days[0].get("n_review")), (1, 1, 1));
    assert_eq!(days[0].get("t_punctuality_neg"), 1);
}
