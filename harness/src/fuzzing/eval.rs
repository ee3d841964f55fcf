//! The `eval_properties` target: generated policy sets and requests against the metamorphic
//! properties of [`crate::invariants`], decided by the reference evaluator.

use arbitrary::{Arbitrary, Unstructured};

use super::Violation;
use crate::engine::reference::ReferenceEvaluator;
use crate::gen::Input;
use crate::invariants::{show, FastReference, PROPERTIES};

/// `eval_properties`: the input bytes drive the generators ([`Input`]'s [`Arbitrary`] impl: a
/// realistic policy set and a few requests), and every property of
/// [`crate::invariants::PROPERTIES`] must hold for the reference evaluator
/// ([`FastReference`] over [`ReferenceEvaluator::new`]). The properties are reused, not
/// copied: a property added there is fuzzed here too.
pub fn check_eval_properties(data: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::arbitrary(&mut u) else {
        return Ok(());
    };
    let engine = FastReference(ReferenceEvaluator::new());
    for property in &PROPERTIES {
        (property.check)(&engine, &input).map_err(|violation| {
            let evidence: Vec<String> = violation
                .evidence
                .iter()
                .map(|e| format!("{}: {}", e.label, show(&e.decisions)))
                .collect();
            Violation {
                target: "eval_properties",
                message: format!("{violation} [{}]; input: {input:?}", evidence.join("; ")),
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_hold_on_simple_and_varied_inputs() {
        assert_eq!(check_eval_properties(b""), Ok(()));
        let bytes: Vec<u8> = (0u32..2048).map(|i| (i * 7919 % 251) as u8).collect();
        for start in (0..1024).step_by(97) {
            assert_eq!(check_eval_properties(&bytes[start..]), Ok(()));
        }
    }
}
