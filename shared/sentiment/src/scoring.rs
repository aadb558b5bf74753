//! Turns tokens into valences: phrase and word look-up, negation, intensity
//! modifiers, contrast between clauses and emphasis.
//!
//! The result keeps the per-chunk valences (a chunk is the stretch between
//! commas, "and", contrast words and sentence ends) because topic sentiment is
//! computed from the chunks that mention each topic.

use crate::lexicon::{self, Contrast, Entry, Lexicon};
use crate::tokenize::{Kind, Token};

/// A negated positive word keeps most of its strength ("not good" is bad).
const NEGATED_POSITIVE: f64 = -0.75;
/// A negated negative word is only faint praise ("not bad").
const NEGATED_NEGATIVE: f64 = -0.4;
/// "neither great nor terrible" rejects both extremes: almost nothing is left.
const NEITHER_NOR: f64 = -0.2;
/// "nothing special", "nothing memorable": lukewarm rather than a reversal.
const NOTHING_LUKEWARM: f64 = -0.6;
/// How far back (in words) a negator or intensifier reaches.
const SCOPE: usize = 3;
/// Intensifiers further from the word they modify count for less.
const DECAY: [f64; SCOPE] = [1.0, 0.85, 0.7];
/// Weight of what comes before and after "but"/"however" in the same sentence.
const BEFORE_BUT: f64 = 0.5;
const AFTER_BUT: f64 = 1.5;
/// Weight of a concession ("although it rained, ...").
const CONCESSION: f64 = 0.5;
/// Each "!" (up to three) strengthens its sentence by this fraction.
const EXCLAMATION: f64 = 0.12;
const MAX_EXCLAMATIONS: usize = 3;
/// A shouted word, when the rest of the text is not shouted.
const CAPS_EMPHASIS: f64 = 1.3;
/// A shouted word in an all-caps text: shouting everything says less.
const CAPS_IN_CAPS_TEXT: f64 = 1.1;
const ELONGATION_EMPHASIS: f64 = 1.15;
/// Larger values keep scores of short texts further from the extremes.
pub(crate) const ALPHA: f64 = 12.0;

