//! EKS of one region: clusters in the CloudFormation shape AWS Config records
//! `AWS::EKS::Cluster` in (`Version`, `ResourcesVpcConfig`, `Logging.ClusterLogging.EnabledTypes`,
//! `EncryptionConfig`).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "eks";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::EKS::Cluster") {
        return out;
    }
    let eks = client!(aws_sdk_eks, s);
    let region = s.region;
    let r = eks.list_clusters().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for name in out.call(SERVICE, region, "ListClusters", r).unwrap_or_default() {
        let r = eks.describe_cluster().name(&name).send().await;
        let Some(c) = out.call(SERVICE, region, &format!("DescribeCluster {name}"), r).and_then(|d| d.cluster().cloned()) else { continue };
        // Config lists the enabled log types only, each as {Type}.
        let enabled: Vec<_> = c
            .logging()
            .map(|l| l.cluster_logging())
            .unwrap_or_default()
            .iter()
            .filter(|setup| setup.enabled() == Some(true))
            .flat_map(|setup| setup.types())
            .map(|t| json!({ "Type": t.as_str() }))
            .collect();
        let config = json!({
            "Name": name,
            "Arn": c.arn(),
            "Version": c.version(),
            "ResourcesVpcConfig": c.resources_vpc_config().map(|v| json!({
                "EndpointPublicAccess": v.endpoint_public_access(),
                "EndpointPrivateAccess": v.endpoint_private_access(),
                "PublicAccessCidrs": v.public_access_cidrs(),
            })),
            "Logging": { "ClusterLogging": { "EnabledTypes": enabled } },
            "EncryptionConfig": c.encryption_config().iter().map(encryption).collect::<Vec<_>>(),
        });
        out.push(item("AWS::EKS::Cluster", &name, s.account, region, config).named(Some(&name)).arn(c.arn().map(str::to_string)));
    }
    out
}

/// One envelope-encryption entry as Config records it. `resources` is deprecated in the API
/// (EKS now encrypts all API data by default), but a customer managed key for `secrets` is
/// still what the secrets-encryption check asks for, and Config still records the list.
#[allow(deprecated)]
fn encryption(e: &aws_sdk_eks::types::EncryptionConfig) -> serde_json::Value {
    json!({ "Resources": e.resources(), "Provider": { "KeyArn": e.provider().and_then(|p| p.key_arn()) } })
}
