//! Word lists: valences, modifiers, negators, emoji and emoticons.
//!
//! Valences are on a rough -4..+4 scale and were written for this crate with
//! photography-service reviews in mind: words such as "late", "blurry" or
//! "responsive" carry sentiment here that a general-purpose lexicon would miss.
//! Lukewarm review words ("fine", "okay", "average") sit close to zero on
//! purpose: in a review they usually mean "nothing to report".

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Sentiment of one lexicon entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub valence: f64,
    /// Valence when the entry is in the scope of a negator, for words where
    /// flipping the sign is wrong: "no complaints" is clearly positive (not a
    /// weak positive) and "never replied" is negative although "replied" alone
    /// is barely positive.
    pub negated: Option<f64>,
}

/// Single words with their valence.
const WORDS: &[(&str, f64)] = &[
    // Strong praise.
    ("amazing", 3.2),
    ("astonishing", 3.0),
    ("awesome", 3.0),
    ("beautiful", 2.9),
    ("beautifully", 2.7),
    ("best", 3.0),
    ("breathtaking", 3.3),
    ("brilliant", 3.0),
    ("brilliantly", 2.8),
    ("delighted", 3.0),
    ("excellent", 3.2),
    ("exceptional", 3.2),
    ("extraordinary", 3.0),
    ("fabulous", 3.1),
    ("fantastic", 3.2),
    ("flawless", 3.1),
    ("gorgeous", 3.0),
    ("incredible", 3.0),
    ("magical", 2.8),
    ("magnificent", 3.2),
    ("marvellous", 3.0),
    ("marvelous", 3.0),
    ("masterpiece", 3.1),
    ("outstanding", 3.3),
    ("perfect", 3.0),
    ("perfection", 3.1),
    ("phenomenal", 3.2),
    ("spectacular", 3.2),
    ("splendid", 2.9),
    ("stellar", 3.0),
    ("stunning", 3.2),
    ("sublime", 3.0),
    ("superb", 3.2),
    ("terrific", 3.0),
    ("thrilled", 3.0),
    ("wonderful", 3.1),
    ("wow", 2.2),
    // Ordinary praise.
    ("accommodating", 2.0),
    ("adorable", 2.5),
    ("affordable", 1.5),
    ("appreciate", 2.0),
    ("appreciated", 2.0),
    ("attentive", 2.0),
    ("better", 1.5),
    ("bargain", 2.0),
    ("blessed", 2.0),
    ("bonus", 1.2),
    ("bright", 1.2),
    ("calm", 1.4),
    ("charming", 2.2),
    ("cheaper", 0.6),
    ("clean", 1.2),
    ("clear", 1.0),
    ("comfortable", 1.8),
    ("compliments", 1.8),
    ("confident", 1.5),
    ("considerate", 2.0),
    ("consistent", 1.2),
    ("cool", 1.3),
    ("creative", 2.2),
    ("crisp", 1.8),
    ("cute", 1.8),
    ("dedicated", 1.8),
    ("dependable", 2.0),
    ("decent", 0.9),
    ("easy", 1.5),
    ("effortless", 2.0),
    ("efficient", 1.8),
    ("elegant", 2.3),
    ("enjoy", 2.0),
    ("enjoyable", 2.0),
    ("enjoyed", 2.2),
    ("excited", 2.0),
    ("exceeded", 2.2),
    ("fair", 1.0),
    ("fast", 1.4),
    ("favorite", 2.0),
    ("favourite", 2.0),
    ("flattering", 2.0),
    ("flexible", 1.6),
    ("fortunately", 1.0),
    ("friendly", 2.2),
    ("fun", 2.0),
    ("gem", 2.5),
    ("generous", 2.0),
    ("genius", 2.8),
    ("glad", 2.2),
    ("good", 1.9),
    ("grateful", 2.5),
    ("great", 2.9),
    ("happy", 2.5),
    ("heartwarming", 2.8),
    ("helpful", 2.0),
    ("highlight", 1.5),
    ("impressed", 2.5),
    ("impressive", 2.6),
    ("inspired", 1.5),
    ("inspiring", 2.0),
    ("inviting", 1.5),
    ("joy", 2.5),
    ("kind", 1.8),
    ("liked", 1.6),
    ("love", 3.0),
    ("loved", 3.0),
    ("lovely", 2.6),
    ("loves", 3.0),
    ("luckily", 1.0),
    ("memorable", 2.0),
    ("miracle", 1.5),
    ("natural", 1.2),
    ("nice", 1.8),
    ("nicely", 1.6),
    ("ok", 0.3),
    ("okay", 0.3),
    ("fine", 0.4),
    ("organised", 1.5),
    ("organized", 1.5),
    ("patient", 1.8),
    ("pleasant", 2.0),
    ("pleased", 2.2),
    ("pleasure", 2.5),
    ("polished", 1.8),
    ("polite", 1.8),
    ("precious", 2.0),
    ("prepared", 1.2),
    ("professional", 1.8),
    ("professionally", 1.6),
    ("professionalism", 2.0),
    ("prompt", 1.6),
    ("promptly", 1.6),
    ("punctual", 2.0),
    ("quick", 1.4),
    ("quickly", 1.2),
    ("reasonable", 1.3),
    ("recommendation", 1.5),
    ("relaxed", 1.6),
    ("relaxing", 1.6),
    ("reliable", 2.0),
    ("respectful", 1.8),
    ("responsive", 2.0),
    ("romantic", 1.5),
    ("satisfied", 1.8),
    ("sharp", 1.5),
    ("skilful", 2.2),
    ("skilled", 2.2),
    ("skillful", 2.2),
    ("smooth", 1.6),
    ("smoothly", 1.6),
    ("special", 1.5),
    ("success", 2.0),
    ("successful", 2.0),
    ("superbly", 3.0),
    ("supportive", 1.8),
    ("sweet", 1.8),
    ("talented", 2.6),
    ("thank", 1.6),
    ("thankful", 2.2),
    ("thankfully", 1.2),
    ("thanks", 1.6),
    ("thoughtful", 2.0),
    ("timeless", 2.0),
    ("transparent", 1.2),
    ("treasure", 2.5),
    ("trust", 1.2),
    ("trustworthy", 2.0),
    ("unforgettable", 2.5),
    ("unique", 1.5),
    ("vibrant", 2.0),
    ("vivid", 1.8),
    ("warm", 1.5),
    ("welcoming", 1.8),
    ("yay", 2.0),
    ("artistic", 2.0),
    ("artist", 1.0),
    ("imaginative", 2.2),
    ("innovative", 2.0),
    ("gifted", 2.4),
    ("passionate", 1.8),
    ("recommendable", 2.0),
    // Lukewarm or mildly negative.
    ("average", -0.3),
    ("meh", -0.6),
    ("mediocre", -2.0),
    ("ordinary", -0.4),
    ("so-so", -0.5),
    ("sorry", -0.5),
    // Complaints.
    ("abysmal", -3.3),
    ("amateur", -1.5),
    ("amateurish", -2.3),
    ("angry", -2.8),
    ("annoyed", -2.0),
    ("annoying", -2.0),
    ("appalling", -3.2),
    ("argued", -2.0),
    ("arrogant", -2.5),
    ("atrocious", -3.4),
    ("avoid", -2.5),
    ("awful", -3.0),
    ("awkward", -1.8),
    ("bad", -2.3),
    ("badly", -2.0),
    ("bland", -1.5),
    ("blurred", -2.0),
    ("blurry", -2.2),
    ("bored", -1.6),
    ("boring", -2.0),
    ("broken", -2.0),
    ("cancel", -1.2),
    ("canceled", -1.5),
    ("cancellation", -1.2),
    ("cancelled", -1.5),
    ("careless", -2.0),
    ("chaotic", -1.5),
    ("cheap", -0.6),
    ("cold", -1.0),
    ("condescending", -2.5),
    ("confused", -1.2),
    ("confusing", -1.5),
    ("costly", -1.2),
    ("crap", -2.8),
    ("crappy", -2.8),
    ("cringe", -2.0),
    ("crooked", -1.5),
    ("cry", -1.0),
    ("damaged", -2.0),
    ("delay", -1.5),
    ("delayed", -1.6),
    ("delays", -1.5),
    ("devastated", -3.2),
    ("difficult", -1.5),
    ("disappointment", -2.5),
    ("disaster", -3.2),
    ("disastrous", -3.2),
    ("disgusting", -3.0),
    ("dishonest", -3.0),
    ("disinterested", -2.0),
    ("dislike", -2.0),
    ("disliked", -2.0),
    ("dismissive", -2.2),
    ("disorganised", -2.2),
    ("disorganized", -2.2),
    ("disrespectful", -2.6),
    ("dissatisfied", -2.2),
    ("distracted", -1.5),
    ("dreadful", -3.0),
    ("dull", -1.5),
    ("duplicates", -1.0),
    ("embarrassed", -2.0),
    ("embarrassing", -2.2),
    ("error", -1.5),
    ("errors", -1.5),
    ("excuses", -2.0),
    ("expensive", -1.2),
    ("fail", -2.0),
    ("failed", -2.2),
    ("failure", -2.5),
    ("fake", -2.0),
    ("flat", -0.8),
    ("forgot", -2.0),
    ("forgotten", -1.8),
    ("fraud", -3.2),
    ("frustrated", -2.3),
    ("frustrating", -2.3),
    ("furious", -3.3),
    ("fuzzy", -1.6),
    ("garbage", -3.0),
    ("generic", -1.2),
    ("ghosted", -3.0),
    ("grainy", -2.0),
    ("grumpy", -2.0),
    ("harsh", -1.2),
    ("hate", -3.0),
    ("hated", -3.0),
    ("heartbroken", -3.0),
    ("heavy-handed", -1.8),
    ("hidden", -1.2),
    ("horrendous", -3.4),
    ("horrible", -3.0),
    ("horrified", -3.0),
    ("ignore", -1.5),
    ("ignored", -2.0),
    ("impatient", -2.0),
    ("impersonal", -1.6),
    ("inappropriate", -2.2),
    ("incompetent", -3.0),
    ("incomplete", -1.8),
    ("inconsistent", -1.8),
    ("inefficient", -1.8),
    ("inflexible", -1.8),
    ("insulting", -2.6),
    ("lacklustre", -2.0),
    ("lackluster", -2.0),
    ("late", -1.8),
    ("lazy", -2.2),
    ("lifeless", -2.0),
    ("lost", -1.8),
    ("mess", -2.0),
    ("messy", -1.8),
    ("missed", -1.8),
    ("missing", -1.8),
    ("mistake", -1.8),
    ("mistakes", -1.8),
    ("moody", -1.5),
    ("muddy", -1.5),
    ("nervous", -0.8),
    ("sceptical", -0.8),
    ("skeptical", -0.8),
    ("nightmare", -3.0),
    ("no-show", -3.2),
    ("noisy", -1.0),
    ("noshow", -3.2),
    ("outrageous", -2.8),
    ("overcharged", -2.8),
    ("overdone", -1.5),
    ("overedited", -2.0),
    ("overexposed", -2.0),
    ("overpriced", -2.5),
    ("oversaturated", -1.5),
    ("pathetic", -3.0),
    ("pixelated", -2.0),
    ("pixelation", -1.8),
    ("plastic", -1.2),
    ("pointless", -2.0),
    ("poor", -2.2),
    ("poorly", -2.0),
    ("pricey", -0.8),
    ("pricy", -0.8),
    ("pushy", -2.0),
    ("regretted", -2.2),
    ("ridiculous", -2.2),
    ("rip-off", -3.0),
    ("ripoff", -3.0),
    ("rubbish", -2.8),
    ("rude", -2.8),
    ("rudely", -2.6),
    ("ruin", -2.5),
    ("ruined", -3.0),
    ("rush", -1.0),
    ("rushed", -1.8),
    ("sad", -1.8),
    ("sadly", -1.2),
    ("scam", -3.2),
    ("shocked", -1.5),
    ("shocking", -2.2),
    ("sloppy", -2.2),
    ("slow", -1.6),
    ("slowly", -1.2),
    ("snapped", -0.8),
    ("stiff", -1.5),
    ("stress", -1.2),
    ("stressed", -1.5),
    ("stressful", -1.8),
    ("subpar", -2.0),
    ("sub-par", -2.0),
    ("suck", -2.5),
    ("sucked", -2.5),
    ("sucks", -2.5),
    ("tardy", -1.8),
    ("terrible", -3.0),
    ("terribly", -2.5),
    ("tired", -1.2),
    ("trash", -2.8),
    ("typos", -1.5),
    ("ugh", -2.0),
    ("ugly", -2.5),
    ("unacceptable", -3.0),
    ("unanswered", -2.0),
    ("uncomfortable", -2.0),
    ("uncreative", -2.0),
    ("underexposed", -2.0),
    ("underwhelmed", -2.2),
    ("underwhelming", -2.2),
    ("unfocused", -2.0),
    ("unfortunately", -1.4),
    ("unfriendly", -2.2),
    ("unhappy", -2.5),
    ("unhelpful", -2.0),
    ("unimpressed", -2.0),
    ("uninspired", -2.0),
    ("uninspiring", -2.0),
    ("uninterested", -2.0),
    ("unorganised", -2.0),
    ("unorganized", -2.0),
    ("unprepared", -2.2),
    ("unprofessional", -2.8),
    ("unreachable", -2.2),
    ("unreliable", -2.5),
    ("unresponsive", -2.5),
    ("unusable", -2.5),
    ("upset", -2.2),
    ("useless", -2.8),
    ("waste", -2.5),
    ("wasted", -2.5),
    ("weird", -1.5),
    ("worse", -2.3),
    ("worst", -3.2),
    ("worthless", -3.0),
    ("wrong", -2.0),
    ("disappointing", -2.5),
    ("refused", -2.0),
    ("drinking", -1.0),
    ("excuse", -1.0),
    ("chase", -1.2),
    ("chasing", -1.5),
    ("strange", -1.0),
    ("odd", -1.0),
    // Neutral overrides: stemming would otherwise give them a misleading valence.
    ("lately", 0.0),
    ("later", 0.0),
    ("nailed", 2.2),
    ("honestly", 0.0),
    ("forever", 0.0),
];

