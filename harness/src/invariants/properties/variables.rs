//! Property 17: policy variables — literal text under `Version 2008-10-17`, substituted under
//! `2012-10-17`. The `${…}` tokens are read with the grammar the evaluator uses
//! ([`crate::policy::variables`]).

use crate::arn::Arn;
use crate::gen::{Choices as _, Input};
use crate::policy::variables::{pieces, Piece};
use crate::policy::{PolicyKind, Statement, Version};
use crate::request::{Lookup, Request};

use super::super::transform::{statements_mut, valid, values_mut, with_set};
use super::super::{Decider, Violation};
use super::relation::{attempt, knob_rng, parsed_requests, same, Stop};

/// Escapes text so that, substituted into a policy, it stands for itself.
fn escape_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            c => out.push(c),
        }
    }
    out
}

/// Applies `edit` to every text of `statement` where variables are substituted: the resource
/// part of `Resource`/`NotResource` patterns (after the fifth colon of an ARN; a pattern that
/// starts `arn:` but is no ARN is left alone) and the values of String and ARN condition
/// operators. True when a text changed.
fn edit_variable_texts(
    statement: &mut Statement,
    edit: &mut dyn FnMut(&str) -> Option<String>,
) -> bool {
    let mut changed = false;
    if let Some(resource) = &mut statement.resource {
        for pattern in values_mut(&mut resource.patterns) {
            let head_length = if pattern.starts_with("arn:") {
                match Arn::parse(pattern) {
                    Ok(arn) => pattern.len() - arn.resource.len(),
                    Err(_) => continue,
                }
            } else {
                0
            };
            let (head, tail) = pattern.split_at(head_length);
            if let Some(new_tail) = edit(tail) {
                *pattern = format!("{head}{new_tail}");
                changed = true;
            }
        }
    }
    for block in statement.condition.iter_mut().flatten() {
        if !block.operator.base.takes_variables() {
            continue;
        }
        for entry in &mut block.entries {
            for value in values_mut(&mut entry.values) {
                if let Some(text) = edit(&value.text) {
                    value.text = text;
                    changed = true;
                }
            }
        }
    }
    changed
}

/// The value a variable has in every request of `requests` (its default where the key is
/// missing), when it is one and the same single value in all of them.
fn common_value(key: &str, default: Option<&str>, requests: &[Request]) -> Option<String> {
    let mut values = requests
        .iter()
        .map(|request| match request.context.get(key) {
            Lookup::Single(value) => Some(value.to_owned()),
            Lookup::Missing => default.map(str::to_owned),
            Lookup::Multi(_) => None,
        });
    let first = values.next()??;
    values
        .all(|value| value.as_deref() == Some(first.as_str()))
        .then_some(first)
}

/// `text` with every variable that has a common value in `requests` replaced by that value
/// (escaped); `None` when there is none.
fn substitute_common_values(text: &str, requests: &[Request]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut any = false;
    for piece in pieces(text) {
        let value = match piece {
            Piece::Variable { key, default, .. } => common_value(key, default, requests),
            Piece::Text(_) | Piece::Escape { .. } => None,
        };
        match value {
            Some(value) => {
                out.push_str(&escape_literal(&value));
                any = true;
            }
            None => out.push_str(piece.source()),
        }
    }
    any.then_some(out)
}

