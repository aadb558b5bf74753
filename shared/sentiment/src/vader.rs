//! A port of VADER's compound score (vaderSentiment 3.3.2, MIT, Hutto &
//! Gilbert 2014) over its own word list, as one more piece of evidence for the
//! learned model (`features.rs`): on tweets and opinion prose VADER's rules
//! are the stronger ones, so the model starts from its signal.
//!
//! Faithful to `SentimentIntensityAnalyzer.polarity_scores` in the rules that
//! make the score: whitespace words with ASCII punctuation stripped (unless
//! that leaves two characters or fewer, which keeps emoticons), booster and
//! dampener words ("very", "kind of") with their distance damping, ALL-CAPS
//! emphasis when only some words are shouted, "no" and the negation window of
//! three words (with "never so/this" and "without doubt"), "least", its
//! special-case idioms, "but" (before 0.5x, after 1.5x), "!" and "?"
//! emphasis and `x / sqrt(x² + 15)`. Two differences: emoji are treated as
//! word breaks rather than replaced by their English descriptions (the
//! crate's own rules score emoji), and "but" weighs each word by its
//! position, where VADER looks words up by value (its `list.index`), which
//! differs only when two words have the same valence.

use std::collections::HashMap;
use std::sync::OnceLock;

/// VADER's word list (MIT), with emoticons, as the package ships it.
/// Generated from the pinned PyPI package by eval/sentiment/export_lexicon.py.
const LEXICON: &str = include_str!("../model/vader_lexicon.tsv");

const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
const C_INCR: f64 = 0.733;
pub(crate) const N_SCALAR: f64 = -0.74;
pub(crate) const ALPHA: f64 = 15.0;
pub(crate) const EXCLAMATION: f64 = 0.292;
pub(crate) const QUESTION: f64 = 0.18;

/// VADER's `NEGATE` list.
fn is_negate_word(word: &str) -> bool {
    matches!(
        word,
        "aint"
            | "arent"
            | "cannot"
            | "cant"
            | "couldnt"
            | "darent"
            | "didnt"
            | "doesnt"
            | "ain't"
            | "aren't"
            | "can't"
            | "couldn't"
            | "daren't"
            | "didn't"
            | "doesn't"
            | "dont"
            | "hadnt"
            | "hasnt"
            | "havent"
            | "isnt"
            | "mightnt"
            | "mustnt"
            | "neither"
            | "don't"
            | "hadn't"
            | "hasn't"
            | "haven't"
            | "isn't"
            | "mightn't"
            | "mustn't"
            | "neednt"
            | "needn't"
            | "never"
            | "none"
            | "nope"
            | "nor"
            | "not"
            | "nothing"
            | "nowhere"
            | "oughtnt"
            | "shant"
            | "shouldnt"
            | "uhuh"
            | "wasnt"
            | "werent"
            | "oughtn't"
            | "shan't"
            | "shouldn't"
            | "uh-uh"
            | "wasn't"
            | "weren't"
            | "without"
            | "wont"
            | "wouldnt"
            | "won't"
            | "wouldn't"
            | "rarely"
            | "seldom"
            | "despite"
    )
}

fn booster(word: &str) -> Option<f64> {
    Some(match word {
        "absolutely" | "amazingly" | "awfully" | "completely" | "considerable" | "considerably" | "decidedly"
        | "deeply" | "effing" | "enormous" | "enormously" | "entirely" | "especially" | "exceptional"
        | "exceptionally" | "extreme" | "extremely" | "fabulously" | "flipping" | "flippin" | "frackin"
        | "fracking" | "fricking" | "frickin" | "frigging" | "friggin" | "fully" | "fuckin" | "fucking" | "fuggin"
        | "fugging" | "greatly" | "hella" | "highly" | "hugely" | "incredible" | "incredibly" | "intensely"
        | "major" | "majorly" | "more" | "most" | "particularly" | "purely" | "quite" | "really" | "remarkably"
        | "so" | "substantially" | "thoroughly" | "total" | "totally" | "tremendous" | "tremendously" | "uber"
        | "unbelievably" | "unusually" | "utter" | "utterly" | "very" => B_INCR,
        "almost" | "barely" | "hardly" | "just enough" | "kind of" | "kinda" | "kindof" | "kind-of" | "less"
        | "little" | "marginal" | "marginally" | "occasional" | "occasionally" | "partly" | "scarce" | "scarcely"
        | "slight" | "slightly" | "somewhat" | "sort of" | "sorta" | "sortof" | "sort-of" => B_DECR,
        _ => return None,
    })
}

fn special_case(phrase: &str) -> Option<f64> {
    Some(match phrase {
        "the shit" | "the bomb" | "to die for" => 3.0,
        "bad ass" | "badass" => 1.5,
        "bus stop" => 0.0,
        "yeah right" => -2.0,
        "kiss of death" => -1.5,
        "beating heart" => 3.5,
        _ => return None,
    })
}