/// Words whose negated reading is not a simple sign flip: `(word, valence, negated)`.
const NEGATABLE_WORDS: &[(&str, f64, f64)] = &[
    // Absence of a problem is praise.
    ("complain", -1.2, 1.5),
    ("complaint", -1.2, 1.5),
    ("complaints", -1.2, 1.5),
    ("issue", -0.8, 1.2),
    ("issues", -0.8, 1.2),
    ("problem", -1.0, 1.2),
    ("problems", -1.0, 1.2),
    ("fuss", -0.8, 1.0),
    ("hassle", -1.2, 1.2),
    ("hesitation", -0.8, 1.5),
    ("doubt", -0.6, 1.0),
    ("doubts", -0.6, 1.0),
    ("regret", -2.2, 1.8),
    ("regrets", -2.2, 1.8),
    ("disappoint", -2.2, 1.8),
    ("disappoints", -2.2, 1.8),
    ("disappointed", -2.5, 1.5),
    // Expected service behaviour: absence is a complaint.
    ("answer", 0.0, -1.8),
    ("answered", 0.3, -1.8),
    ("answers", 0.0, -1.8),
    ("reply", 0.3, -1.8),
    ("replied", 0.4, -1.8),
    ("replies", 0.3, -1.8),
    ("respond", 0.3, -1.8),
    ("responded", 0.4, -1.8),
    ("response", 0.0, -1.5),
    ("show", 0.0, -2.0),
    ("showed", 0.0, -2.0),
    ("arrive", 0.0, -1.8),
    ("arrived", 0.0, -1.5),
    ("deliver", 0.0, -2.0),
    ("delivered", 0.0, -1.8),
    ("send", 0.0, -1.5),
    ("sent", 0.0, -1.5),
    ("receive", 0.0, -1.2),
    ("received", 0.0, -1.2),
    ("update", 0.0, -1.2),
    ("updates", 0.0, -1.2),
    ("explanation", 0.0, -1.2),
    ("refund", 0.0, -1.2),
    ("contact", 0.0, -1.2),
    ("communication", 0.2, -1.8),
    ("help", 0.8, -1.5),
    ("listen", 0.5, -1.8),
    ("listened", 0.8, -1.8),
    ("care", 0.8, -2.0),
    ("cared", 1.0, -2.0),
    ("capture", 0.5, -1.5),
    ("captured", 0.8, -1.5),
    ("follow", 0.0, -1.0),
    ("followed", 0.2, -1.0),
    ("apology", 0.0, -1.2),
    ("apologise", 0.0, -1.2),
    ("apologize", 0.0, -1.2),
    ("work", 0.0, -1.2),
    ("enough", 0.3, -1.5),
    ("usable", 0.3, -2.0),
    ("mentioned", 0.0, -1.0),
    ("creativity", 1.2, -2.0),
    ("imagination", 0.8, -1.8),
    ("effort", 0.5, -1.8),
    ("worth", 1.3, -2.0),
    ("recommend", 1.8, -2.4),
    ("recommended", 1.8, -2.4),
    ("recommending", 1.8, -2.4),
];

