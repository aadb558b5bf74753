//! Per-topic sentiment: which chunks of the text talk about communication,
//! quality, punctuality, pricing, creativity, editing or delivery, and how
//! those chunks feel.

use crate::scoring::Scored;
use crate::tokenize::Token;
use crate::{Label, Topic, TopicSentiment, round_score};

type Keywords = &'static [&'static [&'static str]];

const COMMUNICATION: Keywords = &[
    &["communication"],
    &["communicate"],
    &["communicated"],
    &["communicating"],
    &["communicative"],
    &["responsive"],
    &["unresponsive"],
    &["response"],
    &["responses"],
    &["respond"],
    &["responded"],
    &["responds"],
    &["responding"],
    &["reply"],
    &["replied"],
    &["replies"],
    &["replying"],
    &["answer"],
    &["answered"],
    &["answers"],
    &["answering"],
    &["email"],
    &["emails"],
    &["emailed"],
    &["message"],
    &["messages"],
    &["messaged"],
    &["messaging"],
    &["calls"],
    &["called"],
    &["contact"],
    &["contacted"],
    &["reach"],
    &["reachable"],
    &["unreachable"],
    &["ghosted"],
    &["ghosting"],
    &["ignored"],
    &["ignoring"],
    &["update"],
    &["updates"],
    &["informed"],
    &["listen"],
    &["listened"],
    &["listening"],
    &["listens"],
    &["whatsapp"],
    &["texted"],
    &["get", "back"],
    &["got", "back"],
    &["in", "touch"],
    &["correspondence"],
    &["unanswered"],
];

const QUALITY: Keywords = &[
    &["quality"],
    &["sharp"],
    &["sharpness"],
    &["blurry"],
    &["blurred"],
    &["blur"],
    &["focus"],
    &["focused"],
    &["unfocused"],
    &["grainy"],
    &["grain"],
    &["noisy"],
    &["pixelated"],
    &["pixelation"],
    &["exposure"],
    &["overexposed"],
    &["underexposed"],
    &["lighting"],
    &["lit"],
    &["composition"],
    &["compositions"],
    &["composed"],
    &["framing"],
    &["framed"],
    &["crooked"],
    &["resolution"],
    &["unusable"],
    &["usable"],
    &["crisp"],
    &["vivid"],
    &["vibrant"],
    &["dull"],
    &["washed", "out"],
    &["harsh"],
    &["shadows"],
    &["closed", "eyes"],
    &["missed", "shots"],
    &["out", "of", "focus"],
    &["amateurish"],
    &["muddy"],
    &["lifeless"],
    &["fuzzy"],
];

/// Plain nouns for the pictures themselves: they point at quality only when
/// nothing more specific in the same chunk names another topic ("the photos
/// were delivered on time" is about delivery).
const QUALITY_NOUNS: Keywords = &[
    &["photo"],
    &["photos"],
    &["photograph"],
    &["photographs"],
    &["picture"],
    &["pictures"],
    &["pic"],
    &["pics"],
    &["image"],
    &["images"],
    &["shot"],
    &["shots"],
    &["portrait"],
    &["portraits"],
    &["headshot"],
    &["headshots"],
    &["album"],
    &["prints"],
    &["results"],
];

const PUNCTUALITY: Keywords = &[
    &["punctual"],
    &["punctuality"],
    &["late"],
    &["lateness"],
    &["early"],
    &["on", "time"],
    &["tardy"],
    &["showed", "up"],
    &["show", "up"],
    &["turned", "up"],
    &["turn", "up"],
    &["arrived"],
    &["arrive"],
    &["arrival"],
    &["no-show"],
    &["noshow"],
    &["no", "show"],
    &["kept", "us", "waiting"],
    &["kept", "me", "waiting"],
    &["left", "early"],
    &["hours", "late"],
    &["minutes", "late"],
];

const PRICING: Keywords = &[
    &["price"],
    &["prices"],
    &["priced"],
    &["pricing"],
    &["pricey"],
    &["pricy"],
    &["expensive"],
    &["inexpensive"],
    &["overpriced"],
    &["cheap"],
    &["cheaper"],
    &["cheapest"],
    &["affordable"],
    &["value"],
    &["cost"],
    &["costs"],
    &["costly"],
    &["fee"],
    &["fees"],
    &["charge"],
    &["charges"],
    &["charged"],
    &["overcharged"],
    &["money"],
    &["budget"],
    &["quote"],
    &["quoted"],
    &["invoice"],
    &["deposit"],
    &["refund"],
    &["discount"],
    &["paid"],
    &["pay"],
    &["payment"],
    &["penny"],
    &["bargain"],
    &["rate"],
    &["rates"],
    &["rip", "off"],
    &["ripoff"],
    &["rip-off"],
    &["bill"],
];

const CREATIVITY: Keywords = &[
    &["creative"],
    &["creativity"],
    &["uncreative"],
    &["artistic"],
    &["artist"],
    &["artistry"],
    &["unique"],
    &["original"],
    &["originality"],
    &["imaginative"],
    &["imagination"],
    &["ideas"],
    &["idea"],
    &["inspired"],
    &["uninspired"],
    &["uninspiring"],
    &["inspiration"],
    &["angles"],
    &["angle"],
    &["poses"],
    &["posing"],
    &["vision"],
    &["eye", "for"],
    &["boring"],
    &["generic"],
    &["innovative"],
    &["style"],
];

const EDITING: Keywords = &[
    &["edit"],
    &["edits"],
    &["edited"],
    &["editing"],
    &["retouch"],
    &["retouching"],
    &["retouched"],
    &["colour", "grading"],
    &["color", "grading"],
    &["grading"],
    &["colour", "correction"],
    &["color", "correction"],
    &["filter"],
    &["filters"],
    &["preset"],
    &["presets"],
    &["post", "processing"],
    &["post-processing"],
    &["photoshop"],
    &["photoshopped"],
    &["airbrushed"],
    &["airbrushing"],
    &["overedited"],
    &["oversaturated"],
];

const DELIVERY: Keywords = &[
    &["deliver"],
    &["delivered"],
    &["delivery"],
    &["deliveries"],
    &["delivering"],
    &["turnaround"],
    &["sneak", "peek"],
    &["sneak", "peeks"],
    &["download"],
    &["downloaded"],
    &["link"],
    &["still", "waiting"],
    &["waiting", "for"],
    &["files"],
    &["raw", "files"],
    &["deadline"],
    &["deadlines"],
    &["gallery", "arrived"],
    &["gallery", "came"],
];

/// Things that get delivered: with a timing word they make the chunk about
/// delivery rather than the photographer's punctuality ("the photos were late").
const DELIVERABLES: &[&str] = &[
    "gallery",
    "galleries",
    "photos",
    "pictures",
    "images",
    "album",
    "albums",
    "prints",
    "files",
    "link",
    "proofs",
    "previews",
    "photo",
    "video",
    "slideshow",
    "edits",
    "usb",
];

const TIME_UNITS: &[&str] = &["days", "weeks", "months", "month", "year", "years", "ages", "forever"];
const WAITING: &[&str] = &[
    "took",
    "take",
    "takes",
    "taking",
    "waited",
    "waiting",
    "wait",
    "within",
    "after",
    "arrived",
    "received",
    "got",
    "delivered",
    "turnaround",
];

fn mentions(words: &[&str], keywords: Keywords) -> bool {
    keywords.iter().any(|k| words.windows(k.len()).any(|w| w == *k))
}

/// Topics a chunk of words talks about, in `Topic` order.
fn chunk_topics(words: &[&str]) -> Vec<Topic> {
    let mut found: Vec<Topic> = [
        (Topic::Communication, COMMUNICATION),
        (Topic::Quality, QUALITY),
        (Topic::Punctuality, PUNCTUALITY),
        (Topic::Pricing, PRICING),
        (Topic::Creativity, CREATIVITY),
        (Topic::Editing, EDITING),
        (Topic::Delivery, DELIVERY),
    ]
    .into_iter()
    .filter(|(_, k)| mentions(words, k))
    .map(|(t, _)| t)
    .collect();
    let waited_long = words.iter().any(|w| TIME_UNITS.contains(w)) && words.iter().any(|w| WAITING.contains(w));
    let about_deliverable = words.iter().any(|w| DELIVERABLES.contains(w));
    if found.contains(&Topic::Punctuality) && (found.contains(&Topic::Delivery) || about_deliverable) {
        found.retain(|t| *t != Topic::Punctuality);
        found.push(Topic::Delivery);
    }
    if waited_long {
        found.push(Topic::Delivery);
    }
    if found.is_empty() && mentions(words, QUALITY_NOUNS) {
        found.push(Topic::Quality);
    }
    found.sort();
    found.dedup();
    found
}

/// `valence_score` turns a topic's summed rule valence into a score on the
/// same scale as the overall score (the learned model's reading of it).
pub(crate) fn topic_sentiments(
    tokens: &[Token],
    scored: &Scored,
    overall: f64,
    valence_score: impl Fn(f64) -> f64,
) -> Vec<TopicSentiment> {
    const TOPICS: usize = 7;
    let chunk_topics: Vec<Vec<Topic>> = scored
        .chunks
        .iter()
        .map(|c| chunk_topics(&tokens[c.start..c.end].iter().filter_map(Token::word).collect::<Vec<_>>()))
        .collect();
    // Sentiment in a clause that no topic claims: a topic chunk without
    // sentiment of its own borrows it ("the editing is subtle and natural"),
    // but not sentiment that belongs to another topic.
    let mut unclaimed = vec![0.0; scored.clauses.len()];
    for (chunk, topics) in scored.chunks.iter().zip(&chunk_topics) {
        if topics.is_empty()
            && let Some(u) = unclaimed.get_mut(chunk.clause)
        {
            *u += chunk.valence;
        }
    }
    let mut sums = [0.0_f64; TOPICS];
    let mut seen = [false; TOPICS];
    // A clause lends its valence at most once per topic.
    let mut lent: Vec<(usize, Topic)> = Vec::new();
    let mut residual = 0.0;
    for (chunk, topics) in scored.chunks.iter().zip(&chunk_topics) {
        if topics.is_empty() {
            residual += chunk.valence;
            continue;
        }
        for &topic in topics {
            let idx = topic as usize;
            seen[idx] = true;
            if chunk.valence != 0.0 {
                sums[idx] += chunk.valence;
            } else if !lent.contains(&(chunk.clause, topic)) {
                lent.push((chunk.clause, topic));
                sums[idx] += unclaimed.get(chunk.clause).copied().unwrap_or(0.0);
            }
        }
    }
    let mut out: Vec<TopicSentiment> = Topic::SPECIFIC
        .iter()
        .filter(|t| seen[**t as usize])
        .map(|&topic| sentiment(topic, valence_score(sums[topic as usize])))
        .collect();
    if out.is_empty() {
        if !scored.chunks.is_empty() || overall != 0.0 {
            out.push(sentiment(Topic::General, overall));
        }
    } else if residual != 0.0 {
        out.push(sentiment(Topic::General, valence_score(residual)));
    }
    out
}

fn sentiment(topic: Topic, score: f64) -> TopicSentiment {
    let score = round_score(score);
    TopicSentiment { topic, label: Label::from_score(score), score }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(text: &str) -> Vec<Topic> {
        chunk_topics(&text.split(' ').collect::<Vec<_>>())
    }

    #[test]
    fn finds_topics_by_keyword() {
        assert_eq!(topics("always replied within hours"), [Topic::Communication]);
        assert_eq!(topics("he was two hours late"), [Topic::Punctuality]);
        assert_eq!(topics("way too expensive"), [Topic::Pricing]);
        assert_eq!(topics("the colour grading"), [Topic::Editing]);
    }

    #[test]
    fn timing_of_deliverables_is_delivery() {
        assert_eq!(topics("the photos were late"), [Topic::Delivery]);
        assert_eq!(topics("gallery arrived in 10 days"), [Topic::Delivery]);
        assert_eq!(topics("it took three months"), [Topic::Delivery]);
        assert_eq!(topics("he arrived early"), [Topic::Punctuality]);
    }

    #[test]
    fn picture_nouns_only_when_nothing_else() {
        assert_eq!(topics("stunning photos"), [Topic::Quality]);
        assert_eq!(topics("photos delivered quickly"), [Topic::Delivery]);
    }
}
