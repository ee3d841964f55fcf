//! Text from case files and engines (ids, test names, file names, messages, an engine's stderr)
//! can hold control characters; printed raw, an escape sequence would drive the terminal and a
//! line break would forge a line of the report. Every rendering for people — the text report,
//! Markdown, the command line's messages — shows them escaped, through [`printable`]; HTML and
//! SVG through [`markup`].

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1, line breaks included) written as its Rust
/// escape (`\n`, `\u{1b}`); the text itself when it has none.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` line by line through [`printable`]: the line breaks are kept, every other control
/// character escaped (for messages of several lines).
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(printable).collect();
    Cow::Owned(lines.join("\n"))
}

/// `text` for HTML or SVG (XML) text and attribute values: control characters escaped as by
/// [`printable`] (XML allows none of them), then `&`, `<`, `>`, `"` and `'` as entities.
pub fn markup(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_kept() {
        assert!(matches!(printable("s3:GetObject ›"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[2Jb\r\n"), "a\\u{1b}[2Jb\\r\\n");
        assert_eq!(printable("\u{9b}x\u{7f}"), "\\u{9b}x\\u{7f}");
        assert_eq!(printable_lines("one\u{1b}\ntwo\r"), "one\\u{1b}\ntwo\\r");
        assert_eq!(
            markup("<a href='x'>&\"\u{0}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\u{0}"
        );
    }
}