/// Multi-word expressions, written in normalised token form: lowercase,
/// contractions expanded ("can't" is "can not").
const PHRASES: &[(&str, f64)] = &[
    ("a joke", -2.0),
    ("a pleasure", 2.5),
    ("a steal", 2.0),
    ("above and beyond", 3.0),
    ("at ease", 1.5),
    ("behind schedule", -1.5),
    ("blew me away", 3.0),
    ("blew us away", 3.0),
    ("blown away", 3.0),
    ("can not fault", 2.5),
    ("could not fault", 2.5),
    ("could not be happier", 3.5),
    ("could not be better", 3.0),
    ("could not have been better", 3.0),
    ("could have been better", -1.5),
    ("could be better", -1.0),
    ("could not have asked for more", 3.2),
    ("could not ask for more", 3.0),
    ("cash grab", -2.5),
    ("closed eyes", -1.5),
    ("expected better", -1.8),
    ("expected more", -1.6),
    ("expected much more", -2.0),
    ("extra charges", -1.5),
    ("extra fees", -1.5),
    ("fell short", -2.0),
    ("fall short", -2.0),
    ("falls short", -2.0),
    ("five stars", 2.8),
    ("four stars", 1.8),
    ("three stars", 0.0),
    ("two stars", -1.8),
    ("one star", -2.8),
    ("gold star", 2.5),
    ("hidden costs", -2.2),
    ("hidden fees", -2.2),
    ("hours late", -2.5),
    ("minutes late", -1.5),
    ("weeks late", -2.5),
    ("months late", -2.8),
    ("left early", -2.0),
    ("let down", -2.0),
    ("let us down", -2.2),
    ("let me down", -2.2),
    ("less than ideal", -1.5),
    ("left a lot to be desired", -2.2),
    ("much to be desired", -2.2),
    ("never again", -3.0),
    ("no show", -3.0),
    ("no shows", -3.0),
    ("nothing special", -0.6),
    ("nothing memorable", -0.6),
    ("nothing to complain about", 1.8),
    ("on time", 1.2),
    ("ahead of schedule", 1.6),
    ("out of focus", -2.5),
    ("over the moon", 3.0),
    ("piece of art", 2.5),
    ("rip off", -3.0),
    ("ripped off", -3.0),
    ("ripped us off", -3.0),
    ("second to none", 3.0),
    ("still no", -1.8),
    ("still nothing", -2.0),
    ("still waiting", -2.2),
    ("kept us waiting", -2.0),
    ("kept me waiting", -2.0),
    ("tears of joy", 3.0),
    ("thank you", 2.0),
    ("top notch", 3.0),
    ("top-notch", 3.0),
    ("very little", -1.5),
    ("too little", -1.5),
    ("so little", -1.5),
    ("washed out", -2.0),
    ("waste of money", -3.0),
    ("waste of time", -3.0),
    ("well worth", 2.5),
    ("went smoothly", 2.0),
    ("worth every penny", 3.0),
    ("worth every cent", 3.0),
    ("later than expected", -1.2),
    ("later than promised", -1.5),
    ("later than agreed", -1.5),
    ("natural light", 0.0),
    ("natural lighting", 0.0),
    ("at best", -1.0),
    ("red flag", -2.0),
    ("red flags", -2.0),
];

