//! CloudFormation YAML read into the same value a JSON template parses to. The short forms of
//! the intrinsic functions become their long forms: `!Ref X` is `{"Ref": "X"}`, `!GetAtt A.B`
//! (or `!GetAtt [A, B]`) is `{"Fn::GetAtt": ["A", "B"]}`, `!Condition C` is
//! `{"Condition": "C"}`, and every other `!Name v` is `{"Fn::Name": v}`.
//!
//! Guards: the YAML reader stops at 128 levels of nesting and bounds how often aliases are
//! followed; on top of that the converted value has a size budget proportional to the text, so
//! an alias bomb ("billion laughs") fails quickly with an error instead of filling memory.
//! (CloudFormation itself accepts no anchors or aliases; they are read here, expanded, since a
//! template may have been written for a preprocessor.)

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::super::WorldError;

/// The short-form tags CloudFormation defines, each with its long-form key.
const TAGS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("FindInMap", "Fn::FindInMap"),
    ("Base64", "Fn::Base64"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Cidr", "Fn::Cidr"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Length", "Fn::Length"),
];

/// What one value costs of the budget, besides the bytes of its text.
const NODE_COST: usize = 16;

/// Parses CloudFormation YAML `text` (named `file` in messages).
pub(in crate::world) fn parse(text: &str, file: &str) -> Result<Value, WorldError> {
    let budget = Cell::new(text.len().saturating_mul(64).saturating_add(1 << 20));
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    Seed { budget: &budget }
        .deserialize(deserializer)
        .map_err(|e| {
            let location = e
                .location()
                .map(|l| format!("line {}, column {}", l.line(), l.column()))
                .unwrap_or_default();
            WorldError::new(file, location, format!("not CloudFormation YAML: {e}"))
        })
}

/// Reads one value into JSON, charging the budget.
#[derive(Clone, Copy)]
struct Seed<'b> {
    budget: &'b Cell<usize>,
}

impl Seed<'_> {
    fn charge<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        let left = self
            .budget
            .get()
            .checked_sub(NODE_COST.saturating_add(bytes))
            .ok_or_else(|| {
                E::custom("the document expands to far more than its text (an alias bomb?)")
            })?;
        self.budget.set(left);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudFormation template value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.charge(0)?;
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("the number {v} has no JSON form")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.charge(v.len())?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.charge(v.len())?;
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(self)? {
            let key = match key {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_owned(),
                _ => return Err(de::Error::custom("a mapping key must be a scalar")),
            };
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let (tag, variant): (String, _) = data.variant()?;
        let value = variant.newtype_variant_seed(self)?;
        long_form(&tag, value).map_err(de::Error::custom)
    }
}

/// The long form of the short-form tag `!tag` applied to `value`.
fn long_form(tag: &str, value: Value) -> Result<Value, String> {
    let Some((_, key)) = TAGS.iter().find(|(short, _)| *short == tag) else {
        return Err(format!(
            "unknown tag `!{tag}` (CloudFormation's are {})",
            TAGS.iter()
                .map(|(short, _)| format!("!{short}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let value = match (tag, value) {
        ("GetAtt", Value::String(dotted)) => {
            let (resource, attribute) = dotted.split_once('.').ok_or_else(|| {
                format!("`!GetAtt {dotted}` must be `!GetAtt Resource.Attribute`")
            })?;
            Value::Array(vec![resource.into(), attribute.into()])
        }
        (_, value) => value,
    };
    let mut object = Map::new();
    object.insert((*key).to_owned(), value);
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms_become_long_forms() {
        let text = "A: !Ref X\nB: !GetAtt R.Arn\nC: !GetAtt [R, Arn]\nD: !Sub 'a-${X}'\n\
                    E: !Join ['', [a, !Ref X]]\nF: !If [C, 1, !Ref AWS::NoValue]\nG: !Condition C\n\
                    H: !GetAtt Db.Endpoint.Address\n";
        let value = parse(text, "t.yaml").unwrap();
        assert_eq!(
            value,
            json!({
                "A": {"Ref": "X"},
                "B": {"Fn::GetAtt": ["R", "Arn"]},
                "C": {"Fn::GetAtt": ["R", "Arn"]},
                "D": {"Fn::Sub": "a-${X}"},
                "E": {"Fn::Join": ["", ["a", {"Ref": "X"}]]},
                "F": {"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]},
                "G": {"Condition": "C"},
                "H": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
            })
        );
    }

    #[test]
    fn errors_name_the_file_and_the_place() {
        let e = parse("A: [1, 2\nB: c\n", "bad.yaml").unwrap_err();
        assert_eq!(e.file, "bad.yaml");
        assert!(e.location.starts_with("line "), "{e}");
        let e = parse("A:\n  B: !Reff X\n", "bad.yaml").unwrap_err();
        assert!(e.message.contains("unknown tag `!Reff`"), "{e}");
        assert!(e.location.starts_with("line 2"), "{e}");
        let e = parse("A: !GetAtt Nodot\n", "bad.yaml").unwrap_err();
        assert!(e.message.contains("Resource.Attribute"), "{e}");
    }

    #[test]
    fn deep_nesting_and_alias_bombs_fail_fast() {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse(&deep, "deep.yaml").unwrap_err();
        assert!(e.message.contains("recursion limit"), "{e}");
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for level in 1..12u8 {
            let previous = char::from(b'a' + level - 1);
            let name = char::from(b'a' + level);
            let refs = vec![format!("*{previous}"); 9].join(",");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let e = parse(&bomb, "bomb.yaml").unwrap_err();
        assert!(
            started.elapsed().as_secs() < 10,
            "took {:?}",
            started.elapsed()
        );
        assert!(
            e.message.contains("alias bomb") || e.message.contains("repetition limit"),
            "{e}"
        );
        let wide = format!(
            "a: &a [{}]\nb: [{}]\n",
            vec!["x"; 5000].join(","),
            vec!["*a"; 5000].join(",")
        );
        let e = parse(&wide, "wide.yaml").unwrap_err();
        assert!(
            e.message.contains("alias bomb") || e.message.contains("repetition limit"),
            "{e}"
        );
    }
}
