//! Substitution of policy variables (semantics §5) into condition values of the String and ARN
//! operators and into resource patterns. What a `${…}` token is (`${key}`,
//! `${key, 'default'}`, the escapes `${*}`, `${?}`, `${$}`, and what stays literal text) is the
//! grammar of [`crate::policy::variables`]; this module gives the tokens their values from the
//! request context.
//!
//! Substitution only happens in policies whose `Version` is `2012-10-17`; the caller decides
//! that and does not call [`substitute`] otherwise (then `${…}` is literal text).
//!
//! Rules, with the choices on semantics §7.15:
//!
//! - `${key}`: the key is looked up in the request context, ignoring case. Only a single-valued
//!   key can be a variable; a missing key and a multivalued key (even an empty one) both leave
//!   the variable *unresolved*, and so does a key given as null.
//! - `${key, 'default'}`: the default replaces an unresolved key. Wildcards in it are literal
//!   characters, like a substituted value.
//! - `${*}`, `${?}`, `${$}`: a literal `*`, `?` or `$`.
//! - Text that is no token stays literal text, character for character.
//! - A value with one unresolved variable is unresolved as a whole ([`Substituted::Unresolved`]);
//!   the condition evaluator treats it as null, matching no request value.
//! - A value that would grow past [`MAX_SUBSTITUTED_BYTES`] stops the decision: the bound is
//!   recorded in [`budget`] and the test errors (semantics §6.14).

use std::borrow::Cow;

use super::budget::{self, Exceeded, MAX_SUBSTITUTED_BYTES};
use crate::policy::variables::{pieces, Piece};
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

/// Substitutes the policy variables of `text` from `ctx` (the module docs give the rules, the
/// tokens are those of [`pieces`]).
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
    for piece in pieces(text) {
        match piece {
            Piece::Text(policy_text) => push_policy_text(&mut out, policy_text, mode),
            Piece::Escape { character, .. } => {
                let mut buf = [0u8; 4];
                push_value(&mut out, character.encode_utf8(&mut buf), mode);
            }
            Piece::Variable { key, default, .. } => {
                let value = match (ctx.get(key), default) {
                    (Lookup::Single(value), _) => value,
                    (_, Some(default)) => default,
                    (_, None) => return Substituted::Unresolved,
                };
                push_value(&mut out, value, mode);
            }
        }
        if out.len() > MAX_SUBSTITUTED_BYTES {
            budget::exceed(Exceeded::Substitution);
            return Substituted::Unresolved;
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
