//! `securebase report`: render a saved scan document as a PDF compliance report, CSV or
//! OCSF events.

use super::common::{input, write_atomically};
use crate::EXIT_OK;
use crate::args::{ReportArgs, ReportCommand, ReportFormat, VerifyReportArgs};
use anyhow::{Context, Result, anyhow};

pub(crate) fn run(args: &ReportArgs) -> Result<u8> {
    if let Some(ReportCommand::Verify(v)) = &args.command {
        return verify(v);
    }
    let (Some(path), Some(format), Some(out)) = (&args.scan, args.format, &args.out) else {
        unreachable!("clap requires --scan, --format and --out without a subcommand")
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display())).map_err(input)?;
    let scan: securebase_scan::ScanReport = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a SecureBase scan document (written by `securebase scan --out DIR`)", path.display()))
        .map_err(input)?;
    if scan.schema != securebase_scan::SCAN_SCHEMA {
        return Err(input(anyhow!("{}: field `schema`: expected {}, found {}", path.display(), securebase_scan::SCAN_SCHEMA, scan.schema)));
    }
    let bytes = match format {
        ReportFormat::Pdf => {
            let framework = args.framework.as_deref().expect("clap requires --framework for pdf");
            super::common::seal_pdf(securebase_reports::render_pdf(&scan, framework, args.organization.as_deref()).map_err(input)?)?
        }
        ReportFormat::Csv => securebase_reports::render_csv(&scan).into_bytes(),
        ReportFormat::Ocsf => serde_json::to_vec_pretty(&securebase_reports::render_ocsf(&scan))?,
    };
    write_atomically(out, &bytes)?;
    eprintln!("Wrote {}", out.display());
    Ok(EXIT_OK)
}

/// `securebase report verify FILE --public-key KEY`.
fn verify(args: &VerifyReportArgs) -> Result<u8> {
    use securebase_kit::signing;
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display())).map_err(input)?;
    let given = match std::fs::read_to_string(&args.public_key) {
        Ok(text) => text,
        Err(_) => args.public_key.clone(),
    };
    let expected = signing::decode_public_key(&given).ok_or_else(|| {
        input(anyhow!("--public-key {}: expected an Ed25519 public key (32 bytes, base64) or a file holding one", args.public_key))
    })?;
    if securebase_reports::package::is_zip(&bytes) {
        return verify_package(args, &bytes, &expected);
    }
    match check_seal(&bytes, &expected) {
        Ok(sha256) => {
            println!("ok: {} is signed by {} and unchanged (SHA-256 {sha256})", args.file.display(), signing::encode_public_key(&expected));
            Ok(EXIT_OK)
        }
        // Exit status 1: the report does not verify (as `plugin verify` for components).
        Err(why) => {
            eprintln!("error: {}: {why}", args.file.display());
            Ok(1)
        }
    }
}

/// Whether `bytes` end in a seal by `expected` over everything before it: the SHA-256
/// it covers, or why not.
fn check_seal(bytes: &[u8], expected: &securebase_kit::signing::VerifyingKey) -> Result<String, String> {
    use securebase_kit::signing;
    let Some(seal) = securebase_reports::seal::open(bytes) else {
        return Err("it carries no SecureBase signature (the service signs reports when started with SECUREBASE_SIGNING_KEY)".into());
    };
    let actual = securebase_reports::seal::content_sha256(&seal);
    if actual != seal.sha256 {
        return Err(format!("changed after it was signed: its content's SHA-256 is {actual}, the signature covers {}", seal.sha256));
    }
    if signing::decode_public_key(&seal.key).as_ref() != Some(expected) {
        return Err(format!("signed by key {}, not by the key given ({})", seal.key, signing::encode_public_key(expected)));
    }
    let signature = signing::decode_signature(seal.signature.as_bytes()).ok();
    if !signature.is_some_and(|s| signing::verifies(expected, seal.content, &s)) {
        return Err("its signature does not match its content under that key".into());
    }
    Ok(seal.sha256)
}

/// An audit package: its manifest's signature, every file against the manifest, and
/// the PDF report's own signature. Every problem is named, not only the first.
fn verify_package(args: &VerifyReportArgs, bytes: &[u8], expected: &securebase_kit::signing::VerifyingKey) -> Result<u8> {
    use securebase_reports::package::{self, MANIFEST};
    let file = args.file.display();
    let opened = match package::read(bytes) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {file}: {e}");
            return Ok(1);
        }
    };
    let mut problems = Vec::new();
    match opened.sealed_manifest() {
        None => problems.push(format!("{MANIFEST}: not signed (the service signs packages when started with SECUREBASE_SIGNING_KEY)")),
        Some(sealed) => {
            if let Err(why) = check_seal(&sealed, expected) {
                problems.push(format!("{MANIFEST}: {why}"));
            }
        }
    }
    problems.extend(package::mismatches(&opened).iter().map(ToString::to_string));
    let report = format!("report-{}.pdf", opened.manifest.subject.framework);
    if let Some(pdf) = opened.files.get(&report)
        && let Err(why) = check_seal(pdf, expected)
    {
        problems.push(format!("{report}: {why}"));
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("error: {file}: {p}");
        }
        eprintln!("{file} does not verify: {} problem(s)", problems.len());
        return Ok(1);
    }
    let m = &opened.manifest;
    println!(
        "ok: {file}: the manifest is signed by {}, and all {} files match it (tenant {}, scan {}, framework {}, made {})",
        securebase_kit::signing::encode_public_key(expected),
        m.files.len(),
        m.subject.tenant_id,
        m.subject.scan_id,
        m.subject.framework,
        m.subject.generated_at
    );
    Ok(EXIT_OK)
}
