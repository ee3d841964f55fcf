//! IAM wildcard matching: the `*` and `?` of `Action`, `Resource` and the `*Like` condition
//! operators (semantics §3.2, §3.3, §4.4).
//!
//! # Rules
//!
//! - A pattern matches the **whole** text, anchored at both ends: `s3:Get` does not match
//!   `s3:GetObject`.
//! - `*` matches any run of characters, including the empty run. It crosses every character:
//!   `/` and `:` are ordinary here (splitting an ARN into fields is [`crate::arn`]'s job).
//!   ```
//!   use iam_harness::glob::{matches, CaseSensitivity::Sensitive};
//!   assert!(matches("bucket/*", "bucket/a/b:c", Sensitive));
//!   assert!(matches("s3:*Object", "s3:Object", Sensitive)); // `*` may be empty
//!   assert!(matches("*", "", Sensitive));
//!   ```
//! - `?` matches **exactly one** character — one Unicode scalar value, never zero characters and
//!   never one byte of a multi-byte character.
//!   ```
//!   use iam_harness::glob::{matches, CaseSensitivity::Sensitive};
//!   assert!(matches("caf?", "café", Sensitive)); // `é` is two bytes, one character
//!   assert!(!matches("caf??", "café", Sensitive));
//!   assert!(!matches("a?b", "ab", Sensitive)); // `?` is never empty
//!   assert!(matches("a?b", "a/b", Sensitive)); // and may be `/` or `:`
//!   ```
//! - Every other character is literal: `[`, `{`, `.`, `+` mean themselves, and so does `\` in
//!   [`matches`].
//!   ```
//!   use iam_harness::glob::{matches, CaseSensitivity::Sensitive};
//!   assert!(matches("a[0-9]", "a[0-9]", Sensitive));
//!   assert!(!matches("a[0-9]", "a1", Sensitive));
//!   assert!(matches(r"a\*", r"a\xyz", Sensitive)); // `\` literal, `*` still a wildcard
//!   ```
//! - [`CaseSensitivity::Sensitive`] compares characters exactly.
//!   [`CaseSensitivity::Insensitive`] compares ASCII letters ignoring case and other characters
//!   by their *simple* lowercase mapping, one character against one character, so `?` still
//!   stands for exactly one character (`İ` folds to `i`; the Kelvin sign `K` folds to `k`).
//!   ```
//!   use iam_harness::glob::{matches, CaseSensitivity::{Insensitive, Sensitive}};
//!   assert!(matches("IAM:list*", "iam:ListUsers", Insensitive));
//!   assert!(!matches("IAM:list*", "iam:ListUsers", Sensitive));
//!   assert!(matches("CAFÉ", "café", Insensitive));
//!   assert!(matches("?", "İ", Insensitive));
//!   ```
//! - [`matches_escaped`] is for patterns that came out of policy-variable substitution (semantics
//!   §5: `${*}` is a literal `*`). There `\` escapes the next character: `\*` is a literal star,
//!   `\?` a literal question mark, `\\` a literal backslash, `\x` a literal `x`, and a trailing
//!   lone `\` a literal backslash.
//!   ```
//!   use iam_harness::glob::{matches_escaped, CaseSensitivity::Sensitive};
//!   assert!(matches_escaped(r"team-\*", "team-*", Sensitive));
//!   assert!(!matches_escaped(r"team-\*", "team-a", Sensitive));
//!   assert!(matches_escaped(r"a\\*", r"a\bc", Sensitive)); // `\\` then a real `*`
//!   assert!(matches_escaped(r"a\", r"a\", Sensitive)); // trailing lone `\`
//!   ```
//! - [`action_matches`] compares `service:ActionName` ignoring case in both the service prefix
//!   and the name (semantics §2.7, §3.3); a bare `*` matches every action. The glob runs over the
//!   whole `service:Name` string, so a wildcard in the service prefix (`s3*:Get*`, `*:Get*`,
//!   semantics §7.21, undocumented by AWS) simply globs; validation may reject such patterns
//!   separately.
//!   ```
//!   use iam_harness::glob::action_matches;
//!   assert!(action_matches("S3:get*", "s3:GetObject"));
//!   assert!(action_matches("*:Get*", "s3:GetObject")); // §7.21: just a glob
//!   assert!(!action_matches("s3:Get*", "s3:PutObject"));
//!   ```
//!
//! # Cost
//!
//! Matching allocates nothing and never backtracks. The pattern is read as literal segments
//! (which may hold `?`) separated by runs of `*`. The segment before the first `*` is compared at
//! the start of the text, the one after the last `*` at the end, and each segment in between is
//! found at its **leftmost** position after the previous one (for `*`/`?` globs the leftmost
//! choice is always safe). Each of those searches is a bit-parallel Shift-And over the text (one
//! `u64` of state, one bit per segment character), and the searches only move forward, so the
//! whole match is O(pattern + text) for segments of up to 64 characters (a case-sensitive
//! segment of plain characters uses the standard library's linear substring search instead). A middle segment longer
//! than 64 characters is instead compared directly at each candidate position, which costs
//! O(segment × text) for that segment in the worst case; IAM patterns have no such segments in
//! practice.