/// Multi-word expressions with an explicit negated valence.
const NEGATABLE_PHRASES: &[(&str, f64, f64)] = &[
    ("worth it", 2.0, -2.2),
    ("worth the money", 2.0, -2.5),
    ("worth the price", 2.0, -2.5),
    ("worth the wait", 2.0, -2.0),
    ("show up", 0.0, -2.5),
    ("showed up", 0.0, -2.5),
    ("turn up", 0.0, -2.5),
    ("turned up", 0.0, -2.2),
    ("get back to", 0.5, -1.8),
    ("got back to", 0.8, -1.8),
    ("what we asked for", 1.0, -1.8),
    ("what we wanted", 1.0, -1.8),
    ("what we expected", 0.5, -1.6),
    ("what we were promised", 0.5, -1.8),
    ("what was promised", 0.5, -1.8),
    ("as expected", 0.3, -1.6),
    ("as promised", 1.0, -1.8),
    ("as described", 0.8, -1.6),
    ("would book again", 2.5, -2.5),
    ("will book again", 2.5, -2.5),
    ("book again", 2.0, -2.5),
    ("hire again", 2.0, -2.5),
    ("use again", 1.8, -2.2),
    ("book them", 0.5, -2.2),
    ("book him", 0.5, -2.2),
    ("book her", 0.5, -2.2),
    ("book this", 0.5, -2.2),
    ("hire them", 0.5, -2.2),
    ("hire him", 0.5, -2.2),
    ("hire her", 0.5, -2.2),
    ("hire this", 0.5, -2.2),
];

