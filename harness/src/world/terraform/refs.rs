//! Attribute values, known or only known after apply. A plan leaves an unknown attribute out of
//! `planned_values` and marks it in `after_unknown`; the configuration then says which
//! resource's attribute the expression refers to (`references`: `aws_iam_policy.p.arn`,
//! `var.role_name` in a module, `module.app.role_arn`), relative to the module it is written
//! in. The referred attribute is its known value, or an ARN or name computed from the
//! resource's known attributes; failing that, the resource itself.

use serde_json::Value;

use super::{Doc, Instance};

/// What an attribute resolves to.
pub(super) enum Found {
    /// A known (or computed) string value.
    Value(String),
    /// An attribute of this resource instance whose value is unknown until apply.
    Resource(usize),
}

/// How deep references may chain (variables and outputs through modules).
const MAX_DEPTH: usize = 12;

/// One step of a reference: a name or an index (`[0]`, `["key"]`, raw).
#[derive(Debug, PartialEq)]
enum Step {
    Name(String),
    Index(String),
}

/// The steps of a reference (`module.x["a.b"].out` → `module`, `x`, `["a.b"]`, `out`).
fn steps(reference: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut name = String::new();
    let mut chars = reference.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !name.is_empty() {
                    out.push(Step::Name(std::mem::take(&mut name)));
                }
            }
            '[' => {
                if !name.is_empty() {
                    out.push(Step::Name(std::mem::take(&mut name)));
                }
                let mut index = String::new();
                let mut quoted = false;
                for c in chars.by_ref() {
                    if c == '"' {
                        quoted = !quoted;
                    } else if c == ']' && !quoted {
                        break;
                    }
                    index.push(c);
                }
                out.push(Step::Index(index));
            }
            c => name.push(c),
        }
    }
    if !name.is_empty() {
        out.push(Step::Name(name));
    }
    out
}