use std::str::CharIndices;

/// Whether case matters when matching: IAM actions are case-insensitive, resources and ARN
/// conditions case-sensitive, and each string condition operator picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSensitivity {
    /// Characters must be equal.
    Sensitive,
    /// Characters compare equal ignoring case (ASCII case, then simple lowercase mappings).
    Insensitive,
}

/// True when `text` matches `pattern` as a whole (`*` any run, `?` exactly one character,
/// everything else literal, `\` included); see the [module docs](self) for the rules.
pub fn matches(pattern: &str, text: &str, case: CaseSensitivity) -> bool {
    glob(pattern, text, case, false).is_some()
}

/// Like [`matches`], but `\x` in the pattern stands for a literal `x` (used for patterns produced
/// by policy-variable substitution, where `${*}` must be a literal `*`).
pub fn matches_escaped(pattern: &str, text: &str, case: CaseSensitivity) -> bool {
    glob(pattern, text, case, true).is_some()
}

/// True when an action pattern (`s3:Get*`, `*`) matches an action, ignoring case in both the
/// service prefix and the action name (semantics §2.7, §3.3).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    pattern == "*" || matches(pattern, action, CaseSensitivity::Insensitive)
}

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
    /// A character that must be matched (up to case).
    Lit(char),
}

/// The tokens of a pattern, with or without backslash escapes. This is the only place the two
/// syntaxes differ; everything after it is shared.
#[derive(Clone)]
struct Tokens<'p> {
    chars: CharIndices<'p>,
    escaped: bool,
}

impl<'p> Tokens<'p> {
    fn new(src: &'p str, escaped: bool) -> Self {
        Self {
            chars: src.char_indices(),
            escaped,
        }
    }

    /// Byte offset of the next token in the source.
    fn offset(&self) -> usize {
        self.chars.offset()
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let (_, c) = self.chars.next()?;
        Some(match c {
            '*' => Token::Star,
            '?' => Token::One,
            '\\' if self.escaped => Token::Lit(self.chars.next().map_or('\\', |(_, e)| e)),
            c => Token::Lit(c),
        })
    }
}

/// A run of pattern text without any `*` token (it may hold `?`).
#[derive(Clone, Copy)]
struct Segment<'p> {
    src: &'p str,
    escaped: bool,
}

impl<'p> Segment<'p> {
    fn tokens(self) -> Tokens<'p> {
        Tokens::new(self.src, self.escaped)
    }

    /// Number of characters the segment matches.
    fn len(self) -> usize {
        self.tokens().count()
    }
}

/// The segments between runs of `*` in a pattern slice.
struct Segments<'p> {
    src: &'p str,
    tokens: Tokens<'p>,
}

impl<'p> Iterator for Segments<'p> {
    type Item = Segment<'p>;

