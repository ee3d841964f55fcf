//! The properties of docs/design.md §5, one documented function each, generic over the engine: any
//! [`Decider`] (every [`crate::Evaluator`] is one, so `determinism(&engine, &input)` works with
//! `engine: &dyn Evaluator`). Each returns `Ok(())` when the relation holds (or does not apply
//! to the input) and a [`Violation`] otherwise. Transformations that need randomness draw it
//! from the input's `knobs`, so a check is a pure function of its input.
//!
//! A transformation whose result would not validate for its policy kind (a size limit, a
//! duplicate `Sid`) is not applied: the relation would then be compared with `invalid`.
//!
//! The properties live by family, one module each: `deny_and_allow` (1–4: determinism, the
//! default deny, deny dominance, allow monotonicity), `rewrites` (5–9 and 11: reordering,
//! splitting, single values, action case, `Sid`s, formatting), `wildcards` (10), `caps`
//! (12–13: boundaries, session policies, SCPs and RCPs only narrow), `conditions` (14–16:
//! `IfExists`, set operators, negated operators), `variables` (17), `cross_account` (18) and `compare` (19–22: what
//! `iam-harness compare` reports, its witnesses confirmed by the engine);
//! `relation` decides the inputs and checks the relations for all of them.

mod caps;
mod compare;
mod conditions;
mod cross_account;
mod deny_and_allow;
mod relation;
mod rewrites;
mod variables;
mod wildcards;

use super::{Decider, Violation};
use crate::gen::Input;

pub use caps::{boundary_session_narrow, scp_narrow};
pub use compare::{compare_finds_grant, compare_narrowing, compare_reflexive, compare_rewrites};
pub use conditions::{if_exists, negated_operators, set_operators_empty};
pub use cross_account::cross_account;
pub use deny_and_allow::{allow_monotone, determinism, empty_set_implicit_deny, matching_deny};
pub use rewrites::{
    action_case, action_split, formatting, order_independence, sid_irrelevant, single_vs_array,
};
pub use variables::legacy_version;
pub use wildcards::wildcard_expansion;

/// A named property with its documentation.
#[derive(Clone, Copy)]
pub struct Property {
    /// Its number in docs/design.md §5.
    pub number: u8,
    /// Its name (what `--property` takes).
    pub name: &'static str,
    /// One line saying what it checks.
    pub summary: &'static str,
    /// The AWS documentation page the relation follows from.
    pub source: &'static str,
    /// The check, over any engine.
    pub check: fn(&dyn Decider, &Input) -> Result<(), Violation>,
}

impl std::fmt::Debug for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Property({} `{}`)", self.number, self.name)
    }
}

impl Property {
    /// The property named `name` (or numbered `name`).
    pub fn find(name: &str) -> Option<&'static Property> {
        PROPERTIES
            .iter()
            .find(|p| p.name == name || p.number.to_string() == name)
    }
}

const EVALUATION_LOGIC: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";
const DENY_ALLOW: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html";
const POLICIES: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html";
const ACTION_ELEMENT: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html";
const GRAMMAR: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
const SID_ELEMENT: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html";
const BOUNDARIES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html";
const SCP_EVALUATION: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html";
const CONDITION_OPERATORS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const MULTIVALUED_KEYS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const VARIABLES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html";
const CROSS_ACCOUNT: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html";

/// The 22 properties of docs/design.md §5, in order: 1–18 on decisions, 19–22 on `compare`.
pub const PROPERTIES: [Property; 22] = [
    Property { number: 1, name: "determinism", summary: "the same input always gets the same decisions", source: EVALUATION_LOGIC, check: |d, i| determinism(d, i) },
    Property { number: 2, name: "empty-set-implicit-deny", summary: "an empty policy set gives implicit deny", source: DENY_ALLOW, check: |d, i| empty_set_implicit_deny(d, i) },
    Property { number: 3, name: "matching-deny", summary: "adding a matching Deny gives explicit deny", source: DENY_ALLOW, check: |d, i| matching_deny(d, i) },
    Property { number: 4, name: "allow-monotone", summary: "adding an Allow never turns Allow into a deny and never lifts an explicit deny", source: DENY_ALLOW, check: |d, i| allow_monotone(d, i) },
    Property { number: 5, name: "order-independence", summary: "statement order and policy order do not matter", source: POLICIES, check: |d, i| order_independence(d, i) },
    Property { number: 6, name: "action-split", summary: "splitting `Action: [a, b]` into two statements changes nothing", source: ACTION_ELEMENT, check: |d, i| action_split(d, i) },
    Property { number: 7, name: "single-vs-array", summary: "a single string is the same as a one-element array", source: GRAMMAR, check: |d, i| single_vs_array(d, i) },
    Property { number: 8, name: "action-case", summary: "action names compare case-insensitively", source: ACTION_ELEMENT, check: |d, i| action_case(d, i) },
    Property { number: 9, name: "sid-irrelevant", summary: "a Sid changes nothing", source: SID_ELEMENT, check: |d, i| sid_irrelevant(d, i) },
    Property { number: 10, name: "wildcard-expansion", summary: "rewriting a wildcard into the list of names it matches changes nothing", source: ACTION_ELEMENT, check: |d, i| wildcard_expansion(d, i) },
    Property { number: 11, name: "formatting", summary: "JSON formatting and key order change nothing; parse, print, parse is the identity", source: GRAMMAR, check: |d, i| formatting(d, i) },
    Property { number: 12, name: "boundary-session-narrow", summary: "a boundary or a session policy can only narrow identity-based access", source: BOUNDARIES, check: |d, i| boundary_session_narrow(d, i) },
    Property { number: 13, name: "scp-narrow", summary: "an SCP (or RCP) can only narrow, and a level without an Allow denies", source: SCP_EVALUATION, check: |d, i| scp_narrow(d, i) },
    Property { number: 14, name: "if-exists", summary: "…IfExists with the key present equals the plain operator, and with the key missing is true", source: CONDITION_OPERATORS, check: |d, i| if_exists(d, i) },
    Property { number: 15, name: "set-operators-empty", summary: "ForAllValues on an empty set holds, ForAnyValue does not", source: MULTIVALUED_KEYS, check: |d, i| set_operators_empty(d, i) },
    Property { number: 16, name: "negated-operators", summary: "a negated operator is the negation of its positive twin on a present single-valued key", source: CONDITION_OPERATORS, check: |d, i| negated_operators(d, i) },
    Property { number: 17, name: "legacy-version", summary: "Version 2008-10-17 makes ${…} literal (and 2012-10-17 substitutes it)", source: VARIABLES, check: |d, i| legacy_version(d, i) },
    Property { number: 18, name: "cross-account", summary: "a cross-account request needs both sides' allow", source: CROSS_ACCOUNT, check: |d, i| cross_account(d, i) },
    Property { number: 19, name: "compare-reflexive", summary: "compare(P, P) finds no new access", source: EVALUATION_LOGIC, check: |d, i| compare_reflexive(d, i) },
    Property { number: 20, name: "compare-finds-grant", summary: "compare(P, P + Allow X on R) finds X on R whenever the addition grants it", source: DENY_ALLOW, check: |d, i| compare_finds_grant(d, i) },
    Property { number: 21, name: "compare-narrowing", summary: "a Deny added, an allowed action dropped or a resource narrowed grants nothing new", source: DENY_ALLOW, check: |d, i| compare_narrowing(d, i) },
    Property { number: 22, name: "compare-rewrites", summary: "reordered, split, case-folded, Sid-less rewrites grant nothing new either way", source: ACTION_ELEMENT, check: |d, i| compare_rewrites(d, i) },
];
