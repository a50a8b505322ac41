//! `securebase scan`: evaluate a snapshot, the demo organization or accounts collected live,
//! print the result, optionally write the report files, and apply `--fail-on`.

use super::common::{
    accounts_to_collect, file_plugin_hashes, frameworks, input, load_plugins, report_collection_errors, runtime, write_atomically,
};
use crate::args::{Format, ScanArgs};
use crate::{EXIT_FAIL_ON, EXIT_OK};
use anyhow::{Context, Result, anyhow, bail};
use securebase_runtime::Severity;
use securebase_scan::{Additions, Progress, Scanner};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

pub(crate) fn run(args: ScanArgs) -> Result<u8> {
    let snapshot = match (&args.inventory, args.demo, &args.accounts) {
        (Some(dir), false, None) => Some(securebase_inventory::load_dir(dir).map_err(input)?),
        (None, true, None) => Some(securebase_inventory::demo()),
        (None, false, Some(_)) => None,
        _ => return Err(input(anyhow!("give one of --demo, --inventory DIR or --accounts FILE"))),
    };
    let frameworks = frameworks(&args.framework, &args.framework_file)?;
    let runtime = Arc::new(runtime(&args.plugins, args.threads)?);
    let tty = std::io::stderr().is_terminal();
    if tty {
        eprint!("Loading plugins...");
    }
    let plugins = load_plugins(&runtime, &args.plugins)?;
    let files = file_plugin_hashes(&plugins, &args.plugins);
    let mut scanner = Scanner::new(runtime, plugins, frameworks, args.threads.map(usize::from)).map_err(input)?;
    for sha in &files {
        scanner.set_origin(sha, "file");
    }
    let additions =
        Additions { exceptions: exceptions(&args, &scanner)?, attestations: attestations(&args, &scanner)?, ..Additions::default() };
    let progress = |p: Progress| {
        if tty {
            let Progress::AccountDone { done, total, .. } = p;
            eprint!("\r\x1b[2KEvaluating accounts: {done}/{total}");
            let _ = std::io::stderr().flush();
        }
    };
    let report = match (snapshot, &args.accounts) {
        (Some(snapshot), _) => {
            let kept = args.keep_inventory.then(|| securebase_scan::KeptInventory::of(&snapshot.accounts));
            let mut report = scanner.scan_with(snapshot, &additions, &progress).map_err(input)?;
            if let Some(kept) = &kept {
                report.keep_inventory(kept, true);
            }
            report
        }
        (None, Some(path)) => scan_live(&args, path, &scanner, &additions, tty)?,
        (None, None) => unreachable!("checked above"),
    };
    if tty {
        eprint!("\r\x1b[2K");
    }

    if let Some(dir) = &args.out {
        write_outputs(dir, &report)?;
    }
    let text = match args.format {
        Format::Table => securebase_reports::render_table(&report),
        Format::Json => securebase_reports::render_json(&report),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`securebase scan | head`) is the reader's choice, not an error.
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        bail!("writing the report: {e}");
    }

    if let Some(threshold) = &args.fail_on {
        let severity = Severity::parse(threshold).expect("clap validated the severity");
        let n = report.failing_at_or_above(severity);
        if n > 0 {
            eprintln!("{n} failing finding(s) at or above {threshold} (--fail-on)");
            return Ok(EXIT_FAIL_ON);
        }
    }
    Ok(EXIT_OK)
}

