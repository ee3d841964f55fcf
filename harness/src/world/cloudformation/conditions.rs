//! The condition functions of a template: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`,
//! `Condition` and `Fn::If`, as the `Conditions` section and a resource's `Condition` use them.

use serde_json::Value;

use super::intrinsics::{invalid, scalar_text, single, Fail, Template, MAX_DEPTH};

impl Template<'_> {
    pub(super) fn named_condition(&self, name: &str, at: &str, depth: usize) -> Result<bool, Fail> {
        if depth > MAX_DEPTH {
            return Err(invalid(at, "conditions nest too deep (a cycle?)"));
        }
        let raw = self
            .conditions
            .get(name)
            .ok_or_else(|| invalid(at, format!("no condition `{name}`")))?;
        self.truth(raw, &format!("Conditions.{name}"), depth + 1)
    }

    /// The value of a condition function.
    pub(super) fn truth(&self, value: &Value, at: &str, depth: usize) -> Result<bool, Fail> {
        if depth > MAX_DEPTH {
            return Err(invalid(at, "conditions nest too deep (a cycle?)"));
        }
        let depth = depth + 1;
        let Some((key, args)) = value.as_object().and_then(single) else {
            return match value {
                Value::Bool(b) => Ok(*b),
                _ => Err(invalid(at, "expected a condition function")),
            };
        };
        let at = &format!("{at}.{key}");
        let operands = || match args {
            Value::Array(items) => Ok(items.as_slice()),
            _ => Err(invalid(at, "expected a list of conditions")),
        };
        match key {
            "Condition" => {
                let name = args
                    .as_str()
                    .ok_or_else(|| invalid(at, "expected a condition name"))?;
                self.named_condition(name, at, depth)
            }
            "Fn::Equals" => {
                let [a, b] = Self::args(args, 2, at, "[value, value]")? else {
                    return Err(invalid(at, "expected [value, value]"));
                };
                let a = self.eval(a, &format!("{at}[0]"), depth)?;
                let b = self.eval(b, &format!("{at}[1]"), depth)?;
                Ok(match (a, b) {
                    (Some(Value::Array(a)), Some(Value::Array(b))) => a == b,
                    (Some(a), Some(b)) => scalar_text(&a, at)? == scalar_text(&b, at)?,
                    (a, b) => a == b,
                })
            }
            "Fn::Not" => {
                let [c] = Self::args(args, 1, at, "[condition]")? else {
                    return Err(invalid(at, "expected [condition]"));
                };
                Ok(!self.truth(c, &format!("{at}[0]"), depth)?)
            }
            "Fn::And" | "Fn::Or" => {
                let items = operands()?;
                let mut results = Vec::with_capacity(items.len());
                for (i, c) in items.iter().enumerate() {
                    results.push(self.truth(c, &format!("{at}[{i}]"), depth)?);
                }
                Ok(if key == "Fn::And" {
                    results.iter().all(|b| *b)
                } else {
                    results.iter().any(|b| *b)
                })
            }
            "Fn::If" => match self.function(key, args, at, depth)? {
                Some(v) => self.truth(&v, at, depth),
                None => Err(invalid(at, "a condition is AWS::NoValue")),
            },
            _ => Err(invalid(at, format!("`{key}` is not a condition function"))),
        }
    }
}
