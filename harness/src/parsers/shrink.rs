//! Shrinking a disagreement to a minimal input of the same root cause: delta debugging over the
//! characters of the input (for a match, of the pattern and of the value in turn), keeping every
//! smaller candidate on which the parser still disagrees with the documented rules for the same
//! reason, until no single removal keeps it or the budget of questions is spent.

use super::oracle::{expected, root_cause};
use super::{Input, Parser};

/// The default number of questions one shrink may put to the parser.
pub const DEFAULT_BUDGET: usize = 400;

/// The smallest input found that keeps `cause` (the input itself when nothing smaller does).
pub fn shrink(parser: &dyn Parser, input: &Input, cause: &str, budget: usize) -> Input {
    let asked = std::cell::Cell::new(0usize);
    let keeps = |candidate: &Input| -> bool {
        if asked.get() >= budget {
            return false;
        }
        asked.set(asked.get() + 1);
        let answer = parser.answer(candidate);
        root_cause(candidate, &expected(candidate), &answer).as_deref() == Some(cause)
    };
    let mut current = input.clone();
    loop {
        let before = current.clone();
        current = match current {
            Input::ParseArn { input } => Input::ParseArn {
                input: shrink_text(&input, |text| {
                    keeps(&Input::ParseArn {
                        input: text.to_owned(),
                    })
                }),
            },
            Input::Match {
                kind,
                pattern,
                value,
            } => {
                let pattern = shrink_text(&pattern, |p| {
                    keeps(&Input::Match {
                        kind,
                        pattern: p.to_owned(),
                        value: value.clone(),
                    })
                });
                let value = shrink_text(&value, |v| {
                    keeps(&Input::Match {
                        kind,
                        pattern: pattern.clone(),
                        value: v.to_owned(),
                    })
                });
                Input::Match {
                    kind,
                    pattern,
                    value,
                }
            }
        };
        if current == before || asked.get() >= budget {
            return current;
        }
    }
}

/// Removes runs of characters (halving the run length down to one) while `keeps` holds.
fn shrink_text(text: &str, mut keeps: impl FnMut(&str) -> bool) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut run = (chars.len() / 2).max(1);
    loop {
        let mut start = 0;
        let mut removed = false;
        while start < chars.len() {
            let end = (start + run).min(chars.len());
            let candidate: String = chars
                .iter()
                .take(start)
                .chain(chars.iter().skip(end))
                .collect();
            if keeps(&candidate) {
                chars = candidate.chars().collect();
                removed = true;
            } else {
                start += run;
            }
        }
        if run == 1 && !removed {
            return chars.into_iter().collect();
        }
        if !removed {
            run = (run / 2).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_what_is_not_needed() {
        // Keep texts holding `a` then `:` then `b`.
        let keeps = |t: &str| {
            t.find('a')
                .and_then(|i| t.get(i..)?.find(':').map(|j| i + j))
                .is_some_and(|j| t.get(j..).is_some_and(|rest| rest.contains('b')))
        };
        assert_eq!(shrink_text("xxaxx:yyyby", keeps), "a:b");
        assert_eq!(shrink_text("", |_| false), "");
    }
}