/// Squashes an unbounded valence into (-1, 1); non-finite input gives 0.
pub(crate) fn normalise(valence: f64) -> f64 {
    if !valence.is_finite() {
        return 0.0;
    }
    (valence / (valence * valence + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Plain,
    /// Part of a multi-word phrase or modifier: not a modifier on its own.
    Covered,
    Negator,
    Booster(f64),
    Contrast(Contrast),
    /// "and": ends negation scope and chunks ("no fuss and quick").
    And,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    first: usize,
    last: usize,
    entry: Entry,
    /// Emoji, emoticons and ratings are not negated or intensified.
    fixed: bool,
    elongated: bool,
}

impl Item {
    fn word(first: usize, last: usize, entry: Entry) -> Self {
        Item { first, last, entry, fixed: false, elongated: false }
    }

    fn plain(first: usize, last: usize, valence: f64) -> Self {
        Item::word(first, last, Entry { valence, negated: None })
    }

    fn fixed(at: usize, valence: f64) -> Self {
        Item { first: at, last: at, entry: Entry { valence, negated: None }, fixed: true, elongated: false }
    }
}

#[derive(Debug, Clone, Copy)]
struct Sentence {
    start: usize,
    end: usize,
    exclamations: usize,
}

/// A stretch of a sentence between commas, "and", contrast words and ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk {
    pub start: usize,
    pub end: usize,
    pub clause: usize,
    /// Sum of the valences of the sentiment items ending in this chunk,
    /// without contrast weighting: a topic keeps its own sentiment even when
    /// the sentence's point lies elsewhere.
    pub valence: f64,
}

pub(crate) struct Scored {
    /// Contrast- and emphasis-weighted valence of the whole text.
    pub total: f64,
    /// The positive and the negative part of `total` (`positive + negative`
    /// is `total`): mixed texts differ from bland ones for the learned model.
    pub positive: f64,
    pub negative: f64,
    pub chunks: Vec<Chunk>,
    /// Per token: whether the rules read it (a sentiment word, phrase,
    /// emoji, rating, negator, modifier or contrast word). The learned model
    /// hashes only the other tokens, so it adds evidence where the rules have
    /// none and never re-weighs a word the rules already interpret.
    pub ruled: Vec<bool>,
    /// Valence of each clause (sentence parts between contrast words), the
    /// fallback for a chunk that names a topic but carries no sentiment.
    pub clauses: Vec<f64>,
    /// Whether the rules read something VADER's rules cannot: an emoji or
    /// rating, a phrase or special construction ("no-show", "took months",
    /// "well lit"), a word missing from VADER's word list ("late", "blurry"),
    /// or a reading of their own ("neither ... nor", "no complaints", "can't
    /// recommend enough", "could have been better"). The blend gives VADER's
    /// compound a share only where this is false (`features.rs`).
    pub beyond_vader: bool,
}

pub(crate) fn score(tokens: &[Token]) -> Scored {
    let lex = lexicon::get();
    let (roles, items) = classify(tokens, lex);
    let sentences = sentences(tokens);
    let shouting = {
        let mut words =
            tokens.iter().filter(|t| t.word().is_some_and(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2));
        words.clone().next().is_some() && words.all(|t| t.caps)
    };

    let mut weight = vec![1.0; tokens.len()];
    let mut sentence_weight = vec![1.0; sentences.len()];
    for (si, s) in sentences.iter().enumerate() {
        apply_contrast(s, si, tokens, &roles, &items, &mut weight, &mut sentence_weight);
    }

    let (chunk_of, clause_of, mut chunks, clause_count) = segment(tokens, &roles, &sentences);
    let mut clauses = vec![0.0; clause_count];
    let mut sentence_sum = vec![0.0; sentences.len()];
    let mut sentence_of_item = Vec::with_capacity(items.len());
    for item in &items {
        let si = sentences.partition_point(|s| s.end <= item.last);
        sentence_of_item.push(si);
    }
    let (mut positive, mut negative) = (0.0, 0.0);
    let mut beyond_vader = false;
    for (item, &si) in items.iter().zip(&sentence_of_item) {
        let Some(s) = sentences.get(si) else { continue };
        let (v, own_reading) = item_valence(item, s, tokens, &roles, shouting);
        beyond_vader |= own_reading
            || item.fixed
            || item.last > item.first
            || !crate::vader::lexicon().contains_key(tokens[item.first].norm.as_str());
        let emphasis = 1.0 + EXCLAMATION * s.exclamations.min(MAX_EXCLAMATIONS) as f64;
        sentence_sum[si] += v * weight[item.last];
        let weighted = v * weight[item.last] * emphasis * sentence_weight[si];
        if weighted > 0.0 {
            positive += weighted;
        } else {
            negative += weighted;
        }
        if let Some(c) = chunk_of[item.last] {
            chunks[c].valence += v * emphasis;
        }
        if let Some(c) = clause_of[item.last] {
            clauses[c] += v * emphasis;
        }
    }
    let total = sentences
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let emphasis = 1.0 + EXCLAMATION * s.exclamations.min(MAX_EXCLAMATIONS) as f64;
            sentence_sum[si] * emphasis * sentence_weight[si]
        })
        .sum();
    let mut ruled: Vec<bool> = roles.iter().map(|r| !matches!(r, Role::Plain | Role::And)).collect();
    for item in &items {
        ruled[item.first..=item.last].fill(true);
    }
    Scored { total, positive, negative, chunks, ruled, clauses, beyond_vader }
}

