//! Lambda of one region: functions in AWS Config's camelCase shape (`runtime`, `vpcConfig`,
//! `deadLetterConfig`, `kmskeyArn`, `environment.variables`) and the resource-based policy
//! in the supplementary `Policy`, as Config records it.
//!
//! Environment variable values are replaced by [`REDACTED`] before anything is kept
//! (here and for items AWS Config hands over, see [`redact`], which does the same for ECS
//! task definitions): they are where people put
//! database passwords and API keys, and a scanner must not copy them into snapshots,
//! its database and reports. Their names stay, which is what the checks read.

use crate::sink::{ItemExt, Sink, is_code, item};
use crate::{Scope, client};
use securebase_inventory::ConfigItem;
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "lambda";

/// The resource type, and what every environment variable's value becomes.
pub(crate) const FUNCTION: &str = "AWS::Lambda::Function";
pub(crate) const REDACTED: &str = "<redacted>";

pub(crate) async fn collect(s: &Scope<'_>) -> Sink {
    let mut out = Sink::default();
    if !s.wants(FUNCTION) {
        return out;
    }
    let lambda = client!(aws_sdk_lambda, s);
    let region = s.region;
    let r = lambda.list_functions().into_paginator().items().send().collect::<Result<Vec<_>, _>>().await;
    for f in out.call(SERVICE, region, "ListFunctions", r).unwrap_or_default() {
        let Some(name) = f.function_name() else { continue };
        let policy = match lambda.get_policy().function_name(name).send().await {
            Ok(p) => p.policy().map(str::to_string),
            Err(e) if is_code(&e, &["ResourceNotFoundException"]) => None,
            Err(e) => {
                // Whether the function is public decides a check: not emitted half-read.
                out.call::<(), _>(SERVICE, region, &format!("GetPolicy {name}"), Err(e));
                continue;
            }
        };
        let variables: serde_json::Map<String, Value> = f
            .environment()
            .and_then(|e| e.variables())
            .into_iter()
            .flatten()
            .map(|(k, _)| (k.clone(), Value::String(REDACTED.into())))
            .collect();
        let mut config = json!({
            "functionName": name,
            "functionArn": f.function_arn(),
            "runtime": f.runtime().map(|r| r.as_str()),
            "packageType": f.package_type().map(|p| p.as_str()),
            "role": f.role(),
            "kmskeyArn": f.kms_key_arn(),
        });
        if let Some(v) = f.vpc_config() {
            config["vpcConfig"] = json!({ "subnetIds": v.subnet_ids(), "securityGroupIds": v.security_group_ids() });
        }
        if let Some(target) = f.dead_letter_config().and_then(|d| d.target_arn()) {
            config["deadLetterConfig"] = json!({ "targetArn": target });
        }
        if !variables.is_empty() {
            config["environment"] = json!({ "variables": variables });
        }
        let supplementary = match policy {
            Some(p) => json!({ "Policy": p }),
            None => json!({}),
        };
        out.push(
            item(FUNCTION, name, s.account, region, config)
                .named(Some(name))
                .arn(f.function_arn().map(str::to_string))
                .supplementary(supplementary),
        );
    }
    out
}

/// Replaces the values of environment variables by [`REDACTED`] in the items that carry
/// them (a Lambda function's `environment.variables`, an ECS task definition's
/// `ContainerDefinitions[].Environment[].Value`), for items from any source: AWS Config
/// records them in clear. Other items pass unchanged.
pub(crate) fn redact(mut item: ConfigItem) -> ConfigItem {
    let is_task = item.resource_type == "AWS::ECS::TaskDefinition";
    if item.resource_type != FUNCTION && !is_task {
        return item;
    }
    let Ok(mut config) = serde_json::from_str::<Value>(&item.configuration) else { return item };
    let mut values: Vec<&mut Value> = Vec::new();
    if is_task {
        for container in config.get_mut("ContainerDefinitions").and_then(Value::as_array_mut).into_iter().flatten() {
            for var in container.get_mut("Environment").and_then(Value::as_array_mut).into_iter().flatten() {
                values.extend(var.get_mut("Value"));
            }
        }
    } else if let Some(vars) = config.pointer_mut("/environment/variables").and_then(Value::as_object_mut) {
        values.extend(vars.values_mut());
    }
    if values.iter().all(|v| v.as_str() == Some(REDACTED)) {
        return item;
    }
    for v in values {
        *v = Value::String(REDACTED.into());
    }
    item.configuration = config.to_string();
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_values_are_redacted_and_names_kept_whatever_the_source() {
        let config = json!({ "functionName": "f", "environment": { "variables": { "DB_PASSWORD": "hunter2", "STAGE": "prod" } } });
        let from_config = item(FUNCTION, "f", "123456789012", "us-east-1", config);
        let kept = redact(from_config);
        assert!(!kept.configuration.contains("hunter2") && !kept.configuration.contains("prod"), "{}", kept.configuration);
        let v: Value = serde_json::from_str(&kept.configuration).unwrap();
        let vars = v["environment"]["variables"].as_object().unwrap();
        assert_eq!(vars.keys().collect::<Vec<_>>(), ["DB_PASSWORD", "STAGE"]);
        assert!(vars.values().all(|v| v == REDACTED));
        // An ECS task definition's container environment, likewise.
        let task = json!({ "ContainerDefinitions": [{ "Name": "app", "Environment": [{ "Name": "API_TOKEN", "Value": "t0ps3cret" }] }] });
        let kept = redact(item("AWS::ECS::TaskDefinition", "t", "123456789012", "us-east-1", task));
        assert!(!kept.configuration.contains("t0ps3cret") && kept.configuration.contains("API_TOKEN"), "{}", kept.configuration);
        // Another type's configuration is not touched, even if it has the same shape.
        let other = item("AWS::SNS::Topic", "t", "123456789012", "us-east-1", json!({ "environment": { "variables": { "K": "v" } } }));
        assert!(redact(other).configuration.contains("\"v\""));
    }
}
