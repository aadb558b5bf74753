//! What the learned model sees of a text: the rule engine's evidence (dense
//! features) and hashed word, word-pair and character n-grams.
//!
//! Training (eval/sentiment/train.py) reads these through the
//! `sentiment-features` binary, so the model is fitted on exactly the features
//! the library computes at run time. Any change here that alters a feature's
//! value must bump [`FEATURE_VERSION`] and be followed by retraining; the
//! weights file records the version it was fitted on and a test compares them.

use crate::lexicon;
use crate::scoring::{Scored, normalise};
use crate::tokenize::{Kind, Token};
use crate::vader;

/// Version of the feature definitions below.
pub const FEATURE_VERSION: u32 = 5;
/// Number of dense features.
pub const DENSE: usize = 19;
/// Position of the rule score's log-odds among the dense features.
pub(crate) const RULE_LOG_ODDS: usize = 15;

/// Hash namespaces, one per kind of n-gram, so "good" the word, "good" under
/// negation and the character trigram "goo" never share a hash.
const WORD: u8 = 1;
const NEGATED_WORD: u8 = 2;
const SYMBOL: u8 = 3;
const BIGRAM: u8 = 4;
const CHARS: u8 = 5;
/// Character n-grams of each word, with "<" and ">" marking its ends.
const CHAR_MIN: usize = 3;
const CHAR_MAX: usize = 5;
/// Longer words (pasted codes, unbroken shouting) add nothing but cost.
const CHAR_WORD_LIMIT: usize = 24;
/// How many words after a negator are read as negated ("not very good").
const NEGATION_SCOPE: usize = 3;
/// VADER's constants for the second lexicon (VADER's word list, MIT, a second
/// lexicon of human-rated words, strong on informal text where the crate's own
/// is thin; [`vader::lexicon`]): the boost of a capitalised word in mixed-case
/// text and the weights around "but" (a negated word's factor, the "!" and "?"
/// boosts and the normalisation are [`vader`]'s).
const VADER_NEGATION: f64 = vader::N_SCALAR;
const VADER_CAPS: f64 = 0.733;
const VADER_EXCLAMATION: f64 = vader::EXCLAMATION;
const VADER_QUESTION: f64 = vader::QUESTION;
const VADER_BEFORE_BUT: f64 = 0.5;
const VADER_AFTER_BUT: f64 = 1.5;

/// Features of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// The rule engine's evidence; see [`dense`] for each position.
    pub dense: [f32; DENSE],
    /// Hashed n-grams: (32-bit hash, value). The model's table is indexed by
    /// the hash's low bits and its top bit chooses the sign. Each kind of
    /// n-gram (words, pairs, character n-grams) is scaled so that its values'
    /// squares sum to one: long and short texts are on the same scale.
    pub hashed: Vec<(u32, f32)>,
}

/// Whether the text has anything to analyse (a word, number, emoji or rating).
pub(crate) fn has_content(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| !matches!(t.kind, Kind::Stop(_) | Kind::Pause))
}

pub(crate) fn extract(text: &str, tokens: &[Token], scored: &Scored) -> Features {
    let mut words = tokens.iter().filter(|t| t.kind == Kind::Word);
    let mixed_case = words.clone().any(|t| t.caps) && words.any(|t| !t.caps);
    let mut second = SecondLexicon { mixed_case, ..SecondLexicon::default() };
    let hashed = hashed(tokens, &scored.ruled, &mut second);
    Features { dense: dense(tokens, scored, &second, vader::valence_sum(text)), hashed }
}

/// Valence summed over the words found in [`VADER_LEXICON`] with VADER's
/// simplest rules: negated words turned by [`VADER_NEGATION`], shouted words
/// boosted, words before a "but" halved and after it raised by half.
#[derive(Default)]
struct SecondLexicon {
    mixed_case: bool,
    /// (positive, negative) before and after the first "but".
    before: (f64, f64),
    after: Option<(f64, f64)>,
}

impl SecondLexicon {
    fn add(&mut self, token: &Token, negated: bool) {
        let word = token.norm.as_str();
        if word == "but" && self.after.is_none() {
            self.after = Some((0.0, 0.0));
            return;
        }
        let Some(&v) = vader::lexicon().get(word) else { return };
        let mut v = v;
        if token.caps && self.mixed_case {
            v += VADER_CAPS * v.signum();
        }
        if negated {
            v *= VADER_NEGATION;
        }
        let sums = self.after.as_mut().unwrap_or(&mut self.before);
        if v > 0.0 {
            sums.0 += v;
        } else {
            sums.1 += v;
        }
    }

