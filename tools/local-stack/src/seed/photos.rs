//! The demo photographers' portfolios: real photographs shipped in
//! `tools/local-stack/assets/demo-photos/` (sources and licences in LICENSES.md there),
//! uploaded through the platform's own pipeline once the functions are up, as a
//! photographer would: sign in, ask for an upload ticket, post the file straight to S3
//! with the ticket's form, let the S3 notification run process-upload, then choose the
//! first photo as the cover. So the demo shows what the pipeline really produced
//! (display sizes, average colour, CDN URLs), and seeding exercises it on every start.

use super::catalog::{DEMO_PASSWORD, PHOTOGRAPHERS, photographer_email};
use crate::client::{Reply, post_form, send};
use cm_catalog::Specialization::{self, *};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub struct DemoPhoto {
    /// Its file name in assets/demo-photos, also the name it is uploaded under.
    pub file: &'static str,
    pub bytes: &'static [u8],
    /// The portfolio categories it may be shown in.
    pub categories: &'static [Specialization],
    pub caption: &'static str,
}

macro_rules! photo {
    ($file:literal, [$($c:ident),+], $caption:literal) => {
        DemoPhoto {
            file: $file,
            bytes: include_bytes!(concat!("../../assets/demo-photos/", $file)),
            categories: &[$($c),+],
            caption: $caption,
        }
    };
}

pub const PHOTOS: &[DemoPhoto] = &[
    photo!("astronaut.jpg", [Portrait, Event, Commercial], "Formal portrait with a studio backdrop"),
    photo!("cameraman.jpg", [Portrait, Fashion, Event], "Black-and-white portrait on location"),
    photo!("coffee.jpg", [Product, Commercial], "Espresso for a café menu"),
    photo!("cat.jpg", [Family, Newborn, Portrait], "The family's newest member"),
    photo!("rocket-launch.jpg", [Event, Commercial], "Launch night, long exposure"),
    photo!("fig-bowl.jpg", [Product, Commercial], "Fig in a red bowl, shot from above"),
    photo!("paint-brushes.jpg", [Product, Commercial, Fashion], "Colour study with an artist's brushes"),
    photo!("living-room.jpg", [RealEstate, Commercial], "Living room in warm evening light"),
    photo!("spaniels.jpg", [Family, Newborn], "Two spaniels at the window"),
    photo!("dandelions.jpg", [Wedding, Newborn, Family], "Dandelions at golden hour"),
    photo!("sunset.jpg", [Wedding, Event, RealEstate], "Sunset over the hills"),
    photo!("mountain-trail.jpg", [Wedding, Fashion, RealEstate], "Mountain trail in the Picos de Europa"),
    photo!("autumn-hills.jpg", [Wedding, Family, RealEstate], "Autumn hills below the ridge"),
    photo!("forest-stream.jpg", [Wedding, Portrait, Fashion], "Forest stream after the rain"),
];

/// Photos in each demo portfolio.
pub const PER_PHOTOGRAPHER: usize = 3;
/// Photographers whose portfolios are uploaded at once: process-upload runs the real
/// image pipeline, so more at once only queues more work on a small machine.
const AT_ONCE: usize = 4;
/// How long one photographer's uploads may take to be published.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(120);

