//! IAM wildcard matching (placeholder: a simple correct matcher; the linear one is being written).

/// Whether case matters when matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSensitivity {
    /// Characters must be equal.
    Sensitive,
    /// Characters compare equal ignoring case.
    Insensitive,
}

/// True when `text` matches `pattern` (`*` any run, `?` exactly one character).
pub fn matches(pattern: &str, text: &str, case: CaseSensitivity) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| match case {
        CaseSensitivity::Sensitive => a == b,
        CaseSensitivity::Insensitive => a.to_lowercase().eq(b.to_lowercase()),
    };
    let mut prev = vec![false; t.len() + 1];
    prev[0] = true;
    for &pc in &p {
        let mut cur = vec![false; t.len() + 1];
        if pc == '*' {
            cur[0] = prev[0];
        }
        for j in 1..=t.len() {
            cur[j] = match pc {
                '*' => prev[j] || cur[j - 1],
                '?' => prev[j - 1],
                c => prev[j - 1] && eq(c, t[j - 1]),
            };
        }
        prev = cur;
    }
    prev[t.len()]
}