/// The word list: word (as VADER spells it) to its mean human valence.
pub(crate) fn lexicon() -> &'static HashMap<&'static str, f64> {
    static MAP: OnceLock<HashMap<&'static str, f64>> = OnceLock::new();
    MAP.get_or_init(|| {
        LEXICON
            .lines()
            .filter(|l| !l.starts_with("# "))
            .filter_map(|l| {
                let (word, valence) = l.split_once('\t')?;
                Some((word, valence.parse().ok()?))
            })
            .collect()
    })
}

/// Python's `str.isupper()`: some cased character and no lowercase one.
fn is_upper(word: &str) -> bool {
    word.chars().any(char::is_uppercase) && !word.chars().any(char::is_lowercase)
}

/// Pictographs and their joiners: word breaks here (see the module note).
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F | 0x200D)
}

/// VADER's `_strip_punc_if_word`.
fn strip_punctuation(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().count() <= 2 { token } else { stripped }
}

fn negated(word: &str) -> bool {
    is_negate_word(word) || word.contains("n't")
}

struct Words<'a> {
    /// As written (for capitals) and lower-cased (for everything else).
    raw: Vec<&'a str>,
    lower: Vec<String>,
    cap_differential: bool,
    lexicon: &'static HashMap<&'static str, f64>,
}

impl Words<'_> {
    fn in_lexicon(&self, i: usize) -> bool {
        self.lexicon.contains_key(self.lower[i].as_str())
    }

    fn scalar_inc_dec(&self, j: usize, valence: f64) -> f64 {
        let Some(mut scalar) = booster(&self.lower[j]) else { return 0.0 };
        if valence < 0.0 {
            scalar = -scalar;
        }
        if is_upper(self.raw[j]) && self.cap_differential {
            scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
        }
        scalar
    }

    fn negation_check(&self, mut valence: f64, start: usize, i: usize) -> f64 {
        let w = |k: usize| self.lower[i - k].as_str();
        match start {
            0 => {
                if negated(w(1)) {
                    valence *= N_SCALAR;
                }
            }
            1 => {
                if w(2) == "never" && (w(1) == "so" || w(1) == "this") {
                    valence *= 1.25;
                } else if w(2) == "without" && w(1) == "doubt" {
                } else if negated(w(2)) {
                    valence *= N_SCALAR;
                }
            }
            _ => {
                if (w(3) == "never" && (w(2) == "so" || w(2) == "this")) || (w(1) == "so" || w(1) == "this") {
                    valence *= 1.25;
                } else if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") {
                } else if negated(w(3)) {
                    valence *= N_SCALAR;
                }
            }
        }
        valence
    }

    /// Called with `i >= 3` only, as VADER does.
    fn special_idioms_check(&self, mut valence: f64, i: usize) -> f64 {
        let l = &self.lower;
        let one_zero = format!("{} {}", l[i - 1], l[i]);
        let two_one_zero = format!("{} {} {}", l[i - 2], l[i - 1], l[i]);
        let two_one = format!("{} {}", l[i - 2], l[i - 1]);
        let three_two_one = format!("{} {} {}", l[i - 3], l[i - 2], l[i - 1]);
        let three_two = format!("{} {}", l[i - 3], l[i - 2]);
        if let Some(v) =
            [&one_zero, &two_one_zero, &two_one, &three_two_one, &three_two].into_iter().find_map(|s| special_case(s))
        {
            valence = v;
        }
        if l.len() - 1 > i
            && let Some(v) = special_case(&format!("{} {}", l[i], l[i + 1]))
        {
            valence = v;
        }
        if l.len() - 1 > i + 1
            && let Some(v) = special_case(&format!("{} {} {}", l[i], l[i + 1], l[i + 2]))
        {
            valence = v;
        }
        for n_gram in [&three_two_one, &three_two, &two_one] {
            if let Some(b) = booster(n_gram) {
                valence += b;
            }
        }
        valence
    }

    fn least_check(&self, valence: f64, i: usize) -> f64 {
        if i > 0 && self.lower[i - 1] == "least" && !self.in_lexicon(i - 1) {
            if i > 1 {
                if self.lower[i - 2] != "at" && self.lower[i - 2] != "very" {
                    return valence * N_SCALAR;
                }
                return valence;
            }
            return valence * N_SCALAR;
        }
        valence
    }

    fn sentiment_valence(&self, i: usize) -> f64 {
        let item = self.lower[i].as_str();
        let Some(&base) = self.lexicon.get(item) else { return 0.0 };
        let n = self.lower.len();
        let mut valence = base;
        if item == "no" && i != n - 1 && self.in_lexicon(i + 1) {
            valence = 0.0;
        }
        if (i > 0 && self.lower[i - 1] == "no")
            || (i > 1 && self.lower[i - 2] == "no")
            || (i > 2 && self.lower[i - 3] == "no" && (self.lower[i - 1] == "or" || self.lower[i - 1] == "nor"))
        {
            valence = base * N_SCALAR;
        }
        if is_upper(self.raw[i]) && self.cap_differential {
            valence += if valence > 0.0 { C_INCR } else { -C_INCR };
        }
        for start in 0..3 {
            if i > start && !self.in_lexicon(i - (start + 1)) {
                let mut s = self.scalar_inc_dec(i - (start + 1), valence);
                if start == 1 {
                    s *= 0.95;
                } else if start == 2 {
                    s *= 0.9;
                }
                valence += s;
                valence = self.negation_check(valence, start, i);
                if start == 2 {
                    valence = self.special_idioms_check(valence, i);
                }
            }
        }
        self.least_check(valence, i)
    }
}