    fn next(&mut self) -> Option<Segment<'p>> {
        let start = loop {
            let at = self.tokens.offset();
            match self.tokens.next()? {
                Token::Star => {}
                Token::One | Token::Lit(_) => break at,
            }
        };
        let end = loop {
            let at = self.tokens.offset();
            match self.tokens.next() {
                None | Some(Token::Star) => break at,
                Some(_) => {}
            }
        };
        Some(Segment {
            src: self.src.get(start..end)?,
            escaped: self.tokens.escaped,
        })
    }
}

/// The shared matcher. `Some(())` means the text matches; `None` means it does not.
fn glob(pattern: &str, text: &str, case: CaseSensitivity, escaped: bool) -> Option<()> {
    let mut tokens = Tokens::new(pattern, escaped);
    let prefix_end = loop {
        let at = tokens.offset();
        match tokens.next() {
            None => {
                // No `*` at all: the pattern is one segment anchored at both ends.
                let whole = Segment {
                    src: pattern,
                    escaped,
                };
                return (match_prefix(whole, text, case)? == text.len()).then_some(());
            }
            Some(Token::Star) => break at,
            Some(_) => {}
        }
    };
    let middle_start = tokens.offset();
    let (mut middle_end, mut suffix_start) = (middle_start, middle_start);
    loop {
        let at = tokens.offset();
        match tokens.next() {
            None => break,
            Some(Token::Star) => (middle_end, suffix_start) = (at, tokens.offset()),
            Some(_) => {}
        }
    }
    let slice =
        |range: std::ops::Range<usize>| pattern.get(range).map(|src| Segment { src, escaped });
    let start = match_prefix(slice(0..prefix_end)?, text, case)?;
    let end = match_suffix(slice(suffix_start..pattern.len())?, text, start, case)?;
    let mut hay = text.get(start..end)?;
    let middle = pattern.get(middle_start..middle_end)?;
    let segments = Segments {
        src: middle,
        tokens: Tokens::new(middle, escaped),
    };
    for segment in segments {
        let after = find_leftmost(segment, hay, case)?;
        hay = hay.get(after..)?;
    }
    Some(())
}

/// Matches `segment` against the start of `text`; returns the byte offset just after it.
fn match_prefix(segment: Segment<'_>, text: &str, case: CaseSensitivity) -> Option<usize> {
    let mut chars = text.char_indices();
    for token in segment.tokens() {
        let (_, c) = chars.next()?;
        if !token_matches(token, c, case) {
            return None;
        }
    }
    Some(chars.offset())
}

/// Matches `segment` against the end of `text`, starting no earlier than byte `min`; returns the
/// byte offset where it starts.
fn match_suffix(
    segment: Segment<'_>,
    text: &str,
    min: usize,
    case: CaseSensitivity,
) -> Option<usize> {
    let start = match segment.len().checked_sub(1) {
        None => text.len(),
        Some(back) => text.char_indices().rev().nth(back)?.0,
    };
    if start < min {
        return None;
    }
    match_prefix(segment, text.get(start..)?, case)?;
    Some(start)
}

/// Finds the leftmost occurrence of `segment` in `hay`; returns the byte offset just after it.
fn find_leftmost(segment: Segment<'_>, hay: &str, case: CaseSensitivity) -> Option<usize> {
    /// Below this many bytes of text the 1 KiB class table costs more than it saves.
    const TABLE_MIN_TEXT: usize = 128;
    if case == CaseSensitivity::Sensitive && !segment.escaped && !segment.src.contains('?') {
        // A plain literal: the standard library's substring search (Two-Way, also linear).
        return hay.find(segment.src).map(|at| at + segment.src.len());
    }
    let len = segment.len();
    if len > 64 {
        // Direct comparison at every candidate position: O(len × hay) in the worst case.
        return hay.char_indices().find_map(|(at, _)| {
            let rest = hay.get(at..)?;
            match_prefix(segment, rest, case).map(|end| at + end)
        });
    }
    let Some(last) = len.checked_sub(1) else {
        return Some(0); // an empty segment matches at once (`Segments` yields none)
    };
    let accept = 1u64 << last;
    let scan = |c: char| scan_mask(segment, c, case);
    if hay.len() < TABLE_MIN_TEXT {
        shift_and(hay, accept, scan)
    } else {
        let table = AsciiTable::new(segment, case);
        shift_and(hay, accept, |c| table.mask(c).unwrap_or_else(|| scan(c)))
    }
}

