//! Upload tickets through the fakes: quotas (photos and bytes), which tickets still
//! count, a race for the last place, and the ticket's S3 POST signature checked
//! against SigV4 computed independently.

use crate::support::*;
use chrono::TimeDelta;
use cm_accounts::account::Role;
use cm_media::upload::{MAX_BYTES, MAX_ITEMS, MAX_UPLOAD_BYTES, TICKET_MINUTES};
use cm_media::{ItemId, UploadRequest};
use cm_runtime::UploadSigner;
use cm_store::{PortfolioReader, PortfolioWriter};
use cm_tests::{ApiEvent, TestResponse, call};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn signer() -> &'static UploadSigner {
    let creds =
        aws_credential_types::Credentials::new("AKIAIOSFODNN7EXAMPLE", SECRET, Some("SESSION".into()), None, "t");
    Box::leak(Box::new(UploadSigner::with_credentials(
        creds,
        "ap-south-1",
        "media",
        "https://media.s3.ap-south-1.amazonaws.com",
    )))
}

async fn ticket(w: &World, who: &Person, size: u64) -> TestResponse {
    let signer = signer();
    call(
        w.app,
        move |app, req| create_portfolio_upload::handle(app, signer, req),
        ApiEvent::new("POST /photographers/me/portfolio/uploads").bearer(&w.token(who)).json(json!({
            "filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": size, "category": "event"
        })),
    )
    .await
}

/// `n` pending items of `size` bytes each, straight into the store.
async fn fill(w: &World, who: &Person, n: usize, size: u64) {
    let req = UploadRequest::parse("a.jpg", "image/jpeg", size as i64, "event", None).unwrap();
    for _ in 0..n {
        let version = w.store().portfolio(who.id(), true).await.unwrap().version;
        let item = req.pending_item(ItemId::new(), who.id(), 1, w.now());
        assert!(w.store().add_portfolio_item(&item, version).await.unwrap());
    }
}

#[tokio::test]
async fn the_count_quota_holds_and_expired_tickets_free_their_place() {
    let w = World::new();
    let asha = w.person(Role::Photographer).await;
    fill(&w, &asha, MAX_ITEMS - 1, 1000).await;
    ticket(&w, &asha, 1000).await.ok(201);
    let full = ticket(&w, &asha, 1000).await;
    assert!(full.problem(409)["type"].as_str().unwrap().ends_with("/portfolio-quota"), "{}", full.text);
    // Nobody uploaded: once the tickets expire they hold nothing.
    w.advance(TimeDelta::minutes(TICKET_MINUTES) + TimeDelta::seconds(1));
    ticket(&w, &asha, 1000).await.ok(201);
    // Another photographer's portfolio is their own.
    let ravi = w.person(Role::Photographer).await;
    ticket(&w, &ravi, 1000).await.ok(201);
}

#[tokio::test]
async fn the_byte_quota_holds_to_the_byte() {
    let w = World::new();
    let asha = w.person(Role::Photographer).await;
    let per = MAX_UPLOAD_BYTES;
    let n = (MAX_BYTES / per) as usize;
    fill(&w, &asha, n - 1, per).await;
    let left = MAX_BYTES - (n as u64 - 1) * per;
    assert!(left >= per, "{left}");
    ticket(&w, &asha, per).await.ok(201);
    let left = left - per;
    if left > 0 {
        ticket(&w, &asha, left).await.ok(201);
    }
    ticket(&w, &asha, 1).await.problem(409);
}

#[tokio::test]
async fn a_concurrent_upload_taking_the_last_place_wins_and_the_other_rechecks() {
    let w = World::new();
    let asha = w.person(Role::Photographer).await;
    fill(&w, &asha, MAX_ITEMS - 1, 1000).await;
    // Read at version v, then someone else commits: this write must not.
    let stale = w.store().portfolio(asha.id(), true).await.unwrap().version;
    fill(&w, &asha, 1, 1000).await;
    let req = UploadRequest::parse("a.jpg", "image/jpeg", 10, "event", None).unwrap();
    let late = req.pending_item(ItemId::new(), asha.id(), 1, w.now());
    assert!(!w.store().add_portfolio_item(&late, stale).await.unwrap());
    ticket(&w, &asha, 1000).await.problem(409);
    assert_eq!(w.store().portfolio(asha.id(), true).await.unwrap().items.len(), MAX_ITEMS);
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn the_ticket_is_a_sigv4_signed_post_policy() {
    let w = World::new();
    let asha = w.person(Role::Photographer).await;
    let r = ticket(&w, &asha, 12_345).await;
    let t = r.ok(201);
    let f = &t["upload"]["fields"];
    let day = w.now().format("%Y%m%d").to_string();
    assert_eq!(f["x-amz-credential"], format!("AKIAIOSFODNN7EXAMPLE/{day}/ap-south-1/s3/aws4_request"));
    assert_eq!(f["x-amz-security-token"], "SESSION");
    assert_eq!(t["upload"]["url"], "https://media.s3.ap-south-1.amazonaws.com");
    // SigV4 as AWS documents it, computed here without aws-sigv4.
    let mut key = hmac(format!("AWS4{SECRET}").as_bytes(), &day);
    for part in ["ap-south-1", "s3", "aws4_request"] {
        key = hmac(&key, part);
    }
    let policy = f["policy"].as_str().unwrap();
    let expected: String = hmac(&key, policy).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(f["x-amz-signature"], expected);
    // The signed policy limits this upload and nothing else.
    use base64::Engine;
    let doc: Value =
        serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(policy).unwrap()).unwrap();
    let conditions = doc["conditions"].as_array().unwrap();
    assert!(conditions.contains(&json!(["content-length-range", 1, 12_345])));
    assert!(conditions.contains(&json!({"key": f["key"]})));
    assert!(conditions.contains(&json!({"Content-Type": "image/jpeg"})));
    let expires = chrono::DateTime::parse_from_rfc3339(doc["expiration"].as_str().unwrap()).unwrap();
    assert_eq!(expires, w.now() + TimeDelta::minutes(TICKET_MINUTES));
}
