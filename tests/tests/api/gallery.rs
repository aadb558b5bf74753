//! Client galleries end to end against DynamoDB Local and moto's S3: the photographer
//! opens the gallery of a booking, uploads through a ticket straight to S3, S3 notifies
//! process-upload, the photographer delivers, and the client browses, marks favourites
//! and downloads through presigned links. Nobody else can list it or get a link.

use crate::support::*;
use cm_booking::BookingStatus;
use cm_core::BookingId;
use cm_media::gallery::{MAX_PHOTOS, RETENTION_TAG};
use cm_media::objects::{gallery_incoming_key, gallery_keys};
use cm_media::{ItemId, ItemStatus};
use cm_store::{GalleryReader, GalleryWriter};
use cm_tests::images::{gps_tags, jpeg_with_exif, plain_jpeg, png_bomb};
use cm_tests::media::{Media, http_get, media, post_form, s3_event};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use process_upload::Outcome;
use serde_json::{Value, json};

struct World {
    env: TestEnv,
    m: Media,
    client: Session,
    photographer: Session,
    booking: BookingId,
}

async fn world(status: BookingStatus) -> World {
    let env = env().await;
    let m = media(&env).await;
    let client = register(&env, "client").await;
    let photographer = register(&env, "photographer").await;
    let booking = booking(&env, &client, &photographer, status).await.id;
    World { env, m, client, photographer, booking }
}

fn bucket(m: &Media) -> &'static cm_runtime::MediaBucket {
    Box::leak(Box::new(cm_runtime::MediaBucket { s3: m.s3.clone(), name: m.bucket.clone() }))
}

impl World {
    async fn put(&self, token: &str, body: Value) -> TestResponse {
        call(
            self.env.app,
            put_gallery::handle,
            ApiEvent::new("PUT /bookings/{id}/gallery").bearer(token).path("id", self.booking).json(body),
        )
        .await
    }

    async fn ticket(&self, token: &str, size: usize) -> TestResponse {
        let signer = self.m.signer;
        call(
            self.env.app,
            move |app, req| create_gallery_upload::handle(app, signer, req),
            ApiEvent::new("POST /bookings/{id}/gallery/uploads")
                .bearer(token)
                .path("id", self.booking)
                .json(json!({"filename": "DSC_0412.JPG", "content_type": "image/jpeg", "size_bytes": size})),
        )
        .await
    }

