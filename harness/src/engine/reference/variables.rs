//! Policy variables (IAM-SPEC §5): `${key}`, `${key, 'default'}` and the escapes `${*}`, `${?}`,
//! `${$}`, substituted into condition values of the String and ARN operators.
//!
//! Substitution only happens in policies whose `Version` is `2012-10-17`; the caller decides
//! that and does not call [`substitute`] otherwise (then `${…}` is literal text).
//!
//! Rules, with the choices on IAM-SPEC §7.15:
//!
//! - `${key}`: the key is looked up in the request context, ignoring case. Only a single-valued
//!   key can be a variable; a missing key and a multivalued key (even an empty one) both leave
//!   the variable *unresolved*, and so does a key given as null.
//! - `${key, 'default'}`: a comma, any number of spaces, and the default in single quotes
//!   (spaces are also allowed before the closing brace). The default replaces an unresolved
//!   key. It is taken verbatim: it cannot contain a single quote (there is no escape inside it),
//!   it may contain `}`, and wildcards in it are literal characters, like a substituted value.
//! - `${*}`, `${?}`, `${$}`: a literal `*`, `?` or `$`.
//! - The key is the text between `${` and the `,` or `}`, verbatim (no trimming, spaces allowed
//!   for tag keys such as `aws:PrincipalTag/cost center`); it must be non-empty and made of the
//!   characters of key and tag-key names: letters and digits (any script), space, and
//!   `_ . : / = + - @`. So `${**}` or `${a*b}` is not a variable but literal text.
//! - Anything that does not fit these shapes — an unterminated `${`, an empty or malformed
//!   `${…}`, a default without quotes — stays literal text, character for character; scanning
//!   resumes right after the `${`, so `${${aws:username}}` still substitutes the inner variable.
//! - A value with one unresolved variable is unresolved as a whole ([`Substituted::Unresolved`]);
//!   the condition evaluator treats it as null, matching no request value.

use std::borrow::Cow;

use crate::request::{Context, Lookup};

/// What the substituted text will be used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain text compared exactly (`StringEquals`, `StringEqualsIgnoreCase` and their negations).
    Literal,
    /// A wildcard pattern for [`crate::glob::matches_escaped`] or
    /// [`crate::arn::arn_like`] with `escaped = true` (`StringLike`, ARN operators): policy text
    /// keeps its `*` and `?` as wildcards, and `\` escapes the character after it.
    Pattern,
}

/// The result of substituting the variables of one policy value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Substituted<'a> {
    /// The value with its variables replaced (borrowed when nothing had to change).
    Text(Cow<'a, str>),
    /// A variable had no value and no default: the policy value is null.
    Unresolved,
}

/// The characters of condition key names, tag keys included (letters and digits of any script,
/// space, and `_ . : / = + - @`).
fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
}

/// One recognised `${…}`.
enum Token<'a> {
    /// `${*}`, `${?}`, `${$}`.
    Escape(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        key: &'a str,
        default: Option<&'a str>,
    },
}

/// Reads the `${…}` whose body starts `rest` (the text just after `${`), returning the token and
/// the number of bytes of `rest` it spans including the closing `}`.
fn read_token(rest: &str) -> Option<(Token<'_>, usize)> {
    for escape in ['*', '?', '$'] {
        if rest
            .strip_prefix(escape)
            .is_some_and(|r| r.starts_with('}'))
        {
            return Some((Token::Escape(escape), 2));
        }
    }
    let key_end = rest.find([',', '}'])?;
    let key = rest.get(..key_end)?;
    if key.is_empty() || !key.chars().all(is_key_char) {
        return None;
    }
    let after_key = rest.get(key_end..)?;
    if after_key.starts_with('}') {
        return Some((Token::Variable { key, default: None }, key_end + 1));
    }
    // `, 'default'}`
    let after_comma = after_key.get(1..)?;
    let quoted = after_comma.trim_start_matches(' ');
    let body = quoted.strip_prefix('\'')?;
    let close = body.find('\'')?;
    let default = body.get(..close)?;
    let tail = body.get(close + 1..)?.trim_start_matches(' ');
    tail.strip_prefix('}')?;
    let consumed = rest.len() - tail.len() + 1;
    Some((
        Token::Variable {
            key,
            default: Some(default),
        },
        consumed,
    ))
}

