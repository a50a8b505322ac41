//! `securebase collect`: read accounts' configuration from AWS into a snapshot directory,
//! optionally recording the IAM actions called.

use super::common::{accounts_to_collect, report_collection_errors, write_atomically};
use crate::EXIT_OK;
use crate::args::CollectArgs;
use anyhow::{Context, Result};
use std::io::IsTerminal;

pub(crate) fn run(args: CollectArgs) -> Result<u8> {
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let tty = std::io::stderr().is_terminal();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (file, mut options) = accounts_to_collect(&runtime, &args.accounts, &args.collection)?;
    // Recorded from here on: the accounts' own calls, not the organization discovery's.
    let calls = args.record_actions.as_ref().map(|_| securebase_collect::CallLog::default());
    options.calls = calls.clone();
    let total = file.accounts.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let collections = runtime.block_on(securebase_collect::collect_all(&file, &options, usize::from(args.collection.concurrency), &|c| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if tty {
            eprint!("\r\x1b[2KCollected {n}/{total} accounts (last: {})", c.account_id);
        }
    }));
    if tty {
        eprintln!();
    }
    let errors = report_collection_errors(&collections);
    for c in &collections {
        if let Some(inv) = &c.inventory {
            write_atomically(&args.out.join(format!("{}.json", c.account_id)), securebase_inventory::to_json(inv).as_bytes())?;
        }
    }
    let written = collections.iter().filter(|c| c.inventory.is_some()).count();
    eprintln!("Wrote {written} of {total} account(s) to {} ({errors} error(s)).", args.out.display());
    if let (Some(path), Some(calls)) = (&args.record_actions, calls) {
        let actions = calls.actions();
        write_atomically(path, actions.iter().map(|a| format!("{a}\n")).collect::<String>().as_bytes())?;
        eprintln!("Wrote the {} IAM action(s) called to {}.", actions.len(), path.display());
    }
    Ok(EXIT_OK)
}
