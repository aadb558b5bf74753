//! Portfolio uploads end to end against DynamoDB Local and moto's S3: a ticket from the
//! API, the browser's form POST straight to S3, the S3 notification through
//! process-upload, and the public listing. Real files throughout: a phone JPEG with
//! GPS EXIF and an orientation, a PNG decompression bomb, a PDF named .jpg.

use crate::support::*;
use cm_media::objects::{incoming_key, variant_key};
use cm_media::{ItemId, ItemStatus};
use cm_store::PortfolioReader;
use cm_tests::images::{gps_tags, jpeg_segments, jpeg_with_exif, plain_jpeg, plain_png, png_bomb};
use cm_tests::media::{Media, PUBLIC_BASE, media, post_form, s3_event};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use process_upload::Outcome;
use serde_json::{Value, json};

async fn upload_ticket(env: &TestEnv, m: &Media, token: &str, body: Value) -> TestResponse {
    let signer = m.signer;
    call(
        env.app,
        move |app, req| create_portfolio_upload::handle(app, signer, req),
        ApiEvent::new("POST /photographers/me/portfolio/uploads").bearer(token).json(body),
    )
    .await
}

fn ask(content_type: &str, size: usize) -> Value {
    json!({"filename": "DSC_0412.jpg", "content_type": content_type, "size_bytes": size, "category": "wedding",
           "caption": "Haldi morning"})
}

async fn list(env: &TestEnv, photographer: &str, query: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers/{id}/portfolio").path("id", photographer);
    for (k, v) in query {
        e = e.query(k, v);
    }
    call(env.app, |app, req| list_portfolio::handle(app, PUBLIC_BASE, req), e).await
}

/// A photographer asks for a ticket, posts `file` to S3 with it, and S3 notifies
/// process-upload. Answers the item id and what processing said.
async fn upload(env: &TestEnv, m: &Media, who: &Session, file: &[u8], declared: &str) -> (ItemId, Outcome) {
    let r = upload_ticket(env, m, &who.access, ask(declared, file.len())).await;
    let ticket = r.ok(201).clone();
    let id: ItemId = ticket["item"]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(ticket["item"]["status"], "pending");
    assert_eq!(post_form(&ticket["upload"], file, declared).await, 204, "moto took the form POST");
    let key = incoming_key(who.id.parse().unwrap(), id);
    let incoming: Vec<String> = m.keys().await.into_iter().filter(|k| k.starts_with("incoming/")).collect();
    assert_eq!(incoming, std::slice::from_ref(&key), "the upload sits under incoming/ until processed");
    let outcome = m.processor.record(&s3_event(&m.bucket, &key, file.len()).payload.records[0]).await.unwrap();
    (id, outcome)
}

async fn listed_photographer(env: &TestEnv) -> Session {
    photographer_with_profile(env, profile("Asha Lens", "Hyderabad", &["wedding"], 200_000, "INR")).await
}

