//! The matcher targets (`glob_match`, `action_match`, `resource_match`) and their regex oracles.

use regex_lite::{Regex, RegexBuilder};

use super::{ensure, split_input, text_at, Violation};
use crate::arn::{arn_like, resource_matches};
use crate::glob::{action_matches, matches, matches_escaped, CaseSensitivity};

/// Regexes above this compiled size are not built: the oracle then gives no answer.
const REGEX_SIZE_LIMIT: usize = 1 << 22;

/// One element of a glob pattern, as the oracle reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// `*`.
    Star,
    /// `?`.
    One,
    /// A literal character; `true` when it was written with a backslash escape.
    Lit(char, bool),
}

/// Reads a pattern: `*` and `?` are wildcards; with `escaped`, `\c` is a literal `c` and a
/// trailing lone `\` a literal backslash.
fn tokenize(pattern: &str, escaped: bool) -> Vec<Tok> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            '\\' if escaped => Tok::Lit(chars.next().unwrap_or('\\'), true),
            c => Tok::Lit(c, false),
        });
    }
    tokens
}

/// The simple lowercase mapping of `c` (one character), as the semantics' (docs/semantics.md) case-insensitive
/// comparison uses it.
fn simple_lowercase(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(only), None) => only,
        // Only U+0130 `İ` has a longer full mapping (`i` + U+0307); its simple mapping is `i`.
        (Some(first), Some(_)) => first,
        (None, _) => c,
    }
}