/// VADER's valence sum of a text with its punctuation emphasis, before
/// normalisation: `compound = x / sqrt(x² + 15)`.
pub(crate) fn valence_sum(text: &str) -> f64 {
    let spaced: String = text.chars().map(|c| if is_emoji(c) { ' ' } else { c }).collect();
    let raw: Vec<&str> = spaced.split_whitespace().map(strip_punctuation).collect();
    if raw.is_empty() {
        return 0.0;
    }
    let shouted = raw.iter().filter(|w| is_upper(w)).count();
    let words = Words {
        lower: raw.iter().map(|w| w.to_lowercase()).collect(),
        cap_differential: shouted > 0 && shouted < raw.len(),
        raw,
        lexicon: lexicon(),
    };
    let n = words.lower.len();
    let mut sentiments = Vec::with_capacity(n);
    for i in 0..n {
        let item = words.lower[i].as_str();
        if booster(item).is_some() || (i + 1 < n && item == "kind" && words.lower[i + 1] == "of") {
            sentiments.push(0.0);
            continue;
        }
        sentiments.push(words.sentiment_valence(i));
    }
    if let Some(but) = words.lower.iter().position(|w| w == "but") {
        for (k, s) in sentiments.iter_mut().enumerate() {
            if k < but {
                *s *= 0.5;
            } else if k > but {
                *s *= 1.5;
            }
        }
    }
    let mut sum: f64 = sentiments.iter().sum();
    let exclamations = text.matches('!').count().min(4);
    let questions = text.matches('?').count();
    let mut amplifier = EXCLAMATION * exclamations as f64;
    if questions > 1 {
        amplifier += if questions <= 3 { QUESTION * questions as f64 } else { 0.96 };
    }
    if sum > 0.0 {
        sum += amplifier;
    } else if sum < 0.0 {
        sum -= amplifier;
    }
    sum
}

/// VADER's normalisation of a valence sum into (-1, 1).
pub(crate) fn normalise(v: f64) -> f64 {
    v / (v * v + ALPHA).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compound(text: &str) -> f64 {
        (normalise(valence_sum(text)) * 10_000.0).round() / 10_000.0
    }

    /// VADER 3.3.2's own examples (its `__main__`), with the compound
    /// scores the Python package prints; emoji left out (see the module note).
    #[test]
    fn matches_vader_on_its_examples() {
        for (text, want) in [
            ("VADER is smart, handsome, and funny.", 0.8316),
            ("VADER is smart, handsome, and funny!", 0.8439),
            ("VADER is very smart, handsome, and funny.", 0.8545),
            ("VADER is VERY SMART, handsome, and FUNNY.", 0.9227),
            ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342),
            ("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", 0.9469),
            ("VADER is not smart, handsome, nor funny.", -0.7424),
            ("The book was good.", 0.4404),
            ("At least it isn't a horrible book.", 0.431),
            ("The book was only kind of good.", 0.3832),
            ("The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7042),
            ("Today SUX!", -0.5461),
            ("Today only kinda sux! But I'll get by, lol", 0.5249),
            ("Make sure you :) or :D today!", 0.8633),
            ("Not bad at all", 0.431),
            ("never so happy", 0.6948),
            ("It was the shit", 0.6124),
            ("the least good thing", -0.3412),
            ("no good or bad", 0.1139),
            ("I am kind of happy", 0.5279),
            ("", 0.0),
        ] {
            assert!((compound(text) - want).abs() < 1e-4, "{text:?}: {} want {want}", compound(text));
        }
    }

    #[test]
    fn emoticons_and_slang_are_read() {
        assert!(valence_sum(":)") > 0.0);
        assert!(valence_sum("lol") > 0.0);
        assert!(valence_sum("ugh :(") < 0.0);
        assert!(lexicon().len() > 7400);
    }
}
