//! ECS of one region: the latest active revision of every task definition family, in the
//! CloudFormation shape AWS Config records `AWS::ECS::TaskDefinition` in. Environment
//! variable values are replaced by `<redacted>` before anything is kept, as for Lambda
//! ([`crate::lambda::redact`]): secrets put there must not be copied by a scanner.

use crate::lambda::REDACTED;
use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use aws_sdk_ecs::types::TaskDefinitionFamilyStatus;
use serde_json::json;

pub(crate) const SERVICE: &str = "ecs";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants("AWS::ECS::TaskDefinition") {
        return out;
    }
    let ecs = client!(aws_sdk_ecs, s);
    let region = s.region;
    let r = ecs
        .list_task_definition_families()
        .status(TaskDefinitionFamilyStatus::Active)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await;
    for family in out.call(SERVICE, region, "ListTaskDefinitionFamilies", r).unwrap_or_default() {
        let r = ecs.describe_task_definition().task_definition(&family).send().await;
        let Some(t) = out.call(SERVICE, region, &format!("DescribeTaskDefinition {family}"), r).and_then(|d| d.task_definition().cloned())
        else {
            continue;
        };
        let Some(arn) = t.task_definition_arn() else { continue };
        let containers: Vec<_> = t
            .container_definitions()
            .iter()
            .map(|c| {
                json!({
                    "Name": c.name(),
                    "Image": c.image(),
                    "Privileged": c.privileged(),
                    "ReadonlyRootFilesystem": c.readonly_root_filesystem(),
                    "User": c.user(),
                    "Environment": c.environment().iter().map(|e| json!({ "Name": e.name(), "Value": REDACTED })).collect::<Vec<_>>(),
                    "Secrets": c.secrets().iter().map(|e| json!({ "Name": e.name(), "ValueFrom": e.value_from() })).collect::<Vec<_>>(),
                    "LogConfiguration": c.log_configuration().map(|l| json!({ "LogDriver": l.log_driver().as_str(), "Options": l.options() })),
                })
            })
            .collect();
        let config = json!({
            "TaskDefinitionArn": arn,
            "Family": t.family(),
            "Revision": t.revision(),
            "NetworkMode": t.network_mode().map(|m| m.as_str()),
            "ContainerDefinitions": containers,
        });
        let name = format!("{}:{}", t.family().unwrap_or(&family), t.revision());
        out.push(item("AWS::ECS::TaskDefinition", arn, s.account, region, config).named(Some(&name)).arn(Some(arn.to_string())));
    }
    out
}
