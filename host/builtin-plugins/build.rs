//! Compiles the built-in plugins to components for embedding.

fn main() {
    let built = securebase_wasm_build::build(&[
        "securebase-plugin-s3",
        "securebase-plugin-ec2",
        "securebase-plugin-iam",
        "securebase-plugin-cloudtrail",
        "securebase-plugin-cloudwatch",
        "securebase-plugin-config",
        "securebase-plugin-kms",
        "securebase-plugin-rds",
        "securebase-plugin-guardduty",
        "securebase-plugin-securityhub",
        "securebase-plugin-efs",
        "securebase-plugin-account",
        "securebase-plugin-inspector",
        "securebase-plugin-macie",
        "securebase-plugin-autoscaling",
        "securebase-plugin-ssm",
        "securebase-plugin-elasticache",
        "securebase-plugin-backup",
        "securebase-plugin-apigateway",
        "securebase-plugin-ecs",
        "securebase-plugin-cloudfront",
        "securebase-plugin-opensearch",
        "securebase-plugin-eks",
        "securebase-plugin-redshift",
        "securebase-plugin-acm",
        "securebase-plugin-elb",
        "securebase-plugin-elbv2",
        "securebase-plugin-lambda",
        "securebase-plugin-sns",
        "securebase-plugin-sqs",
        "securebase-plugin-ecr",
        "securebase-plugin-secretsmanager",
        "securebase-plugin-dynamodb",
    ]);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut code = String::from("/// The built-in plugins: (file name, component bytes).\npub const PLUGINS: &[(&str, &[u8])] = &[\n");
    for (package, path) in built {
        let name = package.trim_start_matches("securebase-plugin-");
        code.push_str(&format!("    (\"{name}.wasm\", include_bytes!({:?})),\n", path.display().to_string()));
    }
    code.push_str("];\n");
    std::fs::write(out.join("plugins.rs"), code).unwrap();
}
