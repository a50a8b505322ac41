//! `securebase report`: render a saved scan document as a PDF compliance report, CSV or
//! OCSF events.

use super::common::{input, write_atomically};
use crate::EXIT_OK;
use crate::args::{ReportArgs, ReportFormat};
use anyhow::{Context, Result, anyhow};

pub(crate) fn run(args: &ReportArgs) -> Result<u8> {
    let text = std::fs::read_to_string(&args.scan).with_context(|| format!("reading {}", args.scan.display())).map_err(input)?;
    let scan: securebase_scan::ScanReport = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a SecureBase scan document (written by `securebase scan --out DIR`)", args.scan.display()))
        .map_err(input)?;
    if scan.schema != securebase_scan::SCAN_SCHEMA {
        return Err(input(anyhow!(
            "{}: field `schema`: expected {}, found {}",
            args.scan.display(),
            securebase_scan::SCAN_SCHEMA,
            scan.schema
        )));
    }
    let bytes = match args.format {
        ReportFormat::Pdf => {
            let framework = args.framework.as_deref().expect("clap requires --framework for pdf");
            securebase_reports::render_pdf(&scan, framework, args.organization.as_deref()).map_err(input)?
        }
        ReportFormat::Csv => securebase_reports::render_csv(&scan).into_bytes(),
        ReportFormat::Ocsf => serde_json::to_vec_pretty(&securebase_reports::render_ocsf(&scan))?,
    };
    write_atomically(&args.out, &bytes)?;
    eprintln!("Wrote {}", args.out.display());
    Ok(EXIT_OK)
}