/// The `--exceptions` file as of now, checked against the scanner's checks; an entry that
/// has expired since it was written is a warning (it matches nothing), not an error.
fn exceptions(args: &ScanArgs, scanner: &Scanner) -> Result<securebase_exceptions::Register> {
    let Some(path) = &args.exceptions else { return Ok(securebase_exceptions::Register::default()) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the exceptions file", path.display())).map_err(input)?;
    let now = securebase_inventory::time::now_unix();
    let known = |c: &str| scanner.plugins().iter().any(|p| p.info().check(c).is_some());
    let all = securebase_exceptions::parse_file(&text, &path.display().to_string(), now, &known).map_err(input)?;
    let register = securebase_exceptions::Register::new(all, now);
    for (e, _) in register.entries().filter(|(_, expired)| *expired) {
        eprintln!(
            "warning: {}: exception {} ({} on {}) expired on {}: it matches nothing, and what it covered fails again",
            path.display(),
            e.id,
            e.check,
            e.resource.as_deref().or(e.account.as_deref()).unwrap_or("every resource"),
            e.expires
        );
    }
    Ok(register)
}

/// The `--attestations` file, checked against the frameworks (built-in and
/// --framework-file ones) with its evidence files read and hashed; one that is not valid
/// today is a warning (its requirement stays manual), not an error.
fn attestations(args: &ScanArgs, scanner: &Scanner) -> Result<Vec<securebase_attestations::Attestation>> {
    let Some(path) = &args.attestations else { return Ok(vec![]) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the attestations file", path.display())).map_err(input)?;
    let mut catalogue = securebase_scoring::builtin();
    let own: Vec<_> = scanner.frameworks().iter().filter(|f| !catalogue.iter().any(|b| b.id == f.id)).cloned().collect();
    catalogue.extend(own);
    let requirement = |framework: &str, requirement: &str| -> Option<String> {
        let Some(f) = catalogue.iter().find(|f| f.id == framework) else {
            let ids: Vec<&str> = catalogue.iter().map(|f| f.id.as_str()).collect();
            return Some(format!("framework: no framework \"{framework}\" (one of: {})", ids.join(", ")));
        };
        f.unattestable(requirement)
    };
    let now = securebase_inventory::time::now_rfc3339();
    let all =
        securebase_attestations::parse_file(&text, path, &now[..10], &requirement, securebase_attestations::DEFAULT_EVIDENCE_MAX_BYTES)
            .map_err(input)?;
    let now = securebase_inventory::time::parse_rfc3339(&now).unwrap_or(0);
    for a in &all {
        let v = a.validity(now);
        if v != securebase_attestations::Validity::Valid {
            eprintln!(
                "warning: {}: attestation {} ({} {}) is {} (valid {} to {}): the requirement stays manual",
                path.display(),
                a.id,
                a.framework,
                a.requirement,
                v.as_str().replace('_', " "),
                a.valid_from,
                a.valid_until
            );
        }
    }
    Ok(all)
}

fn write_outputs(dir: &std::path::Path, report: &securebase_scan::ScanReport) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = vec![("scan.json".to_string(), securebase_reports::render_json(report).into_bytes())];
    written.push(("findings.csv".into(), securebase_reports::render_csv(report).into_bytes()));
    written.push(("findings.ocsf.json".into(), serde_json::to_vec_pretty(&securebase_reports::render_ocsf(report))?));
    for fw in &report.frameworks {
        written.push((format!("report-{}.pdf", fw.id), super::common::seal_pdf(securebase_reports::render_pdf(report, &fw.id, None)?)?));
    }
    for (name, bytes) in written {
        let path = dir.join(name);
        write_atomically(&path, &bytes)?;
        eprintln!("Wrote {}", path.display());
    }
    Ok(())
}

/// `scan --accounts`: collection on tokio feeds evaluation on the worker pool through a
/// channel, so the first account is evaluated while the others are still being read.
fn scan_live(
    args: &ScanArgs,
    path: &std::path::Path,
    scanner: &Scanner,
    additions: &Additions,
    tty: bool,
) -> Result<securebase_scan::ScanReport> {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (file, options) = accounts_to_collect(&runtime, path, &args.collection)?;
    let total = file.accounts.len();
    let (collected, evaluated) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let show = |c: usize, e: usize| {
        if tty {
            eprint!("\r\x1b[2KCollected {c}/{total} accounts, evaluated {e}/{total}");
            let _ = std::io::stderr().flush();
        }
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let concurrency = usize::from(args.collection.concurrency);
    let (collections, report) = std::thread::scope(|scope| {
        let collector = scope.spawn(|| {
            let tx = tx;
            runtime.block_on(securebase_collect::collect_all(&file, &options, concurrency, &|c| {
                if let Some(inv) = &c.inventory {
                    let _ = tx.send(inv.clone());
                }
                show(collected.fetch_add(1, Relaxed) + 1, evaluated.load(Relaxed));
            }))
        });
        let report = scanner.scan_stream(format!("accounts:{}", path.display()), total, rx.into_iter(), additions, &|p| {
            let Progress::AccountDone { done, .. } = p;
            evaluated.store(done, Relaxed);
            show(collected.load(Relaxed), done);
        });
        (collector.join().expect("collection thread"), report)
    });
    if tty {
        eprintln!();
    }
    let errors = report_collection_errors(&collections);
    let mut report = report.map_err(input)?;
    report.collection_errors = securebase_jobs::collection_entries(&collections);
    if args.keep_inventory {
        let mut accounts: Vec<_> = collections.iter().filter_map(|c| c.inventory.as_ref()).collect();
        accounts.sort_by(|a, b| a.account_id().cmp(b.account_id()));
        report.keep_inventory(&securebase_scan::KeptInventory::of(accounts), true);
    }
    let missing = collections.iter().filter(|c| c.inventory.is_none()).count();
    eprintln!(
        "Collected {} of {total} account(s) ({errors} collection error(s)){}.",
        total - missing,
        if missing > 0 { "; accounts that could not be read at all are not in the report" } else { "" }
    );
    Ok(report)
}
