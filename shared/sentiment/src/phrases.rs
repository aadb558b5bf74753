//! Key phrases: short noun-ish spans found without a part-of-speech tagger.
//!
//! Candidates are runs of content words bounded by stopwords, punctuation,
//! negators and intensifiers. English noun phrases end in their noun, so a run
//! is trimmed until it ends in something that can be a noun (not an adverb,
//! participle or sentiment adjective) and starts with something that can
//! modify one (not an adverb). Opinionated spans ("blurry photos") rank first,
//! then other multi-word spans, then single domain nouns.

use std::collections::HashSet;

use crate::MAX_KEY_PHRASES;
use crate::lexicon;
use crate::tokenize::Token;

/// Longest phrase kept; longer runs keep their last words (the head noun).
const MAX_WORDS: usize = 4;

/// Single nouns worth reporting on their own.
const DOMAIN_NOUNS: &[&str] = &[
    "album",
    "albums",
    "attitude",
    "backdrop",
    "booking",
    "budget",
    "camera",
    "ceremony",
    "communication",
    "composition",
    "contract",
    "creativity",
    "deadline",
    "delivery",
    "deposit",
    "drone",
    "editing",
    "edits",
    "engagement",
    "experience",
    "fees",
    "files",
    "gallery",
    "headshots",
    "lighting",
    "location",
    "money",
    "package",
    "photographer",
    "photos",
    "pictures",
    "portraits",
    "poses",
    "price",
    "pricing",
    "prints",
    "professionalism",
    "quality",
    "reception",
    "refund",
    "retouching",
    "service",
    "session",
    "shoot",
    "shots",
    "slideshow",
    "studio",
    "style",
    "team",
    "turnaround",
    "value",
    "venue",
    "video",
    "wedding",
    "images",
    "colours",
    "colors",
];

/// Words with a valence that are nouns, so a phrase may end in them
/// ("complete disaster", "total waste").
const VALENCED_NOUNS: &[&str] = &[
    "bargain",
    "bonus",
    "communication",
    "complaint",
    "complaints",
    "creativity",
    "delay",
    "delays",
    "disaster",
    "duplicates",
    "effort",
    "error",
    "errors",
    "failure",
    "gem",
    "genius",
    "hassle",
    "highlight",
    "issue",
    "issues",
    "joke",
    "joy",
    "masterpiece",
    "mess",
    "miracle",
    "mistake",
    "mistakes",
    "nightmare",
    "no-show",
    "pleasure",
    "problem",
    "problems",
    "professionalism",
    "recommendation",
    "regret",
    "scam",
    "stress",
    "success",
    "treasure",
    "typos",
    "waste",
    "artist",
    "compliments",
    "value",
    "quality",
];

fn is_content(word: &str) -> bool {
    word.chars().count() >= 2
        && word.chars().any(char::is_alphabetic)
        && !word.chars().any(|c| c.is_ascii_digit())
        && !lexicon::is_stopword(word)
        && !lexicon::is_negator(word)
        && lexicon::contrast(word).is_none()
        && lexicon::get().booster(word).is_none()
}

fn is_adverb(word: &str) -> bool {
    word.len() > 4 && word.ends_with("ly") && !matches!(word, "family" | "assembly" | "belly" | "rally")
}

fn can_end_phrase(word: &str) -> bool {
    if VALENCED_NOUNS.contains(&word) || DOMAIN_NOUNS.contains(&word) {
        return true;
    }
    let valenced = lexicon::get().word(word).is_some_and(|(e, _)| e.valence != 0.0);
    !valenced && !is_adverb(word) && !is_participle(word)
}

fn is_participle(word: &str) -> bool {
    word.len() > 4 && word.ends_with("ed")
}

/// Trims a run of content words to a noun-ish phrase; None when nothing fits.
fn trim(run: &[&str]) -> Option<Vec<String>> {
    let start = run.iter().position(|w| !is_adverb(w))?;
    let end = run.iter().rposition(|w| can_end_phrase(w))? + 1;
    if end <= start {
        return None;
    }
    let span = &run[start..end];
    let span = &span[span.len().saturating_sub(MAX_WORDS)..];
    Some(span.iter().map(|w| (*w).to_string()).collect())
}

pub(crate) fn key_phrases(tokens: &[Token]) -> Vec<String> {
    // (rank, order of appearance, phrase): lower rank is more useful.
    let mut candidates: Vec<(u8, usize, Vec<String>)> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let lex = lexicon::get();
    let consider = |run: &mut Vec<&str>, candidates: &mut Vec<(u8, usize, Vec<String>)>| {
        if let Some(words) = trim(run) {
            let opinion = words.iter().any(|w| lex.word(w).is_some_and(|(e, _)| e.valence != 0.0));
            let rank = match (words.len(), opinion) {
                (1, _) if DOMAIN_NOUNS.contains(&words[0].as_str()) => Some(2),
                (1, _) => None,
                (_, true) => Some(0),
                (_, false) => Some(1),
            };
            if let Some(rank) = rank {
                let order = candidates.len();
                candidates.push((rank, order, words));
            }
        }
        run.clear();
    };
    for t in tokens {
        match t.word() {
            Some(w) if is_content(w) => run.push(w),
            _ => consider(&mut run, &mut candidates),
        }
    }
    consider(&mut run, &mut candidates);
    candidates.sort_by_key(|(rank, order, _)| (*rank, *order));

    let mut chosen: Vec<String> = Vec::new();
    let mut chosen_words: HashSet<String> = HashSet::new();
    for (_, _, words) in candidates {
        if chosen.len() >= MAX_KEY_PHRASES {
            break;
        }
        let phrase = words.join(" ");
        let redundant = chosen.contains(&phrase) || (words.len() == 1 && chosen_words.contains(&phrase));
        if !redundant {
            chosen_words.extend(words);
            chosen.push(phrase);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn phrases(text: &str) -> Vec<String> {
        key_phrases(&tokenize(text))
    }

    #[test]
    fn extracts_adjective_noun_spans() {
        assert_eq!(
            phrases("Absolutely stunning photos, great communication!"),
            ["stunning photos", "great communication"]
        );
    }

    #[test]
    fn trims_adverbs_and_participles() {
        assert_eq!(
            phrases("Blurry, badly framed photos. Total waste of money."),
            ["total waste", "framed photos", "money"]
        );
    }

    #[test]
    fn deduplicates_and_caps() {
        let p = phrases(
            "great photos, great photos. photos. nice album, lovely venue, cool drone, fun team, warm light, quick turnaround, fair price, good value, clean edits",
        );
        assert!(p.len() <= MAX_KEY_PHRASES);
        assert_eq!(p.iter().filter(|x| *x == "great photos").count(), 1);
        assert!(!p.contains(&"photos".to_string()));
    }

    #[test]
    fn no_phrases_from_nothing() {
        assert!(phrases("").is_empty());
        assert!(phrases("It was fine.").is_empty());
    }
}
