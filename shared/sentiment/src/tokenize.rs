//! Splits text into words, emoji/emoticons, ratings and punctuation.
//!
//! Contractions are expanded ("didn't" becomes "did" + "not") so negation and
//! phrase rules only need to know one spelling.

use crate::lexicon;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Word,
    Number,
    /// Emoji or emoticon, with its valence.
    Symbol(f64),
    /// A score such as "10/10" or "4.5/5", as a fraction of the maximum.
    Rating(f64),
    /// Ends a sentence: `.` `!` `?` `;` or a line break.
    Stop(char),
    /// Comma, colon, bracket, dash: ends a negation scope, not a sentence.
    Pause,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: Kind,
    /// Lowercase form for words and numbers, empty otherwise.
    pub norm: String,
    /// Written in capitals (at least two letters): shouting adds emphasis.
    pub caps: bool,
}

impl Token {
    fn new(kind: Kind) -> Self {
        Token { kind, norm: String::new(), caps: false }
    }

    pub(crate) fn word(&self) -> Option<&str> {
        matches!(self.kind, Kind::Word).then_some(self.norm.as_str())
    }

    /// Words and numbers: the tokens phrases and modifier windows are made of.
    pub(crate) fn is_lexical(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Number)
    }
}

pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for line in text.lines() {
        let before = out.len();
        for chunk in line.split(char::is_whitespace).filter(|c| !c.is_empty()) {
            push_chunk(chunk, &mut out);
        }
        if out.len() > before {
            out.push(Token::new(Kind::Stop('\n')));
        }
    }
    out
}

fn push_chunk(chunk: &str, out: &mut Vec<Token>) {
    if is_url(chunk) {
        out.push(Token::new(Kind::Pause));
        return;
    }
    let core = chunk.trim_end_matches(['.', '!', '?', ',']);
    let tail = &chunk[core.len()..];
    if let Some(v) = lexicon::emoticon(core) {
        out.push(Token::new(Kind::Symbol(v)));
        scan(tail, out);
        return;
    }
    if let Some((prefix, v)) = lexicon::trailing_emoticon(core) {
        scan(prefix, out);
        out.push(Token::new(Kind::Symbol(v)));
        scan(tail, out);
        return;
    }
    scan(chunk, out);
}

fn is_url(chunk: &str) -> bool {
    let lower = chunk.to_ascii_lowercase();
    lower.contains("://") || lower.starts_with("www.")
}

fn is_combining_mark(c: char) -> bool {
    matches!(u32::from(c), 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

fn scan(s: &str, out: &mut Vec<Token>) {
    let chars: Vec<char> = s.chars().collect();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next_alnum = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        let last_digit = word.chars().last().is_some_and(|l| l.is_ascii_digit());
        let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_alphanumeric() {
            word.push(c);
        } else if is_combining_mark(c) || lexicon::is_emoji_modifier(c) {
            if is_combining_mark(c) && !word.is_empty() {
                word.push(c);
            }
        } else if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`') && !word.is_empty() && next_alnum {
            word.push('\'');
        } else if matches!(c, '-' | '\u{2010}' | '\u{2011}') && !word.is_empty() && next_alnum {
            word.push('-');
        } else if matches!(c, '.' | ',' | '/') && last_digit && next_digit {
            word.push(c);
        } else {
            flush(&mut word, out);
            if let Some(kind) = punctuation(c) {
                out.push(Token::new(kind));
            }
        }
    }
    flush(&mut word, out);
}

fn punctuation(c: char) -> Option<Kind> {
    if lexicon::is_emoji(c) {
        return Some(Kind::Symbol(lexicon::emoji(c)));
    }
    match c {
        '.' | '!' | '?' | ';' => Some(Kind::Stop(c)),
        '\u{2026}' | '\u{3002}' => Some(Kind::Stop('.')),
        '\u{ff01}' => Some(Kind::Stop('!')),
        '\u{ff1f}' => Some(Kind::Stop('?')),
        // Decoration that carries no structure ("*amazing*", "#wedding", "@anna").
        '#' | '@' | '*' | '_' | '$' | '\u{20ac}' | '\u{a3}' | '%' | '~' | '^' | '`' | '\'' | '+' | '=' | '&' | '<'
        | '>' | '\u{2019}' | '\u{2018}' => None,
        _ => Some(Kind::Pause),
    }
}

fn flush(word: &mut String, out: &mut Vec<Token>) {
    if word.is_empty() {
        return;
    }
    let raw = std::mem::take(word);
    if raw.starts_with(|c: char| c.is_ascii_digit())
        && raw.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '/'))
    {
        out.push(number_token(&raw));
        return;
    }
    let caps = is_caps(&raw);
    let lower = raw.to_lowercase();
    let lower = lower.trim_matches(['\'', '-']);
    if lower.is_empty() {
        return;
    }
    if lower.contains('-') && !lexicon::get().knows_compound(lower) {
        for part in lower.split('-').filter(|p| !p.is_empty()) {
            push_word(part, caps, out);
        }
    } else {
        push_word(lower, caps, out);
    }
}

