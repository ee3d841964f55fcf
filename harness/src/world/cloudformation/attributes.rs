//! What `Ref` and `Fn::GetAtt` return for each resource type, as the CloudFormation resource
//! reference documents it. A value CloudFormation only knows after deployment — a generated
//! name or key ID, a secret ARN's random suffix, any attribute not listed here — is an `Err`
//! with the reason, never a guess.

/// The account, region and partition a template is loaded for.
pub(super) struct Env<'a> {
    /// The account ID (`AWS::AccountId`).
    pub account: &'a str,
    /// The region (`AWS::Region`).
    pub region: &'a str,
    /// The partition (`AWS::Partition`).
    pub partition: &'a str,
    /// The domain suffix (`AWS::URLSuffix`).
    pub url_suffix: &'a str,
}

/// One resource as `Ref` and `Fn::GetAtt` see it: its type, logical id, the value of its
/// naming property (when set) and its IAM path.
pub(super) struct Named<'a> {
    /// The resource type.
    pub ty: &'a str,
    /// The logical id.
    pub logical: &'a str,
    /// The value of the naming property ([`naming_property`]), when the template sets it.
    pub name: Option<&'a str>,
    /// The IAM path (`/` when not set).
    pub path: &'a str,
}

/// The property that names a resource of type `ty`, when it has one.
pub(super) fn naming_property(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::User" => "UserName",
        "AWS::IAM::Group" => "GroupName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::IAM::InstanceProfile" => "InstanceProfileName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::DynamoDB::Table" => "TableName",
        "AWS::Lambda::Function" => "FunctionName",
        "AWS::KinesisFirehose::DeliveryStream" => "DeliveryStreamName",
        "AWS::Kinesis::Stream" => "Name",
        "AWS::ECR::Repository" => "RepositoryName",
        "AWS::KMS::Alias" => "AliasName",
        _ => return None,
    })
}

/// The ARN of a resource of one of the types [`naming_property`] knows, from its name.
fn arn(r: &Named<'_>, name: &str, env: &Env<'_>) -> Option<String> {
    let (p, a, g) = (env.partition, env.account, env.region);
    let path = r.path;
    Some(match r.ty {
        "AWS::IAM::Role" => format!("arn:{p}:iam::{a}:role{path}{name}"),
        "AWS::IAM::User" => format!("arn:{p}:iam::{a}:user{path}{name}"),
        "AWS::IAM::Group" => format!("arn:{p}:iam::{a}:group{path}{name}"),
        "AWS::IAM::ManagedPolicy" => format!("arn:{p}:iam::{a}:policy{path}{name}"),
        "AWS::IAM::InstanceProfile" => format!("arn:{p}:iam::{a}:instance-profile{path}{name}"),
        "AWS::S3::Bucket" => format!("arn:{p}:s3:::{name}"),
        "AWS::Logs::LogGroup" => format!("arn:{p}:logs:{g}:{a}:log-group:{name}:*"),
        "AWS::SQS::Queue" => format!("arn:{p}:sqs:{g}:{a}:{name}"),
        "AWS::SNS::Topic" => format!("arn:{p}:sns:{g}:{a}:{name}"),
        "AWS::DynamoDB::Table" => format!("arn:{p}:dynamodb:{g}:{a}:table/{name}"),
        "AWS::Lambda::Function" => format!("arn:{p}:lambda:{g}:{a}:function:{name}"),
        "AWS::KinesisFirehose::DeliveryStream" => {
            format!("arn:{p}:firehose:{g}:{a}:deliverystream/{name}")
        }
        "AWS::Kinesis::Stream" => format!("arn:{p}:kinesis:{g}:{a}:stream/{name}"),
        "AWS::ECR::Repository" => format!("arn:{p}:ecr:{g}:{a}:repository/{name}"),
        _ => return None,
    })
}

/// Why a value of `r` is known only after deployment.
fn after_deployment(r: &Named<'_>, what: &str) -> String {
    match (naming_property(r.ty), r.name) {
        (Some(property), None) => format!(
            "`{}` ({}) sets no {property}: CloudFormation generates its name at deployment, \
             so its {what} is known only then",
            r.logical, r.ty
        ),
        _ => format!(
            "the {what} of `{}` ({}) is known only after deployment",
            r.logical, r.ty
        ),
    }
}

/// What `{"Ref": logical}` returns for the resource `r`.
pub(super) fn reference(r: &Named<'_>, env: &Env<'_>) -> Result<String, String> {
    let unknown = || after_deployment(r, "`Ref` value");
    let name = r.name.ok_or_else(unknown)?;
    match r.ty {
        "AWS::IAM::ManagedPolicy" | "AWS::SNS::Topic" => arn(r, name, env).ok_or_else(unknown),
        "AWS::SQS::Queue" => Ok(queue_url(name, env)),
        _ if naming_property(r.ty).is_some() => Ok(name.to_owned()),
        _ => Err(unknown()),
    }
}

