//! The policy document model: what a policy *means*, plus the few spelling choices (single value
//! vs array, statement object vs array) needed so printing gives back the same document.
//!
//! Element semantics are semantics §2; the condition operators are §4.

use std::fmt;

/// A value that the grammar lets be written as one item or as an array (semantics §2.1). The two
/// forms mean the same; the form is kept only so printing round-trips.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OneOrMany<T> {
    /// Written without brackets.
    One(T),
    /// Written as a JSON array (possibly empty or with one item).
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The items as a slice, whatever the form.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(item) => std::slice::from_ref(item),
            OneOrMany::Many(items) => items,
        }
    }

    /// Iterates the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True when there is no item (only possible as an empty array).
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

/// The policy language version (semantics §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: legacy; `${…}` is literal text.
    V2008_10_17,
}

impl Version {
    /// The version string as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// `Allow` or `Deny` (semantics §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Grants, if nothing denies.
    Allow,
    /// Denies; an explicit deny always wins.
    Deny,
}

impl Effect {
    /// The effect as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A whole policy document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Policy {
    /// `Version`, absent when not written (then variables are literal text).
    pub version: Option<Version>,
    /// `Id`, the optional policy identifier.
    pub id: Option<String>,
    /// `Statement`: one object or an array.
    pub statement: OneOrMany<Statement>,
}

impl Policy {
    /// The statements, whatever the form.
    pub fn statements(&self) -> &[Statement] {
        self.statement.as_slice()
    }

    /// True when `${…}` is a policy variable in this policy (Version 2012-10-17 only).
    pub fn has_variables(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`, when present.
    pub principal: Option<PrincipalClause>,
    /// `Action` or `NotAction` (one of them is required).
    pub action: ActionClause,
    /// `Resource` or `NotResource`, when present.
    pub resource: Option<ResourceClause>,
    /// `Condition` blocks in written order; `None` when the element is absent.
    pub condition: Option<Vec<Condition>>,
}

/// `Principal` (positive) or `NotPrincipal` (negated).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrincipalClause {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// The principals named.
    pub value: Principal,
}

/// The value of a `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// `"*"`: everyone, including anonymous callers.
    Wildcard,
    /// A map of principal types to values, in written order.
    Map(Vec<(PrincipalType, OneOrMany<String>)>),
}

/// The keys of a principal map (semantics §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `AWS`: accounts, users, roles, sessions, or `*`.
    Aws,
    /// `Service`: service principals such as `ec2.amazonaws.com`.
    Service,
    /// `Federated`: identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user IDs.
    CanonicalUser,
}

impl PrincipalType {
    /// The key as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// `Action` (positive) or `NotAction` (negated).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionClause {
    /// True for `NotAction`.
    pub negated: bool,
    /// The action patterns (`service:Name` with `*`/`?`, or `*`).
    pub patterns: OneOrMany<String>,
}

/// `Resource` (positive) or `NotResource` (negated).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceClause {
    /// True for `NotResource`.
    pub negated: bool,
    /// The resource patterns (ARNs with `*`/`?` and variables, or `*`).
    pub patterns: OneOrMany<String>,
}

/// One operator block of a `Condition`: `"StringLike": {"key": values, …}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    /// The parsed operator.
    pub operator: ConditionOperator,
    /// The keys tested under this operator, in written order (all must hold: AND).
    pub entries: Vec<ConditionEntry>,
}

/// One key under an operator, with its policy values (any may match: OR; NOR when negated).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConditionEntry {
    /// The condition key as written (matched case-insensitively).
    pub key: String,
    /// The policy values.
    pub values: OneOrMany<ConditionValue>,
}

/// A condition value as written: its text, and the JSON type it was written with (quotation
/// marks are optional for numbers and booleans, semantics §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConditionValue {
    /// The value's text (a number keeps its JSON spelling, a boolean is `true`/`false`).
    pub text: String,
    /// How the value was written.
    pub json_type: ValueType,
}

/// The JSON type a condition value was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// A JSON string.
    String,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
}

/// A condition operator: an optional set qualifier, a base operator, and an optional
/// `IfExists` suffix (semantics §4.4), e.g. `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// `ForAllValues:` or `ForAnyValue:`, if written.
    pub qualifier: Option<SetQualifier>,
    /// The base operator.
    pub base: BaseOperator,
    /// True when the operator ends in `IfExists`.
    pub if_exists: bool,
}

/// The set qualifiers for multivalued keys (semantics §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// `ForAllValues:`: every request value must match.
    ForAllValues,
    /// `ForAnyValue:`: at least one request value must match.
    ForAnyValue,
}

/// The base condition operators (semantics §4.4). `ArnLike`/`ArnEquals` behave identically, as do
/// `ArnNotLike`/`ArnNotEquals`, but they stay distinct so printing round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The operator families of semantics §4.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorFamily {
    /// String operators.
    String,
    /// Numeric operators.
    Numeric,
    /// Date operators.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress` / `NotIpAddress`.
    Ip,
    /// ARN operators.
    Arn,
    /// `Null`.
    Null,
}

impl BaseOperator {
    /// Every base operator, in the order of the operator page.
    pub const ALL: [BaseOperator; 27] = [
        BaseOperator::StringEquals,
        BaseOperator::StringNotEquals,
        BaseOperator::StringEqualsIgnoreCase,
        BaseOperator::StringNotEqualsIgnoreCase,
        BaseOperator::StringLike,
        BaseOperator::StringNotLike,
        BaseOperator::NumericEquals,
        BaseOperator::NumericNotEquals,
        BaseOperator::NumericLessThan,
        BaseOperator::NumericLessThanEquals,
        BaseOperator::NumericGreaterThan,
        BaseOperator::NumericGreaterThanEquals,
        BaseOperator::DateEquals,
        BaseOperator::DateNotEquals,
        BaseOperator::DateLessThan,
        BaseOperator::DateLessThanEquals,
        BaseOperator::DateGreaterThan,
        BaseOperator::DateGreaterThanEquals,
        BaseOperator::Bool,
        BaseOperator::BinaryEquals,
        BaseOperator::IpAddress,
        BaseOperator::NotIpAddress,
        BaseOperator::ArnEquals,
        BaseOperator::ArnLike,
        BaseOperator::ArnNotEquals,
        BaseOperator::ArnNotLike,
        BaseOperator::Null,
    ];

