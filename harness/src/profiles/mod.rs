//! Service-need profiles: for each service that assumes a role, the one place its needs are
//! written — the actions the service performs with the role (each with what fails when it is
//! missing), the service principal its trust policy must admit (with the confused-deputy
//! condition keys where AWS recommends them), and the actions it may also be given
//! (`tolerates`). Everything else the role allows is excess, found against the whole action
//! catalogue ([`crate::catalogue::catalogue`]).
//!
//! The data is `harness/data/profiles.json`, embedded. [`Profile::check`] checks a role of a
//! [`Scenario`](crate::scenario::Scenario) world against a profile with the reference evaluator; see [`Profile::check`].

mod check;

use std::sync::OnceLock;

use serde::Deserialize;

pub use check::{ProfileError, ProfileReport};

/// The embedded profile data.
const PROFILES_JSON: &str = include_str!("../../data/profiles.json");

/// A group of actions the service performs with the role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// The actions, exact names (`logs:PutLogEvents`).
    pub actions: Vec<String>,
    /// The resource the service acts on, `${account}` standing for the role's account
    /// (default `*`, which every `Resource` element matches: semantics §8.6).
    #[serde(default)]
    pub resource: Option<String>,
    /// What goes wrong when one of these actions is not allowed.
    pub fails: String,
}

/// One service's needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The profile's name (`vpc-flow-logs`).
    pub profile: String,
    /// Which role of which service it describes.
    pub description: String,
    /// AWS documentation of the needs.
    pub source: Vec<String>,
    /// The service principal that assumes the role.
    pub service: String,
    /// The condition keys AWS recommends in the trust policy against the confused deputy, with
    /// the value the service sends (`${account}` standing for the role's account).
    pub confused_deputy: serde_json::Map<String, serde_json::Value>,
    /// Other context keys the service sends when it assumes the role, which AWS does not ask
    /// the trust policy to test (`${account}` standing for the role's account): a trust that
    /// tests them anyway still admits the service.
    #[serde(default)]
    pub sends: serde_json::Map<String, serde_json::Value>,
    /// The actions the service performs.
    pub needs: Vec<Need>,
    /// Actions (or action patterns) the role may also allow without being excess.
    pub tolerates: Vec<String>,
}

/// Every profile, parsed once. The data is checked by this module's tests, so a parse error
/// is a build defect; it still yields an empty list rather than a panic.
pub fn profiles() -> &'static [Profile] {
    static PROFILES: OnceLock<Vec<Profile>> = OnceLock::new();
    PROFILES.get_or_init(|| serde_json::from_str(PROFILES_JSON).unwrap_or_default())
}

/// The profile of that name.
pub fn profile(name: &str) -> Option<&'static Profile> {
    profiles().iter().find(|p| p.profile == name)
}

impl Profile {
    /// Every action the profile needs, in order.
    pub fn needed_actions(&self) -> impl Iterator<Item = &str> {
        self.needs
            .iter()
            .flat_map(|need| need.actions.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogue;

    #[test]
    fn the_data_parses_and_names_are_unique() {
        let parsed: Vec<Profile> = serde_json::from_str(PROFILES_JSON).unwrap();
        assert!(parsed.len() >= 10);
        assert_eq!(profiles().len(), parsed.len());
        let mut names: Vec<&str> = parsed.iter().map(|p| p.profile.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), parsed.len(), "duplicate profile name");
        assert!(profile("vpc-flow-logs").is_some());
        assert!(profile("no-such-service").is_none());
    }

    #[test]
    fn every_action_is_in_the_catalogue() {
        for p in profiles() {
            assert!(!p.source.is_empty(), "{}: no AWS source", p.profile);
            for action in p.needed_actions() {
                assert!(
                    catalogue().action(action).is_some(),
                    "{}: needs `{action}`, unknown to the catalogue",
                    p.profile
                );
            }
            for pattern in &p.tolerates {
                assert!(
                    catalogue().matching(pattern).next().is_some(),
                    "{}: tolerates `{pattern}`, which matches no catalogue action",
                    p.profile
                );
            }
            for key in p.confused_deputy.keys() {
                assert!(
                    catalogue().key_type(key).is_some(),
                    "{}: confused-deputy key `{key}` unknown to the catalogue",
                    p.profile
                );
            }
        }
    }
}
