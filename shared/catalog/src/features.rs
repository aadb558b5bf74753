//! The behavioural half of a photographer's recommendation row
//! ([`crate::recommend::Candidate`]), as the jobs that keep it store it: how quickly
//! they answer booking requests, how many bookings they completed, how many distinct
//! clients they have and whom they are co-booked with. Pure; docs/recommendations.md,
//! "Features", says which job keeps which part.

use crate::recommend::{CoBooked, MIN_SHARED_CLIENTS};
use cm_core::UserId;
use serde::{Deserialize, Serialize};

/// How many co-booked photographers a row keeps.
pub const CO_BOOKED_KEPT: usize = 10;

/// Upper edges (minutes, inclusive) of the answer-time buckets; a last bucket holds
/// everything slower. Finer where the difference matters to a client waiting for an
/// answer (within the hour, within a few hours), coarse beyond a day.
pub const RESPONSE_BUCKETS: [u32; 11] = [15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080];

/// The bucket an answer time falls in: `0..=RESPONSE_BUCKETS.len()`.
pub fn response_bucket(minutes: u32) -> usize {
    RESPONSE_BUCKETS.iter().position(|&edge| minutes <= edge).unwrap_or(RESPONSE_BUCKETS.len())
}

/// A median kept as counters: the store adds one to a bucket per answered request (an
/// atomic `ADD`, so concurrent answers never lose one another), and the median is read
/// back as the upper edge of the bucket holding the middle answer. That edge is what a
/// promise like "usually replies within 3 hours" needs, and never flatters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseHistogram {
    /// One count per bucket of [`RESPONSE_BUCKETS`] and one for slower answers; shorter
    /// when the trailing buckets were never used.
    pub counts: Vec<u32>,
}

impl ResponseHistogram {
    pub fn add(&mut self, minutes: u32) {
        let b = response_bucket(minutes);
        if self.counts.len() <= b {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] = self.counts[b].saturating_add(1);
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// The upper edge of the bucket holding the median answer (the lower middle of an
    /// even count); the slowest bucket reads as a week and a day. `None` before any.
    pub fn median_minutes(&self) -> Option<u32> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let middle = total.div_ceil(2);
        let mut seen = 0u64;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= middle {
                return Some(RESPONSE_BUCKETS.get(b).copied().unwrap_or(SLOWEST_MINUTES));
            }
        }
        None
    }
}

/// What the slowest bucket reads as: more than a week.
const SLOWEST_MINUTES: u32 = 11_520;

/// One photographer's behavioural features as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Features {
    #[serde(default)]
    pub response: ResponseHistogram,
    #[serde(default)]
    pub completed_bookings: u32,
    /// Distinct clients with a confirmed booking.
    #[serde(default)]
    pub clients: u32,
    /// The most similar photographers by their clients, most similar first.
    #[serde(default)]
    pub co_booked: Vec<CoBooked>,
}

/// A co-booking pair counter: `shared_clients` distinct clients booked both the row's
/// photographer and `photographer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairCount {
    pub photographer: UserId,
    pub shared_clients: u32,
}