/// Intensifiers (positive) and diminishers (negative): scale the magnitude of
/// the sentiment word they precede.
const BOOSTERS: &[(&str, f64)] = &[
    ("absolutely", 0.4),
    ("completely", 0.4),
    ("deeply", 0.35),
    ("definitely", 0.2),
    ("entirely", 0.35),
    ("especially", 0.2),
    ("exceptionally", 0.5),
    ("extremely", 0.5),
    ("fairly", -0.2),
    ("genuinely", 0.25),
    ("highly", 0.4),
    ("hugely", 0.45),
    ("incredibly", 0.5),
    ("insanely", 0.5),
    ("just", 0.1),
    ("kinda", -0.4),
    ("marginally", -0.5),
    ("mildly", -0.4),
    ("most", 0.3),
    ("much", 0.3),
    ("particularly", 0.2),
    ("quite", 0.1),
    ("rather", -0.15),
    ("really", 0.3),
    ("remarkably", 0.4),
    ("ridiculously", 0.4),
    ("seriously", 0.3),
    ("simply", 0.2),
    ("slightly", -0.5),
    ("so", 0.3),
    ("somewhat", -0.4),
    ("sorta", -0.4),
    ("such", 0.2),
    ("super", 0.35),
    ("thoroughly", 0.35),
    ("totally", 0.4),
    ("tremendously", 0.5),
    ("truly", 0.3),
    ("unbelievably", 0.5),
    ("utterly", 0.5),
    ("very", 0.3),
    ("way", 0.35),
    ("awfully", 0.3),
    ("far", 0.3),
    ("too", 0.3),
    ("pretty", 0.1),
];

const BOOSTER_PHRASES: &[(&str, f64)] = &[
    ("a bit", -0.4),
    ("a little", -0.4),
    ("a little bit", -0.45),
    ("a lot", 0.3),
    ("kind of", -0.4),
    ("sort of", -0.4),
    ("so much", 0.3),
    ("by far", 0.4),
];

const NEGATORS: &[&str] = &[
    "barely", "hardly", "lack", "lacked", "lacking", "neither", "never", "no", "nobody", "none", "nor", "not",
    "nothing", "nowhere", "scarcely", "without", "zero",
];

