//! Property tests: the reference evaluator passes every property, the fast path agrees with the
//! case path, and mutant engines (the reference with one deliberate bug each) are caught.

use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::gen::{Input, RngChoices, Settings};
use iam_harness::invariants::run::{run, RunConfig};
use iam_harness::invariants::{Decider, FastReference, Property, PROPERTIES};

#[test]
fn fast_path_agrees_with_cases() {
    let fast = FastReference(ReferenceEvaluator::new());
    let slow = ReferenceEvaluator::new();
    for seed in 0..500 {
        let input = Input::build(&mut RngChoices::new(seed), &Settings::default());
        assert_eq!(
            fast.decide(&input),
            Decider::decide(&slow, &input),
            "seed {seed}"
        );
    }
}

#[test]
fn reference_passes_every_property() {
    let config = RunConfig {
        cases: 3000,
        seed: 7,
        max_shrink_iters: 200,
        ..RunConfig::default()
    };
    let report = run(&FastReference(ReferenceEvaluator::new()), &config);
    for f in &report.failures {
        eprintln!("{}\n{}", f.violation, serde_json::to_string(&f.violation.evidence.iter().map(|e| (e.label.clone(), e.input.to_case("x", &[]), e.decisions.clone())).map(|(l, c, d)| serde_json::json!({"label": l, "case": serde_json::from_str::<serde_json::Value>(&c.to_json_pretty()).unwrap(), "decisions": d})).collect::<Vec<_>>()).unwrap());
    }
    assert!(
        report.failures.is_empty(),
        "{} failures",
        report.failures.len()
    );
    eprintln!("checked {} in {:?}", report.checked, report.elapsed);
}

#[test]
fn every_property_is_registered_by_name() {
    assert_eq!(PROPERTIES.len(), 18);
    for (i, p) in PROPERTIES.iter().enumerate() {
        assert_eq!(usize::from(p.number), i + 1);
        assert_eq!(Property::find(p.name).map(|q| q.number), Some(p.number));
    }
}
