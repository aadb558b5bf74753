//! Any input is valid input: no panics, bounded scores, stable results.

use cm_sentiment::{Label, MAX_KEY_PHRASES, analyze};
use proptest::prelude::*;

fn check(text: &str) {
    let a = analyze(text);
    assert!((-1.0..=1.0).contains(&a.score), "score {} for {text:?}", a.score);
    assert_eq!(a.label, Label::from_score(a.score));
    assert!(a.key_phrases.len() <= MAX_KEY_PHRASES);
    for t in &a.topics {
        assert!((-1.0..=1.0).contains(&t.score));
        assert_eq!(t.label, Label::from_score(t.score));
    }
    let mut topics: Vec<_> = a.topics.iter().map(|t| t.topic).collect();
    topics.dedup();
    assert_eq!(topics.len(), a.topics.len(), "topics are unique");
    assert_eq!(analyze(text), a, "deterministic");
}

/// Strings built from the pieces the rules react to, so the generator reaches
/// negation, contrast, emphasis and emoji paths more often than random text.
fn review_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "not",
        "never",
        "no",
        "but",
        "however",
        "although",
        "though",
        "very",
        "kind of",
        "a bit",
        "good",
        "bad",
        "GREAT",
        "late",
        "on time",
        "photos",
        "price",
        "edits",
        "delivered",
        "!",
        "!!!",
        ".",
        ",",
        "?",
        "😍",
        "👎",
        ":)",
        ":(",
        "10/10",
        "5 stars",
        "can't",
        "enough",
        "neither",
        "nor",
        "too",
        "well",
        "took",
        "months",
        "and",
        "sooo",
        "-",
        "'",
        "\n",
        "\u{0301}",
        "❤\u{fe0f}",
        "no-show",
        "http://x",
        "1/0",
        "99999999999999999999/10",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_unicode_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn printable_text_never_panics(text in "\\PC{0,300}") {
        check(&text);
    }

    #[test]
    fn review_like_text_never_panics(text in review_like()) {
        check(&text);
    }
}

#[test]
fn long_input_is_fine() {
    let text = "The photos were not bad but the delivery was very late!!! 😍 ".repeat(5_000);
    check(&text);
}
