//! Functions do not run on a runtime AWS has deprecated.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

/// Runtime identifiers AWS has deprecated, from the Lambda runtime deprecation schedule
/// (<https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html>: the deprecated
/// runtimes, plus the supported ones whose deprecation date has passed) as it stands in
/// December 2026. The most recent additions: ruby3.2 (2026-03-31), nodejs20.x
/// (2026-04-30), provided.al2 (2026-07-31), python3.10 (2026-10-31) and dotnet8
/// (2026-11-10). Still supported then: java8.al2, java11, java17 (until 2027-06-30),
/// provided.al2023, and the newer versions of each language. Review it with the schedule.
const DEPRECATED_RUNTIMES: &[&str] = &[
    "dotnet5.0",
    "dotnet6",
    "dotnet7",
    "dotnet8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "go1.x",
    "java8",
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "provided",
    "provided.al2",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
];

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "awslambda_function_using_supported_runtimes",
        title: "Lambda functions use a runtime that AWS still supports",
        severity: Severity::Medium,
        resource_types: &[crate::FUNCTION],
        rationale: "A deprecated runtime gets no more security patches from AWS, and AWS later blocks creating and updating functions that use it.",
        remediation: "Test the code on a supported version of its language, then aws lambda update-function-configuration --function-name FUNCTION --runtime RUNTIME (for example python3.13 or nodejs22.x).",
        references: &[
            reference("aws-config-rule", "LAMBDA_FUNCTION_SETTINGS_CHECK"),
            reference("prowler", "awslambda_function_using_supported_runtimes"),
        ],
    },
    run,
};

fn run(inv: &Inventory, out: &mut Findings) {
    for function in inv.items(crate::FUNCTION).iter() {
        let name = function.name();
        // A container image carries its own runtime; Lambda records none for it.
        let Some(runtime) = function.config_str("/runtime").map(str::trim).filter(|r| !r.is_empty()) else {
            out.not_applicable(function, format!("Function {name} is a container image, so it has no managed runtime."));
            continue;
        };
        out.verdict(
            function,
            !DEPRECATED_RUNTIMES.contains(&runtime),
            format!("Function {name} uses runtime {runtime}, which AWS supports."),
            format!("Function {name} uses runtime {runtime}, which AWS has deprecated."),
        );
    }
}