/// Bit-parallel Shift-And: bit `i` of the state is set when the last `i + 1` text characters
/// match the first `i + 1` segment tokens. The first time bit `accept` is set, the segment ends
/// there; as every occurrence has the same length, that is also the leftmost one.
fn shift_and(hay: &str, accept: u64, mask: impl Fn(char) -> u64) -> Option<usize> {
    let mut state = 0u64;
    for (at, c) in hay.char_indices() {
        state = ((state << 1) | 1) & mask(c);
        if state & accept != 0 {
            return Some(at + c.len_utf8());
        }
    }
    None
}

/// The segment positions (bit `i` for token `i`) that accept `c`, found by scanning the segment.
fn scan_mask(segment: Segment<'_>, c: char, case: CaseSensitivity) -> u64 {
    segment
        .tokens()
        .zip(0u32..)
        .filter(|&(token, _)| token_matches(token, c, case))
        .fold(0, |mask, (_, bit)| mask | bit_at(bit))
}

/// Precomputed [`scan_mask`] for every ASCII character, on the stack.
struct AsciiTable {
    masks: [u64; 128],
}

impl AsciiTable {
    fn new(segment: Segment<'_>, case: CaseSensitivity) -> Self {
        let mut masks = [0u64; 128];
        for (token, bit) in segment.tokens().zip(0u32..) {
            let bit = bit_at(bit);
            let mut set = |c: char| {
                if let Some(slot) = masks.get_mut(c as usize) {
                    *slot |= bit;
                }
            };
            match (token, case) {
                (Token::Star, _) => {}
                (Token::One, _) => masks.iter_mut().for_each(|m| *m |= bit),
                (Token::Lit(p), CaseSensitivity::Sensitive) => set(p),
                (Token::Lit(p), CaseSensitivity::Insensitive) => {
                    // The ASCII characters `a` with `p ≈ a` are those whose lowercase is
                    // `fold(p)`: that character and its uppercase (a non-ASCII `p` such as the
                    // Kelvin sign can fold to ASCII).
                    let folded = fold(p);
                    if folded.is_ascii() && folded == folded.to_ascii_lowercase() {
                        set(folded);
                        set(folded.to_ascii_uppercase());
                    }
                }
            }
        }
        Self { masks }
    }

    /// The mask for an ASCII `c`; `None` for other characters.
    fn mask(&self, c: char) -> Option<u64> {
        self.masks.get(c as usize).copied()
    }
}

/// The mask bit of segment position `i` (zero past 64, which the callers never reach).
fn bit_at(i: u32) -> u64 {
    1u64.checked_shl(i).unwrap_or(0)
}

fn token_matches(token: Token, c: char, case: CaseSensitivity) -> bool {
    match token {
        Token::Star | Token::One => true,
        Token::Lit(p) => char_eq(p, c, case),
    }
}

/// Character equality under `case`, without allocating.
fn char_eq(p: char, t: char, case: CaseSensitivity) -> bool {
    match case {
        CaseSensitivity::Sensitive => p == t,
        CaseSensitivity::Insensitive if p.is_ascii() && t.is_ascii() => p.eq_ignore_ascii_case(&t),
        CaseSensitivity::Insensitive => p == t || fold(p) == fold(t),
    }
}