#[tokio::test]
async fn a_phone_photo_is_published_upright_in_two_sizes_without_its_location() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    // Stored 2400×1200, EXIF orientation 6: the camera was turned, people see 1200×2400.
    let original = jpeg_with_exif(2400, 1200, 6);
    assert_eq!(gps_tags(&original), Some(vec![1, 2, 3, 4]), "the original carries a GPS position");
    let (id, outcome) = upload(&env, &m, &asha, &original, "image/jpeg").await;
    assert_eq!(outcome, Outcome::Ready);

    let photographer = asha.id.parse().unwrap();
    let keys = m.keys().await;
    assert_eq!(keys, [variant_key(photographer, id, 1600), variant_key(photographer, id, 400)], "original deleted");
    for (size, (w, h)) in [(400, (200, 400)), (1600, (800, 1600))] {
        let (bytes, content_type) = m.get(&variant_key(photographer, id, size)).await.unwrap();
        assert_eq!(content_type.as_deref(), Some("image/jpeg"));
        let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (w, h), "{size}: upright and scaled to its longest side");
        // Turned a quarter clockwise: what was the left (red) half is now on top.
        let top = img.get_pixel(w / 2, h / 8);
        let bottom = img.get_pixel(w / 2, h - h / 8);
        assert!(top[0] > 150 && top[2] < 100, "{size}: top is red: {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{size}: bottom is blue: {bottom:?}");
        // No metadata at all: no EXIF (GPS), no XMP, no comments; only JFIF and tables.
        assert_eq!(gps_tags(&bytes), None, "{size}: the GPS position is gone");
        let markers: Vec<u8> = jpeg_segments(&bytes).into_iter().map(|(m, _)| m).collect();
        assert!(markers.iter().all(|m| *m == 0xE0 || !(0xE1..=0xEF).contains(m) && *m != 0xFE), "{markers:x?}");
    }

    let page = list(&env, &asha.id, &[]).await;
    let items = page.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!((item["width"].as_u64(), item["height"].as_u64()), (Some(1200), Some(2400)));
    assert_eq!(item["caption"], "Haldi morning");
    assert!(item["colour"].as_str().unwrap().starts_with('#'));
    assert_eq!(item["urls"]["400"], format!("{PUBLIC_BASE}/{}", variant_key(photographer, id, 400)));
    let stored = env.app.store.get_portfolio_item(photographer, id).await.unwrap().unwrap();
    assert_eq!(stored.original_bytes, Some(original.len() as u64));
    assert_eq!(item["bytes"].as_u64(), Some(stored.variants.iter().map(|v| v.bytes).sum()));
}

#[tokio::test]
async fn small_pictures_are_never_enlarged_and_png_becomes_jpeg() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let (id, outcome) = upload(&env, &m, &asha, &plain_png(300, 200), "image/png").await;
    assert_eq!(outcome, Outcome::Ready);
    for size in [400, 1600] {
        let (bytes, _) = m.get(&variant_key(asha.id.parse().unwrap(), id, size)).await.unwrap();
        assert_eq!(image::guess_format(&bytes).unwrap(), image::ImageFormat::Jpeg);
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (300, 200));
    }
}

#[tokio::test]
async fn a_decompression_bomb_and_a_renamed_pdf_are_rejected_and_removed() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let photographer = asha.id.parse().unwrap();
    // 100000 × 100000 RGB would be 30 GB of pixels; the header alone refuses it.
    let (bomb, outcome) = upload(&env, &m, &asha, &png_bomb(100_000, 100_000), "image/png").await;
    assert_eq!(outcome, Outcome::Rejected("too_large".into()));
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let (renamed, outcome) = upload(&env, &m, &asha, pdf, "image/jpeg").await;
    assert_eq!(outcome, Outcome::Rejected("unsupported_type".into()));
    assert!(m.keys().await.is_empty(), "nothing kept: {:?}", m.keys().await);
    for (id, code) in [(bomb, "too_large"), (renamed, "unsupported_type")] {
        let item = env.app.store.get_portfolio_item(photographer, id).await.unwrap().unwrap();
        assert_eq!(item.status, ItemStatus::Rejected);
        assert_eq!(item.rejection.unwrap().code, code);
        assert!(item.variants.is_empty());
    }
    assert_eq!(list(&env, &asha.id, &[]).await.ok(200)["items"], json!([]), "rejected items are never public");
}

