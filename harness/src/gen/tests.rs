use super::*;
use crate::decision::Decision;
use crate::engine::reference::ReferenceEvaluator;
use crate::engine::Evaluator;
use crate::policy::PolicyKind;

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
fn arbitrary_builds_valid_inputs_from_any_bytes() {
    for seed in 0..200u64 {
        let mut rng = RngChoices::new(seed);
        let bytes: Vec<u8> = (0..(seed as usize * 7) % 600)
            .map(|_| rng.next_u64() as u8)
            .collect();
        let mut u = Unstructured::new(&bytes);
        let input = Input::arbitrary(&mut u).unwrap();
        assert!(!input.requests.is_empty());
        let outcomes = ReferenceEvaluator::new().evaluate(&input.to_case("x", &[]));
        assert!(outcomes
            .iter()
            .all(|o| matches!(o.decision(), Some(d) if d != Decision::Invalid)));
        let mut u = Unstructured::new(&bytes);
        let ArnText(arn) = ArnText::arbitrary(&mut u).unwrap();
        assert!(arn.starts_with("arn:aws:") || arn == "*", "{arn}");
        let ActionText(action) = ActionText::arbitrary(&mut u).unwrap();
        assert!(action == "*" || action.contains(':'), "{action}");
    }
}

#[test]
fn exhausted_choices_give_the_simplest_input() {
    let input = Input::build(&mut WordChoices::new(&[]), &Settings::default());
    assert_eq!(input.requests.len(), 1);
    assert_eq!(input.set, PolicySet::default());
    assert!(input.requests[0].context.is_empty());
    // One step up: the first identity statement is a plain Allow without a condition.
    let one = (0..64)
        .map(|i| {
            let mut words = vec![0u32; 64];
            words[i] = u32::MAX;
            Input::build(&mut WordChoices::new(&words), &Settings::default())
        })
        .find(|input| !input.set.identity.is_empty())
        .unwrap();
    let statement = &one.set.identity[0].statements()[0];
    assert_eq!(statement.effect, crate::policy::Effect::Allow);
    assert!(statement.condition.is_none());
    assert_eq!(
        input.requests[0].principal,
        "arn:aws:iam::111122223333:user/alice"
    );
    assert_eq!(input.knobs, 0);
}

#[test]
fn strategies_generate_and_shrink_toward_simple_values() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut tree = input_strategy(Settings::default())
        .new_tree(&mut runner)
        .unwrap();
    // Shrinking while "failing" on everything reaches the all-zero words.
    while tree.simplify() {}
    let simplest = tree.current();
    let zero = Input::build(&mut WordChoices::new(&[]), &Settings::default());
    assert_eq!(simplest.set, zero.set);
    let builders: [(PolicyKind, Builder<crate::policy::Policy>); 4] = [
        (PolicyKind::Identity, |c, s| {
            policy(c, s, PolicyKind::Identity)
        }),
        (PolicyKind::Scp, |c, s| policy(c, s, PolicyKind::Scp)),
        (PolicyKind::Rcp, |c, s| policy(c, s, PolicyKind::Rcp)),
        (PolicyKind::Trust, |c, s| policy(c, s, PolicyKind::Trust)),
    ];
    for (kind, builder) in builders {
        let p = strategy(Settings::default(), builder)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let text = crate::policy::to_string(&p);
        assert!(
            crate::policy::parse_as(&text, kind).is_ok(),
            "{kind:?}: {text}"
        );
    }
    let c = condition_strategy(Settings::default())
        .new_tree(&mut runner)
        .unwrap()
        .current();
    assert!(!c.entries.is_empty());
    let r = request_strategy(Settings::default())
        .new_tree(&mut runner)
        .unwrap()
        .current();
    assert!(r.action.contains(':'));
}

#[test]
fn every_operator_is_generated() {
    let mut seen = std::collections::HashSet::new();
    let mut qualifiers = std::collections::HashSet::new();
    let mut if_exists = false;
    for seed in 0..3000 {
        let set = policy_set(&mut RngChoices::new(seed), &Settings::default());
        for (_, _, p) in crate::gen::labelled(&set) {
            for s in p.statements() {
                for c in s.condition.iter().flatten() {
                    seen.insert(c.operator.base);
                    qualifiers.insert(c.operator.qualifier);
                    if_exists |= c.operator.if_exists;
                }
            }
        }
    }
    for base in crate::policy::BaseOperator::ALL {
        assert!(seen.contains(&base), "{base:?} never generated");
    }
    assert_eq!(qualifiers.len(), 3);
    assert!(if_exists);
}
