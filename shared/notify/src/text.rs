//! Small string helpers shared by the email, calendar and SNS renderers.

/// Escapes text for HTML element content and quoted attribute values.
///
/// All five specials are replaced so the result is safe in either position; user input must
/// never be able to open a tag or close an attribute.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for ch in input.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Collapses a value onto one line: control characters (CR and LF above all) become spaces
/// and runs of whitespace shrink to one. Subjects are mail headers, where a stray newline
/// from a user's name would at best break the header and at worst inject another.
pub fn single_line(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for ch in input.chars() {
        if ch.is_control() || ch.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(ch);
        }
    }
    out
}

/// Keeps line breaks (normalised to `\n`) but drops every other control character and
/// trims the ends: for free text such as a cancellation reason, where the author's line
/// breaks carry meaning but a stray NUL or escape sequence does not.
pub fn multi_line(input: &str) -> String {
    let normalised = input.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = normalised.chars().filter(|c| *c == '\n' || *c == '\t' || !c.is_control()).collect();
    kept.trim().to_owned()
}

/// Turns a stored event type slug like `pre_wedding` into `Pre wedding` for display.
/// An empty type still reads as a sentence.
pub fn humanise_event_type(event_type: &str) -> String {
    let spaced: String = event_type.chars().map(|c| if c == '_' || c == '-' { ' ' } else { c }).collect();
    let spaced = single_line(&spaced);
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Photo".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_specials_are_escaped() {
        assert_eq!(
            escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape_html("Priyā Śarma"), "Priyā Śarma");
    }

    #[test]
    fn single_line_removes_header_breaking_characters() {
        assert_eq!(single_line("  Asha\r\nBcc: evil@example.com\t x "), "Asha Bcc: evil@example.com x");
        assert_eq!(single_line("\u{0}\u{7}"), "");
    }

    #[test]
    fn multi_line_keeps_paragraphs_only() {
        assert_eq!(multi_line("  Family emergency.\r\nSorry!\r\u{1b}[31m  "), "Family emergency.\nSorry!\n[31m");
    }

    #[test]
    fn event_types_read_naturally() {
        assert_eq!(humanise_event_type("wedding"), "Wedding");
        assert_eq!(humanise_event_type("pre_wedding"), "Pre wedding");
        assert_eq!(humanise_event_type("baby-shower"), "Baby shower");
        assert_eq!(humanise_event_type(""), "Photo");
        assert_eq!(humanise_event_type("ünique"), "Ünique");
    }
}
