//! Where the reminder job's last run stopped: `JOB#send-reminders` / `CURSOR`, one
//! instant. The next run covers the time since (docs/data-model.md, Y10); the instant
//! only ever moves forward, so two runs that overlap cannot pull it back and make a
//! third run cover a window twice (which the reminders' claims would absorb anyway).

use crate::{DynamoStore, Read, StoreError, key, keys, s};
use chrono::{DateTime, Utc};
use std::future::Future;

const JOB: &str = "send-reminders";

pub trait ReminderRuns: Send + Sync {
    /// The end of the last run's window.
    fn reminders_through(&self) -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;
    /// Records a run's window end: `false` when a later one is already recorded.
    fn set_reminders_through(&self, through: DateTime<Utc>) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

impl ReminderRuns for DynamoStore {
    async fn reminders_through(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let item = self.get(keys::job(JOB), keys::JOB_CURSOR_SK, Read::Consistent).await?;
        let Some(text) = item.as_ref().and_then(|i| i.get("through")).and_then(|v| v.as_s().ok()) else {
            return Ok(None);
        };
        text.parse().map(Some).map_err(crate::error::corrupt)
    }

    async fn set_reminders_through(&self, through: DateTime<Utc>) -> Result<bool, StoreError> {
        // Micro-second text of fixed width: string order is time order for the condition.
        let at = keys::instant_micros(through);
        let result = crate::retry::retrying(|| async {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::job(JOB), keys::JOB_CURSOR_SK)))
                .update_expression("SET through = :t, entity = :e")
                .condition_expression("attribute_not_exists(through) OR through < :t")
                .expression_attribute_values(":t", s(&at))
                .expression_attribute_values(":e", s("job_cursor"))
                .send()
                .await
                .map_err(crate::error::from_sdk)
        })
        .await;
        crate::error::applied(result)
    }
}