/// Function words and very common verbs: never part of a key phrase.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "ago",
    "all",
    "almost",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "anyone",
    "anything",
    "anyway",
    "are",
    "around",
    "as",
    "ask",
    "asked",
    "at",
    "away",
    "back",
    "be",
    "became",
    "because",
    "become",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "came",
    "can",
    "come",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "eight",
    "either",
    "else",
    "enough",
    "etc",
    "even",
    "ever",
    "every",
    "everyone",
    "everything",
    "feel",
    "feels",
    "felt",
    "few",
    "find",
    "first",
    "five",
    "for",
    "found",
    "four",
    "from",
    "get",
    "gets",
    "getting",
    "give",
    "gave",
    "go",
    "goes",
    "going",
    "gone",
    "got",
    "gotten",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hello",
    "her",
    "here",
    "hers",
    "herself",
    "hey",
    "hi",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "keep",
    "kept",
    "know",
    "knew",
    "last",
    "later",
    "least",
    "less",
    "let",
    "like",
    "lol",
    "look",
    "looked",
    "looking",
    "looks",
    "made",
    "make",
    "makes",
    "making",
    "many",
    "may",
    "maybe",
    "me",
    "might",
    "mine",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "need",
    "needed",
    "next",
    "nine",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "oh",
    "ok",
    "okay",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "please",
    "put",
    "quite",
    "rather",
    "really",
    "said",
    "same",
    "saw",
    "say",
    "says",
    "see",
    "seem",
    "seemed",
    "seems",
    "seen",
    "seven",
    "shall",
    "she",
    "should",
    "since",
    "six",
    "so",
    "some",
    "someone",
    "something",
    "still",
    "such",
    "take",
    "taken",
    "takes",
    "taking",
    "ten",
    "than",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "though",
    "thought",
    "three",
    "through",
    "time",
    "times",
    "to",
    "today",
    "together",
    "too",
    "took",
    "toward",
    "towards",
    "tried",
    "try",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "using",
    "very",
    "via",
    "want",
    "wanted",
    "was",
    "way",
    "we",
    "well",
    "went",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whole",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "wow",
    "yeah",
    "yes",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "yesterday",
];

/// Emoticons, matched case-sensitively as whole whitespace-separated chunks (or
/// glued to the end of a word for those starting with a punctuation mark).
const EMOTICONS: &[(&str, f64)] = &[
    (":)", 1.8),
    (":-)", 1.8),
    ("(:", 1.8),
    ("=)", 1.8),
    (":]", 1.6),
    (":D", 2.3),
    (":-D", 2.3),
    ("=D", 2.2),
    ("xD", 1.6),
    ("XD", 1.6),
    (";)", 1.4),
    (";-)", 1.4),
    (";D", 1.8),
    ("^^", 1.5),
    ("^_^", 1.8),
    (":P", 1.0),
    (":-P", 1.0),
    (":p", 1.0),
    (":*", 1.8),
    ("<3", 2.5),
    ("<33", 2.7),
    (":(", -2.0),
    (":-(", -2.0),
    ("):", -1.8),
    ("=(", -2.0),
    (":[", -1.8),
    (":'(", -2.2),
    (":'-(", -2.2),
    (">:(", -2.6),
    ("D:", -1.8),
    (":/", -1.0),
    (":-/", -1.0),
    (":\\", -1.0),
    (":|", -0.3),
    (":-|", -0.3),
    ("</3", -2.5),
];

/// Valence of an emoji code point; unknown emoji are neutral.
pub(crate) fn emoji(c: char) -> f64 {
    match c {
        '😍' | '🥰' | '🤩' => 3.0,
        '❤' | '💕' | '💖' | '💗' | '💓' | '💞' | '💘' | '😻' => 2.5,
        '💯' => 2.4,
        '😀' | '😃' | '😄' | '😁' | '😊' | '☺' | '😘' | '🥳' | '🙌' | '👏' | '👍' => 2.0,
        '🤗' | '😇' | '🙂' | '🔥' | '🎉' | '🙏' | '👌' | '🌟' | '😂' | '🤣' | '💪' => 1.5,
        '😉' | '😎' | '✨' | '⭐' | '🎊' | '💐' | '🥂' | '📸' => 1.0,
        '😐' | '😑' | '🤷' | '🤔' | '😶' => 0.0,
        '😕' | '🫤' | '😬' | '😳' | '🙄' => -1.0,
        '😔' | '🙁' | '😒' | '🤦' | '😟' | '😥' | '😭' => -1.5,
        '😞' | '😢' | '😤' | '😩' | '😫' | '💩' | '👎' | '☹' | '😓' => -2.0,
        '😠' | '💔' | '😖' | '😣' => -2.5,
        '😡' | '🤬' | '🤮' | '🤢' => -3.0,
        _ => 0.0,
    }
}

/// Whether `c` is shown as a pictograph (so it becomes its own token).
pub(crate) fn is_emoji(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1F300..=0x1F3FA | 0x1F400..=0x1FAFF | 0x2600..=0x27BF | 0x2B50 | 0x2B55 | 0x2B06 | 0x2B07
    )
}

/// Characters that only modify the previous emoji (variation selectors, joiners,
/// skin tones): dropped so that "❤️" and "👍🏽" read as their base emoji.
pub(crate) fn is_emoji_modifier(c: char) -> bool {
    matches!(u32::from(c), 0xFE00..=0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF | 0x20E3)
}

pub(crate) fn emoticon(s: &str) -> Option<f64> {
    let s = collapse_trailing_repeats(s);
    EMOTICONS.iter().find(|(e, _)| *e == s).map(|&(_, v)| v)
}

/// An emoticon glued to the end of a word ("thanks:)"), if any: returns the word
/// part and the emoticon's valence. Only emoticons that start with punctuation
/// qualify, so a word ending in "D:" or "xD" is not misread.
pub(crate) fn trailing_emoticon(s: &str) -> Option<(&str, f64)> {
    let collapsed = collapse_trailing_repeats(s);
    EMOTICONS
        .iter()
        .filter(|(e, _)| e.starts_with([':', ';', '=', '<', '>']))
        .filter(|(e, _)| collapsed.len() > e.len() && collapsed.ends_with(e))
        .max_by_key(|(e, _)| e.len())
        .map(|&(e, v)| (&collapsed[..collapsed.len() - e.len()], v))
}

