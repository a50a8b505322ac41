//! The API calls collectors make, as IAM actions. The read-only role's policy in
//! `infra/iam/` must grant exactly these; [`CallLog`] records them during a collection so
//! a test can compare. Also the one adjustment a local endpoint needs: S3 Control puts
//! the account id in front of the host name, which a loopback address cannot carry.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextMut, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Every IAM action called and how often (an operation counts once, however many times
/// the SDK retried it), and the attempts on the wire, shared by all clients of a
/// collection.
#[derive(Debug, Clone, Default)]
pub struct CallLog {
    actions: Arc<Mutex<BTreeMap<String, u64>>>,
    attempts: Arc<AtomicU64>,
}

impl CallLog {
    /// The actions called so far, sorted (`ec2:DescribeVolumes`, ...).
    pub fn actions(&self) -> Vec<String> {
        self.actions.lock().expect("call log").keys().cloned().collect()
    }

    /// How many operations were called so far, all actions together.
    pub fn total(&self) -> u64 {
        self.actions.lock().expect("call log").values().sum()
    }

    /// How many requests were sent so far: the operations plus the SDK's retries.
    pub fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }
}

/// The IAM action for an SDK operation: the service's action prefix and, mostly, the
/// operation's name. S3's actions are named differently from its operations, and API
/// Gateway's by HTTP method.
pub fn iam_action(service: &str, operation: &str) -> String {
    let prefix = match service {
        "S3" | "S3 Control" => "s3",
        "EC2" => "ec2",
        "IAM" => "iam",
        "STS" => "sts",
        "CloudTrail" => "cloudtrail",
        "CloudWatch" => "cloudwatch",
        "CloudWatch Logs" => "logs",
        "Config Service" => "config",
        "KMS" => "kms",
        "RDS" => "rds",
        "GuardDuty" => "guardduty",
        "SecurityHub" => "securityhub",
        "EFS" => "elasticfilesystem",
        "Elastic Load Balancing" | "Elastic Load Balancing v2" => "elasticloadbalancing",
        "OpenSearch" => "es",
        // REST (v1) and HTTP/WebSocket (v2) APIs share one IAM service.
        "API Gateway" | "ApiGatewayV2" => "apigateway",
        "AccessAnalyzer" => "access-analyzer",
        "Organizations" => "organizations",
        other => return format!("{}:{operation}", other.to_lowercase().replace(' ', "")),
    };
    let action = match (service, operation) {
        // API Gateway authorizes its control plane by HTTP method: every read is GET.
        ("API Gateway" | "ApiGatewayV2", op) if op.starts_with("Get") => "GET",
        ("S3", "ListBuckets") => "ListAllMyBuckets",
        ("S3", "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        ("S3", "GetBucketEncryption") => "GetEncryptionConfiguration",
        ("S3 Control", "GetPublicAccessBlock") => "GetAccountPublicAccessBlock",
        (_, op) => op,
    };
    format!("{prefix}:{action}")
}

#[derive(Debug)]
struct Recorder(CallLog);

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "securebase-call-log"
    }
    // Not `read_before_execution`: the operation's metadata is not in the bag yet there.
    fn read_before_serialization(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(m) = cfg.load::<Metadata>() {
            *self.0.actions.lock().expect("call log").entry(iam_action(m.service(), m.name())).or_default() += 1;
        }
        Ok(())
    }
    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.attempts.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Drops an `ACCOUNT.` host prefix for a local endpoint (`http://123456789012.127.0.0.1`
/// resolves nowhere); AWS itself is never sent through this.
#[derive(Debug)]
struct LocalHost {
    host: String,
}

impl Intercept for LocalHost {
    fn name(&self) -> &'static str {
        "securebase-local-endpoint"
    }
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri().to_string();
        if let Some((scheme, rest)) = uri.split_once("://")
            && let Some((prefix, tail)) = rest.split_once('.')
            && tail.starts_with(&self.host)
            && prefix.bytes().all(|b| b.is_ascii_digit())
        {
            request.set_uri(format!("{scheme}://{tail}"))?;
        }
        Ok(())
    }
}

/// The interceptors every client of a collection carries.
pub(crate) fn interceptors(options: &crate::CollectOptions) -> Vec<SharedInterceptor> {
    let mut all = vec![];
    if let Some(log) = &options.calls {
        all.push(SharedInterceptor::new(Recorder(log.clone())));
    }
    if let Some(host) = options.endpoint_url.as_deref().and_then(|u| u.split_once("://")).map(|(_, h)| h.trim_end_matches('/')) {
        all.push(SharedInterceptor::new(LocalHost { host: host.to_string() }));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::iam_action;

    #[test]
    fn s3_operations_map_to_their_differently_named_actions() {
        assert_eq!(iam_action("S3", "ListBuckets"), "s3:ListAllMyBuckets");
        assert_eq!(iam_action("S3", "GetBucketEncryption"), "s3:GetEncryptionConfiguration");
        assert_eq!(iam_action("S3 Control", "GetPublicAccessBlock"), "s3:GetAccountPublicAccessBlock");
        assert_eq!(iam_action("S3", "GetPublicAccessBlock"), "s3:GetBucketPublicAccessBlock");
        assert_eq!(iam_action("EFS", "DescribeBackupPolicy"), "elasticfilesystem:DescribeBackupPolicy");
        assert_eq!(iam_action("Elastic Load Balancing v2", "DescribeListeners"), "elasticloadbalancing:DescribeListeners");
        assert_eq!(iam_action("OpenSearch", "DescribeDomain"), "es:DescribeDomain");
        assert_eq!(iam_action("API Gateway", "GetStages"), "apigateway:GET");
        assert_eq!(iam_action("Secrets Manager", "ListSecrets"), "secretsmanager:ListSecrets");
        assert_eq!(iam_action("CloudWatch Logs", "DescribeMetricFilters"), "logs:DescribeMetricFilters");
    }
}