    /// (positive, negative) with the "but" weights applied.
    fn sums(&self) -> (f64, f64) {
        match self.after {
            None => self.before,
            Some(after) => (
                VADER_BEFORE_BUT * self.before.0 + VADER_AFTER_BUT * after.0,
                VADER_BEFORE_BUT * self.before.1 + VADER_AFTER_BUT * after.1,
            ),
        }
    }
}

use vader::normalise as vader_normalise;

/// The dense features, in order:
///
/// 0, 1. the rule score `normalise(total)`, its positive and negative part;
/// 2, 3. `normalise` of the positive and of the negative valence, apart
///       (a mixed text is not a bland one);
/// 4. emoji and emoticons: `tanh(sum of their valences / 3)`;
/// 5. a question mark; 6. an exclamation mark, signed by the rule score
///    (emphasis strengthens what the rules found, it is no opinion of its
///    own); 7. a negator; 8. a contrast word ("but", "although");
/// 9. length: `ln(1 + words) / 5`;
/// 10. the share of words written in capitals;
/// 11. no sentiment evidence at all (the rules found nothing);
/// 12, 13, 14. the second lexicon ([`VADER_LEXICON`]): its positive, its
///     negative and its whole sum, the latter strengthened by "!" and "?" as
///     VADER does, each squashed as VADER does;
/// 15. the rule score as log-odds, `2 atanh(normalise(total))`: the rules'
///     own verdict on the model's scale (the blend gives it a fixed share,
///     `model.rs`);
/// 16, 17. VADER's compound score of the text ([`vader`], a port of its
///     rules over its word list) and the same as log-odds, `2 atanh`;
/// 18. the same log-odds where the rules read nothing VADER cannot
///     ([`Scored::beyond_vader`]), else 0: VADER's fixed share of the blend.
fn dense(tokens: &[Token], scored: &Scored, second: &SecondLexicon, vader_sum: f64) -> [f32; DENSE] {
    let rule = normalise(scored.total);
    let mut symbols = 0.0;
    let (mut question, mut exclamation, mut negator, mut contrast) = (false, false, false, false);
    let (mut exclamations, mut questions) = (0usize, 0usize);
    let (mut words, mut caps) = (0usize, 0usize);
    for t in tokens {
        match t.kind {
            Kind::Symbol(v) => symbols += v,
            Kind::Stop('?') => {
                question = true;
                questions += 1;
            }
            Kind::Stop('!') => {
                exclamation = true;
                exclamations += 1;
            }
            Kind::Word => {
                words += 1;
                caps += usize::from(t.caps);
                negator |= lexicon::is_negator(&t.norm);
                contrast |= lexicon::contrast(&t.norm).is_some();
            }
            _ => {}
        }
    }
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let share = if words == 0 { 0.0 } else { caps as f64 / words as f64 };
    let (second_positive, second_negative) = second.sums();
    let second_total = second_positive + second_negative;
    let mut amplifier = VADER_EXCLAMATION * exclamations.min(4) as f64;
    if questions > 1 {
        amplifier += VADER_QUESTION * questions.min(3) as f64;
    }
    let second_total = if second_total == 0.0 { 0.0 } else { second_total + amplifier * second_total.signum() };
    [
        rule.max(0.0),
        rule.min(0.0),
        normalise(scored.positive),
        normalise(scored.negative),
        (symbols / 3.0).tanh(),
        flag(question),
        if rule == 0.0 { 0.0 } else { flag(exclamation) * rule.signum() },
        flag(negator),
        flag(contrast),
        (1.0 + words as f64).ln() / 5.0,
        share,
        flag(scored.positive == 0.0 && scored.negative == 0.0),
        vader_normalise(second_positive),
        vader_normalise(second_negative),
        vader_normalise(second_total),
        rule_log_odds(scored.total),
        vader_normalise(vader_sum),
        vader_log_odds(vader_sum),
        if scored.beyond_vader { 0.0 } else { vader_log_odds(vader_sum) },
    ]
    .map(|v| v as f32)
}

/// `2 atanh(normalise(v))`, written so it stays finite for any valence.
pub(crate) fn rule_log_odds(valence: f64) -> f64 {
    if valence.is_finite() { 2.0 * (valence / crate::scoring::ALPHA.sqrt()).asinh() } else { 0.0 }
}

/// `2 atanh(vader::normalise(v))`, finite for any valence.
pub(crate) fn vader_log_odds(valence: f64) -> f64 {
    if valence.is_finite() { 2.0 * (valence / vader::ALPHA.sqrt()).asinh() } else { 0.0 }
}

/// FNV-1a over bytes with a namespace byte first, finished with a 64-bit
/// mixer so the low bits used as a table index are well spread.
struct Hash(u64);

impl Hash {
    fn new(namespace: u8) -> Self {
        let mut h = Hash(0xcbf2_9ce4_8422_2325);
        h.byte(namespace);
        h
    }

    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    fn finish(&self) -> u32 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^= x >> 33;
        x as u32
    }
}