/// The simple lowercase mapping of `c`: one character. `char::to_lowercase` yields more than one
/// character only for `İ` (U+0130), whose simple mapping is its first character, `i`.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::CaseSensitivity::{Insensitive, Sensitive};
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("", "", true)]
    #[case("", "a", false)]
    #[case("a", "", false)]
    #[case("*", "", true)]
    #[case("*", "anything/at:all", true)]
    #[case("**", "", true)]
    #[case("?", "", false)]
    #[case("?", "é", true)]
    #[case("??", "é", false)]
    #[case("?", "ab", false)]
    #[case("abc", "abc", true)]
    #[case("abc", "abcd", false)]
    #[case("abc", "ab", false)]
    #[case("a*", "a", true)]
    #[case("*a", "a", true)]
    #[case("*a", "ba", true)]
    #[case("*a", "ab", false)]
    #[case("a*b", "ab", true)]
    #[case("a*b", "a/x:yb", true)]
    #[case("a*b", "ba", false)]
    #[case("a*a", "a", false)]
    #[case("a*a", "aa", true)]
    #[case("*a*", "bab", true)]
    #[case("*a*", "bbb", false)]
    #[case("*ab*ab*", "abab", true)]
    #[case("*ab*ab*", "aab", false)]
    #[case("*aba*", "abba", false)]
    #[case("*aba*", "ababa", true)]
    #[case("a?c*d?f", "abcdef", true)]
    #[case("a?c*d?f", "abcXdef", true)]
    #[case("a?c*d?f", "acdef", false)]
    #[case("*?*?*", "é", false)]
    #[case("*?*?*", "éé", true)]
    #[case("s3:Get*", "s3:GetObject", true)]
    #[case("s3:Get", "s3:GetObject", false)]
    #[case("bucket/*/test/*", "bucket//test/", true)]
    #[case("bucket/*/test/*", "bucket/test/x", false)]
    #[case("a[0-9]", "a1", false)]
    #[case("a.c", "abc", false)]
    #[case(r"a\*", r"a\", true)]
    #[case(r"a\*", "a*", false)]
    #[case(r"a\?", r"a\b", true)]
    #[case("*é*", "caféx", true)]
    #[case("caf?x", "caféx", true)]
    fn sensitive_cases(#[case] pattern: &str, #[case] text: &str, #[case] expected: bool) {
        assert_eq!(
            matches(pattern, text, Sensitive),
            expected,
            "{pattern} vs {text}"
        );
        assert_eq!(naive(pattern, text, Sensitive, false), expected);
    }

    #[rstest]
    #[case("ABC", "abc", true)]
    #[case("aBc*", "AbCdef", true)]
    #[case("*OBJECT", "getobject", true)]
    #[case("É", "é", true)]
    #[case("*É*", "xéy", true)]
    #[case("\u{212A}", "k", true)] // Kelvin sign folds to ASCII `k`
    #[case("\u{212A}", "K", true)]
    #[case("k", "\u{212A}", true)]
    #[case("?", "\u{130}", true)] // `İ` is one character, even though its full lowercase is two
    #[case("i", "\u{130}", true)]
    #[case("ß", "SS", false)] // one character never matches two
    #[case("a", "b", false)]
    #[case("[", "{", false)] // `eq_ignore_ascii_case` only folds letters
    fn insensitive_cases(#[case] pattern: &str, #[case] text: &str, #[case] expected: bool) {
        assert_eq!(
            matches(pattern, text, Insensitive),
            expected,
            "{pattern} vs {text}"
        );
        assert_eq!(naive(pattern, text, Insensitive, false), expected);
    }

    #[rstest]
    #[case(r"\*", "*", true)]
    #[case(r"\*", "a", false)]
    #[case(r"\?", "?", true)]
    #[case(r"\?", "a", false)]
    #[case(r"\\", r"\", true)]
    #[case(r"\\", r"\\", false)]
    #[case(r"\", r"\", true)]
    #[case(r"a\", r"a\", true)]
    #[case(r"\a", "a", true)]
    #[case(r"\\*", r"\anything", true)]
    #[case(r"*\*", "abc*", true)]
    #[case(r"*\*", "abc", false)]
    #[case(r"*\**", "a*b", true)]
    #[case(r"*\**", "ab", false)]
    #[case(r"team-\*-*", "team-*-x", true)]
    #[case(r"team-\*-*", "team-a-x", false)]
    fn escaped_cases(#[case] pattern: &str, #[case] text: &str, #[case] expected: bool) {
        assert_eq!(
            matches_escaped(pattern, text, Sensitive),
            expected,
            "{pattern} vs {text}"
        );
        assert_eq!(naive(pattern, text, Sensitive, true), expected);
    }

    #[rstest]
    #[case("*", "s3:GetObject", true)]
    #[case("*", "", true)]
    #[case("s3:*", "s3:GetObject", true)]
    #[case("S3:GETOBJECT", "s3:GetObject", true)]
    #[case("iam:ListAccessKeys", "IAM:listaccesskeys", true)]
    #[case("s3:Get*", "s3:getobject", true)]
    #[case("s3:Get?bject", "s3:GetObject", true)]
    #[case("s3:Get*", "s3:PutObject", false)]
    #[case("s3:Get*", "s3express:GetObject", false)]
    #[case("s3*:Get*", "s3express:GetObject", true)]
    #[case("*:Get*", "ec2:GetConsoleOutput", true)]
    #[case("s3:GetObject", "s3:GetObjectAcl", false)]
    fn action_cases(#[case] pattern: &str, #[case] action: &str, #[case] expected: bool) {
        assert_eq!(
            action_matches(pattern, action),
            expected,
            "{pattern} vs {action}"
        );
    }

    #[test]
    fn long_middle_segment_uses_the_direct_path() {
        let segment = "ab".repeat(40); // 80 characters, above the Shift-And width
        let pattern = format!("x*{segment}*y");
        let hit = format!("x{}{segment}zzy", "a".repeat(100));
        let miss = format!("x{}{}y", "a".repeat(100), "ab".repeat(39));
        assert!(matches(&pattern, &hit, Sensitive));
        assert!(!matches(&pattern, &miss, Sensitive));
        let with_one = format!("*{}?*", "a".repeat(70));
        assert!(matches(
            &with_one,
            &format!("{}é", "a".repeat(70)),
            Sensitive
        ));
        assert!(!matches(&with_one, &"a".repeat(70), Sensitive));
    }

    #[test]
    fn segment_of_exactly_64_characters() {
        let segment = format!("{}?", "a".repeat(63));
        let pattern = format!("*{segment}*");
        let text = format!("{}{}b{}", "b".repeat(200), "a".repeat(63), "b".repeat(200));
        assert!(matches(&pattern, &text, Sensitive));
        let short = format!("{}{}", "b".repeat(200), "a".repeat(63));
        assert!(!matches(&pattern, &short, Sensitive));
    }

    #[test]
    fn pathological_pattern_does_not_blow_up() {
        let text = "a".repeat(1 << 16);
        let ends_with_b = format!("{}*b", "*a".repeat(99));
        let b_anywhere = format!("{}*b*", "*a".repeat(99));
        assert!(!matches(&ends_with_b, &text, Sensitive));
        assert!(!matches(&b_anywhere, &text, Insensitive));
        assert!(matches(&b_anywhere, &format!("{text}b"), Sensitive));
    }

    // ---- reference matcher --------------------------------------------------------------------

    #[derive(Clone, Copy, PartialEq)]
    enum Naive {
        Star,
        One,
        Lit(char),
    }

    /// Tokenizes independently of [`Tokens`].
    fn naive_tokens(pattern: &str, escaped: bool) -> Vec<Naive> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if escaped && c == '\\' {
                out.push(Naive::Lit(chars.get(i + 1).copied().unwrap_or('\\')));
                i += 2;
                continue;
            }
            out.push(match c {
                '*' => Naive::Star,
                '?' => Naive::One,
                c => Naive::Lit(c),
            });
            i += 1;
        }
        out
    }

    /// Textbook O(pattern × text) dynamic programming over characters.
    fn naive(pattern: &str, text: &str, case: CaseSensitivity, escaped: bool) -> bool {
        let p = naive_tokens(pattern, escaped);
        let t: Vec<char> = text.chars().collect();
        let lower = |c: char| c.to_lowercase().next().unwrap();
        let eq = |a: char, b: char| match case {
            Sensitive => a == b,
            Insensitive => lower(a) == lower(b),
        };
        // dp[i][j]: the first i tokens match the first j characters.
        let mut dp = vec![vec![false; t.len() + 1]; p.len() + 1];
        dp[0][0] = true;
        for i in 1..=p.len() {
            for j in 0..=t.len() {
                dp[i][j] = match p[i - 1] {
                    Naive::Star => dp[i - 1][j] || (j > 0 && dp[i][j - 1]),
                    Naive::One => j > 0 && dp[i - 1][j - 1],
                    Naive::Lit(c) => j > 0 && dp[i - 1][j - 1] && eq(c, t[j - 1]),
                };
            }
        }
        dp[p.len()][t.len()]
    }

    fn string_of(alphabet: &'static [char], max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(alphabet), 0..max)
            .prop_map(|chars| chars.into_iter().collect())
    }

    const PATTERN_CHARS: &[char] = &['a', 'b', 'A', '*', '?', '\\', '/', ':', 'é', 'É'];
    const TEXT_CHARS: &[char] = &['a', 'b', 'B', '*', '?', '\\', '/', ':', 'é', 'É'];

    /// A text and a pattern derived from it (so matches are common), or an unrelated pattern.
    fn pattern_and_text() -> impl Strategy<Value = (String, String)> {
        let derived = string_of(TEXT_CHARS, 24).prop_flat_map(|text| {
            let len = text.chars().count();
            let edits = prop::collection::vec((0..=len, prop::sample::select(PATTERN_CHARS)), 0..5);
            (Just(text), edits).prop_map(|(text, edits)| {
                let mut chars: Vec<char> = text.chars().collect();
                for (at, c) in edits {
                    if at < chars.len() && c != '*' {
                        chars[at] = c;
                    } else {
                        chars.insert(at.min(chars.len()), c);
                    }
                }
                (chars.into_iter().collect(), text)
            })
        });
        prop_oneof![
            (string_of(PATTERN_CHARS, 12), string_of(TEXT_CHARS, 16)),
            derived,
        ]
    }

    fn case_mode() -> impl Strategy<Value = CaseSensitivity> {
        prop_oneof![Just(Sensitive), Just(Insensitive)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn agrees_with_naive((pattern, text) in pattern_and_text(), case in case_mode()) {
            prop_assert_eq!(matches(&pattern, &text, case), naive(&pattern, &text, case, false));
            prop_assert_eq!(
                matches_escaped(&pattern, &text, case),
                naive(&pattern, &text, case, true)
            );
        }

        #[test]
        fn long_texts_use_the_table_path(
            pattern in string_of(&['a', 'b', 'A', '*', '?', 'é'], 10),
            text in string_of(&['a', 'b', 'B', 'é'], 400),
            case in case_mode(),
        ) {
            prop_assert_eq!(matches(&pattern, &text, case), naive(&pattern, &text, case, false));
        }

        #[test]
        fn long_segments_agree(
            (pattern, text) in string_of(&['a', 'b'], 300).prop_flat_map(|text| {
                let len = text.len();
                (Just(text), 0..=len, 60usize..80, prop::collection::vec(0usize..80, 0..4))
            }).prop_map(|(text, start, width, holes)| {
                let end = (start + width).min(text.len());
                let mut segment: Vec<char> = text[start..end].chars().collect();
                for hole in holes {
                    if let Some(c) = segment.get_mut(hole) { *c = '?'; }
                }
                let segment: String = segment.into_iter().collect();
                (format!("*{segment}b*"), text)
            }),
        ) {
            prop_assert_eq!(
                matches(&pattern, &text, Sensitive),
                naive(&pattern, &text, Sensitive, false)
            );
        }
    }
}
