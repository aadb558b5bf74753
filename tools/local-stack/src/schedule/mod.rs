//! EventBridge schedules (`Type: Schedule`, rules) and EventBridge Scheduler schedules
//! (`Type: ScheduleV2`): moto stores them but never fires them, so the stack does,
//! with the payload AWS sends.

pub mod expr;

use crate::console::{self, Trigger};
use crate::functions::{Functions, Outcome};
use crate::seed::history::HISTORY_READERS;
use crate::template::intrinsics::{ACCOUNT_ID, STACK_NAME};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use expr::Expr;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct ScheduleSource {
    pub function: String,
    pub logical_id: String,
    pub event: String,
    /// The rule or schedule name, when the template gives one.
    pub name: Option<String>,
    pub expression: String,
    pub expr: Expr,
    pub timezone: Tz,
    pub enabled: bool,
    /// `Input`: a constant JSON payload replacing the default event.
    pub input: Option<Value>,
    pub scheduler: bool,
    pub max_retries: u32,
    pub region: String,
}

impl ScheduleSource {
    pub fn from_event(
        function: &str,
        logical_id: &str,
        event: &str,
        kind: &str,
        p: &Value,
        region: &str,
    ) -> Result<ScheduleSource, String> {
        let at = format!("{logical_id}.{event}");
        let scheduler = kind == "ScheduleV2";
        let key = if scheduler { "ScheduleExpression" } else { "Schedule" };
        let expression = p[key].as_str().ok_or(format!("{at}: {key} is required"))?.to_string();
        let expr = Expr::parse(&expression).map_err(|e| format!("{at}: {e}"))?;
        if !scheduler && matches!(expr, Expr::At(_)) {
            return Err(format!("{at}: at() is only valid for ScheduleV2"));
        }
        let timezone = match p["ScheduleExpressionTimezone"].as_str() {
            Some(tz) => tz.parse().map_err(|_| format!("{at}: unknown time zone {tz}"))?,
            None => Tz::UTC,
        };
        let enabled = p["Enabled"].as_bool().unwrap_or(true) && p["State"].as_str().is_none_or(|s| s == "ENABLED");
        let input = match &p["Input"] {
            Value::String(s) => Some(serde_json::from_str(s).map_err(|e| format!("{at}: Input is not JSON: {e}"))?),
            Value::Null => None,
            other => Some(other.clone()),
        };
        Ok(ScheduleSource {
            function: function.to_string(),
            logical_id: logical_id.to_string(),
            event: event.to_string(),
            name: p["Name"].as_str().map(String::from),
            expression,
            expr,
            timezone,
            enabled,
            input,
            scheduler,
            max_retries: p["RetryPolicy"]["MaximumRetryAttempts"].as_u64().unwrap_or(0) as u32,
            region: region.to_string(),
        })
    }

    /// Names `scripts/fire-schedule` accepts for this schedule.
    pub fn answers_to(&self, name: &str) -> bool {
        let full = format!("{}.{}", self.logical_id, self.event);
        // Rules are named `<stack>-<what they do>`: that part alone names them too.
        let short = self.name.as_deref().and_then(|n| n.strip_prefix(&format!("{STACK_NAME}-")));
        [self.function.as_str(), self.logical_id.as_str(), self.event.as_str(), full.as_str()]
            .into_iter()
            .chain(self.name.as_deref())
            .chain(short)
            .any(|n| n.eq_ignore_ascii_case(name))
    }

    pub fn rule_arn(&self) -> String {
        let name = self.name.clone().unwrap_or_else(|| format!("{STACK_NAME}-{}{}", self.logical_id, self.event));
        let (service, kind) = if self.scheduler { ("scheduler", "schedule/default") } else { ("events", "rule") };
        format!("arn:aws:{service}:{}:{ACCOUNT_ID}:{kind}/{name}", self.region)
    }

    /// The event AWS sends for a firing at `time`: the `Input` if given, else the
    /// standard "Scheduled Event" (events/expire-bookings.json has the same shape).
    pub fn payload(&self, time: DateTime<Utc>) -> Value {
        if let Some(input) = &self.input {
            return input.clone();
        }
        json!({
            "version": "0",
            "id": ulid::Ulid::new().to_string(),
            "detail-type": "Scheduled Event",
            "source": if self.scheduler { "aws.scheduler" } else { "aws.events" },
            "account": ACCOUNT_ID,
            "time": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "region": self.region,
            "resources": [self.rule_arn()],
            "detail": {},
        })
    }

    pub fn describe(&self, now: DateTime<Utc>, origin: DateTime<Utc>) -> String {
        let next = self
            .expr
            .next_after(now, origin, self.timezone)
            .map(|t| t.with_timezone(&chrono::Local).format("%H:%M:%S").to_string())
            .unwrap_or_else(|| "never".into());
        let state = if self.enabled { format!("next {next}") } else { "disabled".into() };
        format!("{} ← {} ({state})", self.function, self.expression)
    }
}