/// What `{"Fn::GetAtt": [logical, attribute]}` returns for the resource `r`.
pub(super) fn attribute(r: &Named<'_>, attribute: &str, env: &Env<'_>) -> Result<String, String> {
    let unknown = || after_deployment(r, &format!("`{attribute}` attribute"));
    let name = r.name.ok_or_else(unknown)?;
    match (r.ty, attribute) {
        ("AWS::IAM::ManagedPolicy", "PolicyArn")
        | ("AWS::SNS::Topic", "TopicArn")
        | (
            "AWS::IAM::Role"
            | "AWS::IAM::User"
            | "AWS::IAM::Group"
            | "AWS::IAM::InstanceProfile"
            | "AWS::S3::Bucket"
            | "AWS::Logs::LogGroup"
            | "AWS::SQS::Queue"
            | "AWS::DynamoDB::Table"
            | "AWS::Lambda::Function"
            | "AWS::KinesisFirehose::DeliveryStream"
            | "AWS::Kinesis::Stream"
            | "AWS::ECR::Repository",
            "Arn",
        ) => arn(r, name, env).ok_or_else(unknown),
        ("AWS::SQS::Queue", "QueueName") | ("AWS::SNS::Topic", "TopicName") => Ok(name.to_owned()),
        ("AWS::SQS::Queue", "QueueUrl") => Ok(queue_url(name, env)),
        ("AWS::S3::Bucket", "DomainName") => Ok(format!("{name}.s3.{}", env.url_suffix)),
        ("AWS::S3::Bucket", "RegionalDomainName") => {
            Ok(format!("{name}.s3.{}.{}", env.region, env.url_suffix))
        }
        _ => Err(unknown()),
    }
}

/// The URL of the queue `name` (what `Ref` of an `AWS::SQS::Queue` returns).
fn queue_url(name: &str, env: &Env<'_>) -> String {
    format!(
        "https://sqs.{}.{}/{}/{name}",
        env.region, env.url_suffix, env.account
    )
}

/// The ARN of the queue at `url` (`https://sqs.REGION.DOMAIN/ACCOUNT/NAME`).
pub(super) fn queue_arn(url: &str, partition: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let region = host.strip_prefix("sqs.")?.split('.').next()?;
    let (account, name) = path.trim_end_matches('/').split_once('/')?;
    let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (valid && !name.is_empty() && !name.contains('/'))
        .then(|| format!("arn:{partition}:sqs:{region}:{account}:{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: Env<'static> = Env {
        account: "111122223333",
        region: "eu-west-1",
        partition: "aws",
        url_suffix: "amazonaws.com",
    };

    fn named<'a>(ty: &'a str, name: Option<&'a str>) -> Named<'a> {
        Named {
            ty,
            logical: "Thing",
            name,
            path: "/",
        }
    }

    #[test]
    fn references_and_arns_follow_the_resource_reference() {
        let queue = named("AWS::SQS::Queue", Some("jobs"));
        let url = reference(&queue, &ENV).unwrap();
        assert_eq!(url, "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs");
        assert_eq!(
            queue_arn(&url, "aws").as_deref(),
            Some("arn:aws:sqs:eu-west-1:111122223333:jobs")
        );
        assert_eq!(
            attribute(&queue, "Arn", &ENV).unwrap(),
            "arn:aws:sqs:eu-west-1:111122223333:jobs"
        );
        let policy = Named {
            path: "/app/",
            ..named("AWS::IAM::ManagedPolicy", Some("p"))
        };
        assert_eq!(
            reference(&policy, &ENV).unwrap(),
            "arn:aws:iam::111122223333:policy/app/p"
        );
        let log = named("AWS::Logs::LogGroup", Some("/aws/lambda/f"));
        assert_eq!(
            attribute(&log, "Arn", &ENV).unwrap(),
            "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/f:*"
        );
        assert_eq!(reference(&log, &ENV).unwrap(), "/aws/lambda/f");
    }

    #[test]
    fn generated_values_are_reported_not_guessed() {
        let role = named("AWS::IAM::Role", None);
        let e = attribute(&role, "Arn", &ENV).unwrap_err();
        assert!(e.contains("sets no RoleName"), "{e}");
        let key = named("AWS::KMS::Key", None);
        assert!(reference(&key, &ENV).is_err());
        assert!(attribute(&key, "Arn", &ENV).is_err());
        let named_role = named("AWS::IAM::Role", Some("r"));
        assert!(attribute(&named_role, "RoleId", &ENV).is_err());
        assert!(queue_arn("https://example.com/x", "aws").is_none());
    }
}
