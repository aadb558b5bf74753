//! Invoked by an operator after an analyzer change: re-scores stored reviews and
//! feedback page by page and records every changed result exactly as the stream does
//! (aggregates and photographer counts move by the difference). Invoke it again with
//! the returned `next_cursor` until it is `null`. Items still awaiting their first
//! analysis are left to the stream. Reads through the `REVIEWS`/`FEEDBACK` index
//! partitions: no Scan, even off the request path.

use cm_analyzer::Analyzer;
use cm_http::App;
use cm_store::PageKey;
use cm_store::reviews::AnalysisState;
use lambda_runtime::{Error, LambdaEvent};
use serde::{Deserialize, Serialize};

pub struct Backfill {
    pub app: App,
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
    /// Changed by someone else while we worked; the stream or a rerun covers them.
    pub skipped: usize,
    pub next_cursor: Option<PageKey>,
}

const DEFAULT_PAGE: usize = 100;
const MAX_PAGES_PER_INVOCATION: usize = 20;

impl Backfill {
    pub async fn from_env() -> Result<Backfill, Error> {
        let sdk = aws_config::load_from_env().await;
        Ok(Backfill { app: App::from_env().await?, analyzer: Analyzer::from_env(&sdk)? })
    }

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
            report.examined += 1;
            if review.analysis_state == AnalysisState::Pending {
                report.awaiting_first_analysis += 1;
                continue;
            }
            let record = self.analyzer.score(&review.text).await;
            if review.sentiment.as_ref().is_some_and(|s| s.analysis == record.analysis) {
                report.unchanged += 1;
            } else if dry {
                report.rescored += 1;
            } else {
                match self
                    .app
                    .store
                    .apply_review_analysis(&review, record, false)
                    .await
                    .map_err(|e| format!("{e:?}"))?
                {
                    cm_store::reviews::Applied::Applied => report.rescored += 1,
                    cm_store::reviews::Applied::AlreadyApplied => report.skipped += 1,
                }
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
        let page = self.app.store.list_all_feedback(n, after).await?;
        for fb in page.items {
            report.examined += 1;
            if fb.analysis_state == AnalysisState::Pending {
                report.awaiting_first_analysis += 1;
                continue;
            }
            let record = self.analyzer.score(&format!("{}. {}", fb.subject, fb.message)).await;
            if fb.sentiment.as_ref().is_some_and(|s| s.analysis == record.analysis) {
                report.unchanged += 1;
            } else if dry {
                report.rescored += 1;
            } else {
                match self.app.store.apply_feedback_analysis(&fb, record, false).await? {
                    cm_store::reviews::Applied::Applied => report.rescored += 1,
                    cm_store::reviews::Applied::AlreadyApplied => report.skipped += 1,
                }
            }
        }
        Ok(page.next)
    }
}