/// The photos of photographer `i` and the category each is shown in: photos suiting
/// their first specialization, then their second, each list rotated by `i` so that
/// photographers of one specialization do not all show the same three. The first
/// becomes the cover photo.
pub fn portfolio(i: usize, specializations: &[Specialization]) -> Vec<(&'static DemoPhoto, Specialization)> {
    let mut chosen: Vec<(&'static DemoPhoto, Specialization)> = Vec::new();
    for &s in specializations {
        let suiting: Vec<&DemoPhoto> = PHOTOS.iter().filter(|p| p.categories.contains(&s)).collect();
        for k in 0..suiting.len() {
            let photo = suiting[(i + k) % suiting.len()];
            if chosen.len() < PER_PHOTOGRAPHER && !chosen.iter().any(|(p, _)| p.file == photo.file) {
                chosen.push((photo, s));
            }
        }
    }
    chosen
}

#[derive(Debug, Default)]
pub struct Seeded {
    pub photographers: usize,
    pub photos: usize,
    /// Photographers whose portfolio already had photos (an earlier run).
    pub skipped: usize,
}

/// Uploads every demo photographer's portfolio through the API at `api`, a few
/// photographers at a time. Photographers whose public portfolio is not empty are
/// left alone, so a re-run adds nothing. Fails with every photographer that failed.
pub async fn seed_portfolios(api: &str) -> Result<Seeded, String> {
    let gate = Arc::new(Semaphore::new(AT_ONCE));
    let mut tasks = JoinSet::new();
    for (i, p) in PHOTOGRAPHERS.iter().enumerate() {
        let (gate, api) = (gate.clone(), api.to_string());
        let email = photographer_email(p.name);
        let photos = portfolio(i, p.specializations);
        tasks.spawn(async move {
            // Held until this photographer is done; the gate is never closed.
            let _turn = gate.acquire_owned().await;
            let outcome = seed_one(&api, &email, &photos).await;
            (email, outcome)
        });
    }
    let mut seeded = Seeded::default();
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done.map_err(|e| e.to_string()) {
            Ok((_, Ok(Some(n)))) => {
                seeded.photographers += 1;
                seeded.photos += n;
            }
            Ok((_, Ok(None))) => seeded.skipped += 1,
            Ok((email, Err(e))) => failures.push(format!("{email}: {e}")),
            Err(e) => failures.push(e),
        }
    }
    if failures.is_empty() {
        Ok(seeded)
    } else {
        failures.sort();
        Err(format!(
            "{} of {} portfolios failed ({} photos published): {}",
            failures.len(),
            PHOTOGRAPHERS.len(),
            seeded.photos,
            failures.join("; ")
        ))
    }
}

/// One photographer's portfolio: `None` if it already had photos, else the number
/// published.
async fn seed_one(api: &str, email: &str, photos: &[(&DemoPhoto, Specialization)]) -> Result<Option<usize>, String> {
    let login =
        expect(api, "POST", "/auth/login", None, Some(json!({"email": email, "password": DEMO_PASSWORD})), 200).await?;
    let token = login["access_token"].as_str().ok_or("login: no access_token")?.to_string();
    let id = login["user"]["id"].as_str().ok_or("login: no user id")?.to_string();
    let existing = expect(api, "GET", &format!("/photographers/{id}/portfolio?limit=1"), None, None, 200).await?;
    if existing["items"].as_array().is_some_and(|items| !items.is_empty()) {
        return Ok(None);
    }
    let mut items = Vec::new();
    for (photo, category) in photos {
        let item = upload(api, &token, photo.bytes, photo.file, category.as_str(), Some(photo.caption)).await?;
        items.push(item);
    }
    wait_published(api, &id, &items, PUBLISH_TIMEOUT).await?;
    let cover = items.first().ok_or("no photos to upload")?;
    expect(
        api,
        "PATCH",
        &format!("/photographers/me/portfolio/{cover}"),
        Some(&token),
        Some(json!({"cover": true})),
        200,
    )
    .await?;
    Ok(Some(items.len()))
}

/// Uploads a JPEG as a browser does: `POST /photographers/me/portfolio/uploads` for a
/// ticket, then the file straight to S3 as a multipart form with the ticket's fields.
/// Answers the new (pending) item's id.
pub async fn upload(
    api: &str,
    token: &str,
    photo: &[u8],
    filename: &str,
    category: &str,
    caption: Option<&str>,
) -> Result<String, String> {
    let ask = json!({"filename": filename, "content_type": "image/jpeg", "size_bytes": photo.len(),
        "category": category, "caption": caption});
    let ticket = expect(api, "POST", "/photographers/me/portfolio/uploads", Some(token), Some(ask), 201).await?;
    let item = ticket["item"]["id"].as_str().ok_or(format!("no item id: {ticket}"))?.to_string();
    let url = ticket["upload"]["url"].as_str().ok_or(format!("no upload url: {ticket}"))?;
    let fields = ticket["upload"]["fields"].as_object().ok_or(format!("no upload fields: {ticket}"))?;
    let posted = post_form(url, fields, photo, "image/jpeg").await?;
    if !(200..300).contains(&posted.status) {
        return Err(format!("S3 refused the upload of {filename}: {} {}", posted.status, posted.text));
    }
    Ok(item)
}

