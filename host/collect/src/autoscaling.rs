//! EC2 Auto Scaling of one region: groups and launch configurations in AWS Config's
//! camelCase shapes (`AWS::AutoScaling::AutoScalingGroup`, `AWS::AutoScaling::LaunchConfiguration`).

use crate::sink::{ItemExt, Sink, item};
use crate::{Scope, client};
use serde_json::json;

pub(crate) const SERVICE: &str = "autoscaling";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    let asg = client!(aws_sdk_autoscaling, s);
    let region = s.region;
    if s.wants("AWS::AutoScaling::AutoScalingGroup") {
        let r = asg.describe_auto_scaling_groups().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for g in out.call(SERVICE, region, "DescribeAutoScalingGroups", r).unwrap_or_default() {
            let Some(name) = g.auto_scaling_group_name() else { continue };
            let config = json!({
                "autoScalingGroupName": name,
                "autoScalingGroupARN": g.auto_scaling_group_arn(),
                "launchConfigurationName": g.launch_configuration_name(),
                "launchTemplate": g.launch_template().map(|t| json!({
                    "launchTemplateId": t.launch_template_id(),
                    "launchTemplateName": t.launch_template_name(),
                    "version": t.version(),
                })),
                "availabilityZones": g.availability_zones(),
                "healthCheckType": g.health_check_type(),
                "loadBalancerNames": g.load_balancer_names(),
                "targetGroupARNs": g.target_group_arns(),
            });
            out.push(
                item("AWS::AutoScaling::AutoScalingGroup", name, s.account, region, config)
                    .named(Some(name))
                    .arn(g.auto_scaling_group_arn().map(str::to_string)),
            );
        }
    }
    if s.wants("AWS::AutoScaling::LaunchConfiguration") {
        let r = asg.describe_launch_configurations().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
        for c in out.call(SERVICE, region, "DescribeLaunchConfigurations", r).unwrap_or_default() {
            let Some(name) = c.launch_configuration_name() else { continue };
            let m = c.metadata_options();
            let config = json!({
                "launchConfigurationName": name,
                "imageId": c.image_id(),
                "instanceType": c.instance_type(),
                "associatePublicIpAddress": c.associate_public_ip_address(),
                "metadataOptions": m.map(|m| json!({
                    "httpTokens": m.http_tokens().map(|x| x.as_str()),
                    "httpEndpoint": m.http_endpoint().map(|x| x.as_str()),
                })),
            });
            out.push(
                item("AWS::AutoScaling::LaunchConfiguration", name, s.account, region, config)
                    .named(Some(name))
                    .arn(c.launch_configuration_arn().map(str::to_string)),
            );
        }
    }
    out
}
