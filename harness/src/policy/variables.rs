//! The grammar of policy variables (semantics §5): how a policy value splits into literal text
//! and `${…}` tokens. The evaluator substitutes the tokens from a request
//! (`engine::reference::variables`) and the properties rewrite them; both read them here, so
//! there is one grammar.
//!
//! Rules, with the choices on semantics §7.15:
//!
//! - `${key}`: a variable. The key is the text between `${` and the `,` or `}`, verbatim (no
//!   trimming, spaces allowed for tag keys such as `aws:PrincipalTag/cost center`); it must be
//!   non-empty and made of the characters of key and tag-key names: letters and digits (any
//!   script), space, and `_ . : / = + - @`. So `${**}` or `${a*b}` is not a variable but
//!   literal text.
//! - `${key, 'default'}`: a comma, any number of spaces, and the default in single quotes
//!   (spaces are also allowed before the closing brace). The default is taken verbatim: it
//!   cannot contain a single quote (there is no escape inside it) and it may contain `}`.
//! - `${*}`, `${?}`, `${$}`: escapes standing for a literal `*`, `?` or `$`.
//! - Anything that does not fit these shapes — an unterminated `${`, an empty or malformed
//!   `${…}`, a default without quotes — is literal text, character for character; scanning
//!   resumes right after the `${`, so in `${${aws:username}}` the inner `${aws:username}` is
//!   still a variable.
//!
//! Whether a policy has variables at all is its `Version`'s business
//! ([`super::Policy::has_variables`]); under `2008-10-17` a value is all literal text.

/// One piece of a policy value: literal text or one `${…}` token. The pieces of a value, in
/// order, spell the value exactly ([`Piece::source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Policy text outside any token, verbatim (a `${` that starts no token included).
    Text(&'a str),
    /// `${*}`, `${?}` or `${$}`: a literal character.
    Escape {
        /// The token as written (`${*}`).
        source: &'a str,
        /// The character it stands for.
        character: char,
    },
    /// `${key}` or `${key, 'default'}`.
    Variable {
        /// The token as written, default included.
        source: &'a str,
        /// The condition key, verbatim (it is looked up ignoring case).
        key: &'a str,
        /// The default between the quotes, verbatim, when there is one.
        default: Option<&'a str>,
    },
}

impl<'a> Piece<'a> {
    /// The piece as written in the policy value.
    pub fn source(&self) -> &'a str {
        match self {
            Piece::Text(source) | Piece::Escape { source, .. } | Piece::Variable { source, .. } => {
                source
            }
        }
    }
}

/// The pieces of `text`, in order (see the module docs for the grammar).
pub fn pieces(text: &str) -> Pieces<'_> {
    Pieces {
        rest: text,
        pending: None,
    }
}

/// The iterator of [`pieces`].
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
    /// The text not yet split.
    rest: &'a str,
    /// A token found after the text piece just returned, with the text after it.
    pending: Option<(Piece<'a>, &'a str)>,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        if let Some((token, after)) = self.pending.take() {
            self.rest = after;
            return Some(token);
        }
        let text = self.rest;
        if text.is_empty() {
            return None;
        }
        let mut search = 0;
        while let Some(found) = text.get(search..).and_then(|tail| tail.find("${")) {
            let start = search + found;
            // `start` is where `find` found `${`, a char boundary.
            let Some((_, from_token)) = text.split_at_checked(start) else {
                break;
            };
            if let Some((token, length)) = read_token(from_token) {
                let Some((_, after)) = from_token.split_at_checked(length) else {
                    break;
                };
                if start == 0 {
                    self.rest = after;
                    return Some(token);
                }
                self.pending = Some((token, after));
                self.rest = "";
                return text.get(..start).map(Piece::Text);
            }
            // Not a token: the `${` is literal text; look again right after it.
            search = start + 2;
        }
        self.rest = "";
        Some(Piece::Text(text))
    }
}