/// Property 17: Under `Version 2008-10-17` a `${…}` is literal text: a 2012-10-17 policy switched to
/// 2008-10-17 decides like the same policy kept at 2012-10-17 with every `${` escaped as
/// `${$}{`. And under 2012-10-17 a variable is substituted: replacing `${key}` by the value the
/// key has in every request (escaped) changes nothing.
pub fn legacy_version<D: Decider + ?Sized>(engine: &D, input: &Input) -> Result<(), Violation> {
    const NAME: &str = "legacy-version";
    attempt(|| {
        let requests = parsed_requests(input)?;
        let mut rng = knob_rng(input, 17);
        if rng.below(2) == 0 {
            // Part 1: 2008 literal ≡ 2012 escaped.
            let (mut legacy, mut escaped) = (input.set.clone(), input.set.clone());
            let mut changed = false;
            for ((slot, legacy_policy), (_, escaped_policy)) in
                legacy.slots_mut().zip(escaped.slots_mut())
            {
                if !legacy_policy.has_variables()
                    || matches!(slot.kind(), PolicyKind::Scp | PolicyKind::Rcp)
                {
                    continue;
                }
                let mut touched = false;
                for statement in statements_mut(escaped_policy) {
                    touched |= edit_variable_texts(statement, &mut |text| {
                        text.contains("${").then(|| text.replace("${", "${$}{"))
                    });
                }
                if touched {
                    legacy_policy.version = Some(Version::V2008_10_17);
                    changed = true;
                }
            }
            if !changed || !valid(&legacy, &requests) || !valid(&escaped, &requests) {
                return Err(Stop::Skip);
            }
            return same(
                engine,
                NAME,
                ("version-2008", &with_set(input, legacy)),
                ("escaped-2012", &with_set(input, escaped)),
            );
        }
        // Part 2: a variable ≡ its value.
        let mut set = input.set.clone();
        let mut changed = false;
        for (_, policy) in set.slots_mut() {
            if !policy.has_variables() {
                continue;
            }
            for statement in statements_mut(policy) {
                changed |= edit_variable_texts(statement, &mut |text| {
                    substitute_common_values(text, &requests)
                });
            }
        }
        if !changed || !valid(&set, &requests) {
            return Err(Stop::Skip);
        }
        same(
            engine,
            NAME,
            ("with-variables", input),
            ("substituted", &with_set(input, set)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, ContextEntry};
    use rstest::rstest;

    fn requests(username: &str) -> Vec<Request> {
        let mut context = Context::new();
        context.insert("aws:username", ContextEntry::Single(username.into()));
        vec![Request::new(
            "arn:aws:iam::111122223333:user/alice",
            None,
            "s3:GetObject",
            "arn:aws:s3:::bucket/alice",
            None,
            context,
        )]
    }

    /// The grammar is the evaluator's: what it leaves literal is left alone, a verbatim key is
    /// looked up verbatim.
    #[rstest]
    #[case("home/${aws:username}/*", Some("home/a${*}b/*"))]
    #[case("${aws:missing, 'd$'}", Some("d${$}"))]
    #[case("${${aws:username}}", Some("${a${*}b}"))]
    #[case("${a*b} ${aws:missing, d} ${aws:username", None)]
    #[case("${ aws:username }", None)]
    #[case("${*}${aws:missing}", None)]
    fn substitutes_common_values_by_the_evaluators_grammar(
        #[case] text: &str,
        #[case] expected: Option<&str>,
    ) {
        assert_eq!(
            substitute_common_values(text, &requests("a*b")).as_deref(),
            expected
        );
    }

    #[test]
    fn differing_values_are_not_substituted() {
        let mut both = requests("alice");
        both.extend(requests("bob"));
        assert_eq!(substitute_common_values("${aws:username}", &both), None);
    }

    #[test]
    fn resource_patterns_are_edited_after_the_fifth_colon_only() {
        let mut statement = crate::invariants::transform::plain_statement(
            crate::policy::Effect::Allow,
            "s3:*",
            "arn:aws:s3:::${x}/${y}",
        );
        let mut seen = Vec::new();
        edit_variable_texts(&mut statement, &mut |text| {
            seen.push(text.to_owned());
            Some(text.replace("${", "<"))
        });
        assert_eq!(seen, ["${x}/${y}"]);
        let patterns = statement.resource.map(|clause| clause.patterns);
        assert_eq!(
            patterns,
            Some(crate::policy::OneOrMany::One("arn:aws:s3:::<x}/<y}".into()))
        );
    }
}
