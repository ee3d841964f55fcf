//! The SARIF 2.1.0 rendering of a check (`schema/vendor/sarif-2.1.0.json`), for code-scanning
//! views: one rule per expectation kind, one result per violation and per error, located in the
//! source the deciding (or offending) policy came from — `artifactLocation` its file,
//! `logicalLocations` its place there (dump JSON path, Terraform address, CloudFormation
//! logical id) — with the expectation itself as a related location. Skipped source entries and
//! warnings are tool notifications.

use serde_json::{json, Value};

use super::check::{request_line, CheckReport, CheckResult, CheckStatus, Source, Violation};

/// The rules, one per expectation kind, with their help text.
const RULES: [(&str, &str); 5] = [
    ("can", "The principal must be allowed the action on the resource."),
    ("cannot", "The principal must not be allowed the action on the resource."),
    ("only", "No principal but the listed ones may be allowed the action on the resource."),
    ("at-most", "The principal must be allowed no action of the catalogue beyond the listed ones."),
    ("profile", "The role must meet the service-need profile: its needs granted, its trust tight, nothing more."),
];

/// A file name as a relative URI reference (`\` made `/`, reserved characters escaped).
fn uri(file: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'.')
        .remove(b'-')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(&file.replace('\\', "/"), KEEP).to_string()
}

fn location(file: &str, logical: &str, message: Option<String>) -> Value {
    let mut out = json!({
        "physicalLocation": { "artifactLocation": { "uri": uri(file) } },
        "logicalLocations": [ { "fullyQualifiedName": logical } ],
    });
    if let (Some(m), Some(object)) = (message, out.as_object_mut()) {
        object.insert("message".into(), json!({ "text": m }));
    }
    out
}

fn source_location(s: &Source) -> Value {
    location(&s.file, &s.location, Some(s.name.clone()))
}

fn rule_index(kind: &str) -> usize {
    RULES
        .iter()
        .position(|(id, _)| *id == kind)
        .unwrap_or_default()
}

fn result(r: &CheckResult, v: Option<&Violation>, error: Option<&str>) -> Value {
    let who = r
        .principal
        .as_ref()
        .map_or_else(String::new, |p| format!(" [{p}]"));
    let what = match (v, error) {
        (Some(v), _) => {
            let request = v
                .request
                .as_ref()
                .map_or_else(String::new, |q| format!(" Request: {}.", request_line(q)));
            format!(
                "expected {}, got {}: {}.{request}",
                v.expected, v.got, v.reason
            )
        }
        (None, Some(e)) => format!("error: {e}"),
        (None, None) => String::new(),
    };
    let text = format!("{}{who}: {what} Why: {}", r.name, r.why);
    let expectation = location(&r.file, &r.path, Some(format!("expectation `{}`", r.name)));
    let mut locations: Vec<Value> = Vec::new();
    if let Some(v) = v {
        locations.extend(
            v.decided_by
                .iter()
                .filter_map(|d| d.source.as_ref())
                .map(source_location),
        );
        if locations.is_empty() {
            locations.extend(v.sources.iter().map(source_location));
        }
    }
    let related = if locations.is_empty() {
        locations.push(expectation);
        Vec::new()
    } else {
        vec![expectation]
    };
    let related: Vec<Value> = related
        .into_iter()
        .enumerate()
        .map(|(id, mut l)| {
            if let Some(o) = l.as_object_mut() {
                o.insert("id".into(), json!(id));
            }
            l
        })
        .collect();
    let mut out = json!({
        "ruleId": r.kind,
        "ruleIndex": rule_index(&r.kind),
        "level": "error",
        "kind": "fail",
        "message": { "text": text },
        "locations": locations,
    });
    if let Some(o) = out.as_object_mut() {
        if !related.is_empty() {
            o.insert("relatedLocations".into(), Value::Array(related));
        }
        if let Some(v) = v {
            o.insert("properties".into(), json!({ "violation": v, "why": r.why }));
        }
    }
    out
}

/// The check as a SARIF 2.1.0 log.
pub fn render(report: &CheckReport) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, text)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": text },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in report
        .results
        .iter()
        .filter(|r| r.status != CheckStatus::Pass)
    {
        results.extend(r.violations.iter().map(|v| result(r, Some(v), None)));
        results.extend(r.errors.iter().map(|e| result(r, None, Some(e))));
    }
    let mut notifications: Vec<Value> = report
        .skipped
        .iter()
        .map(|s| {
            json!({
                "level": "warning",
                "message": { "text": format!("skipped: {}", s.reason) },
                "locations": [ location(&s.file, &s.location, None) ],
            })
        })
        .collect();
    notifications.extend(
        report
            .warnings
            .iter()
            .map(|w| json!({ "level": "warning", "message": { "text": w } })),
    );
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": {
                "name": "iam-harness",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/iam-harness/iam-harness",
                "rules": rules,
            } },
            "invocations": [ {
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            } ],
            "results": results,
        } ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::check::{CheckReport, SkippedSource};

    #[test]
    fn skipped_sources_and_warnings_are_notifications() {
        let report = CheckReport::new(
            Vec::new(),
            vec!["a.json RoleDetailList[0]: action `s3:GetObjekt` is not in the catalogue".into()],
            vec![SkippedSource {
                file: "plan dir/tfplan.json".into(),
                location: "aws_s3_bucket_policy.audit".into(),
                reason: "the policy is known only after apply".into(),
            }],
        );
        let log = render(&report);
        let run = &log["runs"][0];
        assert_eq!(run["results"].as_array().map(Vec::len), Some(0));
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(5)
        );
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 2);
        let place = &notes[0]["locations"][0];
        assert_eq!(
            place["physicalLocation"]["artifactLocation"]["uri"],
            "plan%20dir/tfplan.json"
        );
        assert_eq!(
            place["logicalLocations"][0]["fullyQualifiedName"],
            "aws_s3_bucket_policy.audit"
        );
    }
}
