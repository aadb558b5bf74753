//! Frames out: `PostToConnection` through API Gateway's management API. A socket that
//! closed without its `$disconnect` reaching us answers `GoneException`; its item is
//! deleted then, so the next push does not try it again.

use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use chrono::{DateTime, Utc};
use cm_core::UserId;
use cm_store::StoreError;
use cm_store::chat::Connections;

#[derive(Clone, Debug)]
pub struct Push {
    client: Client,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the connection is gone")]
    Gone,
    #[error("push failed: {0}")]
    Failed(String),
}

impl Push {
    /// `endpoint` is the API's `https://{api}.execute-api.{region}.amazonaws.com/{stage}`.
    /// Without one, the SDK's own configuration decides (locally,
    /// `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` points it at the local stack).
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: Option<&str>) -> Push {
        let mut config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk);
        if let Some(url) = endpoint {
            config = config.endpoint_url(url);
        }
        Push { client: Client::from_conf(config.build()) }
    }

    pub async fn send(&self, connection: &str, frame: &str) -> Result<(), PushError> {
        match self
            .client
            .post_to_connection()
            .connection_id(connection)
            .data(Blob::new(frame.as_bytes().to_vec()))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_gone_exception()) => Err(PushError::Gone),
            Err(e) => Err(PushError::Failed(aws_sdk_apigatewaymanagement::error::DisplayErrorContext(e).to_string())),
        }
    }
}

/// What one fan-out did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub delivered: usize,
    pub gone: usize,
    pub failed: usize,
}

impl std::ops::AddAssign for Delivery {
    fn add_assign(&mut self, o: Delivery) {
        self.delivered += o.delivered;
        self.gone += o.gone;
        self.failed += o.failed;
    }
}

/// Sends `frame` to every live socket of each of `users`, all at once; removes the
/// sockets that are gone. A socket that fails otherwise is counted, not retried: the
/// frame is in the history the client reloads on reconnect.
pub async fn fan_out<C: Connections>(
    push: &Push,
    store: &C,
    users: &[UserId],
    frame: &str,
    now: DateTime<Utc>,
) -> Result<Delivery, StoreError> {
    let lists = futures::future::try_join_all(users.iter().map(|u| store.connections_of(*u, now))).await?;
    let sends = lists.iter().flatten().map(|c| async move {
        match push.send(&c.id, frame).await {
            Ok(()) => Ok(Delivery { delivered: 1, ..Delivery::default() }),
            Err(PushError::Gone) => {
                store.close_connection(&c.id).await?;
                Ok(Delivery { gone: 1, ..Delivery::default() })
            }
            Err(PushError::Failed(why)) => {
                tracing::warn!(connection = %c.id, %why, "push failed");
                Ok(Delivery { failed: 1, ..Delivery::default() })
            }
        }
    });
    let mut total = Delivery::default();
    for d in futures::future::try_join_all(sends).await? {
        total += d;
    }
    Ok(total)
}