#[tokio::test]
async fn a_redelivered_notification_does_nothing_twice() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let photographer = asha.id.parse().unwrap();
    let (id, outcome) = upload(&env, &m, &asha, &plain_jpeg(800, 600), "image/jpeg").await;
    assert_eq!(outcome, Outcome::Ready);
    let settled = env.app.store.get_portfolio_item(photographer, id).await.unwrap().unwrap();
    let published = m.get(&variant_key(photographer, id, 400)).await.unwrap().0;
    // S3 delivers the same notification again, as a whole event through the handler.
    let key = incoming_key(photographer, id);
    m.processor.handle(s3_event(&m.bucket, &key, 1)).await.unwrap();
    let again = m.processor.record(&s3_event(&m.bucket, &key, 1).payload.records[0]).await.unwrap();
    assert_eq!(again, Outcome::AlreadySettled(ItemStatus::Ready));
    assert_eq!(env.app.store.get_portfolio_item(photographer, id).await.unwrap().unwrap(), settled, "unchanged");
    assert_eq!(m.get(&variant_key(photographer, id, 400)).await.unwrap().0, published);
    // Even if the upload reappeared (a retried POST), a settled item is not processed again.
    m.put(&key, &plain_png(10, 10)).await;
    let again = m.processor.record(&s3_event(&m.bucket, &key, 1).payload.records[0]).await.unwrap();
    assert_eq!(again, Outcome::AlreadySettled(ItemStatus::Ready));
    assert_eq!(env.app.store.get_portfolio_item(photographer, id).await.unwrap().unwrap(), settled);
    assert!(!m.keys().await.contains(&key), "the stray upload is removed");
}

#[tokio::test]
async fn an_upload_for_an_item_deleted_meanwhile_is_removed_and_nothing_published() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let ticket = upload_ticket(&env, &m, &asha.access, ask("image/jpeg", 5000)).await.ok(201).clone();
    let id = ticket["item"]["id"].as_str().unwrap().to_string();
    let bucket = delete_bucket(&m);
    call(
        env.app,
        move |app, req| delete_portfolio_item::handle(app, bucket, req),
        ApiEvent::new("DELETE /photographers/me/portfolio/{item}").bearer(&asha.access).path("item", &id),
    )
    .await
    .ok(204);
    let file = plain_jpeg(100, 100);
    assert_eq!(post_form(&ticket["upload"], &file, "image/jpeg").await, 204);
    let key = incoming_key(asha.id.parse().unwrap(), id.parse().unwrap());
    let outcome = m.processor.record(&s3_event(&m.bucket, &key, file.len()).payload.records[0]).await.unwrap();
    assert_eq!(outcome, Outcome::Orphan);
    assert!(m.keys().await.is_empty());
}

fn delete_bucket(m: &Media) -> &'static cm_runtime::MediaBucket {
    Box::leak(Box::new(cm_runtime::MediaBucket { s3: m.s3.clone(), name: m.bucket.clone() }))
}

#[tokio::test]
async fn the_photographer_orders_captions_and_deletes_and_nobody_else_can() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let (first, _) = upload(&env, &m, &asha, &plain_jpeg(640, 480), "image/jpeg").await;
    let (second, _) = upload(&env, &m, &asha, &plain_jpeg(480, 640), "image/jpeg").await;
    let order = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(order(list(&env, &asha.id, &[]).await.ok(200)), [first.to_string(), second.to_string()]);

    let patch = |token: String, id: ItemId, body: Value| {
        let env = &env;
        async move {
            call(
                env.app,
                |app, req| update_portfolio_item::handle(app, PUBLIC_BASE, req),
                ApiEvent::new("PATCH /photographers/me/portfolio/{item}").bearer(&token).path("item", id).json(body),
            )
            .await
        }
    };
    let r = patch(asha.access.clone(), first, json!({"position": 5, "caption": null, "category": "portrait"})).await;
    let own = r.ok(200);
    assert_eq!((&own["position"], &own["caption"], &own["status"]), (&json!(5), &Value::Null, &json!("ready")));
    assert_eq!(order(list(&env, &asha.id, &[]).await.ok(200)), [second.to_string(), first.to_string()]);
    assert_eq!(order(list(&env, &asha.id, &[("category", "portrait")]).await.ok(200)), [first.to_string()]);
    // One per page, in order, the cursor bound to its filter.
    let page1 = list(&env, &asha.id, &[("limit", "1")]).await.ok(200).clone();
    assert_eq!(order(&page1), [second.to_string()]);
    let cursor = page1["next_cursor"].as_str().unwrap().to_string();
    let page2 = list(&env, &asha.id, &[("limit", "1"), ("cursor", &cursor)]).await.ok(200).clone();
    assert_eq!((order(&page2), &page2["next_cursor"]), (vec![first.to_string()], &Value::Null));
    list(&env, &asha.id, &[("limit", "1"), ("cursor", &cursor), ("category", "wedding")]).await.problem(400);

    let r = patch(asha.access.clone(), first, json!({"position": 0, "category": "selfies"})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["category", "position"]);

    // Another photographer: as if the item did not exist.
    let ravi = listed_photographer(&env).await;
    patch(ravi.access.clone(), first, json!({"caption": "mine"})).await.problem(404);
    let bucket = delete_bucket(&m);
    let delete = |token: String, id: ItemId| {
        let env = &env;
        async move {
            call(
                env.app,
                move |app, req| delete_portfolio_item::handle(app, bucket, req),
                ApiEvent::new("DELETE /photographers/me/portfolio/{item}").bearer(&token).path("item", id),
            )
            .await
        }
    };
    delete(ravi.access.clone(), first).await.problem(404);
    let client = register(&env, "client").await;
    delete(client.access.clone(), first).await.problem(403);
    assert_eq!(m.keys().await.len(), 4);

    delete(asha.access.clone(), first).await.ok(204);
    let photographer = asha.id.parse().unwrap();
    assert_eq!(m.keys().await, [variant_key(photographer, second, 1600), variant_key(photographer, second, 400)]);
    assert_eq!(order(list(&env, &asha.id, &[]).await.ok(200)), [second.to_string()]);
    delete(asha.access.clone(), first).await.problem(404);
}

