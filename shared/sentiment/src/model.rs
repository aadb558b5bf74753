//! The learned weights over [`crate::features`], embedded in the binary.
//!
//! `model/weights.bin` is written by eval/sentiment/train.py (see
//! eval/sentiment/README.md). It is read in place: nothing is parsed or
//! allocated at start-up beyond a few header fields. Layout, little-endian:
//!
//! | offset | field |
//! | --- | --- |
//! | 0 | magic `CMSW` |
//! | 4 | format, 1 |
//! | 8 | feature version the weights were fitted on ([`FEATURE_VERSION`]) |
//! | 12 | number of dense weights ([`DENSE`]) |
//! | 16 | log2 of the number of hashed weights |
//! | 20 | bits per hashed weight, 8 or 16 (signed) |
//! | 24 | label threshold in ten-thousandths (u32) |
//! | 28 | bias (f32) |
//! | 32 | scale of a hashed weight (f32): weight = stored integer x scale |
//! | 36 | dense weights (f32 each) |
//! | 36 + 4 x dense | hashed weights |
//!
//! The score is `tanh(z / 2)` (that is `2p - 1` for the model's probability
//! `p` of "positive"), where `z` is the bias plus the weighted features. The
//! training folds the blend into the weights it writes: `z` is 0.3 x the
//! rules' own log-odds (dense feature 15) plus 0.25 x VADER's where the rules
//! read nothing VADER cannot (feature 18) plus 0.8 x the fitted model's
//! (eval/sentiment/train.py `SHARES`), so the dense weight of the rules'
//! log-odds is at least 0.3 whatever the data says (a test checks it).

use crate::features::{DENSE, FEATURE_VERSION, Features, RULE_LOG_ODDS, rule_log_odds};
use crate::scoring::normalise;
use std::sync::OnceLock;

const BYTES: &[u8] = include_bytes!("../model/weights.bin");
const HEADER: usize = 36;

const fn u32_at(at: usize) -> u32 {
    u32::from_le_bytes([BYTES[at], BYTES[at + 1], BYTES[at + 2], BYTES[at + 3]])
}

/// The label threshold the training chose (eval/sentiment/README.md).
pub(crate) const THRESHOLD: f64 = u32_at(24) as f64 / 10_000.0;

pub(crate) struct Model {
    bias: f32,
    scale: f32,
    dense: [f32; DENSE],
    mask: u32,
    wide: bool,
    table: &'static [u8],
}

fn f32_at(at: usize) -> f32 {
    f32::from_bits(u32_at(at))
}

impl Model {
    fn parse() -> Option<Model> {
        if BYTES.len() < HEADER || &BYTES[..4] != b"CMSW" || u32_at(4) != 1 {
            return None;
        }
        if u32_at(8) != FEATURE_VERSION || u32_at(12) as usize != DENSE {
            return None;
        }
        let log2 = u32_at(16);
        let wide = match u32_at(20) {
            8 => false,
            16 => true,
            _ => return None,
        };
        if log2 > 24 {
            return None;
        }
        let table_start = HEADER + 4 * DENSE;
        let table_len = (1usize << log2) * if wide { 2 } else { 1 };
        if BYTES.len() != table_start + table_len {
            return None;
        }
        let mut dense = [0.0; DENSE];
        for (i, w) in dense.iter_mut().enumerate() {
            *w = f32_at(HEADER + 4 * i);
        }
        Some(Model {
            bias: f32_at(28),
            scale: f32_at(32),
            dense,
            mask: (1u32 << log2) - 1,
            wide,
            table: &BYTES[table_start..],
        })
    }

    fn hashed_weight(&self, hash: u32) -> f32 {
        let i = (hash & self.mask) as usize;
        let q = if self.wide {
            f32::from(i16::from_le_bytes([self.table[2 * i], self.table[2 * i + 1]]))
        } else {
            f32::from(self.table[i] as i8)
        };
        let w = q * self.scale;
        if hash >> 31 == 1 { -w } else { w }
    }

    /// Score in (-1, 1) of one text's features.
    pub(crate) fn score(&self, f: &Features) -> f64 {
        let mut z = f64::from(self.bias);
        z += self.dense.iter().zip(&f.dense).map(|(w, x)| f64::from(w * x)).sum::<f64>();
        z += f.hashed.iter().map(|&(h, v)| f64::from(self.hashed_weight(h) * v)).sum::<f64>();
        squash(z)
    }

    /// Score in (-1, 1) of a rule valence on its own (a topic's sentiment):
    /// the model's response to the rule features alone, without bias, so no
    /// evidence stays exactly 0.
    pub(crate) fn valence_score(&self, valence: f64) -> f64 {
        let rule = normalise(valence);
        let x = [rule.max(0.0), rule.min(0.0), normalise(valence.max(0.0)), normalise(valence.min(0.0))];
        let rule_log_odds = f64::from(rule_log_odds(valence) as f32);
        let mut z: f64 = self.dense.iter().zip(x).map(|(w, x)| f64::from(*w) * x).sum();
        z += f64::from(self.dense[RULE_LOG_ODDS]) * rule_log_odds;
        squash(z)
    }
}

fn squash(z: f64) -> f64 {
    if z.is_finite() { (z / 2.0).tanh() } else { 0.0 }
}

/// The embedded model, or None when `model/weights.bin` does not fit these
/// features (only while retraining after a feature change; a test guards
/// the committed file).
pub(crate) fn get() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(Model::parse).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_weights_fit_these_features() {
        assert!(get().is_some(), "model/weights.bin does not match FEATURE_VERSION or DENSE: retrain");
        const { assert!(THRESHOLD > 0.0 && THRESHOLD < 1.0) };
    }

    /// The rules' fixed share of the final log-odds (eval/sentiment/train.py
    /// `SHARES`), folded into the dense weight of their log-odds: the rules'
    /// own verdict keeps this much say whatever the learned weights make of
    /// the text, so the domain rules (lateness, no-shows, negation, contrast)
    /// still decide where they fire strongly.
    const RULE_SHARE: f32 = 0.3;

    #[test]
    fn the_rules_keep_their_share() {
        let Some(m) = get() else { return };
        assert!(m.dense[RULE_LOG_ODDS] >= RULE_SHARE, "{}", m.dense[RULE_LOG_ODDS]);
    }

    #[test]
    fn valence_score_is_monotone_and_zero_at_zero() {
        let Some(m) = get() else { return };
        assert_eq!(m.valence_score(0.0), 0.0);
        let mut previous = -1.0;
        for v in -40..=40 {
            let s = m.valence_score(f64::from(v) / 4.0);
            assert!(s > previous, "{v}: {s} after {previous}");
            previous = s;
        }
    }

    #[test]
    fn squash_is_bounded() {
        for z in [f64::NAN, f64::INFINITY, -1e300, 0.0, 3.0] {
            assert!((-1.0..=1.0).contains(&squash(z)));
        }
    }
}