fn number_token(raw: &str) -> Token {
    if let Some((a, b)) = raw.split_once('/') {
        let parse = |s: &str| s.replace(',', ".").parse::<f64>().ok();
        if let (Some(a), Some(b)) = (parse(a), parse(b))
            && matches!(b, 5.0 | 10.0 | 100.0)
            && (0.0..=b).contains(&a)
        {
            return Token::new(Kind::Rating(a / b));
        }
    }
    Token { kind: Kind::Number, norm: raw.to_string(), caps: false }
}

fn is_caps(raw: &str) -> bool {
    let mut letters = 0;
    for c in raw.chars().filter(|c| c.is_alphabetic()) {
        if !c.is_uppercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2
}

fn push_word(word: &str, caps: bool, out: &mut Vec<Token>) {
    let mut push = |w: &str| {
        if !w.is_empty() {
            out.push(Token { kind: Kind::Word, norm: w.to_string(), caps });
        }
    };
    match expand_contraction(word) {
        Some((first, second)) => {
            push(first);
            push(second);
        }
        None => push(word),
    }
}

/// Splits a contraction into two normalised words; the second may be empty
/// (a dropped possessive "'s").
fn expand_contraction(word: &str) -> Option<(&str, &str)> {
    const BARE: &[(&str, &str)] = &[
        ("aint", "is"),
        ("arent", "are"),
        ("cannot", "can"),
        ("cant", "can"),
        ("couldnt", "could"),
        ("didnt", "did"),
        ("doesnt", "does"),
        ("dont", "do"),
        ("hadnt", "had"),
        ("hasnt", "has"),
        ("havent", "have"),
        ("isnt", "is"),
        ("mustnt", "must"),
        ("neednt", "need"),
        ("shouldnt", "should"),
        ("wasnt", "was"),
        ("werent", "were"),
        ("wont", "will"),
        ("wouldnt", "would"),
    ];
    if let Some(&(_, base)) = BARE.iter().find(|(w, _)| *w == word) {
        return Some((base, "not"));
    }
    if let Some(base) = word.strip_suffix("n't") {
        let base = match base {
            "ca" => "can",
            "wo" => "will",
            "sha" => "shall",
            "ai" => "is",
            other => other,
        };
        return Some((base, "not"));
    }
    const SUFFIXES: &[(&str, &str)] =
        &[("'ve", "have"), ("'re", "are"), ("'m", "am"), ("'ll", "will"), ("'d", "would"), ("'s", "")];
    SUFFIXES.iter().find_map(|(suffix, expansion)| word.strip_suffix(suffix).map(|base| (base, *expansion)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| match t.kind {
                Kind::Word | Kind::Number => t.norm,
                Kind::Symbol(v) => format!("<{v}>"),
                Kind::Rating(r) => format!("[{r}]"),
                Kind::Stop(c) => format!("|{c}"),
                Kind::Pause => ",".to_string(),
            })
            .collect()
    }

    #[test]
    fn expands_contractions() {
        assert_eq!(norms("I didn't"), ["i", "did", "not", "|\n"]);
        assert_eq!(norms("can't WON'T"), ["can", "not", "will", "not", "|\n"]);
        assert_eq!(norms("we've Anna's"), ["we", "have", "anna", "|\n"]);
        assert_eq!(norms("dont"), ["do", "not", "|\n"]);
    }

    #[test]
    fn keeps_known_compounds_and_splits_others() {
        assert_eq!(norms("no-show"), ["no-show", "|\n"]);
        assert_eq!(norms("well-lit"), ["well", "lit", "|\n"]);
    }

    #[test]
    fn recognises_emoji_emoticons_and_ratings() {
        assert_eq!(norms("great :)"), ["great", "<1.8>", "|\n"]);
        assert_eq!(norms("great:)!"), ["great", "<1.8>", "|!", "|\n"]);
        assert_eq!(norms("👍🏽"), ["<2>", "|\n"]);
        assert_eq!(norms("❤️"), ["<2.5>", "|\n"]);
        assert_eq!(norms("10/10"), ["[1]", "|\n"]);
        assert_eq!(norms("3.5"), ["3.5", "|\n"]);
        assert_eq!(norms("http://x.y/:/"), [",", "|\n"]);
    }

    #[test]
    fn marks_capitals() {
        let t = tokenize("TERRIBLE I Ok");
        assert!(t[0].caps);
        assert!(!t[1].caps);
        assert!(!t[2].caps);
    }

    #[test]
    fn punctuation_and_newlines_split_sentences() {
        assert_eq!(norms("a.b\nc"), ["a", "|.", "b", "|\n", "c", "|\n"]);
    }
}