/// Waits until every item of `items` is in the photographer's public portfolio, that
/// is `ready` (process-upload ran on its S3 notification), and answers them in the
/// order of `items`. Fails after `timeout`, naming the items still missing: a photo
/// that was rejected, or notifications that never came.
pub async fn wait_published(
    api: &str,
    photographer: &str,
    items: &[String],
    timeout: Duration,
) -> Result<Vec<Value>, String> {
    let deadline = Instant::now() + timeout;
    loop {
        let page =
            expect(api, "GET", &format!("/photographers/{photographer}/portfolio?limit=100"), None, None, 200).await?;
        let listed = page["items"].as_array().cloned().unwrap_or_default();
        let found: Vec<Option<&Value>> =
            items.iter().map(|id| listed.iter().find(|i| i["id"].as_str() == Some(id))).collect();
        if found.iter().all(Option::is_some) {
            return Ok(found.into_iter().flatten().cloned().collect());
        }
        if Instant::now() > deadline {
            let missing: Vec<&str> =
                items.iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(id, _)| id.as_str()).collect();
            return Err(format!(
                "not published within {} s (rejected, or its S3 notification never arrived): {}",
                timeout.as_secs(),
                missing.join(", ")
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn expect(
    api: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    status: u16,
) -> Result<Value, String> {
    let Reply { status: got, text, json, .. } = send(method, &format!("{api}{path}"), token, body.as_ref()).await?;
    if got != status {
        return Err(format!("{method} {path}: expected {status}, got {got}: {text}"));
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_photographer_gets_distinct_photos_that_suit_them() {
        for (i, p) in PHOTOGRAPHERS.iter().enumerate() {
            let chosen = portfolio(i, p.specializations);
            assert_eq!(chosen.len(), PER_PHOTOGRAPHER, "{}", p.name);
            for (k, (photo, category)) in chosen.iter().enumerate() {
                assert!(p.specializations.contains(category), "{}: {} as {category:?}", p.name, photo.file);
                assert!(photo.categories.contains(category), "{}: {} as {category:?}", p.name, photo.file);
                assert!(chosen[..k].iter().all(|(q, _)| q.file != photo.file), "{}: {} twice", p.name, photo.file);
            }
            // The cover photo shows what they are searched for first.
            assert_eq!(chosen[0].1, p.specializations[0], "{}", p.name);
        }
    }

    #[test]
    fn the_choice_is_stable_and_varied() {
        let a = portfolio(0, &[Wedding, Portrait]);
        let b = portfolio(0, &[Wedding, Portrait]);
        assert_eq!(
            a.iter().map(|(p, _)| p.file).collect::<Vec<_>>(),
            b.iter().map(|(p, _)| p.file).collect::<Vec<_>>()
        );
        let covers: std::collections::HashSet<&str> =
            (0..PHOTOGRAPHERS.len()).map(|i| portfolio(i, PHOTOGRAPHERS[i].specializations)[0].0.file).collect();
        assert!(covers.len() >= 8, "only {} distinct cover photos", covers.len());
    }

    #[test]
    fn every_photo_is_a_small_jpeg_with_its_licence_recorded() {
        let licences = include_str!("../../assets/demo-photos/LICENSES.md");
        let mut total = 0;
        for photo in PHOTOS {
            assert!(photo.bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "{} is not a JPEG", photo.file);
            assert!(photo.bytes.len() < 256 * 1024, "{} is {} bytes", photo.file, photo.bytes.len());
            assert!(licences.contains(&format!("| `{}` |", photo.file)), "{} is not in LICENSES.md", photo.file);
            total += photo.bytes.len();
        }
        assert!(total < 2 * 1024 * 1024, "{total} bytes of demo photos");
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-photos")).unwrap();
        for f in files {
            let name = f.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".jpg") {
                assert!(PHOTOS.iter().any(|p| p.file == name), "{name} is shipped but never seeded");
            }
        }
    }
}