/// Appends the regex of `tokens` to `out`; `any` is the regex of one character a wildcard may
/// match (`.` with `(?s)`, or `[^:]` inside an ARN field).
fn push_tokens(out: &mut String, tokens: &[Tok], any: &str) {
    for token in tokens {
        match *token {
            Tok::Star => {
                out.push_str("(?:");
                out.push_str(any);
                out.push_str(")*");
            }
            Tok::One => out.push_str(any),
            Tok::Lit(c, _) => out.push_str(&regex_lite::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
}

/// Compiles an anchored regex; `None` when it is too large (or otherwise fails to build).
fn anchored(body: &str, case_insensitive: bool) -> Option<Regex> {
    RegexBuilder::new(&format!(r"\A(?:{body})\z"))
        .dot_matches_new_line(true)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .ok()
}

/// The regex oracle for [`matches`] (`escaped == false`) and [`matches_escaped`]: the pattern
/// becomes an anchored regex (`*` → `.*`, `?` → `.`, everything else escaped, `(?s)`), run by
/// `regex-lite` (the `regex` project's small engine, which matches Unicode scalar values and
/// compiles a pattern some ten times faster than `regex`, which matters as every fuzz input needs
/// a fresh regex). For [`CaseSensitivity::Insensitive`] every literal of the pattern and every
/// character of the text is first mapped to its simple lowercase (the documented rule, one
/// character for one), and the regex runs case-sensitively: a regex engine's `(?i)` is no oracle
/// outside ASCII (`regex-lite` folds only ASCII letters, and `regex` uses Unicode simple case
/// *folding*, which differs from lowercase mapping for `ς`/`σ`, `ẞ`/`ß`), so `(?i)` is only used
/// on ASCII input, by [`ascii_ci_glob_oracle`]. `None` when the regex is too large to build.
pub fn glob_oracle(
    pattern: &str,
    text: &str,
    case: CaseSensitivity,
    escaped: bool,
) -> Option<bool> {
    let mut tokens = tokenize(pattern, escaped);
    let folded: String;
    let text = match case {
        CaseSensitivity::Sensitive => text,
        CaseSensitivity::Insensitive => {
            for token in &mut tokens {
                if let Tok::Lit(c, _) = token {
                    *c = simple_lowercase(*c);
                }
            }
            folded = text.chars().map(simple_lowercase).collect();
            &folded
        }
    };
    let mut body = String::new();
    push_tokens(&mut body, &tokens, ".");
    Some(anchored(&body, false)?.is_match(text))
}

/// A second oracle for case-insensitive globs on ASCII input: the same regex with the engine's
/// own `(?i)`. `None` when the pattern or the text is not all ASCII (where `(?i)` folding and
/// lowercase mapping may differ) or the regex is too large.
pub fn ascii_ci_glob_oracle(pattern: &str, text: &str, escaped: bool) -> Option<bool> {
    if !pattern.is_ascii() || !text.is_ascii() {
        return None;
    }
    let mut body = String::new();
    push_tokens(&mut body, &tokenize(pattern, escaped), ".");
    Some(anchored(&body, true)?.is_match(text))
}

/// The regex of an ARN pattern's six fields joined by `:`: fields one to five may not hold a
/// `:` (their wildcards are `[^:]`), the sixth is the whole remainder (wildcards `.`). The
/// pattern splits at its first five colons not written as `\:`. With `complete`, missing fields
/// are `*`; without, a pattern of fewer than six fields gives `Ok(None)`. A literal (escaped)
/// `:` in fields one to five can never match: also `Ok(None)`.
fn arn_regex(pattern: &str, escaped: bool, complete: bool) -> Option<String> {
    let tokens = tokenize(pattern, escaped);
    let mut body = String::new();
    let mut field = 0;
    let mut run_start = 0;
    let flush = |body: &mut String, run: &[Tok], field: usize| -> Option<()> {
        if field < 5 {
            if run.iter().any(|t| matches!(t, Tok::Lit(':', _))) {
                return None;
            }
            push_tokens(body, run, "[^:]");
        } else {
            push_tokens(body, run, ".");
        }
        Some(())
    };
    for (i, token) in tokens.iter().enumerate() {
        if field < 5 && *token == Tok::Lit(':', false) {
            flush(&mut body, tokens.get(run_start..i)?, field)?;
            body.push(':');
            field += 1;
            run_start = i + 1;
        }
    }
    flush(&mut body, tokens.get(run_start..)?, field)?;
    if field < 5 {
        if !complete {
            return None;
        }
        for missing in field + 1..=5 {
            body.push_str(if missing < 5 { ":[^:]*" } else { ":.*" });
        }
    }
    Some(body)
}

/// The regex oracle for [`resource_matches`], written from semantics §3.2 as the module
/// [`crate::arn`] documents it: `*` matches everything; a pattern not starting with `arn:` is a
/// whole-string glob; an ARN pattern is one anchored regex of its six fields (completed with
/// `*`), where a field wildcard cannot cross `:` but the resource part's can. Case-sensitive.
/// `None` when the regex is too large.
pub fn resource_oracle(pattern: &str, resource: &str, escaped: bool) -> Option<bool> {
    if pattern == "*" {
        return Some(true);
    }
    if !pattern.starts_with("arn:") {
        return glob_oracle(pattern, resource, CaseSensitivity::Sensitive, escaped);
    }
    match arn_regex(pattern, escaped, true) {
        Some(body) => Some(anchored(&body, false)?.is_match(resource)),
        None => Some(false),
    }
}

/// The regex oracle for [`arn_like`] (semantics §4.4, §7.9): as [`resource_oracle`] but with no
/// completion and no special `*`: a pattern of fewer than six fields never matches.
pub fn arn_like_oracle(pattern: &str, value: &str, escaped: bool) -> Option<bool> {
    match arn_regex(pattern, escaped, false) {
        Some(body) => Some(anchored(&body, false)?.is_match(value)),
        None => Some(false),
    }
}

/// `glob_match`: flags bit 0 = case-insensitive; texts: pattern, text. [`matches`] and
/// [`matches_escaped`] agree with [`glob_oracle`] (and, for ASCII case-insensitive input, with
/// [`ascii_ci_glob_oracle`]); a case-sensitive match is also a case-insensitive one; without a
/// backslash in the pattern the two syntaxes agree.
pub fn check_glob_match(data: &[u8]) -> Result<(), Violation> {
    const TARGET: &str = "glob_match";
    let (flags, texts) = split_input(data);
    let (pattern, text) = (text_at(&texts, 0), text_at(&texts, 1));
    let case = if flags & 1 == 1 {
        CaseSensitivity::Insensitive
    } else {
        CaseSensitivity::Sensitive
    };
    for escaped in [false, true] {
        let got = if escaped {
            matches_escaped(pattern, text, case)
        } else {
            matches(pattern, text, case)
        };
        if let Some(want) = glob_oracle(pattern, text, case, escaped) {
            ensure(got == want, TARGET, || {
                format!("pattern {pattern:?} text {text:?} {case:?} escaped={escaped}: matcher {got}, regex oracle {want}")
            })?;
        }
        if case == CaseSensitivity::Insensitive {
            if let Some(want) = ascii_ci_glob_oracle(pattern, text, escaped) {
                ensure(got == want, TARGET, || {
                    format!("pattern {pattern:?} text {text:?} escaped={escaped}: matcher {got}, (?i) oracle {want}")
                })?;
            }
        }
    }
    let sensitive = matches(pattern, text, CaseSensitivity::Sensitive);
    let insensitive = matches(pattern, text, CaseSensitivity::Insensitive);
    ensure(!sensitive || insensitive, TARGET, || {
        format!("pattern {pattern:?} text {text:?}: matches case-sensitively but not insensitively")
    })?;
    if !pattern.contains('\\') {
        let escaped = matches_escaped(pattern, text, case);
        let plain = matches(pattern, text, case);
        ensure(escaped == plain, TARGET, || {
            format!("pattern {pattern:?} text {text:?} {case:?}: no backslash, yet matches {plain} and matches_escaped {escaped}")
        })?;
    }
    Ok(())
}

/// `action_match`: texts: pattern, action. [`action_matches`] is `pattern == "*"` or a
/// case-insensitive whole-string glob ([`glob_oracle`], and [`ascii_ci_glob_oracle`] on ASCII),
/// and changing the ASCII case of either side changes nothing.
pub fn check_action_match(data: &[u8]) -> Result<(), Violation> {
    const TARGET: &str = "action_match";
    let (_, texts) = split_input(data);
    let (pattern, action) = (text_at(&texts, 0), text_at(&texts, 1));
    let got = action_matches(pattern, action);
    let oracles = [
        glob_oracle(pattern, action, CaseSensitivity::Insensitive, false),
        ascii_ci_glob_oracle(pattern, action, false),
    ];
    for want in oracles.into_iter().flatten() {
        let want = pattern == "*" || want;
        ensure(got == want, TARGET, || {
            format!("pattern {pattern:?} action {action:?}: matcher {got}, oracle {want}")
        })?;
    }
    let swapped = action_matches(&pattern.to_ascii_uppercase(), &action.to_ascii_lowercase());
    ensure(swapped == got, TARGET, || {
        format!(
            "pattern {pattern:?} action {action:?}: {got}, but {swapped} after changing ASCII case"
        )
    })
}

/// `resource_match`: flags bit 0 = escaped pattern; texts: pattern, resource.
/// [`resource_matches`] agrees with [`resource_oracle`] and [`arn_like`] with
/// [`arn_like_oracle`]; an `ArnLike` match of an `arn:` pattern is also a `Resource` match.
pub fn check_resource_match(data: &[u8]) -> Result<(), Violation> {
    const TARGET: &str = "resource_match";
    let (flags, texts) = split_input(data);
    let (pattern, resource) = (text_at(&texts, 0), text_at(&texts, 1));
    let escaped = flags & 1 == 1;
    let got = resource_matches(pattern, resource, escaped);
    if let Some(want) = resource_oracle(pattern, resource, escaped) {
        ensure(got == want, TARGET, || {
            format!("Resource pattern {pattern:?} resource {resource:?} escaped={escaped}: matcher {got}, oracle {want}")
        })?;
    }
    let like = arn_like(pattern, resource, escaped);
    if let Some(want) = arn_like_oracle(pattern, resource, escaped) {
        ensure(like == want, TARGET, || {
            format!("ArnLike pattern {pattern:?} value {resource:?} escaped={escaped}: matcher {like}, oracle {want}")
        })?;
    }
    ensure(!like || !pattern.starts_with("arn:") || got, TARGET, || {
        format!("pattern {pattern:?} resource {resource:?} escaped={escaped}: ArnLike matches but Resource does not")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("s3:Get*", "s3:GetObject", CaseSensitivity::Sensitive, false, true)]
    #[case("s3:Get*", "s3:getobject", CaseSensitivity::Sensitive, false, false)]
    #[case("s3:Get*", "s3:getobject", CaseSensitivity::Insensitive, false, true)]
    #[case("a?c", "a\nc", CaseSensitivity::Sensitive, false, true)]
    #[case("caf?", "café", CaseSensitivity::Sensitive, false, true)]
    #[case("a.c", "abc", CaseSensitivity::Sensitive, false, false)]
    #[case(r"a\*", r"a\zz", CaseSensitivity::Sensitive, false, true)]
    #[case(r"a\*", "a*", CaseSensitivity::Sensitive, true, true)]
    #[case(r"a\*", "ab", CaseSensitivity::Sensitive, true, false)]
    #[case(r"a\", r"a\", CaseSensitivity::Sensitive, true, true)]
    #[case("\u{212A}", "k", CaseSensitivity::Insensitive, false, true)]
    #[case("?", "\u{130}", CaseSensitivity::Insensitive, false, true)]
    #[case("σ", "ς", CaseSensitivity::Insensitive, false, false)]
    fn glob_oracle_follows_the_rules(
        #[case] pattern: &str,
        #[case] text: &str,
        #[case] case: CaseSensitivity,
        #[case] escaped: bool,
        #[case] want: bool,
    ) {
        assert_eq!(glob_oracle(pattern, text, case, escaped), Some(want));
    }

    #[rstest]
    #[case("*", "not-an-arn", true)]
    #[case("arn:aws:sqs", "arn:aws:sqs:us-east-1:1:q", true)]
    #[case("arn:aws:*:1:*", "arn:aws:sqs:eu-west-1:1:q", false)]
    #[case("arn:aws:iam::*", "arn:aws:iam::1:user/a", true)]
    #[case("arn:aws:s3:::b/*", "arn:aws:s3:::b/x:y/z", true)]
    #[case("arn:aws:s3:::b/?", "arn:aws:s3:::b/:", true)]
    #[case("arn:aws:s3:*", "arn:aws:s3:::", true)]
    #[case("arn:aws:s3:::b", "arn:aws:s3:::B", false)]
    #[case("arn:aws:s3:::b", "arn:aws:s3::b", false)]
    #[case("bucket*", "bucket/a:b", true)]
    fn resource_oracle_follows_the_rules(
        #[case] pattern: &str,
        #[case] resource: &str,
        #[case] want: bool,
    ) {
        assert_eq!(resource_oracle(pattern, resource, false), Some(want));
    }

    #[test]
    fn escaped_colon_is_no_separator() {
        // `\:` in the region field is a literal colon: the field can never match.
        assert_eq!(
            resource_oracle(r"arn:aws:s3:a\:b::x", "arn:aws:s3:a:b::x", true),
            Some(false)
        );
        // In the resource part it is a literal colon.
        assert_eq!(
            resource_oracle(r"arn:aws:s3:::a\:b", "arn:aws:s3:::a:b", true),
            Some(true)
        );
    }

    #[test]
    fn arn_like_oracle_never_completes() {
        assert_eq!(
            arn_like_oracle("arn:aws:sns", "arn:aws:sns:r:1:t", false),
            Some(false)
        );
        assert_eq!(
            arn_like_oracle("*", "arn:aws:sns:r:1:t", false),
            Some(false)
        );
        assert_eq!(
            arn_like_oracle("arn:aws:sns:*:1:topic-?", "arn:aws:sns:r:1:topic-a", false),
            Some(true)
        );
    }

    #[rstest]
    #[case(b"0s3:Get*\xffs3:GetObject".as_slice())]
    #[case(b"1IAM:list*\xffiam:ListUsers".as_slice())]
    #[case(b"1\xe2\x84\xaa*\xffkelvin".as_slice())]
    fn glob_check_passes_on_correct_matches(#[case] data: &[u8]) {
        assert_eq!(check_glob_match(data), Ok(()));
        assert_eq!(check_action_match(data), Ok(()));
        assert_eq!(check_resource_match(data), Ok(()));
    }
}
