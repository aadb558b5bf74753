//! Hard cases from the issue: negation, contrast, emphasis, emoji, topics.

use cm_sentiment::{Analysis, Label, Topic, analyze};

fn topic(a: &Analysis, topic: Topic) -> Option<(Label, f64)> {
    a.topics.iter().find(|t| t.topic == topic).map(|t| (t.label, t.score))
}

fn label(text: &str) -> Label {
    analyze(text).label
}

fn score(text: &str) -> f64 {
    analyze(text).score
}

#[test]
fn negation_reverses_praise() {
    assert_eq!(label("The photos were not good."), Label::Negative);
    assert_eq!(label("I wasn't happy with the results."), Label::Negative);
    assert_eq!(label("I was not happy at all"), Label::Negative);
    assert_eq!(label("We would never recommend him."), Label::Negative);
    assert_eq!(label("Would not book again."), Label::Negative);
    assert_eq!(label("No communication whatsoever."), Label::Negative);
}

#[test]
fn negated_complaint_is_mild_praise() {
    let not_bad = score("The photos were not bad.");
    assert_eq!(label("The photos were not bad."), Label::Positive);
    assert!(not_bad < score("The photos were good."), "not bad is weaker than good");
    assert_eq!(label("No complaints, everything went smoothly."), Label::Positive);
    assert_eq!(label("She never disappoints."), Label::Positive);
    assert_eq!(label("Without any hesitation, book her."), Label::Positive);
}

#[test]
fn negation_has_a_limited_scope() {
    // The negator is four words away: "happy" is not negated.
    assert_eq!(label("No, the kids and everyone were happy"), Label::Positive);
    assert_eq!(label("No fuss and quick delivery"), Label::Positive);
}

#[test]
fn modal_negation_with_enough_is_praise() {
    assert_eq!(label("I can't recommend her enough!"), Label::Positive);
    assert_eq!(label("Not good enough for a wedding."), Label::Negative);
}

#[test]
fn neither_nor_is_neutral() {
    assert_eq!(label("Neither great nor terrible."), Label::Neutral);
}

#[test]
fn intensifiers_and_diminishers() {
    assert!(score("The photos were extremely good") > score("The photos were good"));
    assert!(score("The photos were good") > score("The photos were slightly good"));
    assert!(score("kind of blurry") > score("blurry"));
    assert!(score("a bit late") > score("late"));
    assert!(score("not very good") > score("not good"), "a negated intensifier softens");
}

#[test]
fn contrast_clause_after_but_weighs_more() {
    let a = analyze("The photos were great but he was two hours late.");
    assert_eq!(a.label, Label::Negative);
    assert_eq!(topic(&a, Topic::Quality).map(|t| t.0), Some(Label::Positive));
    assert_eq!(topic(&a, Topic::Punctuality).map(|t| t.0), Some(Label::Negative));

    assert_eq!(label("He was late, but the photos are stunning."), Label::Positive);
    assert_eq!(label("Not cheap, but worth every penny."), Label::Positive);
    assert_eq!(label("The photos were nice. However, the delivery took three months."), Label::Negative);
    assert_eq!(label("Although the photos were nice, the delivery was slow."), Label::Negative);
}

#[test]
fn emoji_and_emoticons_alone() {
    assert_eq!(label("😍"), Label::Positive);
    assert_eq!(label("👍👍"), Label::Positive);
    assert_eq!(label("❤️"), Label::Positive);
    assert_eq!(label("🙂"), Label::Positive);
    assert_eq!(label(":)"), Label::Positive);
    assert_eq!(label("😡"), Label::Negative);
    assert_eq!(label("👎"), Label::Negative);
    assert_eq!(label(":("), Label::Negative);
    assert_eq!(label("🤷"), Label::Neutral);
    assert_eq!(label("Photos are ready 😍😍😍").to_owned(), Label::Positive);
}

#[test]
fn shouting_and_exclamations_add_emphasis() {
    assert_eq!(label("TERRIBLE"), Label::Negative);
    assert_eq!(label("TERRIBLE. Avoid."), Label::Negative);
    assert!(score("The photos were TERRIBLE") < score("The photos were terrible"));
    assert!(score("Great photos!!!") > score("Great photos!"));
    assert!(score("Great photos!") > score("Great photos"));
    assert!(score("Blurry photos!!!") < score("Blurry photos"));
}