    /// The operator's name as written in a policy.
    pub fn as_str(self) -> &'static str {
        use BaseOperator::*;
        match self {
            StringEquals => "StringEquals",
            StringNotEquals => "StringNotEquals",
            StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            StringLike => "StringLike",
            StringNotLike => "StringNotLike",
            NumericEquals => "NumericEquals",
            NumericNotEquals => "NumericNotEquals",
            NumericLessThan => "NumericLessThan",
            NumericLessThanEquals => "NumericLessThanEquals",
            NumericGreaterThan => "NumericGreaterThan",
            NumericGreaterThanEquals => "NumericGreaterThanEquals",
            DateEquals => "DateEquals",
            DateNotEquals => "DateNotEquals",
            DateLessThan => "DateLessThan",
            DateLessThanEquals => "DateLessThanEquals",
            DateGreaterThan => "DateGreaterThan",
            DateGreaterThanEquals => "DateGreaterThanEquals",
            Bool => "Bool",
            BinaryEquals => "BinaryEquals",
            IpAddress => "IpAddress",
            NotIpAddress => "NotIpAddress",
            ArnEquals => "ArnEquals",
            ArnLike => "ArnLike",
            ArnNotEquals => "ArnNotEquals",
            ArnNotLike => "ArnNotLike",
            Null => "Null",
        }
    }

    /// The family the operator belongs to.
    pub fn family(self) -> OperatorFamily {
        use BaseOperator::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => OperatorFamily::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => OperatorFamily::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => OperatorFamily::Date,
            Bool => OperatorFamily::Bool,
            BinaryEquals => OperatorFamily::Binary,
            IpAddress | NotIpAddress => OperatorFamily::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => OperatorFamily::Arn,
            Null => OperatorFamily::Null,
        }
    }

    /// True for the negated operators, whose several values combine as NOR and which are true
    /// when the key is missing (semantics §4.1, §4.3).
    pub fn is_negated(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The positive twin of a negated operator (`StringNotLike` → `StringLike`), or itself.
    pub fn positive(self) -> BaseOperator {
        use BaseOperator::*;
        match self {
            StringNotEquals => StringEquals,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringNotLike => StringLike,
            NumericNotEquals => NumericEquals,
            DateNotEquals => DateEquals,
            NotIpAddress => IpAddress,
            ArnNotEquals => ArnEquals,
            ArnNotLike => ArnLike,
            other => other,
        }
    }

    /// The negated twin of a positive operator, if it has one (`StringLike` → `StringNotLike`).
    pub fn negated(self) -> Option<BaseOperator> {
        use BaseOperator::*;
        Some(match self {
            StringEquals => StringNotEquals,
            StringEqualsIgnoreCase => StringNotEqualsIgnoreCase,
            StringLike => StringNotLike,
            NumericEquals => NumericNotEquals,
            DateEquals => DateNotEquals,
            IpAddress => NotIpAddress,
            ArnEquals => ArnNotEquals,
            ArnLike => ArnNotLike,
            _ => return None,
        })
    }

    /// True when policy variables are substituted in this operator's values (semantics §5:
    /// String and ARN operators; Bool is disputed, §7.1, and this harness does not substitute).
    pub fn takes_variables(self) -> bool {
        matches!(self.family(), OperatorFamily::String | OperatorFamily::Arn)
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.as_str())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// Why an operator name was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown condition operator `{0}`")]
pub struct UnknownOperator(pub String);

impl std::str::FromStr for ConditionOperator {
    type Err = UnknownOperator;

    /// Parses `[ForAllValues:|ForAnyValue:]Base[IfExists]`. Operator names are matched exactly
    /// (case-sensitive), as AWS's validator does; `NullIfExists` does not exist.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownOperator(text.to_owned());
        let (qualifier, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, text)
        };
        let (base_text, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let base = BaseOperator::ALL
            .into_iter()
            .find(|op| op.as_str() == base_text)
            .ok_or_else(unknown)?;
        if base == BaseOperator::Null && if_exists {
            return Err(unknown());
        }
        Ok(ConditionOperator {
            qualifier,
            base,
            if_exists,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names_round_trip() {
        for base in BaseOperator::ALL {
            for qualifier in [
                None,
                Some(SetQualifier::ForAllValues),
                Some(SetQualifier::ForAnyValue),
            ] {
                for if_exists in [false, true] {
                    if base == BaseOperator::Null && if_exists {
                        continue;
                    }
                    let op = ConditionOperator {
                        qualifier,
                        base,
                        if_exists,
                    };
                    assert_eq!(op.to_string().parse::<ConditionOperator>(), Ok(op));
                }
            }
        }
    }

    #[test]
    fn rejects_unknown_operators() {
        for bad in [
            "StringEqual",
            "stringequals",
            "NullIfExists",
            "ForAllValue:StringLike",
            "",
        ] {
            assert!(bad.parse::<ConditionOperator>().is_err(), "{bad}");
        }
    }

    #[test]
    fn negation_twins() {
        for base in BaseOperator::ALL {
            if let Some(neg) = base.negated() {
                assert!(neg.is_negated());
                assert_eq!(neg.positive(), base);
            }
        }
    }
}
