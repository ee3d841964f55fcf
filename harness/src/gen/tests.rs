use super::*;
use crate::engine::reference::ReferenceEvaluator;
use crate::engine::{Decision, Evaluator};

fn inputs(n: u64) -> Vec<Input> {
    (0..n)
        .map(|seed| Input::build(&mut RngChoices::new(seed), &Settings::default()))
        .collect()
}

#[test]
fn generated_policies_are_valid_for_their_kind() {
    for (n, input) in inputs(400).into_iter().enumerate() {
        for (label, kind, policy) in input.labelled_policies() {
            let text = crate::policy::to_string(policy);
            let parsed = crate::policy::parse_as(&text, kind);
            assert_eq!(parsed.as_ref(), Ok(policy), "input {n} {label}: {text}");
        }
        let case = input.to_case("x", &[]);
        let outcomes = ReferenceEvaluator::new().evaluate(&case);
        for o in outcomes {
            assert_ne!(
                o.decision(),
                Some(Decision::Invalid),
                "input {n}: {o:?}\n{}",
                case.to_json_pretty()
            );
        }
    }
}

#[test]
fn zz_print_mix() {
    let mut counts = std::collections::HashMap::new();
    let ins = inputs(3000);
    for input in &ins {
        let case = input.to_case("x", &[]);
        for o in ReferenceEvaluator::new().evaluate(&case) {
            *counts.entry(format!("{:?}", o.decision())).or_insert(0) += 1;
        }
    }
    eprintln!("{counts:?}");
    eprintln!("{}", ins[3].to_case("x", &[]).to_json_pretty());
    eprintln!("{}", ins[7].to_case("x", &[]).to_json_pretty());
}