/// Invokes the function for one firing, with the schedule's retries.
pub async fn fire(source: &ScheduleSource, functions: &Functions, time: DateTime<Utc>, why: &str) -> (String, Value) {
    let payload = source.payload(time).to_string().into_bytes();
    let mut attempt = 0;
    loop {
        let inv = functions.invoke(&source.function, payload.clone()).await;
        let status = inv.outcome.short();
        let detail = format!("{} {why}", source.expression);
        console::invocation(Trigger::Schedule, &source.function, &status, inv.took, inv.cold, &detail);
        let body = match &inv.outcome {
            Outcome::Answered(b) | Outcome::FunctionError(_, b) => serde_json::from_slice(b).unwrap_or(Value::Null),
            Outcome::Failed(why) => json!({ "error": why }),
            Outcome::TimedOut => json!({ "error": "timed out" }),
        };
        let failed = !matches!(inv.outcome, Outcome::Answered(_));
        if !failed || attempt >= source.max_retries {
            return (status, body);
        }
        attempt += 1;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Fires the schedule on time until the task is aborted.
///
/// A firing of a function that reads the analytics ([`HISTORY_READERS`]) that falls due
/// while the seeded booking history is still on its way through the stream (`history`,
/// as `/status` shows it: `aggregating`) waits until it is in, then fires once: a nightly
/// pass run on half the demo data would be that day's pass (the forecast pass runs once
/// a day), and what the stack shows would depend on the minute it was started. The other
/// schedules (payments, reminders) never wait, nor do firings by hand.
pub async fn run(
    source: Arc<ScheduleSource>,
    functions: Arc<Functions>,
    origin: DateTime<Utc>,
    history: Arc<std::sync::Mutex<Value>>,
) {
    if !source.enabled {
        return;
    }
    let reads_history = HISTORY_READERS.contains(&source.function.as_str());
    let aggregating =
        || reads_history && history.lock().unwrap_or_else(std::sync::PoisonError::into_inner)["state"] == "aggregating";
    let mut after = Utc::now();
    while let Some(next) = source.expr.next_after(after, origin, source.timezone) {
        let wait = next.signed_duration_since(Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait).await;
        if aggregating() {
            console::info(&format!("{} waits for the seeded history before its scheduled run", source.function));
            while aggregating() {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            // One late firing, then the schedule's own times again from now on.
            let now = Utc::now();
            fire(&source, &functions, now, "(scheduled, held for the seeded history)").await;
            after = now;
            continue;
        }
        fire(&source, &functions, next, "(scheduled)").await;
        after = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_match_aws_scheduled_events() {
        // As the template's event resolves locally (`Name: !Sub '${AWS::StackName}-expire-bookings'`).
        let p =
            json!({"Schedule": "rate(5 minutes)", "Enabled": true, "Name": format!("{STACK_NAME}-expire-bookings")});
        let s = ScheduleSource::from_event(
            "expire-bookings",
            "ExpireBookingsFunction",
            "Every5Minutes",
            "Schedule",
            &p,
            "ap-south-1",
        )
        .unwrap();
        let time = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").unwrap().with_timezone(&Utc);
        let event = s.payload(time);
        let sample: Value = serde_json::from_str(include_str!("../../../../events/expire-bookings.json")).unwrap();
        // The same rule ARN, but for the local stack's name instead of the deployed one.
        let local_rule = sample["resources"][0].as_str().unwrap().replace("capture-moments-dev", STACK_NAME);
        assert_eq!(event["resources"], json!([local_rule]));
        for key in ["version", "detail-type", "source", "account", "time", "region", "detail"] {
            assert_eq!(event[key], sample[key], "{key}");
        }
        let typed: aws_lambda_events::eventbridge::EventBridgeEvent<Value> = serde_json::from_value(event).unwrap();
        assert_eq!(typed.detail_type, "Scheduled Event");
        assert!(s.answers_to("expire-bookings") && s.answers_to("every5minutes") && !s.answers_to("other"));
    }

    #[test]
    fn scheduler_schedules_take_input_time_zone_and_state() {
        let p = json!({"ScheduleExpression": "cron(0 9 * * ? *)", "ScheduleExpressionTimezone": "Asia/Kolkata",
            "Input": "{\"digest\": true}", "State": "DISABLED", "Name": "daily-digest"});
        let s = ScheduleSource::from_event("digest", "DigestFunction", "Daily", "ScheduleV2", &p, "us-east-1").unwrap();
        assert_eq!(s.payload(Utc::now()), json!({"digest": true}));
        assert!(!s.enabled);
        assert!(s.answers_to("daily-digest"));
        assert!(s.rule_arn().contains(":scheduler:"));
        let bad = json!({"Schedule": "at(2026-12-01T00:00:00)"});
        assert!(ScheduleSource::from_event("f", "F", "E", "Schedule", &bad, "us-east-1").is_err());
    }

    /// A rule named `<stack>-<what it does>` answers to that part too (`scripts/dev fire
    /// forecast-demand` for forecast-demand-job's rule).
    #[test]
    fn a_rule_answers_to_its_name_without_the_stack() {
        let p = json!({"Schedule": "cron(0/10 1-5 * * ? *)", "Name": format!("{STACK_NAME}-forecast-demand")});
        let s = ScheduleSource::from_event(
            "forecast-demand-job",
            "ForecastDemandJobFunction",
            "Nightly",
            "Schedule",
            &p,
            "us-east-1",
        )
        .unwrap();
        assert!(s.answers_to("forecast-demand") && s.answers_to("forecast-demand-job") && s.answers_to("Nightly"));
        assert!(!s.answers_to("forecast") && !s.answers_to(STACK_NAME));
    }
}
