//! Policies named instead of pasted (semantics §9.4). In a scenario (and so in every world) a policy may be a
//! JSON string holding an AWS managed policy ARN, resolved from the embedded snapshot
//! ([`crate::managed`]) and marked AWS managed (no customer size quota binds it), or the path of
//! a policy file relative to the scenario file. Any other string is the policy's own text.

use std::path::Path;

use serde_json::value::RawValue;

use crate::case::{CaseError, CaseErrorKind, PolicyText};
use crate::files::read_text;
use crate::managed;

/// What a policy string names.
enum Named {
    /// An AWS managed policy by ARN.
    Managed(String),
    /// A policy file, relative to the scenario file.
    File(String),
}

/// What `raw` names, when it is a string naming a policy rather than holding one.
fn named(raw: &RawValue) -> Option<Named> {
    let text = raw.get();
    if !text.starts_with('"') {
        return None;
    }
    let value: String = serde_json::from_str(text).ok()?;
    let trimmed = value.trim();
    if trimmed.starts_with('{') {
        None
    } else if trimmed.starts_with("arn:") {
        Some(Named::Managed(trimmed.to_owned()))
    } else if trimmed.ends_with(".json") && !trimmed.contains('\n') {
        Some(Named::File(trimmed.to_owned()))
    } else {
        None
    }
}

/// The policy `raw` stands for, and whether it is an AWS managed policy. `file` is the scenario
/// file (paths are relative to its folder), `path` the place of the policy in it, for errors.
pub(super) fn resolve(
    raw: &PolicyText,
    file: &str,
    path: &str,
) -> Result<(PolicyText, bool), CaseError> {
    let problem =
        |message: String| CaseError::new(CaseErrorKind::BadReference, file, path, message);
    match named(raw) {
        None => Ok((raw.clone(), false)),
        Some(Named::Managed(arn)) => {
            if !managed::is_aws_managed_arn(&arn) {
                return Err(problem(format!(
                    "`{arn}` is not an AWS managed policy ARN (`{}…`); paste a customer managed policy or name its file",
                    managed::ARN_PREFIX
                )));
            }
            let snapshot = managed::snapshot();
            let policy = snapshot.get(&arn).ok_or_else(|| {
                problem(format!(
                    "`{arn}` is not in the AWS managed policy snapshot of {}",
                    snapshot.date
                ))
            })?;
            Ok((policy.document.clone(), true))
        }
        Some(Named::File(relative)) => {
            let base = Path::new(file).parent().unwrap_or(Path::new(""));
            let full = base.join(&relative);
            let text = read_text(&full).map_err(|e| problem(format!("{}: {e}", full.display())))?;
            let quoted = serde_json::to_string(&text).map_err(|e| problem(e.to_string()))?;
            let doc = RawValue::from_string(quoted).map_err(|e| problem(e.to_string()))?;
            Ok((doc, false))
        }
    }
}

/// Resolves every named policy of a compiled case in place, marking the AWS managed ones in
/// `aws_managed`, with the principal's `pasted_managed` slots. `principal` and `resource` are the places (in the scenario) the principal's
/// and the resource's policies come from, for errors.
pub(super) fn resolve_policies(
    policies: &mut crate::case::Policies,
    file: &str,
    principal: &str,
    resource: &str,
    pasted_managed: &[String],
) -> Result<(), Vec<CaseError>> {
    let mut problems = Vec::new();
    let mut managed_slots = Vec::new();
    let mut one = |raw: &mut PolicyText, owner: &str, slot: String| match resolve(
        raw,
        file,
        &format!("{owner}.{slot}"),
    ) {
        Ok((doc, managed)) => {
            *raw = doc;
            if managed {
                managed_slots.push(slot);
            }
        }
        Err(problem) => problems.push(problem),
    };
    for (i, raw) in policies.identity.iter_mut().flatten().enumerate() {
        one(raw, principal, format!("identity[{i}]"));
    }
    if let Some(raw) = policies.boundary.as_mut() {
        one(raw, principal, "boundary".into());
    }
    for (i, raw) in policies.session.iter_mut().flatten().enumerate() {
        one(raw, principal, format!("session[{i}]"));
    }
    if let Some(raw) = policies.resource.as_mut() {
        one(raw, resource, "policy".into());
    }
    for (name, levels) in [("scp", &mut policies.scp), ("rcp", &mut policies.rcp)] {
        for (l, level) in levels.iter_mut().flatten().enumerate() {
            for (d, raw) in level.iter_mut().enumerate() {
                one(raw, "accounts", format!("{name}[{l}][{d}]"));
            }
        }
    }
    managed_slots.retain(|slot| slot.starts_with("identity") || slot == "boundary");
    for slot in pasted_managed {
        if !managed_slots.contains(slot) {
            managed_slots.push(slot.clone());
        }
    }
    policies.aws_managed = managed_slots;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    fn world(identity: &str) -> String {
        format!(
            r#"{{"scenario": "named", "accounts": {{"prod": {{"id": "111122223333"}}}},
              "principals": {{"app": {{"account": "prod", "role": "app", "identity": [{identity}]}}}},
              "expectations": [{{"name": "reads", "principal": "app", "action": "s3:GetObject",
                                "resource": "arn:aws:s3:::b/k", "expect": "allow", "why": "read-only"}}]}}"#
        )
    }

    #[test]
    fn an_aws_managed_arn_is_the_snapshot_document_and_marked_managed() {
        let text = world(r#""arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess""#);
        let cases = Scenario::compile_json(&text, "w.json").expect("compiles");
        let policies = &cases[0].policies;
        assert_eq!(policies.aws_managed, ["identity[0]"]);
        let identity = policies.identity.as_ref().expect("one identity policy");
        assert!(
            identity[0].get().contains("s3:Get*"),
            "{}",
            identity[0].get()
        );
    }

    #[test]
    fn an_unknown_or_customer_arn_is_refused_at_its_place() {
        let text = world(r#""arn:aws:iam::aws:policy/NoSuchPolicy""#);
        let e = Scenario::compile_json(&text, "w.json").unwrap_err();
        assert_eq!(e.first().path, "principals.app.identity[0]");
        assert!(
            e.first()
                .message
                .contains("not in the AWS managed policy snapshot"),
            "{e}"
        );
        let text = world(r#""arn:aws:iam::111122223333:policy/mine""#);
        let e = Scenario::compile_json(&text, "w.json").unwrap_err();
        assert!(
            e.first().message.contains("not an AWS managed policy ARN"),
            "{e}"
        );
    }

    #[test]
    fn a_file_name_is_read_next_to_the_scenario() {
        let dir = tempfile::tempdir().expect("temp dir");
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        std::fs::create_dir(dir.path().join("policies")).expect("folder");
        std::fs::write(dir.path().join("policies/app.json"), policy).expect("writes");
        let file = dir.path().join("world.json").display().to_string();
        let cases =
            Scenario::compile_json(&world(r#""policies/app.json""#), &file).expect("compiles");
        let identity = cases[0]
            .policies
            .identity
            .as_ref()
            .expect("one identity policy");
        assert!(identity[0].get().contains("s3:GetObject"));
        assert!(cases[0].policies.aws_managed.is_empty());
        let e = Scenario::compile_json(&world(r#""policies/missing.json""#), &file).unwrap_err();
        assert!(e.first().message.contains("missing.json"), "{e}");
    }
}
