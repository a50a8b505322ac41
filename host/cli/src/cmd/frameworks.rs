//! `securebase frameworks`: the frameworks with their requirement counts.

use super::common::frameworks;
use crate::EXIT_OK;
use anyhow::Result;

pub(crate) fn run(files: &[std::path::PathBuf]) -> Result<u8> {
    let all = frameworks(&[], files)?;
    let names: Vec<String> = all.iter().map(|f| format!("{} {}", f.name, f.version)).collect();
    let id_w = all.iter().map(|f| f.id.len()).max().unwrap_or(2).max(2);
    let name_w = names.iter().map(String::len).max().unwrap_or(4).max(4);
    println!("{:<id_w$}  {:<name_w$}  {:>12}  {:>9}  {:>6}", "ID", "NAME", "REQUIREMENTS", "AUTOMATED", "MANUAL");
    for (f, name) in all.iter().zip(&names) {
        let manual = f.requirements.iter().filter(|r| r.checks.is_empty()).count();
        println!("{:<id_w$}  {:<name_w$}  {:>12}  {:>9}  {:>6}", f.id, name, f.requirements.len(), f.requirements.len() - manual, manual);
    }
    println!("\nAUTOMATED: decided by SecureBase checks. MANUAL: reported for an auditor to evidence; never counted as passing.");
    Ok(EXIT_OK)
}
