//! Keys held in Secrets Manager (moto here, as in the local stack): nothing is read while
//! the function starts; the first request reads them; a rotation is followed without a
//! restart (a token naming a key id the process does not know makes it reload), old
//! keys age out, and a Secrets Manager outage keeps serving the keys already loaded.

use crate::support::*;
use cm_accounts::tokens::{AccessTokens, KeySet};
use cm_app::App;
use cm_app::cached::RefreshPolicy;
use cm_core::{Clock, ManualClock};
use cm_store::{DynamoStore, UserReader};
use cm_tests::moto::sdk_config;
use cm_tests::{ApiEvent, call, env};
use std::sync::Arc;

fn key(kid: &str) -> serde_json::Value {
    serde_json::json!({"kid": kid, "secret": format!("{kid}-a-secret-of-at-least-thirty-two-bytes")})
}

/// What a function holding only `raw` would sign with.
fn signer(raw: &serde_json::Value) -> AccessTokens {
    let keys = KeySet::parse(&raw.to_string()).unwrap();
    AccessTokens::new(&keys, chrono::Duration::minutes(15), chrono::Duration::days(30))
}

#[tokio::test]
async fn keys_in_secrets_manager_are_read_on_first_use_follow_a_rotation_and_survive_an_outage() {
    let env = env().await;
    let me = register(&env, "client").await;
    let user = env.app.store.get_user(me.id.parse().unwrap()).await.unwrap().unwrap();
    let sdk = sdk_config().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let name = format!("test/token-keys/{}", ulid::Ulid::new());
    let clock = ManualClock::starting_now();
    let policy = RefreshPolicy {
        max_age: chrono::Duration::minutes(15),
        retry_after: chrono::Duration::seconds(30),
        min_forced_interval: chrono::Duration::seconds(30),
    };
    let sources =
        cm_runtime::KeySources { tokens: Some(cm_runtime::Secret::Stored(name.clone())), ..Default::default() };
    let app = App::new(DynamoStore::new(env.dynamo.clone(), &env.table)).with_clock(Arc::new(clock.clone()));

    // The secret does not exist yet: building the function's context reads nothing, so
    // it still succeeds; the first request is the first read, and fails as busy.
    let app: &'static App<DynamoStore> =
        Box::leak(Box::new(cm_runtime::with_keys_from(app, &sdk, sources, policy).await.unwrap()));
    assert!(app.tokens().is_err(), "nothing was loaded before the first request");
    let me_with = |token: String| ApiEvent::new("GET /me").bearer(&token);
    let k1 = key("k1");
    let r = call(app, get_me::handle, me_with(signer(&k1).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.header("retry-after"), Some("1"));

    secrets.create_secret().name(&name).secret_string(k1.to_string()).send().await.unwrap();
    let r = call(app, get_me::handle, me_with(signer(&k1).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 200, "the next request reads the secret: {}", r.text);

    // Rotation: k2 signs, k1 still verifies. A process that loaded k1 alone meets a
    // k2 token before its keys are old, and reloads for it.
    let k2 = key("k2");
    let rotating = serde_json::json!({"current": k2, "previous": k1});
    secrets.put_secret_value().secret_id(&name).secret_string(rotating.to_string()).send().await.unwrap();
    clock.advance(chrono::Duration::minutes(1));
    let r = call(app, get_me::handle, me_with(signer(&rotating).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 200, "a token signed with the new key is accepted at once: {}", r.text);
    let r = call(app, get_me::handle, me_with(signer(&k1).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 200, "the previous key still verifies during the rotation: {}", r.text);

    // The rotation ends: k1 is dropped. Once the loaded keys are old, k1 tokens stop.
    secrets.put_secret_value().secret_id(&name).secret_string(k2.to_string()).send().await.unwrap();
    clock.advance(chrono::Duration::minutes(16));
    let r = call(app, get_me::handle, me_with(signer(&k1).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = call(app, get_me::handle, me_with(signer(&k2).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // A key id nobody ever had is refused, reload or not.
    let r = call(app, get_me::handle, me_with(signer(&key("k9")).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 401, "{}", r.text);

    // Secrets Manager loses the secret: the keys already loaded keep working when
    // they are due for a reload, rather than every request failing.
    secrets.delete_secret().secret_id(&name).force_delete_without_recovery(true).send().await.unwrap();
    clock.advance(chrono::Duration::minutes(16));
    let r = call(app, get_me::handle, me_with(signer(&k2).issue(&user, clock.now()).unwrap())).await;
    assert_eq!(r.status, 200, "the loaded keys outlive a failed reload: {}", r.text);
}