/// The [`CO_BOOKED_KEPT`] photographers most similar to one with `own_clients` clients,
/// from its pair counters and each partner's client count (`their_clients`; a partner it
/// does not know counts as having only the shared clients). Pairs below
/// [`MIN_SHARED_CLIENTS`] and the photographer itself are left out; ties go to more
/// shared clients, then to the smaller id, so the choice is a total order.
pub fn top_co_booked(
    own: UserId,
    own_clients: u32,
    pairs: &[PairCount],
    their_clients: impl Fn(UserId) -> Option<u32>,
) -> Vec<CoBooked> {
    let mut scored: Vec<(f64, CoBooked)> = pairs
        .iter()
        .filter(|p| p.photographer != own && p.shared_clients >= MIN_SHARED_CLIENTS)
        .map(|p| {
            let theirs = their_clients(p.photographer).unwrap_or(0).max(p.shared_clients);
            let cb = CoBooked { photographer: p.photographer, shared_clients: p.shared_clients, their_clients: theirs };
            (cb.similarity(own_clients.max(p.shared_clients)), cb)
        })
        .collect();
    scored.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa).then(b.shared_clients.cmp(&a.shared_clients)).then(a.photographer.cmp(&b.photographer))
    });
    scored.into_iter().take(CO_BOOKED_KEPT).map(|(_, cb)| cb).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(n: u32) -> UserId {
        format!("01HZ{n:022}").parse().unwrap()
    }

    #[test]
    fn buckets_are_inclusive_of_their_upper_edge() {
        assert_eq!(response_bucket(0), 0);
        assert_eq!(response_bucket(15), 0);
        assert_eq!(response_bucket(16), 1);
        assert_eq!(response_bucket(60), 2);
        assert_eq!(response_bucket(10_080), 10);
        assert_eq!(response_bucket(10_081), 11);
        assert_eq!(response_bucket(u32::MAX), 11);
    }

    #[test]
    fn median_is_the_upper_edge_of_the_middle_answers_bucket() {
        let mut h = ResponseHistogram::default();
        assert_eq!(h.median_minutes(), None);
        for m in [5, 50, 170] {
            h.add(m);
        }
        // 5 → ≤15, 50 → ≤60, 170 → ≤180: the middle one is within the hour.
        assert_eq!(h.median_minutes(), Some(60));
        h.add(20_000);
        // Four answers: the lower middle (the second) still decides.
        assert_eq!(h.median_minutes(), Some(60));
        h.add(20_000);
        assert_eq!(h.median_minutes(), Some(180));
        h.add(20_000);
        // Six: the third of them is the lower middle.
        assert_eq!(h.median_minutes(), Some(180));
        h.add(20_000);
        assert_eq!(h.median_minutes(), Some(SLOWEST_MINUTES));
    }

    #[test]
    fn a_histogram_reads_back_from_its_stored_form() {
        let mut h = ResponseHistogram::default();
        h.add(100);
        assert_eq!(h.counts, vec![0, 0, 0, 1]);
        let json = serde_json::to_string(&Features { response: h.clone(), ..Features::default() }).unwrap();
        let back: Features = serde_json::from_str(&json).unwrap();
        assert_eq!(back.response, h);
        let empty: Features = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, Features::default());
    }

    #[test]
    fn top_co_booked_ranks_by_cosine_not_by_raw_overlap() {
        let pairs = [
            // Shares 10 clients, but is booked by 1,000: similarity 10/√(20·1000) ≈ 0.07.
            PairCount { photographer: id(2), shared_clients: 10 },
            // Shares 4 of its 5: 4/√(20·5) = 0.4.
            PairCount { photographer: id(3), shared_clients: 4 },
            // One shared client is an anecdote.
            PairCount { photographer: id(4), shared_clients: 1 },
            // Itself never counts.
            PairCount { photographer: id(1), shared_clients: 20 },
        ];
        let clients = |p: UserId| {
            if p == id(2) {
                Some(1000)
            } else if p == id(3) {
                Some(5)
            } else {
                None
            }
        };
        let top = top_co_booked(id(1), 20, &pairs, clients);
        let order: Vec<UserId> = top.iter().map(|c| c.photographer).collect();
        assert_eq!(order, vec![id(3), id(2)]);
        assert_eq!(top[0], CoBooked { photographer: id(3), shared_clients: 4, their_clients: 5 });
    }

    proptest! {
        #[test]
        fn top_co_booked_keeps_the_best_ten_in_order(
            pairs in proptest::collection::btree_map(2u32..60, (0u32..40, 0u32..400), 0..40),
            own_clients in 0u32..300,
        ) {
            let list: Vec<PairCount> = pairs
                .iter()
                .map(|(&p, &(shared, _))| PairCount { photographer: id(p), shared_clients: shared })
                .collect();
            let theirs: std::collections::HashMap<UserId, u32> =
                pairs.iter().map(|(&p, &(_, theirs))| (id(p), theirs)).collect();
            let top = top_co_booked(id(1), own_clients, &list, |p| theirs.get(&p).copied());
            prop_assert!(top.len() <= CO_BOOKED_KEPT);
            prop_assert!(top.iter().all(|c| c.shared_clients >= MIN_SHARED_CLIENTS && c.their_clients >= c.shared_clients));
            let sims: Vec<f64> = top.iter().map(|c| c.similarity(own_clients.max(c.shared_clients))).collect();
            prop_assert!(sims.windows(2).all(|w| w[0] >= w[1]));
            let eligible = list.iter().filter(|p| p.shared_clients >= MIN_SHARED_CLIENTS).count();
            prop_assert_eq!(top.len(), eligible.min(CO_BOOKED_KEPT));
            // Nothing left out is more similar than the last one kept.
            if let Some(last) = sims.last() {
                let kept: Vec<UserId> = top.iter().map(|c| c.photographer).collect();
                for p in list.iter().filter(|p| p.shared_clients >= MIN_SHARED_CLIENTS && !kept.contains(&p.photographer)) {
                    let cb = CoBooked {
                        photographer: p.photographer,
                        shared_clients: p.shared_clients,
                        their_clients: theirs[&p.photographer].max(p.shared_clients),
                    };
                    prop_assert!(cb.similarity(own_clients.max(p.shared_clients)) <= *last);
                }
            }
        }
    }
}