/// ":)))" reads as ":)"; "<33" is kept because it is listed as its own entry.
fn collapse_trailing_repeats(s: &str) -> &str {
    if EMOTICONS.iter().any(|(e, _)| *e == s) {
        return s;
    }
    let Some(last) = s.chars().last() else {
        return s;
    };
    let trimmed = s.trim_end_matches(last);
    if trimmed.is_empty() || s.len() - trimmed.len() < 2 {
        return s;
    }
    &s[..trimmed.len() + last.len_utf8()]
}

pub(crate) fn is_negator(word: &str) -> bool {
    NEGATORS.contains(&word)
}

pub(crate) fn is_stopword(word: &str) -> bool {
    get().stopwords.contains(word)
}

/// How a contrastive connective reshapes the weight of the clauses around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contrast {
    /// "but", "however": what follows is the speaker's point.
    Adversative,
    /// "although", "though", "despite", "except": introduces a concession that
    /// counts for less than the main clause.
    Concessive,
}

pub(crate) fn contrast(word: &str) -> Option<Contrast> {
    match word {
        "but" | "however" | "nevertheless" | "nonetheless" => Some(Contrast::Adversative),
        "although" | "though" | "despite" | "except" | "whereas" | "albeit" => Some(Contrast::Concessive),
        _ => None,
    }
}

/// Compiled lexicon, built once per process.
pub(crate) struct Lexicon {
    words: HashMap<&'static str, Entry>,
    /// Phrases keyed by first token, longest first.
    phrases: HashMap<&'static str, Vec<(Vec<&'static str>, Entry)>>,
    boosters: HashMap<&'static str, f64>,
    booster_phrases: HashMap<&'static str, Vec<(Vec<&'static str>, f64)>>,
    stopwords: HashSet<&'static str>,
}

pub(crate) fn get() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::build)
}

impl Lexicon {
    fn build() -> Self {
        let mut words = HashMap::with_capacity(WORDS.len() + NEGATABLE_WORDS.len());
        for &(w, valence) in WORDS {
            words.insert(w, Entry { valence, negated: None });
        }
        for &(w, valence, negated) in NEGATABLE_WORDS {
            words.insert(w, Entry { valence, negated: Some(negated) });
        }
        let mut phrases: HashMap<&'static str, Vec<(Vec<&'static str>, Entry)>> = HashMap::new();
        let all_phrases = PHRASES.iter().map(|&(p, valence)| (p, Entry { valence, negated: None })).chain(
            NEGATABLE_PHRASES.iter().map(|&(p, valence, negated)| (p, Entry { valence, negated: Some(negated) })),
        );
        for (p, entry) in all_phrases {
            let parts: Vec<&'static str> = p.split(' ').collect();
            if let Some(first) = parts.first().copied() {
                phrases.entry(first).or_default().push((parts, entry));
            }
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|(parts, _)| std::cmp::Reverse(parts.len()));
        }
        let mut booster_phrases: HashMap<&'static str, Vec<(Vec<&'static str>, f64)>> = HashMap::new();
        for &(p, v) in BOOSTER_PHRASES {
            let parts: Vec<&'static str> = p.split(' ').collect();
            if let Some(first) = parts.first().copied() {
                booster_phrases.entry(first).or_default().push((parts, v));
            }
        }
        for list in booster_phrases.values_mut() {
            list.sort_by_key(|(parts, _)| std::cmp::Reverse(parts.len()));
        }
        Lexicon {
            words,
            phrases,
            boosters: BOOSTERS.iter().copied().collect(),
            booster_phrases,
            stopwords: STOPWORDS.iter().copied().collect(),
        }
    }

    /// Whether a hyphenated token should stay whole instead of being split.
    pub(crate) fn knows_compound(&self, word: &str) -> bool {
        self.words.contains_key(word) || self.phrases.contains_key(word)
    }

    /// Intensity modifier for a word, also when stretched ("sooo", "reeeally").
    pub(crate) fn booster(&self, word: &str) -> Option<f64> {
        if let Some(b) = self.boosters.get(word) {
            return Some(*b);
        }
        if !has_elongation(word) {
            return None;
        }
        [collapse_runs(word, 2), collapse_runs(word, 1)].iter().find_map(|w| self.boosters.get(w.as_str()).copied())
    }

    /// Longest sentiment phrase starting at `words[0]`: (token count, entry).
    pub(crate) fn phrase_at(&self, words: &[&str]) -> Option<(usize, Entry)> {
        let first = words.first()?;
        self.phrases.get(first)?.iter().find_map(|(parts, entry)| {
            (parts.len() <= words.len() && parts.iter().zip(words).all(|(p, w)| p == w))
                .then_some((parts.len(), *entry))
        })
    }

    /// Longest modifier phrase ("kind of", "a bit") starting at `words[0]`.
    pub(crate) fn booster_phrase_at(&self, words: &[&str]) -> Option<(usize, f64)> {
        let first = words.first()?;
        self.booster_phrases.get(first)?.iter().find_map(|(parts, v)| {
            (parts.len() <= words.len() && parts.iter().zip(words).all(|(p, w)| p == w)).then_some((parts.len(), *v))
        })
    }

    /// Entry for a word, falling back to a few inflection and elongation rules
    /// ("loooved", "happily", "disappoints") so the list need not spell out
    /// every form. The flag is true when the word was elongated for emphasis.
    pub(crate) fn word(&self, word: &str) -> Option<(Entry, bool)> {
        if let Some(e) = self.lookup_inflected(word) {
            return Some((e, false));
        }
        if has_elongation(word) {
            for collapsed in [collapse_runs(word, 2), collapse_runs(word, 1)] {
                if let Some(e) = self.lookup_inflected(&collapsed) {
                    return Some((e, true));
                }
            }
        }
        None
    }

    fn lookup_inflected(&self, word: &str) -> Option<Entry> {
        if let Some(e) = self.words.get(word) {
            return Some(*e);
        }
        if word.chars().count() < 4 {
            return None;
        }
        const RULES: &[(&str, &str)] = &[
            ("ily", "y"),
            ("ly", ""),
            ("ies", "y"),
            ("ier", "y"),
            ("iest", "y"),
            ("es", ""),
            ("s", ""),
            ("ed", ""),
            ("ed", "e"),
            ("d", ""),
            ("ing", ""),
            ("ing", "e"),
            ("er", ""),
            ("r", ""),
            ("est", ""),
            ("st", ""),
        ];
        for (suffix, replacement) in RULES {
            if let Some(stem) = word.strip_suffix(suffix) {
                if stem.ends_with('s') && *suffix == "s" {
                    continue;
                }
                let candidate = format!("{stem}{replacement}");
                if candidate.len() >= 3
                    && let Some(e) = self.words.get(candidate.as_str())
                {
                    return Some(*e);
                }
            }
        }
        None
    }
}

