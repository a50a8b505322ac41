//! `securebase invoice`: issue every tenant's invoice for a closed month.

use super::common::input;
use crate::EXIT_OK;
use crate::args::InvoiceArgs;
use anyhow::{Result, anyhow};

pub(crate) fn run(args: InvoiceArgs) -> Result<u8> {
    let month =
        securebase_billing::Month::parse(&args.month).ok_or_else(|| input(anyhow!("--month: expected YYYY-MM, found {:?}", args.month)))?;
    if month >= securebase_api::billing::current_month() {
        return Err(input(anyhow!("--month {month} is not over yet: only closed months are invoiced")));
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
        let store = args.database.open().await?;
        let pricing = securebase_billing::Pricing::builtin();
        let issued = securebase_api::billing::issue_month(&store, &pricing, month).await?;
        println!("{:<24} {:>14}  STATUS", "TENANT", "TOTAL");
        for (inv, new) in &issued {
            let total = securebase_billing::Cents(inv.total_cents);
            println!(
                "{:<24} {:>14}  {}",
                inv.tenant_id,
                format!("{} {total}", pricing.currency),
                if *new { "issued now" } else { "already issued" }
            );
        }
        let new = issued.iter().filter(|i| i.1).count();
        eprintln!("{month}: {new} invoice(s) issued, {} already issued.", issued.len() - new);
        store.close().await;
        Ok(EXIT_OK)
    })
}
