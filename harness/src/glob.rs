//! IAM wildcard matching (PLACEHOLDER: a simple correct matcher; the linear one is being written
//! in the `wt-glob` branch, which replaces this whole file).
#![allow(clippy::indexing_slicing)]

/// Whether case matters when matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSensitivity {
    /// Characters must be equal.
    Sensitive,
    /// Characters compare equal ignoring case.
    Insensitive,
}

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Star,
    One,
    Lit(char),
}

fn toks(pattern: &str, escaped: bool) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        out.push(match c {
            '\\' if escaped => Tok::Lit(it.next().unwrap_or('\\')),
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        });
    }
    out
}

fn dp(p: &[Tok], text: &str, case: CaseSensitivity) -> bool {
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| match case {
        CaseSensitivity::Sensitive => a == b,
        CaseSensitivity::Insensitive => a.to_lowercase().eq(b.to_lowercase()),
    };
    let mut prev = vec![false; t.len() + 1];
    prev[0] = true;
    for &pc in p {
        let mut cur = vec![false; t.len() + 1];
        if pc == Tok::Star {
            cur[0] = prev[0];
        }
        for j in 1..=t.len() {
            cur[j] = match pc {
                Tok::Star => prev[j] || cur[j - 1],
                Tok::One => prev[j - 1],
                Tok::Lit(c) => prev[j - 1] && eq(c, t[j - 1]),
            };
        }
        prev = cur;
    }
    prev[t.len()]
}

/// True when `text` matches `pattern` (`*` any run, `?` exactly one character).
pub fn matches(pattern: &str, text: &str, case: CaseSensitivity) -> bool {
    dp(&toks(pattern, false), text, case)
}

/// Like [`matches`], but `\x` in the pattern stands for a literal `x` (used for patterns produced
/// by policy-variable substitution, where `${*}` must be a literal `*`).
pub fn matches_escaped(pattern: &str, text: &str, case: CaseSensitivity) -> bool {
    dp(&toks(pattern, true), text, case)
}

/// True when an action pattern (`s3:Get*`, `*`) matches an action, ignoring case.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    matches(pattern, action, CaseSensitivity::Insensitive)
}
