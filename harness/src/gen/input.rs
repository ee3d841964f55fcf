//! A generated input: a policy set and the requests to decide against it.

use crate::case::{policy_from_value, Case, Policies, PolicyText, Test, TestRequest};
use crate::decision::Decision;
use crate::policy::PolicySet;
use crate::policy::{self, Policy, PolicyKind};
use crate::request::Request;

use super::{Choices, Settings};

/// One generated input: the policies (parsed models, plus optionally their exact texts) and
/// one or more requests. An input becomes a [`Case`] with [`Input::to_case`], so any
/// [`crate::Evaluator`] can decide it; several requests share one case, which amortises the
/// per-case cost of engines.
#[derive(Debug, Clone)]
pub struct Input {
    /// The policies in force, as models.
    pub set: PolicySet,
    /// When set, the exact texts engines receive (the models are then what those texts mean):
    /// used by the properties on formatting and on single-value/array forms.
    pub texts: Option<Box<Policies>>,
    /// The requests, as written in a case file.
    pub requests: Vec<TestRequest>,
    /// Random bits the properties use to choose their transformations reproducibly.
    pub knobs: u64,
}

fn text_of(policy: &Policy) -> PolicyText {
    policy_from_value(&policy::to_json(policy))
}

/// The case-file form of a policy set, each policy printed by [`policy::to_json`].
pub fn policies_of(set: &PolicySet) -> Policies {
    let list = |docs: &[Policy]| docs.iter().map(text_of).collect::<Vec<_>>();
    let levels = |levels: &Vec<Vec<Policy>>| levels.iter().map(|l| list(l)).collect::<Vec<_>>();
    Policies {
        identity: (!set.identity.is_empty()).then(|| list(&set.identity)),
        resource: set.resource.as_ref().map(text_of),
        boundary: set.boundary.as_ref().map(text_of),
        session: (!set.session.is_empty()).then(|| list(&set.session)),
        scp: set.scp.as_ref().map(levels),
        rcp: set.rcp.as_ref().map(levels),
        aws_managed: Vec::new(),
    }
}

impl Input {
    /// Builds an input from choices (the builder behind every generator of inputs).
    pub fn build(choices: &mut dyn Choices, settings: &Settings) -> Input {
        super::build::input(choices, settings)
    }

    /// An input of `set` and `requests`, with no exact texts.
    pub fn new(set: PolicySet, requests: Vec<TestRequest>, knobs: u64) -> Input {
        Input {
            set,
            texts: None,
            requests,
            knobs,
        }
    }

    /// The policies as a case file holds them: the exact texts if set, else the printed models.
    pub fn policies(&self) -> Policies {
        match &self.texts {
            Some(texts) => (**texts).clone(),
            None => policies_of(&self.set),
        }
    }

    /// The input as a case with id `id`; every test expects `expect` (engines ignore it).
    pub fn to_case(&self, id: &str, expect: &[Decision]) -> Case {
        Case {
            id: id.to_owned(),
            description: String::new(),
            features: Vec::new(),
            source: Vec::new(),
            policies: self.policies(),
            tests: self
                .requests
                .iter()
                .enumerate()
                .map(|(i, request)| Test {
                    name: format!("t{i}"),
                    request: request.clone(),
                    expect: expect.get(i).copied().unwrap_or(Decision::ImplicitDeny),
                })
                .collect(),
        }
    }

    /// The requests with their derived keys; a request whose context is malformed is left out
    /// (generated requests never are).
    pub fn parsed_requests(&self) -> Vec<Request> {
        self.requests
            .iter()
            .filter_map(|r| r.to_request().ok())
            .collect()
    }

    /// Every policy of the set with the kind it is validated as and a label (`scp[1][0]`).
    pub fn labelled_policies(&self) -> Vec<(String, PolicyKind, &Policy)> {
        labelled(&self.set)
    }
}

/// Every policy of `set` with its label and kind, in the order of [`PolicySet::slots`].
pub fn labelled(set: &PolicySet) -> Vec<(String, PolicyKind, &Policy)> {
    set.slots()
        .map(|(slot, policy)| (slot.to_string(), slot.kind(), policy))
        .collect()
}