/// Appends policy text (outside any variable) in `mode`: literal text as is, pattern text with
/// backslashes doubled so they stay literal under [`crate::glob::matches_escaped`].
fn push_policy_text(out: &mut String, text: &str, mode: Mode) {
    match mode {
        Mode::Literal => out.push_str(text),
        Mode::Pattern => {
            for part in text.split_inclusive('\\') {
                out.push_str(part);
                if part.ends_with('\\') {
                    out.push('\\');
                }
            }
        }
    }
}

/// Appends a produced value (an escape, a context value or a default) in `mode`: in a pattern,
/// `*`, `?` and `\` are escaped so they match only themselves.
fn push_value(out: &mut String, value: &str, mode: Mode) {
    match mode {
        Mode::Literal => out.push_str(value),
        Mode::Pattern => {
            for c in value.chars() {
                if matches!(c, '*' | '?' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
}

/// Substitutes the policy variables of `text` from `ctx` (the module docs give the rules).
///
/// Text without `${` (and, in [`Mode::Pattern`], without `\`) is returned borrowed, without
/// allocating.
pub fn substitute<'a>(text: &'a str, ctx: &Context, mode: Mode) -> Substituted<'a> {
    if !text.contains("${") {
        if mode == Mode::Literal || !text.contains('\\') {
            return Substituted::Text(Cow::Borrowed(text));
        }
        let mut out = String::with_capacity(text.len() + 4);
        push_policy_text(&mut out, text, mode);
        return Substituted::Text(Cow::Owned(out));
    }
    // Allocation: a variable is (probably) present, so the value is built anew.
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while !rest.is_empty() {
        let Some(offset) = rest.find("${") else {
            push_policy_text(&mut out, rest, mode);
            break;
        };
        push_policy_text(&mut out, rest.get(..offset).unwrap_or_default(), mode);
        let body = rest.get(offset + 2..).unwrap_or_default();
        match read_token(body) {
            Some((token, used)) => {
                match token {
                    Token::Escape(c) => {
                        let mut buf = [0u8; 4];
                        push_value(&mut out, c.encode_utf8(&mut buf), mode);
                    }
                    Token::Variable { key, default } => {
                        let value = match (ctx.get(key), default) {
                            (Lookup::Single(value), _) => value,
                            (_, Some(default)) => default,
                            (_, None) => return Substituted::Unresolved,
                        };
                        push_value(&mut out, value, mode);
                    }
                }
                rest = body.get(used..).unwrap_or_default();
            }
            None => {
                // Not a variable: keep `${` literally and look again after it.
                push_policy_text(&mut out, "${", mode);
                rest = body;
            }
        }
    }
    Substituted::Text(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::ContextEntry;
    use rstest::rstest;

    fn ctx() -> Context {
        let mut ctx = Context::new();
        ctx.insert("aws:username", ContextEntry::Single("alice".into()));
        ctx.insert(
            "aws:PrincipalTag/team",
            ContextEntry::Single("blue*?\\".into()),
        );
        ctx.insert(
            "aws:PrincipalTag/cost center",
            ContextEntry::Single("42".into()),
        );
        ctx.insert(
            "aws:TagKeys",
            ContextEntry::Multi(vec!["a".into(), "b".into()]),
        );
        ctx.insert("aws:Empty", ContextEntry::Multi(Vec::new()));
        ctx.insert("aws:NullKey", ContextEntry::Null);
        ctx
    }

    fn text(s: &str) -> Substituted<'_> {
        Substituted::Text(Cow::Borrowed(s))
    }

    #[rstest]
    #[case("home/${aws:username}/*", Mode::Literal, text("home/alice/*"))]
    #[case("home/${AWS:USERNAME}/*", Mode::Literal, text("home/alice/*"))]
    #[case("home/${aws:username}/*", Mode::Pattern, text("home/alice/*"))]
    #[case("${aws:PrincipalTag/team}", Mode::Literal, text("blue*?\\"))]
    #[case("${aws:PrincipalTag/team}-*", Mode::Pattern, text("blue\\*\\?\\\\-*"))]
    #[case("${aws:PrincipalTag/cost center}", Mode::Literal, text("42"))]
    #[case("a${*}b${?}c${$}d", Mode::Literal, text("a*b?c$d"))]
    #[case("a${*}b${?}c${$}d*", Mode::Pattern, text("a\\*b\\?c$d*"))]
    #[case("x\\y", Mode::Pattern, text("x\\\\y"))]
    #[case("x\\y", Mode::Literal, text("x\\y"))]
    #[case("${x\\y, 'd'}\\", Mode::Pattern, text("${x\\\\y, 'd'}\\\\"))]
    #[case("${a*b}", Mode::Literal, text("${a*b}"))]
    #[case("${aws:missing, 'def*'}", Mode::Literal, text("def*"))]
    #[case("${aws:missing, 'def*'}", Mode::Pattern, text("def\\*"))]
    #[case("${aws:missing,'x'}", Mode::Literal, text("x"))]
    #[case("${aws:missing,   'x'  }", Mode::Literal, text("x"))]
    #[case("${aws:missing, ''}", Mode::Literal, text(""))]
    #[case("${aws:missing, 'a}b'}!", Mode::Literal, text("a}b!"))]
    #[case("${aws:username, 'def'}", Mode::Literal, text("alice"))]
    #[case("${aws:TagKeys, 'def'}", Mode::Literal, text("def"))]
    #[case("${aws:NullKey, 'def'}", Mode::Literal, text("def"))]
    #[case("${aws:missing}", Mode::Literal, Substituted::Unresolved)]
    #[case(
        "ok ${aws:username} ${aws:missing}",
        Mode::Pattern,
        Substituted::Unresolved
    )]
    #[case("${aws:TagKeys}", Mode::Literal, Substituted::Unresolved)]
    #[case("${aws:Empty}", Mode::Literal, Substituted::Unresolved)]
    #[case("${aws:NullKey}", Mode::Literal, Substituted::Unresolved)]
    #[case("${aws:username", Mode::Literal, text("${aws:username"))]
    #[case("${}", Mode::Literal, text("${}"))]
    #[case("${a, def}", Mode::Literal, text("${a, def}"))]
    #[case("${a, 'def}", Mode::Literal, text("${a, 'def}"))]
    #[case("${a, 'd' x}", Mode::Literal, text("${a, 'd' x}"))]
    #[case("${${aws:username}}", Mode::Literal, text("${alice}"))]
    #[case("$${aws:username}", Mode::Literal, text("$alice"))]
    #[case("${**}", Mode::Literal, text("${**}"))]
    #[case("${**}", Mode::Pattern, text("${**}"))]
    #[case("é${aws:username}ü", Mode::Literal, text("éaliceü"))]
    #[case("trailing ${", Mode::Literal, text("trailing ${"))]
    fn substitutes(#[case] input: &str, #[case] mode: Mode, #[case] expected: Substituted<'_>) {
        assert_eq!(substitute(input, &ctx(), mode), expected);
    }

    #[rstest]
    #[case("plain text*", Mode::Literal)]
    #[case("plain text*", Mode::Pattern)]
    #[case("back\\slash", Mode::Literal)]
    #[case("$ and { but no variable", Mode::Pattern)]
    fn text_without_variables_is_borrowed(#[case] input: &str, #[case] mode: Mode) {
        match substitute(input, &ctx(), mode) {
            Substituted::Text(Cow::Borrowed(out)) => assert_eq!(out, input),
            other => panic!("expected a borrowed value, got {other:?}"),
        }
    }

    #[test]
    fn substituted_patterns_match_literally() {
        use crate::glob::{matches_escaped, CaseSensitivity::Sensitive};
        let Substituted::Text(pattern) =
            substitute("${aws:PrincipalTag/team}/*", &ctx(), Mode::Pattern)
        else {
            panic!("unresolved");
        };
        assert!(matches_escaped(&pattern, "blue*?\\/x", Sensitive));
        assert!(!matches_escaped(&pattern, "blueXY\\/x", Sensitive));
        assert!(!matches_escaped(&pattern, "blue*?/x", Sensitive));
    }
}
