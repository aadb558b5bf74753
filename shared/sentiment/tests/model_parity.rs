//! The embedded weights score text exactly as the training computed it.
//!
//! eval/sentiment/train.py writes `fixtures/model_parity.tsv` next to
//! `model/weights.bin`: training texts with the score its float64 model gives
//! them over the features the `sentiment-features` binary produced. If the
//! feature code, the hashing, the table lookup or the weight format drift from
//! what the weights were fitted on, these scores no longer match.

const FIXTURE: &str = include_str!("fixtures/model_parity.tsv");

#[test]
fn committed_weights_reproduce_the_training_scores() {
    let mut lines = FIXTURE.lines();
    assert_eq!(lines.next(), Some("score\ttext"));
    let mut checked = 0;
    let mut polar = 0;
    for line in lines {
        let (expected, text) = line.split_once('\t').expect("score<TAB>text");
        let expected: f64 = expected.parse().expect("score");
        let got = cm_sentiment::analyze(text).score;
        // analyze() rounds to four decimals; the weights are stored as f32.
        assert!((got - expected).abs() <= 2e-4, "{text:?}: analyze {got}, training {expected}");
        checked += 1;
        polar += usize::from(expected.abs() > 0.3);
    }
    assert!(checked >= 100, "only {checked} rows");
    // A fixture of near-zero scores would prove little.
    assert!(polar >= checked / 4, "{polar} of {checked} scores beyond ±0.3");
}
