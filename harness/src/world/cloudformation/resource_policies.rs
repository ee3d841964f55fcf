//! The resource policies of a template — bucket, queue, topic and KMS key policies — and the
//! other resources, which enter the world without a policy when their ARN is known.

use serde_json::Value;

use super::super::WorldError;
use super::attributes;
use super::resources::Builder;

impl Builder<'_, '_> {
    /// A bucket, queue, topic or key policy: the policy of every resource it names.
    pub(super) fn resource_policy(&mut self, index: usize) {
        let ty = self.ty(index).to_owned();
        let logical = self.entries.get(index).map_or("", |e| e.logical).to_owned();
        let partition = self.t.env.partition.to_owned();
        let (doc_key, list_key) = match ty.as_str() {
            "AWS::S3::BucketPolicy" => ("PolicyDocument", "Bucket"),
            "AWS::SQS::QueuePolicy" => ("PolicyDocument", "Queues"),
            "AWS::SNS::TopicPolicy" => ("PolicyDocument", "Topics"),
            _ => ("KeyPolicy", ""),
        };
        let mut arns = Vec::new();
        if list_key.is_empty() {
            let (r, a) = (self.t.env.region, self.t.env.account);
            let arn = format!("arn:{partition}:kms:{r}:{a}:key/{logical}");
            self.skip(
                &format!("Resources.{logical}"),
                format!(
                    "the key ID is generated at deployment; the key is in the world as `{arn}`"
                ),
            );
            arns.push(arn);
        } else {
            let at = self.at(index, list_key);
            let raw = self.prop(index, list_key).unwrap_or(&Value::Null);
            match self.t.resolve_some(raw, &at) {
                Err(fail) => return self.fail(fail),
                Ok(value) => {
                    let names: Vec<String> = match value {
                        Value::Array(items) => items
                            .iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect(),
                        Value::String(one) => vec![one],
                        _ => Vec::new(),
                    };
                    for name in names {
                        let arn = match ty.as_str() {
                            "AWS::S3::BucketPolicy" => Some(format!("arn:{partition}:s3:::{name}")),
                            "AWS::SQS::QueuePolicy" => attributes::queue_arn(&name, &partition),
                            _ => Some(name.clone()),
                        };
                        match arn {
                            Some(arn) => arns.push(arn),
                            None => self.problems.push(WorldError::new(
                                self.file,
                                at.clone(),
                                format!("`{name}` is not a queue URL"),
                            )),
                        }
                    }
                }
            }
        }
        let at = self.at(index, doc_key);
        let doc = match self.document(self.prop(index, doc_key), &at) {
            Ok(doc) => doc,
            Err(fail) => return self.fail(fail),
        };
        let account = self.t.env.account.to_owned();
        for arn in arns {
            if self
                .world
                .scenario
                .resources
                .get(&arn)
                .is_some_and(|r| r.policy.is_some())
            {
                self.problems.push(WorldError::new(
                    self.file,
                    at.clone(),
                    format!("`{arn}` already has a policy from another resource"),
                ));
                continue;
            }
            let origin = self.origin(at.clone(), &logical);
            self.world
                .add_resource(&arn, &account, Some((doc.clone(), origin)));
        }
    }

    /// Any other resource: in the world without a policy when its ARN is known, else skipped.
    pub(super) fn plain(&mut self, index: usize) {
        let Some(entry) = self.entries.get(index) else {
            return;
        };
        let logical = entry.logical;
        let arn = attributes::attribute(&entry.named.as_named(logical), "Arn", &self.t.env);
        let ty = entry.named.ty.clone();
        match (arn, attributes::naming_property(&ty)) {
            (Ok(arn), _) => {
                if !self.world.scenario.resources.contains_key(&arn) {
                    let account = self.t.env.account.to_owned();
                    self.world.add_resource(&arn, &account, None);
                }
            }
            (Err(reason), Some(_)) => self.skip(&format!("Resources.{logical}"), reason),
            (Err(_), None) => self.skip(
                &format!("Resources.{logical}"),
                format!("{ty}: not a policy-bearing resource"),
            ),
        }
    }
}