#[tokio::test]
async fn tickets_are_for_photographers_with_valid_requests() {
    let env = env().await;
    let m = media(&env).await;
    let client = register(&env, "client").await;
    upload_ticket(&env, &m, &client.access, ask("image/jpeg", 1000)).await.problem(403);
    let asha = listed_photographer(&env).await;
    let r = upload_ticket(
        &env,
        &m,
        &asha.access,
        json!({"filename": "a/b.heic", "content_type": "image/heic", "size_bytes": 26_214_401, "category": "x"}),
    )
    .await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["filename", "content_type", "size_bytes", "category"]);
    let r = upload_ticket(&env, &m, &asha.access, ask("image/webp", 1000)).await;
    let ticket = r.ok(201);
    let id = ticket["item"]["id"].as_str().unwrap();
    assert_eq!(r.header("location"), Some(format!("/photographers/me/portfolio/{id}").as_str()));
    let fields = &ticket["upload"]["fields"];
    assert_eq!(fields["key"], format!("incoming/portfolio/{}/{id}", asha.id));
    assert_eq!(fields["Content-Type"], "image/webp");
    assert_eq!(ticket["upload"]["url"], format!("{}/{}", cm_tests::servers::moto(), m.bucket));
    // Pending items are not public.
    assert_eq!(list(&env, &asha.id, &[]).await.ok(200)["items"], json!([]));
    list(&env, &ulid::Ulid::new().to_string(), &[]).await.problem(404);
    list(&env, &asha.id, &[("category", "selfies")]).await.problem(400);
}

