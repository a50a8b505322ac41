//! HTTPS and TLS listeners use a security policy that only accepts TLS 1.2 or later.

use securebase_plugin_sdk::{Check, CheckMeta, Findings, Inventory, Severity, reference};

pub const CHECK: Check = Check {
    meta: CheckMeta {
        id: "elbv2_insecure_ssl_ciphers",
        title: "ELBv2 HTTPS and TLS listeners use a security policy accepting only TLS 1.2 or later",
        severity: Severity::Medium,
        resource_types: &[crate::LOAD_BALANCER],
        rationale: "Security policies that still accept TLS 1.0 or 1.1 and their legacy ciphers (ELBSecurityPolicy-2016-08, the API's default, among them) allow downgrade attacks that expose or alter traffic in transit.",
        remediation: "aws elbv2 modify-listener --listener-arn LISTENER_ARN --ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        references: &[reference("prowler", "elbv2_insecure_ssl_ciphers")],
    },
    run,
};

/// The predefined ELB security policies whose minimum protocol is TLS 1.2 or 1.3, from the
/// Application and Network Load Balancer security policy tables (2026-09): the TLS 1.2
/// and forward-secrecy policies, the TLS 1.3 policies and their FIPS, RFC 9151 and
/// post-quantum variants. Left out: ELBSecurityPolicy-2016-08, -2015-05,
/// -TLS-1-1-2017-01, -FS-2018-06, -FS-1-1-2019-08 and every -TLS13-1-0-* and
/// -TLS13-1-1-* policy, which still accept TLS 1.0 or 1.1. A new policy of AWS's must be
/// added here before listeners using it pass.
const TLS12_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP2-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP3-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP4-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/// The policy CreateListener gives an HTTPS or TLS listener when none is named (through
/// the API, the CLI or CloudFormation): what an unrecorded `SslPolicy` means.
const DEFAULT_POLICY: &str = "ELBSecurityPolicy-2016-08";

fn run(inv: &Inventory, out: &mut Findings) {
    let listeners = inv.items(crate::LISTENER);
    for lb in inv.items(crate::LOAD_BALANCER).iter() {
        let name = lb.name();
        let (mut encrypted, mut weak) = (0, Vec::new());
        for listener in crate::listeners_of(&listeners, lb) {
            if !matches!(crate::protocol(listener).as_str(), "HTTPS" | "TLS") {
                continue;
            }
            encrypted += 1;
            let policy = listener.config_str("/SslPolicy").unwrap_or(DEFAULT_POLICY);
            if !TLS12_POLICIES.contains(&policy) {
                weak.push(format!("{} uses {policy}", crate::listener_label(listener)));
            }
        }
        if encrypted == 0 {
            out.not_applicable(lb, format!("Load balancer {name} has no HTTPS or TLS listeners."));
            continue;
        }
        out.verdict(
            lb,
            weak.is_empty(),
            format!("Every HTTPS and TLS listener of load balancer {name} uses a security policy accepting only TLS 1.2 or later."),
            format!("Load balancer {name} has listeners whose security policy accepts protocols older than TLS 1.2: {}.", weak.join(", ")),
        );
    }
}