/// The characters of condition key names, tag keys included (letters and digits of any script,
/// space, and `_ . : / = + - @`).
fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
}

/// Reads the token at the start of `text` (which starts with `${`), returning it and its length
/// in bytes including the closing `}`.
fn read_token(text: &str) -> Option<(Piece<'_>, usize)> {
    let body = text.get(2..)?;
    for character in ['*', '?', '$'] {
        if body
            .strip_prefix(character)
            .is_some_and(|after| after.starts_with('}'))
        {
            let source = text.get(..4)?;
            return Some((Piece::Escape { source, character }, 4));
        }
    }
    let key_end = body.find([',', '}'])?;
    let key = body.get(..key_end)?;
    if key.is_empty() || !key.chars().all(is_key_char) {
        return None;
    }
    let after_key = body.get(key_end..)?;
    if after_key.starts_with('}') {
        let length = 2 + key_end + 1;
        let source = text.get(..length)?;
        return Some((
            Piece::Variable {
                source,
                key,
                default: None,
            },
            length,
        ));
    }
    // `, 'default'}`
    let after_comma = after_key.get(1..)?;
    let quoted = after_comma.trim_start_matches(' ');
    let inside = quoted.strip_prefix('\'')?;
    let close = inside.find('\'')?;
    let default = inside.get(..close)?;
    let tail = inside.get(close + 1..)?.trim_start_matches(' ');
    let after = tail.strip_prefix('}')?;
    let length = text.len() - after.len();
    let source = text.get(..length)?;
    Some((
        Piece::Variable {
            source,
            key,
            default: Some(default),
        },
        length,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn variable<'a>(source: &'a str, key: &'a str, default: Option<&'a str>) -> Piece<'a> {
        Piece::Variable {
            source,
            key,
            default,
        }
    }

    #[rstest]
    #[case("plain", vec![Piece::Text("plain")])]
    #[case("home/${aws:username}/*", vec![
        Piece::Text("home/"),
        variable("${aws:username}", "aws:username", None),
        Piece::Text("/*"),
    ])]
    #[case("${aws:PrincipalTag/cost center}", vec![
        variable("${aws:PrincipalTag/cost center}", "aws:PrincipalTag/cost center", None),
    ])]
    #[case("a${*}${?}${$}", vec![
        Piece::Text("a"),
        Piece::Escape { source: "${*}", character: '*' },
        Piece::Escape { source: "${?}", character: '?' },
        Piece::Escape { source: "${$}", character: '$' },
    ])]
    #[case("${k,   'a}b'  }!", vec![variable("${k,   'a}b'  }", "k", Some("a}b")), Piece::Text("!")])]
    #[case("${k,''}", vec![variable("${k,''}", "k", Some(""))])]
    #[case("${${aws:username}}", vec![
        Piece::Text("${"),
        variable("${aws:username}", "aws:username", None),
        Piece::Text("}"),
    ])]
    #[case("$${a}", vec![Piece::Text("$"), variable("${a}", "a", None)])]
    #[case("${a*b} ${} ${a, def} ${a, 'def} ${a, 'd' x} ${ ${**} trailing ${", vec![
        Piece::Text("${a*b} ${} ${a, def} ${a, 'def} ${a, 'd' x} ${ ${**} trailing ${"),
    ])]
    #[case("${ aws:username }", vec![variable("${ aws:username }", " aws:username ", None)])]
    #[case("é${a}ü", vec![Piece::Text("é"), variable("${a}", "a", None), Piece::Text("ü")])]
    #[case("", vec![])]
    fn splits_values_into_pieces(#[case] text: &str, #[case] expected: Vec<Piece<'_>>) {
        let got: Vec<Piece<'_>> = pieces(text).collect();
        assert_eq!(got, expected);
        let spelled: String = got.iter().map(Piece::source).collect();
        assert_eq!(spelled, text);
    }
}
