//! The intrinsic functions of a template, evaluated the way CloudFormation evaluates them when
//! it creates the stack: `Ref` (parameters, pseudo parameters, resources), `Fn::GetAtt`,
//! `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If`, `Fn::Base64`,
//! `Fn::ToJsonString`, `Fn::Length`, and the condition functions. `Fn::ImportValue`,
//! `Fn::GetAZs`, `Fn::Cidr` and `Fn::Transform`, like every generated name, are known only
//! after deployment: they fail as [`Fail::Unknown`] with the place and the reason.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::attributes::{self, Env, Named};

/// Why a value could not be worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fail {
    /// Known only after deployment (a generated name, an import, an AZ list).
    Unknown {
        /// Where in the template.
        at: String,
        /// Why.
        reason: String,
    },
    /// Wrong in the template (or a parameter without a value).
    Invalid {
        /// Where in the template.
        at: String,
        /// Why.
        reason: String,
    },
}

/// How deep references may chain (a `Ref` to a resource whose name is a `Fn::Sub` of …).
pub(super) const MAX_DEPTH: usize = 64;

/// A template's parameters (after `--parameter` and `Default`), mappings, conditions and
/// resources, and the environment it is loaded for.
pub(super) struct Template<'t> {
    /// Parameter values by name: a string, or a list for list types; `Err` when the value is
    /// missing or known only after deployment.
    pub parameters: BTreeMap<String, Result<Value, Fail>>,
    /// The `Mappings` section.
    pub mappings: &'t Map<String, Value>,
    /// The `Conditions` section.
    pub conditions: &'t Map<String, Value>,
    /// The `Resources` section.
    pub resources: &'t Map<String, Value>,
    /// Account, region, partition.
    pub env: Env<'t>,
    /// `AWS::StackName`.
    pub stack_name: &'t str,
}

pub(super) fn invalid(at: &str, reason: impl Into<String>) -> Fail {
    Fail::Invalid {
        at: at.to_owned(),
        reason: reason.into(),
    }
}

fn unknown(at: &str, reason: impl Into<String>) -> Fail {
    Fail::Unknown {
        at: at.to_owned(),
        reason: reason.into(),
    }
}

/// The single key and value of a one-key object (the shape of every intrinsic function).
pub(super) fn single(object: &Map<String, Value>) -> Option<(&str, &Value)> {
    let mut entries = object.iter();
    let first = entries.next()?;
    entries
        .next()
        .is_none()
        .then_some((first.0.as_str(), first.1))
}

/// A scalar as the text CloudFormation substitutes for it.
pub(super) fn scalar_text(value: &Value, at: &str) -> Result<String, Fail> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(invalid(at, "expected a string")),
    }
}