fn has_elongation(word: &str) -> bool {
    let mut run = 1;
    let mut prev = None;
    for c in word.chars() {
        if Some(c) == prev {
            run += 1;
            if run >= 3 {
                return true;
            }
        } else {
            run = 1;
        }
        prev = Some(c);
    }
    false
}

/// Shortens every run of a repeated character to at most `max` characters.
fn collapse_runs(word: &str, max: usize) -> String {
    let mut out = String::with_capacity(word.len());
    let mut prev = None;
    let mut run = 0;
    for c in word.chars() {
        if Some(c) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(c);
        }
        if run <= max {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_have_no_duplicates() {
        let mut seen = HashSet::new();
        for (w, _) in WORDS {
            assert!(seen.insert(*w), "duplicate word {w}");
        }
        let mut negatable = HashSet::new();
        for (w, _, _) in NEGATABLE_WORDS {
            assert!(negatable.insert(*w), "duplicate negatable word {w}");
        }
        let mut phrases = HashSet::new();
        for p in PHRASES.iter().map(|(p, _)| p).chain(NEGATABLE_PHRASES.iter().map(|(p, _, _)| p)) {
            assert!(phrases.insert(*p), "duplicate phrase {p}");
        }
    }

    #[test]
    fn entries_are_normalised() {
        let all = WORDS
            .iter()
            .map(|(w, _)| *w)
            .chain(NEGATABLE_WORDS.iter().map(|(w, _, _)| *w))
            .chain(PHRASES.iter().map(|(p, _)| *p))
            .chain(BOOSTERS.iter().map(|(w, _)| *w))
            .chain(BOOSTER_PHRASES.iter().map(|(w, _)| *w));
        for w in all {
            assert_eq!(w, w.to_lowercase(), "{w} must be lowercase");
            assert!(!w.contains('\''), "{w} must use expanded contractions");
            assert_eq!(w.trim(), w);
        }
    }

    #[test]
    fn negatable_words_are_not_also_plain_words() {
        let plain: HashSet<&str> = WORDS.iter().map(|(w, _)| *w).collect();
        for (w, _, _) in NEGATABLE_WORDS {
            assert!(!plain.contains(w), "{w} is in both lists");
        }
    }

    #[test]
    fn valences_stay_on_scale() {
        for (w, v) in WORDS {
            assert!((-4.0..=4.0).contains(v), "{w}");
        }
    }

    #[test]
    fn inflections_and_elongations_resolve() {
        let lex = get();
        assert_eq!(lex.word("happily").map(|(e, _)| e.valence), Some(2.5));
        assert_eq!(lex.word("loooved").map(|(e, _)| (e.valence, true)), Some((3.0, true)));
        assert!(lex.word("likely").is_none());
        assert!(lex.word("shots").is_none());
    }

    #[test]
    fn emoticons_match_with_repeats() {
        assert_eq!(emoticon(":)))"), Some(1.8));
        assert_eq!(emoticon("<33"), Some(2.7));
        assert_eq!(trailing_emoticon("thanks:)"), Some(("thanks", 1.8)));
        assert_eq!(trailing_emoticon("xD"), None);
    }
}
