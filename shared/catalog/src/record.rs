//! A photographer as the platform keeps them: the profile they maintain, the totals
//! their reviews built, and whether search shows them.

use crate::photographer::{PhotographerProfile, PublicProfile, RatingTotals};
use crate::search;
use chrono::{DateTime, Utc};
use cm_core::UserId;
use cm_sentiment::Label;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotographerRecord {
    pub id: UserId,
    pub profile: PhotographerProfile,
    pub rating: RatingTotals,
    /// How many of this photographer's reviews read positive, neutral or negative.
    #[serde(default)]
    pub sentiment: SentimentCounts,
    /// False while the account is deactivated: the profile is kept but not served.
    pub listed: bool,
    /// Optimistic-concurrency version, bumped by every write.
    pub version: u64,
    #[serde(default)]
    pub cover: Option<crate::CoverPhoto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PhotographerRecord {
    /// A photographer's first profile.
    pub fn new(id: UserId, profile: PhotographerProfile, listed: bool, now: DateTime<Utc>) -> PhotographerRecord {
        PhotographerRecord {
            id,
            profile,
            rating: RatingTotals::default(),
            sentiment: SentimentCounts::default(),
            listed,
            version: 0,
            cover: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn public(&self) -> PublicProfile {
        PublicProfile {
            id: self.id,
            profile: self.profile.clone(),
            rating: self.rating.view(),
            cover_photo: self.cover.clone(),
        }
    }

    /// The search partitions this photographer appears in right now, with their rank
    /// there: none while unlisted.
    pub fn listings(&self) -> Vec<(String, String)> {
        if !self.listed {
            return Vec::new();
        }
        let rank = search::rank_key(self.rating, self.id);
        search::partitions_of(&self.profile).into_iter().map(|p| (p, rank.clone())).collect()
    }

    /// The record after a review's analysis: its stars count once (the first
    /// analysis), and its sentiment label moves from `old_label` to `new_label`.
    pub fn after_review_analysis(
        &self,
        stars: u8,
        first: bool,
        old_label: Option<Label>,
        new_label: Label,
        now: DateTime<Utc>,
    ) -> PhotographerRecord {
        let mut next = self.clone();
        if first {
            next.rating = RatingTotals { sum: self.rating.sum + u64::from(stars), count: self.rating.count + 1 };
        }
        if let Some(l) = old_label {
            next.sentiment.add(l, -1);
        }
        next.sentiment.add(new_label, 1);
        next.updated_at = now;
        next
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentimentCounts {
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
}

impl SentimentCounts {
    pub fn add(&mut self, label: Label, delta: i64) {
        let slot = match label {
            Label::Positive => &mut self.positive,
            Label::Neutral => &mut self.neutral,
            Label::Negative => &mut self.negative,
        };
        *slot = slot.saturating_add_signed(delta);
    }
}