#[tokio::test]
async fn the_cover_photo_shows_on_the_profile_and_in_search_until_it_is_deleted() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let (ready, _) = upload(&env, &m, &asha, &plain_jpeg(900, 600), "image/jpeg").await;
    let pending = upload_ticket(&env, &m, &asha.access, ask("image/jpeg", 100)).await.ok(201)["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let patch = |id: String, body: Value| {
        let (env, token) = (&env, asha.access.clone());
        async move {
            call(
                env.app,
                |app, req| update_portfolio_item::handle(app, PUBLIC_BASE, req),
                ApiEvent::new("PATCH /photographers/me/portfolio/{item}").bearer(&token).path("item", id).json(body),
            )
            .await
        }
    };
    let profile = |env: &'static cm_app::App<cm_store::DynamoStore>, id: String| async move {
        call(env, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", id)).await
    };
    assert_eq!(profile(env.app, asha.id.clone()).await.ok(200)["cover_photo"], Value::Null);
    let r = patch(pending, json!({"cover": true})).await;
    assert!(r.problem(409)["type"].as_str().unwrap().ends_with("/portfolio-item-not-ready"));

    assert_eq!(patch(ready.to_string(), json!({"cover": true})).await.ok(200)["cover"], true);
    let photographer = asha.id.parse().unwrap();
    let cover = json!({
        "item_id": ready.to_string(),
        "url": format!("{PUBLIC_BASE}/{}", variant_key(photographer, ready, 400)),
        "large_url": format!("{PUBLIC_BASE}/{}", variant_key(photographer, ready, 1600)),
        "width": 900, "height": 600,
    });
    let shown = profile(env.app, asha.id.clone()).await.ok(200)["cover_photo"].clone();
    for key in ["item_id", "url", "large_url", "width", "height"] {
        assert_eq!(shown[key], cover[key], "{key}");
    }
    let found = call(
        env.app,
        search_photographers::handle,
        ApiEvent::new("GET /photographers").query("city", "Hyderabad").query("specialization", "wedding"),
    )
    .await;
    let listed = found.ok(200)["items"].as_array().unwrap().iter().find(|p| p["id"] == asha.id.as_str()).cloned();
    assert_eq!(listed.expect("Asha is found")["cover_photo"]["item_id"], cover["item_id"], "search shows it too");
    // An edit of another field keeps it the cover; deleting it takes it off the profile.
    assert_eq!(patch(ready.to_string(), json!({"caption": "Vows"})).await.ok(200)["cover"], true);
    let bucket = delete_bucket(&m);
    call(
        env.app,
        move |app, req| delete_portfolio_item::handle(app, bucket, req),
        ApiEvent::new("DELETE /photographers/me/portfolio/{item}").bearer(&asha.access).path("item", ready),
    )
    .await
    .ok(204);
    assert_eq!(profile(env.app, asha.id.clone()).await.ok(200)["cover_photo"], Value::Null);
}

/// The upload route's path also fits `/photographers/me/portfolio/{item}`; API Gateway
/// sends PATCH and DELETE there to the item functions, which answer as `$default` does
/// for a method no route serves.
#[tokio::test]
async fn the_upload_path_is_not_an_item() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let r = call(
        env.app,
        |app, req| update_portfolio_item::handle(app, PUBLIC_BASE, req),
        ApiEvent::new("PATCH /photographers/me/portfolio/{item}")
            .bearer(&asha.access)
            .path("item", "uploads")
            .json(json!({})),
    )
    .await;
    assert_eq!(
        (r.problem(405)["type"].as_str(), r.header("allow")),
        (Some("https://capturemoments.app/problems/method-not-allowed"), Some("POST"))
    );
    let bucket = delete_bucket(&m);
    let r = call(
        env.app,
        move |app, req| delete_portfolio_item::handle(app, bucket, req),
        ApiEvent::new("DELETE /photographers/me/portfolio/{item}").path("item", "uploads"),
    )
    .await;
    assert_eq!(r.problem(405)["type"], "https://capturemoments.app/problems/method-not-allowed");
    assert_eq!(r.header("allow"), Some("POST"));
}

#[tokio::test]
async fn unknown_fields_are_refused() {
    let env = env().await;
    let m = media(&env).await;
    let asha = listed_photographer(&env).await;
    let mut body = ask("image/png", 10);
    body["public"] = json!(true);
    upload_ticket(&env, &m, &asha.access, body).await.problem(422);
    let r = call(
        env.app,
        |app, req| update_portfolio_item::handle(app, PUBLIC_BASE, req),
        ApiEvent::new("PATCH /photographers/me/portfolio/{item}")
            .bearer(&asha.access)
            .path("item", ItemId::new())
            .json(json!({"status": "ready"})),
    )
    .await;
    r.problem(422);
}