#[test]
fn domain_vocabulary() {
    for text in [
        "Half the shots are blurry and overexposed.",
        "Total no-show on our wedding day.",
        "Rude and unprofessional.",
        "He missed shots of the first kiss.",
        "The gallery took forever.",
        "Still waiting for our photos.",
        "Photos were out of focus.",
    ] {
        assert_eq!(label(text), Label::Negative, "{text}");
    }
    for text in [
        "Stunning, well lit portraits.",
        "Very responsive and always on time.",
        "She went above and beyond.",
        "Five stars",
        "10/10 would book again",
    ] {
        assert_eq!(label(text), Label::Positive, "{text}");
    }
}

#[test]
fn neutral_facts_stay_neutral() {
    for text in [
        "We booked a two hour session in the park.",
        "The package includes 50 edited images.",
        "Can we move the shoot to Saturday?",
        "It was fine.",
        "We will decide about the album later.",
    ] {
        assert_eq!(label(text), Label::Neutral, "{text}");
    }
}

#[test]
fn mixed_topics_get_their_own_sentiment() {
    let a = analyze(
        "Very responsive on email and the photos are gorgeous, but the retouching was overdone and the price was too high.",
    );
    assert_eq!(topic(&a, Topic::Communication).map(|t| t.0), Some(Label::Positive));
    assert_eq!(topic(&a, Topic::Quality).map(|t| t.0), Some(Label::Positive));
    assert_eq!(topic(&a, Topic::Editing).map(|t| t.0), Some(Label::Negative));
    assert_eq!(topic(&a, Topic::Pricing).map(|t| t.0), Some(Label::Negative));
    assert_eq!(topic(&a, Topic::Punctuality), None);

    let b = analyze("The gallery arrived in ten days and the colour grading is beautiful.");
    assert_eq!(topic(&b, Topic::Delivery).map(|t| t.0), Some(Label::Neutral));
    assert_eq!(topic(&b, Topic::Editing).map(|t| t.0), Some(Label::Positive));

    let c = analyze("Creative angles, fair price, delivered on time.");
    let names: Vec<Topic> = c.topics.iter().map(|t| t.topic).collect();
    assert_eq!(names, [Topic::Pricing, Topic::Creativity, Topic::Delivery]);
}

#[test]
fn general_topic_when_nothing_specific() {
    let a = analyze("Absolutely awful experience.");
    assert_eq!(a.topics.len(), 1);
    assert_eq!(a.topics[0].topic, Topic::General);
    assert_eq!(a.topics[0].label, Label::Negative);

    let b = analyze("Lovely person, but the photos were blurry.");
    assert_eq!(topic(&b, Topic::Quality).map(|t| t.0), Some(Label::Negative));
    assert_eq!(topic(&b, Topic::General).map(|t| t.0), Some(Label::Positive));
}

#[test]
fn empty_and_blank_text() {
    for text in ["", "   ", "\n\n", "...", "?!"] {
        let a = analyze(text);
        assert_eq!(a.label, Label::Neutral, "{text:?}");
        assert_eq!(a.score, 0.0);
        assert!(a.topics.is_empty());
        assert!(a.key_phrases.is_empty());
    }
}

#[test]
fn key_phrases_are_short_noun_phrases() {
    let a = analyze("Stunning engagement photos, great communication and a fair price. The photos were stunning!");
    assert_eq!(a.key_phrases, ["stunning engagement photos", "great communication", "fair price"]);
    for p in &a.key_phrases {
        assert!(p.split(' ').count() <= 4);
        assert_eq!(p, &p.to_lowercase());
    }
}

#[test]
fn serialised_shape() {
    let json = serde_json::to_string(&analyze("Great photos but late")).unwrap_or_default();
    assert!(json.starts_with(r#"{"label":"#), "{json}");
    let keys: Vec<&str> = ["\"label\"", "\"score\"", "\"topics\"", "\"key_phrases\""].to_vec();
    let positions: Vec<usize> = keys.iter().filter_map(|k| json.find(k)).collect();
    assert_eq!(positions.len(), 4);
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
}