fn hash_str(namespace: u8, s: &str) -> u32 {
    let mut h = Hash::new(namespace);
    h.bytes(s.as_bytes());
    h.finish()
}

/// Appends `hashes` as one block scaled to unit length.
fn push_block(out: &mut Vec<(u32, f32)>, hashes: &[u32]) {
    if hashes.is_empty() {
        return;
    }
    let value = 1.0 / (hashes.len() as f32).sqrt();
    out.extend(hashes.iter().map(|&h| (h, value)));
}

/// Tokens the rules read (`ruled`) add no hashed n-gram and break word
/// pairs: the rules alone say what they mean.
fn hashed(tokens: &[Token], ruled: &[bool], second: &mut SecondLexicon) -> Vec<(u32, f32)> {
    let mut words = Vec::new();
    let mut pairs = Vec::new();
    let mut chars = Vec::new();
    let mut negated_left = 0;
    let mut previous: Option<&str> = None;
    for (t, &ruled) in tokens.iter().zip(ruled) {
        match t.kind {
            Kind::Word | Kind::Number => {
                let w = t.norm.as_str();
                if t.kind == Kind::Word {
                    if lexicon::contrast(w).is_some() || w == "and" {
                        negated_left = 0;
                    }
                    second.add(t, negated_left > 0);
                }
                let negated = negated_left > 0;
                if t.kind == Kind::Word {
                    negated_left = if lexicon::is_negator(w) { NEGATION_SCOPE } else { negated_left.saturating_sub(1) };
                }
                if ruled {
                    previous = None;
                    continue;
                }
                if let Some(p) = previous {
                    let mut h = Hash::new(BIGRAM);
                    h.bytes(p.as_bytes());
                    h.byte(0x1f);
                    h.bytes(w.as_bytes());
                    pairs.push(h.finish());
                }
                previous = Some(w);
                if t.kind == Kind::Number {
                    continue;
                }
                words.push(hash_str(if negated { NEGATED_WORD } else { WORD }, w));
                char_ngrams(w, &mut chars);
            }
            Kind::Symbol(_) if ruled => previous = None,
            Kind::Symbol(v) => {
                // Emoji are told apart by their valence only: the tokenizer
                // keeps no more, and that is what carries sentiment.
                let bucket = (v * 2.0).round().clamp(-8.0, 8.0) as i8;
                let mut h = Hash::new(SYMBOL);
                h.byte(bucket as u8);
                words.push(h.finish());
                previous = None;
            }
            Kind::Rating(_) => previous = None,
            Kind::Stop(_) | Kind::Pause => {
                previous = None;
                negated_left = 0;
            }
        }
    }
    let mut out = Vec::with_capacity(words.len() + pairs.len() + chars.len());
    push_block(&mut out, &words);
    push_block(&mut out, &pairs);
    push_block(&mut out, &chars);
    out
}

