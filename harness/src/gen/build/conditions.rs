//! Condition keys, operators and values, with request context that meets or misses them.

use super::*;

/// Registers `key` with the single value `value`; false when it is already registered with
/// another value.
pub(super) fn register_exact(w: &mut World, key: &str, ty: KeyType, value: &str) -> bool {
    if let Some(k) = w.keys.iter().find(|k| k.name.eq_ignore_ascii_case(key)) {
        return k.hit == Some(Val::One(value.to_owned()));
    }
    w.keys.push(Key {
        name: key.to_owned(),
        ty,
        derived: false,
        hit: Some(Val::One(value.to_owned())),
        miss: Val::One(format!("{value}-other")),
    });
    true
}

pub(super) fn date_text(day: i64, epoch: bool) -> String {
    let day = day.clamp(0, 27);
    if epoch {
        (DATE_BASE + day * 86_400).to_string()
    } else {
        format!("2024-01-{:02}T12:00:00Z", day + 1)
    }
}

pub(super) fn date_day(text: &str) -> Option<i64> {
    if let Ok(t) = text.parse::<i64>() {
        return Some((t - DATE_BASE).div_euclid(86_400));
    }
    let day: i64 = text.strip_prefix("2024-01-")?.get(..2)?.parse().ok()?;
    Some(day - 1)
}

/// A value of a key's type.
pub(super) fn value_of(g: &mut G<'_>, w: &World, name: &str, ty: KeyType) -> String {
    let lower = name.to_ascii_lowercase();
    match ty {
        KeyType::Str | KeyType::StrList => {
            if lower.contains("account") || lower.contains("owner") && !lower.contains("tag/") {
                g.word(&ACCOUNTS).into()
            } else if lower.contains("orgid") {
                g.word(&["o-a1b2c3d4e5", "o-zz99yy88xx"]).into()
            } else if lower.contains("orgpaths") {
                g.word(&[
                    "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
                    "o-a1b2c3d4e5/r-ab12/",
                ])
                .into()
            } else if lower.contains("region") {
                g.word(&REGIONS).into()
            } else if lower.contains("vpce") {
                g.word(&["vpce-1a2b3c4d", "vpce-9f8e7d6c"]).into()
            } else if lower.contains("tagkeys") {
                g.word(&TAGS).into()
            } else if lower.contains("tag/") {
                g.word(&TAG_VALUES).into()
            } else if lower.contains("calledvia") || lower.contains("servicename") {
                g.word(&SERVICE_PRINCIPALS).into()
            } else {
                g.word(&WORDS).into()
            }
        }
        KeyType::Num => g.range(0, 100).to_string(),
        KeyType::Date => {
            let day = g.range(1, 26) as i64;
            date_text(day, lower.contains("epoch"))
        }
        KeyType::Bool => g.word(&["true", "false"]).into(),
        KeyType::Ip => g.word(&IPS).into(),
        KeyType::Arn | KeyType::ArnList => {
            let arns: Vec<&String> = w.resources.iter().map(|(_, _, a)| a).collect();
            match g.pick(&arns) {
                Some(a) if a.as_str() != "*" && g.chance(70) => a.clone(),
                _ => format!("arn:aws:iam::{}:role/{}", w.account, g.word(&ROLES)),
            }
        }
        KeyType::Binary => g.word(&["YWxwaGE=", "cHJvZA=="]).into(),
    }
}

pub(super) const DERIVED: [&str; 5] = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:username",
    "aws:PrincipalServiceName",
];

