//! insta snapshots of the Markdown and JUnit renderings of a small fixed run (three tests: a
//! pass, a failure with its explanation, a skip), so any change to a report's shape is seen in
//! review.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a failure should stop the test"
)]

use iam_harness::decision::{Decision, Explanation, StatementRef};
use iam_harness::report::{junit, markdown};
use iam_harness::runner::{Status, Summary, TestResult};

fn fixed_run() -> (Vec<TestResult>, Summary) {
    let base = TestResult {
        engine: "reference".into(),
        case: "condition/string/string-equals-exact".into(),
        file: "corpus/condition/string/string-equals-exact.json".into(),
        test: "tag matches".into(),
        expect: Some(Decision::Allow),
        got: Some(Decision::Allow),
        status: Status::Pass,
        features: vec!["condition:StringEquals".into()].into(),
        ambiguous: false,
        message: None,
        explanation: None,
    };
    let failed = TestResult {
        test: "tag differs in case".into(),
        expect: Some(Decision::ImplicitDeny),
        got: Some(Decision::Allow),
        status: Status::Fail,
        explanation: Some(Explanation {
            reason:
                "identity-based Allow, not capped by boundary or session policy (semantics §1.3)"
                    .into(),
            decided_by: vec![StatementRef {
                policy: "identity[0]".into(),
                statement: 0,
                sid: Some("Team".into()),
                effect: "Allow".into(),
            }],
            notes: vec![],
            ..Explanation::default()
        }),
        ..base.clone()
    };
    let skipped = TestResult {
        case: "organizations/rcp/levels".into(),
        file: "corpus/organizations/rcp/levels.json".into(),
        test: "deny at root".into(),
        expect: Some(Decision::ExplicitDeny),
        got: None,
        status: Status::Skip,
        features: vec!["rcp".into(), "rcp:levels".into()].into(),
        message: Some("the engine does not claim feature `rcp`".into()),
        ..base.clone()
    };
    let results = vec![base, failed, skipped];
    let mut summary = Summary::default();
    for r in &results {
        summary.add(r);
    }
    (results, summary)
}

#[test]
fn markdown_report() {
    let (results, summary) = fixed_run();
    insta::assert_snapshot!(markdown::render("reference", &results, &summary));
}

#[test]
fn junit_report() {
    let (results, _) = fixed_run();
    let xml = junit::render("reference", &results).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    assert_eq!((parsed.tests, parsed.failures), (3, 1));
    insta::assert_snapshot!(xml);
}