impl Template<'_> {
    /// `value` with every intrinsic function evaluated; `None` for `AWS::NoValue`.
    pub fn resolve(&self, value: &Value, at: &str) -> Result<Option<Value>, Fail> {
        self.eval(value, at, 0)
    }

    /// `value` resolved, where `AWS::NoValue` is not allowed.
    pub fn resolve_some(&self, value: &Value, at: &str) -> Result<Value, Fail> {
        self.eval(value, at, 0)?
            .ok_or_else(|| invalid(at, "a required value is AWS::NoValue"))
    }

    /// `value` resolved to a string.
    pub fn resolve_text(&self, value: &Value, at: &str) -> Result<String, Fail> {
        scalar_text(&self.resolve_some(value, at)?, at)
    }

    /// Whether the condition `name` holds.
    pub fn condition(&self, name: &str, at: &str) -> Result<bool, Fail> {
        self.named_condition(name, at, 0)
    }

    pub(super) fn eval(
        &self,
        value: &Value,
        at: &str,
        depth: usize,
    ) -> Result<Option<Value>, Fail> {
        if depth > MAX_DEPTH {
            return Err(invalid(at, "references nest too deep (a cycle?)"));
        }
        let depth = depth + 1;
        match value {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    if let Some(v) = self.eval(item, &format!("{at}[{i}]"), depth)? {
                        out.push(v);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            Value::Object(object) => {
                if let Some((key, args)) = single(object) {
                    if key == "Ref" || key.starts_with("Fn::") {
                        return self.function(key, args, &format!("{at}.{key}"), depth);
                    }
                }
                let mut out = Map::new();
                for (key, item) in object {
                    if let Some(v) = self.eval(item, &format!("{at}.{key}"), depth)? {
                        out.insert(key.clone(), v);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    fn some(&self, value: &Value, at: &str, depth: usize) -> Result<Value, Fail> {
        self.eval(value, at, depth)?
            .ok_or_else(|| invalid(at, "AWS::NoValue is not allowed here"))
    }

    fn text(&self, value: &Value, at: &str, depth: usize) -> Result<String, Fail> {
        scalar_text(&self.some(value, at, depth)?, at)
    }

    fn list(&self, value: &Value, at: &str, depth: usize) -> Result<Vec<Value>, Fail> {
        match self.some(value, at, depth)? {
            Value::Array(items) => Ok(items),
            _ => Err(invalid(at, "expected a list")),
        }
    }

    /// The arguments of a function that takes a list of exactly `n`.
    pub(super) fn args<'v>(
        args: &'v Value,
        n: usize,
        at: &str,
        what: &str,
    ) -> Result<&'v [Value], Fail> {
        match args {
            Value::Array(items) if items.len() == n => Ok(items),
            _ => Err(invalid(at, format!("expected {what}"))),
        }
    }

    pub(super) fn function(
        &self,
        key: &str,
        args: &Value,
        at: &str,
        depth: usize,
    ) -> Result<Option<Value>, Fail> {
        let value = match key {
            "Ref" => {
                let name = args
                    .as_str()
                    .ok_or_else(|| invalid(at, "`Ref` takes a name"))?;
                return self.reference(name, at, depth);
            }
            "Fn::GetAtt" => {
                let items = Self::args(args, 2, at, "[LogicalId, Attribute]")?;
                let [logical, attribute] = items else {
                    return Err(invalid(at, "expected [LogicalId, Attribute]"));
                };
                let logical = logical
                    .as_str()
                    .ok_or_else(|| invalid(at, "the logical id must be a string"))?;
                let attribute = self.text(attribute, &format!("{at}[1]"), depth)?;
                Value::String(self.attribute(logical, &attribute, at, depth)?)
            }
            "Fn::Sub" => Value::String(self.sub(args, at, depth)?),
            "Fn::Join" => {
                let [delimiter, items] = Self::args(args, 2, at, "[delimiter, [values]]")? else {
                    return Err(invalid(at, "expected [delimiter, [values]]"));
                };
                let delimiter = self.text(delimiter, &format!("{at}[0]"), depth)?;
                let items = self.list(items, &format!("{at}[1]"), depth)?;
                let parts = items
                    .iter()
                    .map(|v| scalar_text(v, &format!("{at}[1]")))
                    .collect::<Result<Vec<_>, _>>()?;
                Value::String(parts.join(&delimiter))
            }
            "Fn::Select" => {
                let [index, items] = Self::args(args, 2, at, "[index, [values]]")? else {
                    return Err(invalid(at, "expected [index, [values]]"));
                };
                let index = self.text(index, &format!("{at}[0]"), depth)?;
                let index: usize = index
                    .parse()
                    .map_err(|_| invalid(at, format!("the index `{index}` is not a number")))?;
                let items = self.list(items, &format!("{at}[1]"), depth)?;
                let count = items.len();
                items.into_iter().nth(index).ok_or_else(|| {
                    invalid(at, format!("index {index} is past the {count} values"))
                })?
            }
            "Fn::Split" => {
                let [delimiter, source] = Self::args(args, 2, at, "[delimiter, string]")? else {
                    return Err(invalid(at, "expected [delimiter, string]"));
                };
                let delimiter = self.text(delimiter, &format!("{at}[0]"), depth)?;
                if delimiter.is_empty() {
                    return Err(invalid(at, "the delimiter is empty"));
                }
                let source = self.text(source, &format!("{at}[1]"), depth)?;
                Value::Array(source.split(delimiter.as_str()).map(Value::from).collect())
            }
            "Fn::FindInMap" => self.find_in_map(args, at, depth)?,
            "Fn::If" => {
                let [name, yes, no] = Self::args(args, 3, at, "[condition, then, else]")? else {
                    return Err(invalid(at, "expected [condition, then, else]"));
                };
                let name = name
                    .as_str()
                    .ok_or_else(|| invalid(at, "the condition must be a name"))?;
                return if self.named_condition(name, at, depth)? {
                    self.eval(yes, &format!("{at}[1]"), depth)
                } else {
                    self.eval(no, &format!("{at}[2]"), depth)
                };
            }
            "Fn::Base64" => {
                let text = self.text(args, at, depth)?;
                Value::String(base64::engine::general_purpose::STANDARD.encode(text))
            }
            "Fn::ToJsonString" => {
                let value = self.some(args, at, depth)?;
                Value::String(value.to_string())
            }
            "Fn::Length" => Value::from(self.list(args, at, depth)?.len()),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                Value::Bool(self.truth(&Value::Object(one(key, args)), at, depth)?)
            }
            "Fn::ImportValue" => {
                return Err(unknown(
                    at,
                    "`Fn::ImportValue` reads another stack's export, known only after deployment",
                ))
            }
            "Fn::GetAZs" => {
                return Err(unknown(
                    at,
                    "`Fn::GetAZs` lists the region's availability zones, known only at deployment",
                ))
            }
            "Fn::Cidr" | "Fn::Transform" => {
                return Err(unknown(
                    at,
                    format!("`{key}` is not evaluated by iam-harness"),
                ))
            }
            _ => return Err(invalid(at, format!("unknown function `{key}`"))),
        };
        Ok(Some(value))
    }

    /// `Ref` of a parameter, a pseudo parameter or a resource.
    fn reference(&self, name: &str, at: &str, depth: usize) -> Result<Option<Value>, Fail> {
        let env = &self.env;
        let pseudo = match name {
            "AWS::NoValue" => return Ok(None),
            "AWS::AccountId" => Some(env.account),
            "AWS::Region" => Some(env.region),
            "AWS::Partition" => Some(env.partition),
            "AWS::URLSuffix" => Some(env.url_suffix),
            "AWS::StackName" => Some(self.stack_name),
            "AWS::StackId" | "AWS::NotificationARNs" => {
                return Err(unknown(
                    at,
                    format!("`{name}` is known only after deployment"),
                ))
            }
            _ => None,
        };
        if let Some(value) = pseudo {
            return Ok(Some(Value::String(value.to_owned())));
        }
        if let Some(value) = self.parameters.get(name) {
            return value.clone().map(Some).map_err(|fail| match fail {
                Fail::Unknown { reason, .. } => unknown(at, reason),
                Fail::Invalid { reason, .. } => invalid(at, reason),
            });
        }
        let named = self.named(name, at, depth)?;
        attributes::reference(&named.as_named(name), env)
            .map(|v| Some(Value::String(v)))
            .map_err(|reason| unknown(at, reason))
    }

    fn attribute(
        &self,
        logical: &str,
        attribute: &str,
        at: &str,
        depth: usize,
    ) -> Result<String, Fail> {
        let named = self.named(logical, at, depth)?;
        attributes::attribute(&named.as_named(logical), attribute, &self.env)
            .map_err(|reason| unknown(at, reason))
    }

    /// The type, name and path of the resource `logical`, which must exist and be created.
    pub fn named(&self, logical: &str, at: &str, depth: usize) -> Result<Resolved, Fail> {
        let resource = self
            .resources
            .get(logical)
            .ok_or_else(|| invalid(at, format!("no parameter or resource `{logical}`")))?;
        let place = format!("Resources.{logical}");
        let ty = resource
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(&place, "no `Type`"))?;
        if let Some(condition) = resource.get("Condition").and_then(Value::as_str) {
            if !self.named_condition(condition, &place, depth)? {
                return Err(invalid(
                    at,
                    format!("`{logical}` is not created (its condition `{condition}` is false)"),
                ));
            }
        }
        let props = resource.get("Properties");
        let property = |key: &str| -> Result<Option<String>, Fail> {
            let Some(raw) = props.and_then(|p| p.get(key)) else {
                return Ok(None);
            };
            let at = format!("{place}.Properties.{key}");
            match self.eval(raw, &at, depth + 1)? {
                Some(v) => scalar_text(&v, &at).map(Some),
                None => Ok(None),
            }
        };
        let name = match attributes::naming_property(ty) {
            Some(key) => property(key)?,
            None => None,
        };
        let path = property("Path")?.unwrap_or_else(|| "/".to_owned());
        Ok(Resolved {
            ty: ty.to_owned(),
            name,
            path,
        })
    }

    fn find_in_map(&self, args: &Value, at: &str, depth: usize) -> Result<Value, Fail> {
        let [map, top, second] = Self::args(args, 3, at, "[MapName, TopKey, SecondKey]")? else {
            return Err(invalid(at, "expected [MapName, TopKey, SecondKey]"));
        };
        let map = self.text(map, &format!("{at}[0]"), depth)?;
        let top = self.text(top, &format!("{at}[1]"), depth)?;
        let second = self.text(second, &format!("{at}[2]"), depth)?;
        let found = self
            .mappings
            .get(&map)
            .ok_or_else(|| invalid(at, format!("no mapping `{map}`")))?
            .get(&top)
            .ok_or_else(|| invalid(at, format!("mapping `{map}` has no key `{top}`")))?
            .get(&second)
            .ok_or_else(|| invalid(at, format!("mapping `{map}.{top}` has no key `{second}`")))?;
        Ok(found.clone())
    }

    /// `Fn::Sub` in either form: a string, or `[string, {variables}]`.
    fn sub(&self, args: &Value, at: &str, depth: usize) -> Result<String, Fail> {
        let (text, variables) = match args {
            Value::String(text) => (text.as_str(), None),
            Value::Array(items) => match items.as_slice() {
                [Value::String(text), Value::Object(vars)] => (text.as_str(), Some(vars)),
                _ => return Err(invalid(at, "expected a string or [string, {variables}]")),
            },
            _ => return Err(invalid(at, "expected a string or [string, {variables}]")),
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            out.push_str(before);
            let after = after.get(2..).unwrap_or_default();
            let Some(end) = after.find('}') else {
                return Err(invalid(at, "a `${` has no closing `}`"));
            };
            let (inner, tail) = after.split_at(end);
            rest = tail.get(1..).unwrap_or_default();
            if let Some(literal) = inner.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let name = inner.trim();
            let here = format!("{at}.${{{name}}}");
            let value = if let Some(raw) = variables.and_then(|v| v.get(name)) {
                self.text(raw, &here, depth)?
            } else if let (false, Some((logical, attribute))) =
                (name.starts_with("AWS::"), name.split_once('.'))
            {
                self.attribute(logical, attribute, &here, depth)?
            } else {
                let value = self
                    .reference(name, &here, depth)?
                    .ok_or_else(|| invalid(&here, "AWS::NoValue cannot be substituted"))?;
                scalar_text(&value, &here)?
            };
            out.push_str(&value);
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A resource's type, resolved name and path.
pub(super) struct Resolved {
    /// The resource type.
    pub ty: String,
    /// The resolved naming property, when set.
    pub name: Option<String>,
    /// The resolved IAM path (`/` by default).
    pub path: String,
}

impl Resolved {
    /// The view [`attributes`] takes.
    pub fn as_named<'a>(&'a self, logical: &'a str) -> Named<'a> {
        Named {
            ty: &self.ty,
            logical,
            name: self.name.as_deref(),
            path: &self.path,
        }
    }
}

fn one(key: &str, value: &Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_owned(), value.clone());
    map
}