fn char_ngrams(word: &str, out: &mut Vec<u32>) {
    let mut bounds: Vec<usize> = Vec::with_capacity(CHAR_WORD_LIMIT + 3);
    // Byte offsets where each character of "<word>" starts, and its end.
    bounds.push(0);
    bounds.push(1);
    for (i, c) in word.char_indices().take(CHAR_WORD_LIMIT) {
        bounds.push(1 + i + c.len_utf8());
    }
    let body_end = *bounds.last().unwrap_or(&0);
    bounds.push(body_end + 1);
    let mut padded = Vec::with_capacity(body_end + 2);
    padded.push(b'<');
    padded.extend_from_slice(&word.as_bytes()[..body_end - 1]);
    padded.push(b'>');
    let n_chars = bounds.len() - 1;
    for n in CHAR_MIN..=CHAR_MAX {
        for start in 0..(n_chars + 1).saturating_sub(n) {
            let mut h = Hash::new(CHARS);
            h.bytes(&padded[bounds[start]..bounds[start + n]]);
            out.push(h.finish());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::score;
    use crate::tokenize::tokenize;

    fn features(text: &str) -> Features {
        let tokens = tokenize(text);
        extract(text, &tokens, &score(&tokens))
    }

    #[test]
    fn negation_changes_the_word_features() {
        // "cake" means nothing to the rules, so the learned part reads it.
        let plain = features("cake");
        let negated = features("not cake");
        let cake = hash_str(WORD, "cake");
        assert!(plain.hashed.iter().any(|&(h, _)| h == cake));
        assert!(!negated.hashed.iter().any(|&(h, _)| h == cake));
        assert!(negated.hashed.iter().any(|&(h, _)| h == hash_str(NEGATED_WORD, "cake")));
        // The scope ends at a pause.
        let after_pause = features("not really, cake");
        assert!(after_pause.hashed.iter().any(|&(h, _)| h == cake));
    }

    #[test]
    fn words_the_rules_read_are_not_hashed() {
        // "good" (a sentiment word), "not" (a negator), "very" (an
        // intensifier), "late" (domain vocabulary) and an emoji belong to the
        // rules; "photos" does not.
        let f = features("not very good photos, late 😍");
        for (namespace, word) in [(WORD, "good"), (NEGATED_WORD, "good"), (WORD, "not"), (WORD, "very"), (WORD, "late")]
        {
            let h = hash_str(namespace, word);
            assert!(!f.hashed.iter().any(|&(x, _)| x == h), "{word}");
        }
        assert!(f.hashed.iter().any(|&(x, _)| x == hash_str(NEGATED_WORD, "photos")));
        assert!(!f.hashed.iter().any(|&(x, _)| x == hash_str(CHARS, "goo")));
        assert_eq!(features("😍").hashed, []);
    }

    #[test]
    fn each_block_has_unit_length() {
        let f = features("The photos were stunning but he was late!! 😍");
        let total: f32 = f.hashed.iter().map(|(_, v)| v * v).sum();
        assert!((total - 3.0).abs() < 1e-4, "{total}");
    }

    #[test]
    fn character_ngrams_cover_the_marked_word() {
        let mut out = Vec::new();
        char_ngrams("ok", &mut out);
        // "<ok>": one 3..5-gram set: "<ok", "ok>", "<ok>".
        assert_eq!(out, [hash_str(CHARS, "<ok"), hash_str(CHARS, "ok>"), hash_str(CHARS, "<ok>")]);
        let mut out = Vec::new();
        char_ngrams("café", &mut out);
        assert!(out.contains(&hash_str(CHARS, "fé>")));
        let mut long = Vec::new();
        char_ngrams(&"a".repeat(1000), &mut long);
        assert_eq!(long.len(), 3 * (CHAR_WORD_LIMIT + 2) - 9);
    }

    #[test]
    fn dense_features_follow_the_rules() {
        let f = features("Great photos but he was LATE?!");
        assert!(f.dense[3] < 0.0 && f.dense[2] > 0.0);
        // The "!" takes the rules' (negative) direction.
        assert!(f.dense[0] == 0.0 && f.dense[1] < 0.0);
        assert_eq!(f.dense[5..9], [1.0, -1.0, 0.0, 1.0]);
        assert_eq!(features("Great photos!").dense[6], 1.0);
        assert_eq!(features("We booked a session!").dense[6], 0.0);
        let rule = f64::from(f.dense[0] + f.dense[1]);
        assert!((f64::from(f.dense[RULE_LOG_ODDS]) - 2.0 * rule.atanh()).abs() < 1e-4);
        let bland = features("We booked a session");
        assert_eq!(bland.dense[11], 1.0);
        assert_eq!(bland.dense[0], 0.0);
    }

    #[test]
    fn second_lexicon_reads_slang_and_negation() {
        // "lol" is in VADER's list (+1.8), not in the crate's own lexicon.
        let f = features("lol");
        assert!(f.dense[12] > 0.0 && f.dense[13] == 0.0, "{:?}", f.dense);
        assert!((f64::from(f.dense[14]) - vader_normalise(1.8)).abs() < 1e-6);
        let negated = features("not happy");
        assert!(negated.dense[12] == 0.0 && negated.dense[13] < 0.0, "{:?}", negated.dense);
        assert!(vader::lexicon().len() > 7000);
        // After "but" weighs three times what precedes it; "!" strengthens.
        let mixed = features("good but bad");
        assert!(mixed.dense[14] < 0.0, "{:?}", mixed.dense);
        assert!(features("lol!!").dense[14] > f.dense[14]);
        // A shouted word in mixed-case text weighs more.
        assert!(features("so HAPPY today").dense[12] > features("so happy today").dense[12]);
    }

    #[test]
    fn vader_keeps_a_share_only_where_the_rules_read_nothing_of_their_own() {
        let plain = features("The book was good.");
        assert!(plain.dense[17] > 0.0 && plain.dense[18] == plain.dense[17], "{:?}", plain.dense);
        assert!((f64::from(plain.dense[16]) - 0.4404).abs() < 1e-4);
        // VADER negates twice in "neither ... nor"; the rules read it their way.
        let neither = features("Neither great nor terrible.");
        assert!(neither.dense[17] < 0.0 && neither.dense[18] == 0.0, "{:?}", neither.dense);
        // Domain words VADER does not know, phrases and emoji.
        for text in ["Great photos but he was late.", "Nice guy, total no-show.", "Great 😍"] {
            let f = features(text);
            assert!(f.dense[17] != 0.0 && f.dense[18] == 0.0, "{text}: {:?}", f.dense);
        }
    }
}