/// The index of `name` in the registry, registering it (with values) if new.
pub(super) fn key_index(g: &mut G<'_>, w: &mut World, name: &str, ty: KeyType) -> usize {
    if let Some(i) = w
        .keys
        .iter()
        .position(|k| k.name.eq_ignore_ascii_case(name))
    {
        return i;
    }
    let derived = DERIVED.iter().any(|d| d.eq_ignore_ascii_case(name));
    let hit = if derived {
        let request = Request::new(
            w.principal.clone(),
            None,
            "s3:GetObject",
            "*",
            None,
            Context::new(),
        );
        match request.context.get(name) {
            Lookup::Single(v) => Some(Val::One(v.to_owned())),
            _ => None,
        }
    } else if ty.is_multi() {
        let n = g.range(1, 3);
        let mut values: Vec<String> = Vec::new();
        for _ in 0..n {
            let v = value_of(g, w, name, ty);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        Some(Val::Many(values))
    } else {
        Some(Val::One(value_of(g, w, name, ty)))
    };
    let mut miss = value_of(g, w, name, ty);
    let hit_first = match &hit {
        Some(Val::One(v)) => Some(v.clone()),
        Some(Val::Many(v)) => v.first().cloned(),
        None => None,
    };
    if hit_first.as_deref() == Some(miss.as_str()) {
        miss = match ty {
            KeyType::Num => "1000".into(),
            KeyType::Date => date_text(27, name.to_ascii_lowercase().contains("epoch")),
            KeyType::Bool => if miss == "true" { "false" } else { "true" }.into(),
            KeyType::Ip => "198.51.100.9".into(),
            _ => format!("{miss}-other"),
        };
    }
    let miss = if ty.is_multi() {
        Val::Many(vec![miss])
    } else {
        Val::One(miss)
    };
    w.keys.push(Key {
        name: name.to_owned(),
        ty,
        derived,
        hit,
        miss,
    });
    w.keys.len() - 1
}

/// A real key name with its placeholder (`${TagKey}`, `<key>`, `tag-key`) filled in.
pub(super) fn concrete_key(g: &mut G<'_>, name: &str) -> String {
    let tag = g.word(&TAGS);
    if let Some((prefix, _)) = name.split_once("${").or_else(|| name.split_once('<')) {
        format!("{prefix}{tag}")
    } else if let Some(prefix) = name.strip_suffix("tag-key") {
        format!("{prefix}{tag}")
    } else {
        name.to_owned()
    }
}

/// Picks a key (already registered, or new from the global or the focus services' keys),
/// optionally of one type.
pub(super) fn pick_key(g: &mut G<'_>, w: &mut World, ty: Option<KeyType>) -> Option<usize> {
    let known: Vec<usize> = (0..w.keys.len())
        .filter(|&i| ty.is_none_or(|t| w.keys.get(i).is_some_and(|k| k.ty == t)))
        .collect();
    if !known.is_empty() && g.chance(35) {
        return g.pick(&known);
    }
    let mut pool: Vec<(&'static str, KeyType)> = GLOBAL_KEYS
        .iter()
        .copied()
        .filter(|(_, t)| ty.is_none_or(|want| *t == want))
        .collect();
    if g.chance(40) {
        let services: Vec<(&'static str, KeyType)> = w
            .focus
            .iter()
            .flat_map(|f| f.svc.keys.iter().copied())
            .filter(|(_, t)| ty.is_none_or(|want| *t == want))
            .collect();
        if !services.is_empty() {
            pool = services;
        }
    }
    let (name, key_ty) = g.pick(&pool)?;
    let name = concrete_key(g, name);
    Some(key_index(g, w, &name, key_ty))
}

pub(super) fn bases_for(ty: KeyType) -> &'static [BaseOperator] {
    use BaseOperator::*;
    match ty {
        KeyType::Str => &[
            StringEquals,
            StringLike,
            StringNotEquals,
            StringEqualsIgnoreCase,
            StringNotLike,
            StringNotEqualsIgnoreCase,
            Null,
            BinaryEquals,
        ],
        KeyType::StrList => &[
            StringEquals,
            StringLike,
            StringNotEquals,
            StringNotLike,
            StringEqualsIgnoreCase,
            StringNotEqualsIgnoreCase,
            Null,
        ],
        KeyType::Num => &[
            NumericEquals,
            NumericLessThan,
            NumericGreaterThan,
            NumericLessThanEquals,
            NumericGreaterThanEquals,
            NumericNotEquals,
            Null,
        ],
        KeyType::Date => &[
            DateGreaterThan,
            DateLessThan,
            DateEquals,
            DateLessThanEquals,
            DateGreaterThanEquals,
            DateNotEquals,
            Null,
        ],
        KeyType::Bool => &[Bool, Null],
        KeyType::Ip => &[IpAddress, NotIpAddress, Null],
        KeyType::Arn => &[
            ArnLike,
            ArnEquals,
            ArnNotLike,
            ArnNotEquals,
            StringLike,
            StringEquals,
            Null,
        ],
        KeyType::ArnList => &[ArnLike, ArnEquals, ArnNotLike, ArnNotEquals, Null],
        KeyType::Binary => &[BinaryEquals],
    }
}

/// True when keys of `ty` can stand under `base`.
pub(super) fn type_fits(ty: KeyType, base: BaseOperator) -> bool {
    bases_for(ty).contains(&base)
}

pub(super) fn operator_for(g: &mut G<'_>, ty: KeyType) -> ConditionOperator {
    let base = g.pick(bases_for(ty)).unwrap_or(BaseOperator::StringEquals);
    let qualifier = if base == BaseOperator::Null {
        None
    } else if ty.is_multi() {
        if g.chance(5) {
            None
        } else if g.chance(50) {
            Some(SetQualifier::ForAllValues)
        } else {
            Some(SetQualifier::ForAnyValue)
        }
    } else if g.chance(4) {
        g.pick(&[SetQualifier::ForAllValues, SetQualifier::ForAnyValue])
    } else {
        None
    };
    let if_exists = base != BaseOperator::Null && g.chance(20);
    ConditionOperator {
        qualifier,
        base,
        if_exists,
    }
}

pub(super) fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

pub(super) fn like_of(g: &mut G<'_>, h: &str) -> String {
    let n = h.chars().count();
    match g.weighted(&[30, 30, 15, 15, 10]) {
        0 => h.to_owned(),
        1 => format!("{}*", char_prefix(h, g.below(n.max(1)))),
        2 => format!("*{}", h.chars().skip(g.below(n.max(1))).collect::<String>()),
        3 if n > 0 => replace_char(h, g.below(n), '?'),
        _ => "*".to_owned(),
    }
}

pub(super) fn arn_like_of(g: &mut G<'_>, h: &str) -> String {
    let Some((head, tail)) = arn_split(h) else {
        return h.to_owned();
    };
    match g.weighted(&[40, 20, 20, 20]) {
        1 => format!("{}:*", head.join(":")),
        2 => {
            let mut head = head;
            if let Some(a) = head.get_mut(4) {
                if !a.is_empty() {
                    *a = "*";
                }
            }
            format!("{}:{tail}", head.join(":"))
        }
        3 => match tail.rfind(['/', ':']) {
            Some(i) => format!("{}:{}*", head.join(":"), tail.split_at(i + 1).0),
            None => format!("{}:*", head.join(":")),
        },
        _ => h.to_owned(),
    }
}

pub(super) fn network_of(h: &str) -> String {
    match h {
        "203.0.113.7" => "203.0.113.0/24".into(),
        "10.0.1.25" => "10.0.0.0/16".into(),
        "2001:db8::1" => "2001:db8::/32".into(),
        other => other.into(),
    }
}

/// A policy value that makes the positive operator `base` hold for request value `h`.
pub(super) fn matching(g: &mut G<'_>, base: BaseOperator, h: &str) -> String {
    use BaseOperator::*;
    let k = g.range(0, 5) as i64;
    let num = h.parse::<i64>().unwrap_or(0);
    let epoch = h.parse::<i64>().is_ok() || g.chance(30);
    let day = date_day(h).unwrap_or(10);
    match base {
        StringEquals | Bool => h.to_owned(),
        StringEqualsIgnoreCase => flip_case(g, h),
        StringLike => like_of(g, h),
        NumericEquals => num.to_string(),
        NumericLessThan => (num + 1 + k).to_string(),
        NumericLessThanEquals => (num + k).to_string(),
        NumericGreaterThan => (num - 1 - k).to_string(),
        NumericGreaterThanEquals => (num - k).to_string(),
        DateEquals => date_text(day, epoch),
        DateLessThan => date_text(day + 1 + k, epoch),
        DateLessThanEquals => date_text(day + k, epoch),
        DateGreaterThan => date_text(day - 1 - k, epoch),
        DateGreaterThanEquals => date_text(day - k, epoch),
        BinaryEquals => base64(h),
        IpAddress => network_of(h),
        ArnEquals | ArnLike => arn_like_of(g, h),
        _ => h.to_owned(),
    }
}

/// A policy value that makes the positive operator `base` fail for request value `h` (given the
/// key's near-miss value `miss`).
pub(super) fn missing(g: &mut G<'_>, base: BaseOperator, h: &str, miss: &str) -> String {
    use BaseOperator::*;
    let k = g.range(0, 5) as i64;
    let num = h.parse::<i64>().unwrap_or(0);
    let epoch = h.parse::<i64>().is_ok();
    let day = date_day(h).unwrap_or(10);
    match base {
        Bool => if h == "true" { "false" } else { "true" }.into(),
        NumericEquals => (num + 7 + k).to_string(),
        NumericLessThan => (num - k).to_string(),
        NumericLessThanEquals => (num - 1 - k).to_string(),
        NumericGreaterThan => (num + k).to_string(),
        NumericGreaterThanEquals => (num + 1 + k).to_string(),
        DateEquals => date_text(day + 2 + k, epoch),
        DateLessThan => date_text(day - k, epoch),
        DateLessThanEquals => date_text(day - 1 - k, epoch),
        DateGreaterThan => date_text(day + k, epoch),
        DateGreaterThanEquals => date_text(day + 1 + k, epoch),
        BinaryEquals => base64(miss),
        IpAddress => g.word(&OTHER_NETS).into(),
        ArnEquals | ArnLike => miss.to_owned(),
        StringLike if g.chance(30) => format!("{}*", char_prefix(miss, 3)),
        _ => miss.to_owned(),
    }
}

pub(super) fn first_of(v: &Val) -> Option<&str> {
    match v {
        Val::One(s) => Some(s),
        Val::Many(items) => items.first().map(String::as_str),
    }
}

pub(super) fn typed(base: BaseOperator, text: String, g: &mut G<'_>) -> ConditionValue {
    let json_type = match base.family() {
        OperatorFamily::Numeric if g.chance(30) => ValueType::Number,
        OperatorFamily::Bool | OperatorFamily::Null if g.chance(50) => ValueType::Bool,
        _ => ValueType::String,
    };
    ConditionValue { text, json_type }
}

/// The values of one condition entry for key `k` under `op`.
pub(super) fn entry_values(
    g: &mut G<'_>,
    w: &mut World,
    op: ConditionOperator,
    k: usize,
    variables: bool,
) -> OneOrMany<ConditionValue> {
    let Some(key) = w.keys.get(k).cloned() else {
        return OneOrMany::One(ConditionValue {
            text: "x".into(),
            json_type: ValueType::String,
        });
    };
    let base = op.base;
    let want_true = !g.chance(35);
    if base == BaseOperator::Null {
        let present = key.hit.is_some();
        let text = if want_true { !present } else { present };
        return OneOrMany::One(typed(base, text.to_string(), g));
    }
    let positive = base.positive();
    let want_match = want_true != base.is_negated();
    let miss = first_of(&key.miss).unwrap_or("x").to_owned();
    let hits: Vec<String> = match &key.hit {
        Some(Val::One(v)) => vec![v.clone()],
        Some(Val::Many(v)) => v.clone(),
        None => Vec::new(),
    };
    let n = g.range(1, g.s.max_values.max(1));
    let mut texts: Vec<String> = Vec::new();
    if want_match && !hits.is_empty() {
        if op.qualifier == Some(SetQualifier::ForAllValues) && !base.is_negated() {
            for h in &hits {
                texts.push(matching(g, positive, h));
            }
        } else {
            let h = g.pick(&hits.iter().map(String::as_str).collect::<Vec<_>>());
            texts.push(matching(g, positive, h.unwrap_or("x")));
        }
    }
    while texts.len() < n {
        let h = hits.first().map(String::as_str).unwrap_or(&miss).to_owned();
        texts.push(missing(g, positive, &h, &miss));
    }
    // A policy variable standing for the matching value (String and ARN operators only).
    if variables && positive.takes_variables() && want_match && g.chance(10) {
        if let (Some(h), Some(first)) = (hits.first(), texts.first_mut()) {
            if h == w.account {
                *first = "${aws:PrincipalAccount}".into();
            } else {
                let tag = g.word(&TAGS);
                let source = format!("aws:PrincipalTag/{tag}");
                if !source.eq_ignore_ascii_case(&key.name)
                    && register_exact(w, &source, KeyType::Str, h)
                {
                    *first = if g.chance(25) {
                        format!("${{{source}, 'none'}}")
                    } else {
                        format!("${{{source}}}")
                    };
                }
            }
        }
    }
    texts.dedup();
    let at = g.below(texts.len());
    if at > 0 {
        texts.swap(0, at);
    }
    let values: Vec<ConditionValue> = texts.into_iter().map(|t| typed(base, t, g)).collect();
    if values.len() == 1 && g.chance(50) {
        if let Some(v) = values.into_iter().next() {
            return OneOrMany::One(v);
        }
        return OneOrMany::Many(Vec::new());
    }
    OneOrMany::Many(values)
}

/// One operator block (not using any operator of `used`).
pub(super) fn condition_block(
    g: &mut G<'_>,
    w: &mut World,
    variables: bool,
    used: &[ConditionOperator],
) -> Option<Condition> {
    let k = pick_key(g, w, None)?;
    let ty = w.keys.get(k)?.ty;
    let op = operator_for(g, ty);
    if used.contains(&op) {
        return None;
    }
    let mut keys = vec![k];
    if g.chance(20) {
        // A second key of a type that fits the same operator.
        let other_ty = match op.base.family() {
            OperatorFamily::String => g.pick(&[KeyType::Str, KeyType::Arn]),
            _ => Some(ty),
        };
        if let Some(k2) = pick_key(g, w, other_ty) {
            let fits = w.keys.get(k2).is_some_and(|key| type_fits(key.ty, op.base));
            let distinct = w.keys.get(k2).map(|a| &a.name) != w.keys.get(k).map(|b| &b.name);
            if fits && distinct {
                keys.push(k2);
            }
        }
    }
    let entries = keys
        .into_iter()
        .filter_map(|k| {
            let key = w.keys.get(k)?.name.clone();
            Some(ConditionEntry {
                key,
                values: entry_values(g, w, op, k, variables),
            })
        })
        .collect();
    Some(Condition {
        operator: op,
        entries,
    })
}

pub(super) fn conditions(
    g: &mut G<'_>,
    w: &mut World,
    variables: bool,
    percent: usize,
) -> Option<Vec<Condition>> {
    if !g.chance(percent) {
        return None;
    }
    let n = g.range(1, g.s.max_conditions.max(1));
    let mut blocks: Vec<Condition> = Vec::new();
    for _ in 0..n {
        let used: Vec<ConditionOperator> = blocks.iter().map(|b| b.operator).collect();
        if let Some(block) = condition_block(g, w, variables, &used) {
            blocks.push(block);
        }
    }
    (!blocks.is_empty()).then_some(blocks)
}