/// An instance key as a reference writes it (`0`, `"key"`).
fn key_text(index: &Value) -> String {
    match index {
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// The module path of a module instance address, without instance keys (`a`, `b` for
/// `module.a["k"].module.b`).
fn module_names(address: &str) -> Vec<String> {
    let parts = steps(address);
    let mut names = Vec::new();
    let mut parts = parts.iter();
    while let Some(step) = parts.next() {
        if step == &Step::Name("module".into()) {
            if let Some(Step::Name(name)) = parts.next() {
                names.push(name.clone());
            }
        }
    }
    names
}

/// The parent module instance and the call name of a module instance address.
fn parent_of(address: &str) -> Option<(&str, String)> {
    let names = module_names(address);
    let call = names.last()?.clone();
    let cut = address.rfind("module.")?;
    Some((address.get(..cut)?.trim_end_matches('.'), call))
}

impl<'a> Doc<'a> {
    /// The configuration of the module instance at `address`.
    fn config_of(&self, address: &str) -> Option<&'a Value> {
        let mut module = self.config?;
        for name in module_names(address) {
            module = module.get("module_calls")?.get(&name)?.get("module")?;
        }
        Some(module)
    }

    /// The configuration's expression of `attr` of `instance`, when the configuration sets it.
    fn expression(&self, instance: &Instance<'_>, attr: &str) -> Option<&'a Value> {
        let mode = if instance.data { "data" } else { "managed" };
        self.config_of(&instance.module)?
            .get("resources")?
            .as_array()?
            .iter()
            .find(|r| {
                r.get("mode").and_then(Value::as_str) == Some(mode)
                    && r.get("type").and_then(Value::as_str) == Some(instance.kind)
                    && r.get("name").and_then(Value::as_str) == Some(instance.name)
            })?
            .get("expressions")?
            .get(attr)
    }

    /// The references of the expression of `attr` of `instance`, in its configuration.
    fn expression_refs(&self, instance: &Instance<'_>, attr: &str) -> Vec<String> {
        self.expression(instance, attr)
            .and_then(|e| e.get("references"))
            .map(string_list)
            .unwrap_or_default()
    }

    /// The resource instance and attribute one reference, written in module instance `module`,
    /// leads to. `key` is the instance key of the referring resource, used when the referred
    /// resource has several instances and one has the same key.
    fn follow(
        &self,
        module: &str,
        reference: &str,
        key: Option<&Value>,
        depth: usize,
    ) -> Option<(usize, String)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let parts = steps(reference);
        let name = |n: usize| match parts.get(n) {
            Some(Step::Name(s)) => Some(s.as_str()),
            _ => None,
        };
        match name(0)? {
            "var" => {
                let var = name(1)?;
                let (parent, call) = parent_of(module)?;
                let refs = self
                    .config_of(parent)?
                    .pointer(&format!(
                        "/module_calls/{call}/expressions/{var}/references"
                    ))
                    .map(string_list)?;
                refs.iter()
                    .find_map(|r| self.follow(parent, r, key, depth + 1))
            }
            "module" => {
                let call = name(1)?;
                let (child, output) = match parts.get(2)? {
                    Step::Index(index) => (
                        format!("{}module.{call}[{index}]", prefix(module)),
                        name(3)?,
                    ),
                    Step::Name(output) => (self.only_module(module, call)?, output.as_str()),
                };
                let refs = self
                    .config_of(&child)?
                    .pointer(&format!("/outputs/{output}/expression/references"))
                    .map(string_list)?;
                refs.iter()
                    .find_map(|r| self.follow(&child, r, key, depth + 1))
            }
            "count" | "each" | "local" | "path" | "terraform" | "self" => None,
            first => {
                let (data, kind, rest) = if first == "data" {
                    (true, name(1)?, 2)
                } else {
                    (false, first, 1)
                };
                let resource = name(rest)?;
                let (index, attr_at) = match parts.get(rest + 1) {
                    Some(Step::Index(index)) => (Some(index.as_str()), rest + 2),
                    _ => (None, rest + 1),
                };
                let attr = name(attr_at).unwrap_or("id");
                let candidates: Vec<usize> = self
                    .instances
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| {
                        i.module == module && i.data == data && i.kind == kind && i.name == resource
                    })
                    .filter(|(_, i)| {
                        index.is_none_or(|want| i.index.map(key_text).as_deref() == Some(want))
                    })
                    .map(|(n, _)| n)
                    .collect();
                let chosen = match candidates.as_slice() {
                    [one] => Some(*one),
                    _ => candidates
                        .iter()
                        .copied()
                        .find(|n| key.is_some() && self.at(*n).and_then(|i| i.index) == key),
                }?;
                Some((chosen, attr.to_owned()))
            }
        }
    }

    /// The one instance of module call `call` under module instance `module`, if one.
    fn only_module(&self, module: &str, call: &str) -> Option<String> {
        let base = format!("{}module.{call}", prefix(module));
        let mut found: Vec<&str> = self
            .instances
            .iter()
            .map(|i| i.module.as_str())
            .filter(|m| {
                *m == base
                    || m.strip_prefix(base.as_str())
                        .is_some_and(|rest| rest.starts_with(['[', '.']))
            })
            .filter_map(|m| {
                let rest = m.get(base.len()..)?;
                let end = if rest.starts_with('[') {
                    rest.find("]")? + 1
                } else {
                    0
                };
                m.get(..base.len() + end)
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        match found.as_slice() {
            [one] => Some((*one).to_owned()),
            _ => None,
        }
    }

    /// A string attribute of instance `index`: its known value, else (unknown until apply) what
    /// its configuration refers to.
    pub(super) fn string(&self, index: usize, attr: &str) -> Option<Found> {
        self.string_at(index, attr, 0)
    }

    fn string_at(&self, index: usize, attr: &str, depth: usize) -> Option<Found> {
        let instance = self.at(index)?;
        if let Some(text) = instance.text(attr) {
            return Some(Found::Value(text.to_owned()));
        }
        if !instance.is_unknown(attr) {
            return None;
        }
        self.expression_refs(instance, attr)
            .iter()
            .find_map(|r| self.follow(&instance.module, r, instance.index, depth))
            .map(|(to, to_attr)| self.resolved(to, &to_attr, depth + 1))
    }

    /// The value of `attr` of instance `index` a reference led to.
    fn resolved(&self, index: usize, attr: &str, depth: usize) -> Found {
        if let Some(value) = self.computed(index, attr) {
            return Found::Value(value);
        }
        if depth < MAX_DEPTH {
            if let Some(Found::Value(value)) = self.string_at(index, attr, depth) {
                return Found::Value(value);
            }
        }
        Found::Resource(index)
    }

    /// A list-of-strings attribute of instance `index`: its known elements, and for unknown
    /// ones what the configuration refers to. The flag is true when some element stayed
    /// unresolved.
    pub(super) fn strings(&self, index: usize, attr: &str) -> (Vec<Found>, bool) {
        let Some(instance) = self.at(index) else {
            return (Vec::new(), false);
        };
        let mut out: Vec<Found> = instance
            .get(attr)
            .map(string_list)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(Found::Value)
            .collect();
        if !instance.is_unknown(attr) {
            return (out, false);
        }
        let mut seen = Vec::new();
        for reference in self.expression_refs(instance, attr) {
            if let Some((to, to_attr)) = self.follow(&instance.module, &reference, None, 0) {
                if seen.contains(&to) {
                    continue;
                }
                seen.push(to);
                let found = self.resolved(to, &to_attr, 1);
                let known = matches!(&found, Found::Value(v) if out.iter().any(|o| matches!(o, Found::Value(w) if w == v)));
                if !known {
                    out.push(found);
                }
            }
        }
        let configured = self.expression(instance, attr).is_some();
        (out, seen.is_empty() && configured)
    }

    /// An attribute of instance `index`: known, or computed from its known attributes (the
    /// ARN of a role, user, group, policy, bucket, queue or topic; the name a resource's `id`
    /// is).
    pub(super) fn computed(&self, index: usize, attr: &str) -> Option<String> {
        let instance = self.at(index)?;
        if let Some(text) = instance.text(attr) {
            return Some(text.to_owned());
        }
        let account = &self.account;
        let region = &self.region;
        let text = |a: &str| instance.text(a);
        let path = || text("path").unwrap_or("/");
        let iam = |what: &str| {
            Some(format!(
                "arn:aws:iam::{account}:{what}{}{}",
                path(),
                text("name")?
            ))
        };
        match (instance.data, instance.kind, attr) {
            (false, "aws_iam_policy", "arn" | "id") => iam("policy"),
            (false, "aws_iam_role", "arn") => iam("role"),
            (false, "aws_iam_user", "arn") => iam("user"),
            (false, "aws_iam_group", "arn") => iam("group"),
            (false, "aws_iam_role" | "aws_iam_user" | "aws_iam_group", "id" | "name") => {
                text("name").map(str::to_owned)
            }
            (false, "aws_s3_bucket", "arn") => Some(format!("arn:aws:s3:::{}", text("bucket")?)),
            (false, "aws_s3_bucket", "id" | "bucket") => text("bucket").map(str::to_owned),
            (false, "aws_sqs_queue", "arn") => {
                Some(format!("arn:aws:sqs:{region}:{account}:{}", text("name")?))
            }
            (false, "aws_sqs_queue", "id" | "url") => Some(format!(
                "https://sqs.{region}.amazonaws.com/{account}/{}",
                text("name")?
            )),
            (false, "aws_sns_topic", "arn" | "id") => {
                Some(format!("arn:aws:sns:{region}:{account}:{}", text("name")?))
            }
            (false, "aws_kms_key", "arn") => Some(format!(
                "arn:aws:kms:{region}:{account}:key/{}",
                text("key_id")?
            )),
            _ => None,
        }
    }
}

/// The module address prefix for addresses under module instance `module`.
fn prefix(module: &str) -> String {
    if module.is_empty() {
        String::new()
    } else {
        format!("{module}.")
    }
}

/// The strings of a JSON list (or of one string).
fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_steps() {
        assert_eq!(
            steps(r#"module.x["a.b"].out"#),
            [
                Step::Name("module".into()),
                Step::Name("x".into()),
                Step::Index("\"a.b\"".into()),
                Step::Name("out".into()),
            ]
        );
        assert_eq!(module_names(r#"module.a["k"].module.b[0]"#), ["a", "b"]);
        assert_eq!(
            parent_of(r#"module.a["k"].module.b[0]"#),
            Some((r#"module.a["k"]"#, "b".to_owned()))
        );
        assert_eq!(parent_of("module.a"), Some(("", "a".to_owned())));
        assert_eq!(key_text(&Value::String("k".into())), "\"k\"");
    }
}
