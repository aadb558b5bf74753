//! Invoked by an operator after an analyzer change: re-scores stored reviews and
//! feedback page by page and records every changed result exactly as the stream does
//! (aggregates and photographer counts move by the difference). Invoke it again with
//! the returned `next_cursor` until it is `null`. Items still awaiting their first
//! analysis are left to the stream. Reads through the `REVIEWS`/`FEEDBACK` index
//! partitions: no Scan, even off the request path.

use cm_analyzer::Analyzer;
use cm_app::App;
use cm_reviews::{AnalysisState, SentimentRecord};
use cm_store::reviews::Applied;
use cm_store::{DynamoStore, FeedbackReader, PageKey, ReviewReader, SentimentWriter, keys};
use lambda_runtime::{Error, LambdaEvent};
use serde::{Deserialize, Serialize};

pub struct Backfill<S> {
    pub app: App<S>,
    pub analyzer: Analyzer,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Reviews,
    Feedback,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub kind: Kind,
    #[serde(default)]
    pub cursor: Option<PageKey>,
    #[serde(default)]
    pub page_size: Option<usize>,
    /// Report what would change without writing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Report {
    pub examined: usize,
    pub rescored: usize,
    pub unchanged: usize,
    pub awaiting_first_analysis: usize,
    /// Awaiting their first analysis for longer than [`STUCK_AFTER`]: sent back
    /// through the stream.
    pub redriven: usize,
    /// Changed by someone else while we worked; the stream or a rerun covers them.
    pub skipped: usize,
    pub next_cursor: Option<PageKey>,
}

const DEFAULT_PAGE: usize = 100;
const MAX_PAGES_PER_INVOCATION: usize = 20;

impl Backfill<DynamoStore> {
    pub async fn from_env(env: cm_runtime::Env) -> Result<Self, Error> {
        Ok(Backfill { app: App::new(env.store()?), analyzer: Analyzer::from_env(&env.sdk)? })
    }
}

/// How long an item may await its first analysis before the backfill re-drives it:
/// well past any normal stream delay, so a fresh item is left to its first delivery.
pub const STUCK_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

impl<S: ReviewReader + FeedbackReader + SentimentWriter> Backfill<S> {
    pub async fn handle(&self, event: LambdaEvent<Request>) -> Result<Report, Error> {
        self.run(event.payload).await
    }

    pub async fn run(&self, req: Request) -> Result<Report, Error> {
        let page_size = req.page_size.unwrap_or(DEFAULT_PAGE).clamp(1, 100);
        let mut report = Report::default();
        let mut cursor = req.cursor;
        for _ in 0..MAX_PAGES_PER_INVOCATION {
            cursor = match req.kind {
                Kind::Reviews => self.reviews(page_size, cursor.as_ref(), req.dry_run, &mut report).await?,
                Kind::Feedback => self.feedback(page_size, cursor.as_ref(), req.dry_run, &mut report).await?,
            };
            if cursor.is_none() {
                break;
            }
        }
        report.next_cursor = cursor;
        tracing::info!(?report, "sentiment backfill");
        Ok(report)
    }

    async fn reviews(
        &self,
        n: usize,
        after: Option<&PageKey>,
        dry: bool,
        report: &mut Report,
    ) -> Result<Option<PageKey>, Error> {
        let page = self.app.store.list_all_reviews(n, after).await?;
        for review in page.items {
            if report.awaits_first_analysis(review.analysis_state) {
                let key = (keys::booking(review.booking_id), keys::REVIEW_SK);
                self.redrive(&key, review.analysis_version, review.created_at, dry, report).await?;
                continue;
            }
            let record = self.analyzer.score(&review.text, self.app.now()).await;
            if report.should_apply(review.sentiment.as_ref(), &record, dry) {
                report.count(self.app.store.apply_review_analysis(&review, record, false).await?);
            }
        }
        Ok(page.next)
    }

    async fn feedback(
        &self,
        n: usize,
        after: Option<&PageKey>,
        dry: bool,
        report: &mut Report,
    ) -> Result<Option<PageKey>, Error> {
        let page = self.app.store.list_feedback(None, None, n, after).await?;
        for fb in page.items {
            if report.awaits_first_analysis(fb.analysis_state) {
                let key = (keys::feedback(fb.id), keys::FEEDBACK_SK);
                self.redrive(&key, fb.analysis_version, fb.created_at, dry, report).await?;
                continue;
            }
            let record = self.analyzer.score(&fb.analysed_text(), self.app.now()).await;
            if report.should_apply(fb.sentiment.as_ref(), &record, dry) {
                report.count(self.app.store.apply_feedback_analysis(&fb, record, false).await?);
            }
        }
        Ok(page.next)
    }
}

impl<S: SentimentWriter> Backfill<S> {
    /// An item still awaiting its first analysis long after it was written lost its
    /// stream delivery (the records expired or went to the failure queue). Touching it
    /// makes a new stream record, and the scorer gives it its analysis, its rating and
    /// its alert exactly as the first delivery would have.
    async fn redrive(
        &self,
        (pk, sk): &(String, &str),
        version: u32,
        created_at: chrono::DateTime<chrono::Utc>,
        dry: bool,
        report: &mut Report,
    ) -> Result<(), Error> {
        let now = self.app.now();
        if now - created_at < STUCK_AFTER {
            return Ok(());
        }
        if dry || self.app.store.redrive_analysis(pk, sk, version, now).await? {
            report.redriven += 1;
        }
        Ok(())
    }
}

impl Report {
    /// Tallies one examined item; true when the stream has yet to give it a first
    /// analysis (that is the stream's job: it is re-driven, not scored here).
    fn awaits_first_analysis(&mut self, state: AnalysisState) -> bool {
        self.examined += 1;
        let pending = state == AnalysisState::Pending;
        self.awaiting_first_analysis += usize::from(pending);
        pending
    }

    /// Tallies a scored item and says whether its new result must be written.
    fn should_apply(&mut self, current: Option<&SentimentRecord>, new: &SentimentRecord, dry: bool) -> bool {
        if current.is_some_and(|c| c.analysis == new.analysis) {
            self.unchanged += 1;
        } else if dry {
            self.rescored += 1;
        } else {
            return true;
        }
        false
    }

    fn count(&mut self, applied: Applied) {
        match applied {
            Applied::Applied => self.rescored += 1,
            Applied::AlreadyApplied => self.skipped += 1,
        }
    }
}
