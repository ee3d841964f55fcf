//! One differential run of a parser: every input asked, every answer compared with the
//! documented one, disagreements grouped by root cause, one example of each shrunk to a minimal
//! input, and each root cause checked against the adapter's known differences.

use std::collections::BTreeMap;

use serde::Serialize;

use super::generate::CorpusCase;
use super::known::{KnownDifference, KnownDifferences};
use super::oracle::{expected, root_cause};
use super::shrink::shrink;
use super::{Answer, Input, Parser, ParserInfo};

/// The documentation that decides a root cause: the rule of `docs/semantics.md` and its AWS page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Documentation {
    /// The rule ids of `docs/semantics.md`.
    pub semantics: &'static str,
    /// The AWS page.
    pub url: &'static str,
}

/// The documentation of the rule a root cause is about, by its command or matcher.
pub fn documentation(root_cause: &str) -> Documentation {
    let (semantics, url) = match root_cause.split(':').next().unwrap_or_default() {
        "action" => (
            "semantics §3.3.1",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        ),
        "resource" => (
            "semantics §3.2",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
        ),
        "string_like" => (
            "semantics §4.4.1",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String",
        ),
        "arn_like" => (
            "semantics §4.4.7",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN",
        ),
        _ => (
            "semantics §3.1.1, §3.1.2",
            super::generate::ARN_FORMAT_DOC,
        ),
    };
    Documentation { semantics, url }
}

/// One root cause with its minimal counterexample.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The root cause id.
    pub root_cause: String,
    /// The minimal input that shows it.
    pub input: Input,
    /// The documented answer to the minimal input.
    pub expected: Answer,
    /// The parser's answer to it.
    pub got: Answer,
    /// The first input that showed it, before shrinking.
    pub original: Input,
    /// How many inputs of the run showed it.
    pub occurrences: usize,
    /// The documentation that decides it.
    pub documentation: Documentation,
    /// The adapter's known-differences entry for it, if any.
    pub known: Option<KnownDifference>,
}

/// The counts of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Inputs from the corpus.
    pub corpus_inputs: usize,
    /// Generated inputs.
    pub generated_inputs: usize,
    /// Inputs the parser answered as documented.
    pub agreed: usize,
    /// Inputs the parser does not support (not claimed, or answered `unsupported`).
    pub skipped: usize,
    /// Inputs where it disagreed.
    pub disagreements: usize,
    /// Distinct root causes.
    pub root_causes: usize,
    /// Root causes not in the known-differences list.
    pub unknown_root_causes: usize,
}

/// The result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct ParserRun {
    /// Who the parser is.
    pub parser: ParserInfo,
    /// What it claims to support.
    pub supports: Vec<String>,
    /// One finding per root cause, sorted by id.
    pub findings: Vec<Finding>,
    /// The counts.
    pub summary: Summary,
}

/// True when a parser claiming `supports` claims `input`.
pub fn claims(supports: &[String], input: &Input) -> bool {
    match input {
        Input::ParseArn { .. } => supports.iter().any(|s| s == "parse_arn"),
        Input::Match { kind, .. } => supports
            .iter()
            .any(|s| s == "match" || s.strip_prefix("match:") == Some(kind.name())),
    }
}

/// Runs the corpus and the generated inputs through `parser`; see the module docs.
/// `shrink_budget` bounds the questions each shrink may ask.
pub fn run_parser(
    parser: &dyn Parser,
    corpus: &[CorpusCase],
    generated: &[Input],
    known: &KnownDifferences,
    shrink_budget: usize,
) -> ParserRun {
    let supports = parser.supports();
    let mut summary = Summary {
        corpus_inputs: corpus.len(),
        generated_inputs: generated.len(),
        ..Summary::default()
    };
    // Root cause → (first input, its answer, occurrences).
    let mut groups: BTreeMap<String, (Input, Answer, usize)> = BTreeMap::new();
    for input in corpus.iter().map(|c| &c.input).chain(generated) {
        if !claims(&supports, input) {
            summary.skipped += 1;
            continue;
        }
        let got = parser.answer(input);
        if matches!(got, Answer::Unsupported(_)) {
            summary.skipped += 1;
            continue;
        }
        match root_cause(input, &expected(input), &got) {
            None => summary.agreed += 1,
            Some(cause) => {
                summary.disagreements += 1;
                groups
                    .entry(cause)
                    .or_insert_with(|| (input.clone(), got, 0))
                    .2 += 1;
            }
        }
    }
    let findings: Vec<Finding> = groups
        .into_iter()
        .map(|(cause, (original, first_answer, occurrences))| {
            // Faults (timeouts, crashes) are not shrunk: every question could cost a timeout.
            let (input, got) = if cause.ends_with(":fault") {
                (original.clone(), first_answer)
            } else {
                let small = shrink(parser, &original, &cause, shrink_budget);
                let got = parser.answer(&small);
                // The parser may answer the minimal input differently the second time (a
                // flaky parser): keep the original then.
                if root_cause(&small, &expected(&small), &got).as_deref() == Some(cause.as_str()) {
                    (small, got)
                } else {
                    (original.clone(), first_answer)
                }
            };
            Finding {
                expected: expected(&input).to_answer(),
                documentation: documentation(&cause),
                known: known.lookup(&cause).cloned(),
                root_cause: cause,
                input,
                got,
                original,
                occurrences,
            }
        })
        .collect();
    summary.root_causes = findings.len();
    summary.unknown_root_causes = findings.iter().filter(|f| f.known.is_none()).count();
    ParserRun {
        parser: parser.info(),
        supports,
        findings,
        summary,
    }
}