/// Assigns each token its role and collects the sentiment-bearing items.
fn classify(tokens: &[Token], lex: &Lexicon) -> (Vec<Role>, Vec<Item>) {
    let n = tokens.len();
    let mut roles = vec![Role::Plain; n];
    let mut items = Vec::new();
    let mut i = 0;
    while i < n {
        let t = &tokens[i];
        match t.kind {
            Kind::Symbol(v) => {
                if v != 0.0 {
                    items.push(Item::fixed(i, v));
                }
                i += 1;
                continue;
            }
            Kind::Rating(r) => {
                items.push(Item::fixed(i, rating_valence(r)));
                i += 1;
                continue;
            }
            Kind::Word | Kind::Number => {}
            Kind::Stop(_) | Kind::Pause => {
                i += 1;
                continue;
            }
        }
        let window: Vec<&str> =
            tokens[i..].iter().take(7).take_while(|t| t.is_lexical()).map(|t| t.norm.as_str()).collect();
        let phrase = lex.phrase_at(&window);
        let modifier = lex.booster_phrase_at(&window);
        match (phrase, modifier) {
            (Some((len, entry)), m) if m.is_none_or(|(mlen, _)| len >= mlen) => {
                items.push(Item::word(i, i + len - 1, entry));
                roles[i..i + len].fill(Role::Covered);
                i += len;
                continue;
            }
            (_, Some((len, b))) => {
                roles[i..i + len - 1].fill(Role::Covered);
                roles[i + len - 1] = Role::Booster(b);
                i += len;
                continue;
            }
            _ => {}
        }
        if let Some((item, len)) = special_rule(tokens, i, lex) {
            items.push(item);
            if len > 1 {
                roles[i..i + len].fill(Role::Covered);
            }
            i += len;
            continue;
        }
        let w = t.norm.as_str();
        let next = window.get(1).copied();
        if lexicon::is_negator(w) && !matches!(next, Some("only" | "just")) {
            roles[i] = Role::Negator;
        } else if let Some(c) = lexicon::contrast(w) {
            roles[i] = Role::Contrast(c);
        } else if w == "and" {
            roles[i] = Role::And;
        } else if let Some(b) = lex.booster(w) {
            roles[i] = Role::Booster(b);
        } else if let Some((entry, elongated)) = lex.word(w)
            && (entry.valence != 0.0 || entry.negated.is_some())
        {
            let mut item = Item::word(i, i, entry);
            item.elongated = elongated;
            items.push(item);
        }
        i += 1;
    }
    (roles, items)
}

/// Rules for words whose sentiment depends on their neighbours. Returns the
/// item and how many tokens it consumes (0 is never returned).
fn special_rule(tokens: &[Token], i: usize, lex: &Lexicon) -> Option<(Item, usize)> {
    let t = &tokens[i];
    let w = t.norm.as_str();
    let next = tokens.get(i + 1).filter(|n| n.is_lexical()).map(|n| n.norm.as_str());
    let prev = i.checked_sub(1).and_then(|p| tokens.get(p)).filter(|p| p.is_lexical()).map(|p| p.norm.as_str());
    let has_valence = |word: &str| lex.word(word).is_some_and(|(e, _)| e.valence != 0.0);

    // "5 stars", "1 star".
    if t.kind == Kind::Number && matches!(next, Some("star" | "stars")) {
        let valence = match w {
            "5" => 2.8,
            "4" => 1.8,
            "3" => 0.0,
            "2" => -1.8,
            "1" | "0" => -2.8,
            _ => return None,
        };
        return Some((Item::plain(i, i + 1, valence), 2));
    }
    if t.kind != Kind::Word {
        return None;
    }
    match w {
        // "well lit", "well organised", "well done": praise that neither word carries alone.
        "well" => {
            let n = next?;
            let participle =
                matches!(n, "lit" | "done" | "made" | "shot" | "thought" | "written" | "kept" | "spent" | "run")
                    || (n.ends_with("ed") && n.chars().count() > 4);
            participle.then(|| (Item::plain(i, i + 1, 1.5), 2))
        }
        // "too dark", "too many": excess is a complaint even for neutral words.
        "too" => {
            let n = next?;
            let neutral_word = n.chars().all(char::is_alphabetic)
                && !has_valence(n)
                && lex.booster(n).is_none()
                && !lexicon::is_negator(n)
                && lexicon::contrast(n).is_none()
                && !matches!(
                    n,
                    "the"
                        | "a"
                        | "an"
                        | "and"
                        | "i"
                        | "we"
                        | "me"
                        | "us"
                        | "he"
                        | "she"
                        | "they"
                        | "it"
                        | "was"
                        | "is"
                        | "to"
                        | "for"
                        | "had"
                        | "have"
                );
            neutral_word.then(|| (Item::plain(i, i + 1, -1.2), 2))
        }
        // "pretty good" is a mild intensifier; "pretty pictures" is praise.
        "pretty" => {
            let n = next?;
            (!has_valence(n) && lex.booster(n).is_none()).then(|| (Item::plain(i, i, 1.5), 1))
        }
        // The verb "like" is praise; the preposition ("looks like") is not.
        "like" => {
            let subject = matches!(
                prev,
                Some(
                    "i" | "we"
                        | "you"
                        | "they"
                        | "he"
                        | "she"
                        | "really"
                        | "did"
                        | "do"
                        | "does"
                        | "not"
                        | "would"
                        | "definitely"
                        | "also"
                        | "both"
                        | "all"
                        | "totally"
                        | "absolutely"
                        | "just"
                        | "truly"
                )
            );
            subject.then(|| (Item::plain(i, i, 1.6), 1))
        }
        // "took months", "waiting forever": a long wait is a complaint.
        "took" | "take" | "takes" | "taking" | "taken" | "waited" | "waiting" | "wait" => {
            let end =
                tokens[i + 1..].iter().take(4).take_while(|t| t.is_lexical()).position(|t| {
                    matches!(t.norm.as_str(), "months" | "month" | "forever" | "ages" | "year" | "years")
                })?;
            Some((Item::plain(i, i + 1 + end, -1.8), 1))
        }
        _ => None,
    }
}