    /// The photographer uploads `file` through a ticket, and S3 notifies process-upload.
    async fn upload(&self, file: &[u8]) -> (ItemId, Outcome) {
        let ticket = self.ticket(&self.photographer.access, file.len()).await.ok(201).clone();
        let id: ItemId = ticket["photo"]["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(ticket["photo"]["status"], "pending");
        assert_eq!(post_form(&ticket["upload"], file, "image/jpeg").await, 204, "moto took the form POST");
        let key = gallery_incoming_key(self.booking, id);
        let event = s3_event(&self.m.bucket, &key, file.len());
        (id, self.m.processor.record(&event.payload.records[0]).await.unwrap())
    }

    async fn list(&self, token: &str, query: &[(&str, &str)]) -> TestResponse {
        let bucket = bucket(&self.m);
        let mut e = ApiEvent::new("GET /bookings/{id}/gallery").bearer(token).path("id", self.booking);
        for (k, v) in query {
            e = e.query(k, v);
        }
        call(self.env.app, move |app, req| get_gallery::handle(app, bucket, req), e).await
    }

    async fn favourite(&self, token: &str, photo: ItemId, favourite: bool) -> TestResponse {
        call(
            self.env.app,
            update_gallery_photo::handle,
            ApiEvent::new("PATCH /bookings/{id}/gallery/photos/{photo}")
                .bearer(token)
                .path("id", self.booking)
                .path("photo", photo)
                .json(json!({ "favourite": favourite })),
        )
        .await
    }

    async fn delete(&self, token: &str, photo: ItemId) -> TestResponse {
        let bucket = bucket(&self.m);
        call(
            self.env.app,
            move |app, req| delete_gallery_photo::handle(app, bucket, req),
            ApiEvent::new("DELETE /bookings/{id}/gallery/photos/{photo}")
                .bearer(token)
                .path("id", self.booking)
                .path("photo", photo),
        )
        .await
    }

    async fn counters(&self) -> (u32, u32, u64) {
        let g = self.env.app.store.get_gallery(self.booking).await.unwrap().unwrap();
        (g.photos, g.ready, g.bytes)
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_delivered_gallery_is_the_clients_alone_at_full_resolution_without_location() {
    let w = world(BookingStatus::Completed).await;
    let opened = w.put(&w.photographer.access, json!({"retention_days": 180})).await;
    assert_eq!(opened.ok(201)["status"], "open");
    // Stored 3000×2000 with EXIF orientation 6 and a GPS position.
    let original = jpeg_with_exif(3000, 2000, 6);
    assert!(gps_tags(&original).is_some());
    let (id, outcome) = w.upload(&original).await;
    assert_eq!(outcome, Outcome::Ready);
    let keys = gallery_keys(w.booking, id);
    assert_eq!(
        w.m.keys().await,
        {
            let mut k = keys.clone();
            k.sort();
            k
        },
        "upload deleted, private copies kept"
    );
    for key in &keys {
        let tags = w.m.s3.get_object_tagging().bucket(&w.m.bucket).key(key).send().await.unwrap();
        let tag: Vec<_> = tags.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
        assert_eq!(tag, [(RETENTION_TAG.to_string(), "180".to_string())], "{key}: the lifecycle rule's tag");
    }

    // Not delivered yet: the client and everyone else see nothing at all.
    let stranger = register(&w.env, "client").await;
    let other_photographer = register(&w.env, "photographer").await;
    let admin = admin(&w.env).await;
    for token in [&w.client.access, &stranger.access, &other_photographer.access, &admin.access] {
        w.list(token, &[]).await.problem(404);
    }
    let own = w.list(&w.photographer.access, &[]).await.ok(200).clone();
    assert_eq!(ids(&own), [id.to_string()]);

    let delivered = w.put(&w.photographer.access, json!({"delivered": true})).await;
    assert_eq!(delivered.ok(200)["status"], "delivered");
    assert_eq!(delivered.ok(200)["retention_days"], 180);
    for token in [&stranger.access, &other_photographer.access, &admin.access] {
        w.list(token, &[]).await.problem(404);
        w.favourite(token, id, true).await.problem(404);
        w.delete(token, id).await.problem(404);
    }

    let page = w.list(&w.client.access, &[]).await.ok(200).clone();
    assert_eq!(ids(&page), [id.to_string()]);
    let photo = &page["items"][0];
    assert_eq!((photo["width"].as_u64(), photo["height"].as_u64()), (Some(2000), Some(3000)), "upright");
    assert!(photo.get("rejection").is_none());
    let links = &photo["links"];
    for (name, (w_px, h_px)) in [("thumbnail", (267, 400)), ("preview", (1067, 1600)), ("download", (2000, 3000))] {
        let url = links[name].as_str().unwrap();
        assert!(url.contains("X-Amz-Signature=") && url.contains("X-Amz-Expires=900"), "{name}: presigned: {url}");
        let (status, headers, body) = http_get(url).await;
        assert_eq!(status, 200, "{name}");
        let img = image::load_from_memory_with_format(&body, image::ImageFormat::Jpeg).unwrap();
        assert_eq!((img.width(), img.height()), (w_px, h_px), "{name}");
        assert_eq!(gps_tags(&body), None, "{name}: no location");
        if name == "download" {
            assert_eq!(headers["content-disposition"], "attachment; filename=\"DSC_0412.jpg\"");
        }
    }
    assert_eq!(photo["bytes"].as_u64(), Some(http_get(links["download"].as_str().unwrap()).await.2.len() as u64));
    // The objects are private: the public prefix (the CDN's) has nothing of them.
    assert!(w.m.keys().await.iter().all(|k| !k.starts_with("public/")));
}

#[tokio::test]
async fn favourites_are_the_clients_choice_and_the_photographer_sees_them() {
    let w = world(BookingStatus::Confirmed).await;
    let (first, _) = w.upload(&plain_jpeg(640, 480)).await;
    let (second, _) = w.upload(&plain_jpeg(480, 640)).await;
    assert_eq!(w.put(&w.photographer.access, json!({"delivered": true})).await.ok(200)["retention_days"], 90);
    let r = w.favourite(&w.client.access, second, true).await;
    assert_eq!(r.ok(200)["favourite"], true);
    w.favourite(&w.photographer.access, first, true).await.problem(403);
    w.favourite(&w.client.access, ItemId::new(), true).await.problem(404);
    let chosen = w.list(&w.photographer.access, &[("favourites", "true")]).await.ok(200).clone();
    assert_eq!(ids(&chosen), [second.to_string()]);
    let all = w.list(&w.client.access, &[]).await.ok(200).clone();
    assert_eq!(ids(&all), [first.to_string(), second.to_string()], "upload order");
    // One per page; the cursor is bound to who asked and the filter.
    let page1 = w.list(&w.client.access, &[("limit", "1")]).await.ok(200).clone();
    let cursor = page1["next_cursor"].as_str().unwrap().to_string();
    let page2 = w.list(&w.client.access, &[("limit", "1"), ("cursor", &cursor)]).await.ok(200).clone();
    assert_eq!((ids(&page1), ids(&page2)), (vec![first.to_string()], vec![second.to_string()]));
    w.list(&w.photographer.access, &[("limit", "1"), ("cursor", &cursor)]).await.problem(400);
    w.list(&w.client.access, &[("favourites", "maybe")]).await.problem(400);
    // Unmarking twice is the same as once.
    w.favourite(&w.client.access, second, false).await.ok(200);
    w.favourite(&w.client.access, second, false).await.ok(200);
    assert_eq!(ids(w.list(&w.client.access, &[("favourites", "true")]).await.ok(200)), Vec::<String>::new());
}

#[tokio::test]
async fn galleries_follow_the_booking_and_their_rules() {
    let pending = world(BookingStatus::Pending).await;
    let r = pending.put(&pending.photographer.access, json!({})).await;
    r.problem(409);
    assert_eq!(r.body["type"].as_str().unwrap().rsplit('/').next(), Some("gallery-booking-not-eligible"));
    pending.ticket(&pending.photographer.access, 1000).await.problem(409);

    let w = world(BookingStatus::Completed).await;
    w.put(&w.client.access, json!({})).await.problem(403);
    w.ticket(&w.client.access, 1000).await.problem(403);
    let stranger = register(&w.env, "photographer").await;
    w.put(&stranger.access, json!({})).await.problem(404);
    w.ticket(&stranger.access, 1000).await.problem(404);
    let r = w.put(&w.photographer.access, json!({"retention_days": 30, "colour": "red"})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["colour"]);
    let r = w.put(&w.photographer.access, json!({"retention_days": 7})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["retention_days"]);
    w.put(&w.photographer.access, json!({"delivered": true})).await.problem(409);
    w.put(&w.photographer.access, json!({"retention_days": 30})).await.ok(201);
    w.put(&w.photographer.access, json!({"retention_days": 30})).await.ok(200);
    w.put(&w.photographer.access, json!({"retention_days": 365})).await.ok(200);
    w.upload(&plain_jpeg(100, 100)).await;
    let r = w.put(&w.photographer.access, json!({"retention_days": 30})).await;
    r.problem(409);
    assert!(r.body["type"].as_str().unwrap().ends_with("gallery-retention-locked"));
    w.put(&w.photographer.access, json!({"delivered": true})).await.ok(200);
    w.put(&w.photographer.access, json!({"delivered": false})).await.problem(409);
    let r = w.ticket(&w.photographer.access, 0).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["size_bytes"]);
}

#[tokio::test]
async fn counters_follow_uploads_rejections_redeliveries_and_deletions() {
    let w = world(BookingStatus::Completed).await;
    let (bomb, outcome) = w.upload(&png_bomb(100_000, 100_000)).await;
    assert_eq!(outcome, Outcome::Rejected("too_large".into()));
    assert_eq!(w.counters().await, (0, 0, 0), "a rejected photo holds nothing");
    assert!(w.m.keys().await.is_empty());
    let own = w.list(&w.photographer.access, &[]).await.ok(200).clone();
    assert_eq!(own["items"][0]["status"], "rejected");
    assert_eq!(own["items"][0]["rejection"]["code"], "too_large");
    assert_eq!(own["items"][0]["links"], Value::Null);

    let (id, _) = w.upload(&plain_jpeg(800, 600)).await;
    let photo = w.env.app.store.get_gallery_photo(w.booking, id).await.unwrap().unwrap();
    assert_eq!(photo.status, ItemStatus::Ready);
    let held = (1, 1, photo.stored_bytes());
    assert_eq!(w.counters().await, held);
    // S3 delivers the notification again: nothing is processed or counted twice.
    let key = gallery_incoming_key(w.booking, id);
    let again = w.m.processor.record(&s3_event(&w.m.bucket, &key, 1).payload.records[0]).await.unwrap();
    assert_eq!(again, Outcome::AlreadySettled(ItemStatus::Ready));
    assert_eq!(w.counters().await, held);
    assert_eq!(w.env.app.store.get_gallery_photo(w.booking, id).await.unwrap().unwrap(), photo);

    w.delete(&w.client.access, id).await.problem(404);
    w.delete(&w.photographer.access, id).await.ok(204);
    w.delete(&w.photographer.access, bomb).await.ok(204);
    w.delete(&w.photographer.access, id).await.problem(404);
    assert_eq!(w.counters().await, (0, 0, 0));
    assert!(w.m.keys().await.is_empty(), "every size gone: {:?}", w.m.keys().await);
}

#[tokio::test]
async fn concurrent_tickets_never_overshoot_the_gallery_quota() {
    let w = world(BookingStatus::Completed).await;
    w.put(&w.photographer.access, json!({})).await.ok(201);
    // Three places left.
    w.env
        .dynamo
        .update_item()
        .table_name(&w.env.table)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("GALLERY#{}", w.booking)))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("HEAD".into()))
        .update_expression("SET photos = :p")
        .expression_attribute_values(":p", aws_sdk_dynamodb::types::AttributeValue::N((MAX_PHOTOS - 3).to_string()))
        .send()
        .await
        .unwrap();
    let answers = futures::future::join_all((0..12).map(|_| w.ticket(&w.photographer.access, 1000))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 3, "{statuses:?}");
    for r in answers.iter().filter(|r| r.status != 201) {
        // The quota, or (if the race went on too long) busy: never a fourth place.
        assert!(r.status == 409 || r.status == 503, "{}", r.status);
    }
    assert_eq!(w.counters().await.0, MAX_PHOTOS);
}

#[tokio::test]
async fn expired_photos_are_never_shown_before_ttl_removes_them() {
    let w = world(BookingStatus::Completed).await;
    let (id, _) = w.upload(&plain_jpeg(300, 200)).await;
    w.put(&w.photographer.access, json!({"delivered": true})).await.ok(200);
    assert_eq!(ids(w.list(&w.client.access, &[]).await.ok(200)), [id.to_string()]);
    let photo = w.env.app.store.get_gallery_photo(w.booking, id).await.unwrap().unwrap();
    let mut past = photo.clone();
    past.expires_at = Some(chrono::Utc::now() - chrono::Duration::minutes(1));
    past.version += 1;
    assert!(w.env.app.store.replace_gallery_photo(&photo, &past).await.unwrap());
    for token in [&w.client.access, &w.photographer.access] {
        assert_eq!(ids(w.list(token, &[]).await.ok(200)), Vec::<String>::new());
    }
    w.favourite(&w.client.access, id, true).await.problem(404);
}