fn rating_valence(fraction: f64) -> f64 {
    ((fraction - 0.6) * 8.0).clamp(-3.5, 3.5)
}

fn sentences(tokens: &[Token]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        if matches!(tokens[i].kind, Kind::Stop(_)) {
            let end = i;
            let mut exclamations = 0;
            while let Some(Kind::Stop(c)) = tokens.get(i).map(|t| t.kind) {
                if c == '!' {
                    exclamations += 1;
                }
                i += 1;
            }
            if end > start {
                out.push(Sentence { start, end, exclamations });
            } else if let Some(prev) = out.last_mut() {
                // "Great!!" followed by a line break: the marks belong to the sentence before.
                prev.exclamations += exclamations;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    if start < tokens.len() {
        out.push(Sentence { start, end: tokens.len(), exclamations: 0 });
    }
    out
}

/// Reweights tokens around contrast words: the clause after "but" carries the
/// speaker's point, a concession ("although ...") carries less.
fn apply_contrast(
    s: &Sentence,
    si: usize,
    tokens: &[Token],
    roles: &[Role],
    items: &[Item],
    weight: &mut [f64],
    sentence_weight: &mut [f64],
) {
    let adversative = (s.start..s.end).rev().find(|&k| roles[k] == Role::Contrast(Contrast::Adversative));
    if let Some(m) = adversative {
        if m == s.start {
            // "But ..." / "However, ..." opening a sentence contrasts with what came before.
            sentence_weight[si] *= AFTER_BUT;
            for w in &mut sentence_weight[..si] {
                *w *= BEFORE_BUT;
            }
        } else {
            weight[s.start..m].iter_mut().for_each(|w| *w *= BEFORE_BUT);
            weight[m + 1..s.end].iter_mut().for_each(|w| *w *= AFTER_BUT);
        }
    }
    let is_break = |k: usize| roles[k] == Role::Contrast(Contrast::Adversative) || tokens[k].kind == Kind::Pause;
    for m in (s.start..s.end).filter(|&k| roles[k] == Role::Contrast(Contrast::Concessive)) {
        let clause_end =
            (m + 1..s.end).find(|&k| is_break(k) || roles[k] == Role::Contrast(Contrast::Concessive)).unwrap_or(s.end);
        let has_sentiment = items.iter().any(|it| it.last > m && it.last < clause_end);
        // A trailing "though" ("Slow delivery though") concedes what precedes it.
        let conceded = if has_sentiment {
            m + 1..clause_end
        } else {
            (s.start..m).rev().find(|&k| is_break(k)).map_or(s.start, |k| k + 1)..m
        };
        // The rest of the sentence is the main assertion, as after "but".
        for (k, w) in weight.iter_mut().enumerate().take(s.end).skip(s.start) {
            *w *= if conceded.contains(&k) { CONCESSION } else { AFTER_BUT };
        }
    }
}

type Segments = (Vec<Option<usize>>, Vec<Option<usize>>, Vec<Chunk>, usize);

/// Splits sentences into chunks and clauses; returns each token's chunk and
/// clause index (None for punctuation and connectives).
fn segment(tokens: &[Token], roles: &[Role], sentences: &[Sentence]) -> Segments {
    let mut chunk_of = vec![None; tokens.len()];
    let mut clause_of = vec![None; tokens.len()];
    let mut chunks = Vec::new();
    let mut clause_count: usize = 0;
    for s in sentences {
        let mut chunk_start: Option<usize> = None;
        let mut clause_open = false;
        for k in s.start..=s.end {
            let boundary_chunk = k == s.end
                || matches!(tokens[k].kind, Kind::Pause | Kind::Stop(_))
                || matches!(roles[k], Role::And | Role::Contrast(_));
            let boundary_clause = k == s.end || matches!(roles[k], Role::Contrast(_));
            if boundary_chunk {
                if let Some(start) = chunk_start.take() {
                    chunks.push(Chunk { start, end: k, clause: clause_count.saturating_sub(1), valence: 0.0 });
                }
            } else {
                if !clause_open {
                    clause_open = true;
                    clause_count += 1;
                }
                if chunk_start.is_none() {
                    chunk_start = Some(k);
                }
                chunk_of[k] = Some(chunks.len());
                clause_of[k] = Some(clause_count - 1);
            }
            if boundary_clause {
                clause_open = false;
            }
        }
    }
    (chunk_of, clause_of, chunks, clause_count)
}

/// Valence of one item after negation, intensifiers, emphasis and
/// counterfactual framing, and whether the rules gave it a reading of their
/// own (see [`Scored::beyond_vader`]).
fn item_valence(item: &Item, s: &Sentence, tokens: &[Token], roles: &[Role], shouting: bool) -> (f64, bool) {
    let base = item.entry.valence;
    if item.fixed {
        return (base, true);
    }
    let mut negations = 0;
    let mut first_negator: Option<(&str, usize, usize)> = None;
    let mut boost_inside = 0.0;
    let mut boost_outside = 0.0;
    let mut steps = 0;
    let mut j = item.first;
    while j > s.start && steps < SCOPE {
        j -= 1;
        let t = &tokens[j];
        if !t.is_lexical() {
            break;
        }
        match roles[j] {
            Role::Contrast(_) | Role::And => break,
            Role::Covered => continue,
            Role::Negator => {
                negations += 1;
                if first_negator.is_none() {
                    first_negator = Some((t.norm.as_str(), steps, j));
                }
            }
            Role::Booster(b) => {
                let b = if t.caps { b * CAPS_EMPHASIS } else { b };
                if negations == 0 {
                    boost_inside += b * DECAY[steps];
                } else {
                    boost_outside += b * DECAY[steps];
                }
            }
            Role::Plain => {}
        }
        steps += 1;
    }
    let following: Vec<&str> = tokens[item.last + 1..s.end]
        .iter()
        .take(SCOPE)
        .take_while(|t| t.is_lexical())
        .map(|t| t.norm.as_str())
        .collect();
    // In "neither X nor Y" each part is negated once, however the count adds up.
    let mut negated = negations % 2 == 1 || first_negator.is_some_and(|(w, _, _)| matches!(w, "neither" | "nor"));
    // "can't recommend them enough" is emphatic praise, not a negation
    // (unlike "not good enough").
    let modal_negation = first_negator
        .and_then(|(_, _, at)| at.checked_sub(1))
        .is_some_and(|m| matches!(tokens[m].norm.as_str(), "can" | "could"));
    if negated
        && modal_negation
        && tokens[item.last].norm == "enough"
        && first_negator.is_some_and(|(_, steps, _)| steps > 0)
    {
        // The "enough" of that construction is part of the praise.
        return (0.0, true);
    }
    let mut own_reading = false;
    if negated && modal_negation && following.contains(&"enough") {
        negated = false;
        boost_inside += 0.5;
        own_reading = true;
    }
    let mut v = if negated {
        own_reading |= item.entry.negated.is_some()
            || first_negator
                .is_some_and(|(w, steps, _)| matches!(w, "neither" | "nor") || (w == "nothing" && steps == 0));
        let flipped = match (first_negator, item.entry.negated) {
            (Some(("neither" | "nor", _, _)), _) => base * NEITHER_NOR,
            (_, Some(n)) => n,
            (Some(("nothing", 0, _)), None) if base > 0.0 => NOTHING_LUKEWARM,
            (_, None) if base > 0.0 => base * NEGATED_POSITIVE,
            (_, None) => base * NEGATED_NEGATIVE,
        };
        // "not very good" is milder than "not good"; "really not good" is stronger.
        let mut v = flipped * (1.0 - 0.5 * boost_inside).max(0.2) * (1.0 + boost_outside).max(0.2);
        if following.starts_with(&["at", "all"]) {
            v *= 1.3;
        }
        v
    } else {
        base * (1.0 + boost_inside + boost_outside).max(0.1)
    };
    if v > 0.0 && is_counterfactual(tokens, item.first, s.start) {
        // "could have been more professional" criticises what it names.
        v *= -0.5;
        own_reading = true;
    }
    if (item.first..=item.last).any(|k| tokens[k].caps) {
        v *= if shouting { CAPS_IN_CAPS_TEXT } else { CAPS_EMPHASIS };
    }
    if item.elongated {
        v *= ELONGATION_EMPHASIS;
    }
    (v, own_reading)
}

fn is_counterfactual(tokens: &[Token], first: usize, sentence_start: usize) -> bool {
    let from = first.saturating_sub(4).max(sentence_start);
    let window = &tokens[from..first];
    let modal = window.iter().position(|t| matches!(t.norm.as_str(), "could" | "should"));
    modal.is_some_and(|m| {
        window[m + 1..].iter().any(|t| matches!(t.norm.as_str(), "be" | "been"))
            && !window.iter().any(|t| t.norm == "not")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn total(text: &str) -> f64 {
        score(&tokenize(text)).total
    }

    #[test]
    fn negation_flips_and_softens() {
        assert!(total("good") > 0.0);
        assert!(total("not good") < 0.0);
        let not_bad = total("not bad");
        assert!(not_bad > 0.0 && not_bad < total("good"));
        assert!(total("not very good") > total("not good"));
        assert!(total("no complaints") > 1.0);
        assert!(total("never replied") < -1.0);
    }

    #[test]
    fn intensifiers_scale() {
        assert!(total("very good") > total("good"));
        assert!(total("slightly blurry") > total("blurry"));
        assert!(total("kind of rude") > total("rude"));
    }

    #[test]
    fn clause_after_but_dominates() {
        assert!(total("great photos but rude") < 0.0);
        assert!(total("rude but great photos") > 0.0);
        assert!(total("Although the photos were nice, the delivery was slow") < 0.0);
    }

    #[test]
    fn emphasis_strengthens() {
        assert!(total("good!!!") > total("good"));
        assert!(total("it was GOOD") > total("it was good"));
        assert!(total("loooved it") > total("loved it"));
        assert!((total("sooo good") - total("so good")).abs() < 1e-9);
    }

    #[test]
    fn special_rules() {
        assert!(total("well lit") > 0.0);
        assert!(total("too dark") < 0.0);
        assert!(total("looks like a phone photo") == 0.0);
        assert!(total("I like them") > 0.0);
        assert!(total("it took three months") < 0.0);
        assert!(total("5 stars") > 0.0);
        assert!(total("I can't recommend them enough") > 1.5);
        assert!(total("not good enough") < 0.0);
        assert!(total("could have been more professional") < 0.0);
    }

    #[test]
    fn normalise_is_bounded() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 0.0, 3.0] {
            let n = normalise(v);
            assert!((-1.0..=1.0).contains(&n), "{v} -> {n}");
        }
    }
}
