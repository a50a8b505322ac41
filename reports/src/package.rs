//! The audit package: one zip an auditor takes away for a scan and a framework. It
//! holds the PDF, the findings as CSV and OCSF, the exception register, the
//! attestations and every evidence file they reference, and `manifest.json`, which
//! lists each file with its SHA-256 and size. When the service signs,
//! `manifest.sig` is the [`crate::seal`] line over manifest.json's bytes: one
//! signature vouches for every file, and `securebase report verify` names each one
//! that is missing, changed or not listed.

use crate::seal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// The manifest's name in the package.
pub const MANIFEST: &str = "manifest.json";
/// The manifest's signature line (present when the package is signed).
pub const MANIFEST_SIGNATURE: &str = "manifest.sig";
/// What `manifest.json` says it is.
pub const PACKAGE_SCHEMA: &str = "securebase.audit-package/1";
/// Most bytes one entry may hold when a package is read back (evidence files are
/// capped far below this): a crafted zip cannot exhaust the reader's memory.
const MAX_ENTRY_BYTES: u64 = 1 << 30;
/// Most entries a package read back may hold.
const MAX_ENTRIES: usize = 10_000;

/// What a package is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The tenant.
    pub tenant_id: String,
    /// Its organization's name, as on the PDF.
    pub organization: String,
    /// The scan.
    pub scan_id: String,
    /// The framework the PDF reports on.
    pub framework: String,
    /// When the package was made, RFC 3339.
    pub generated_at: String,
}

/// One file as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    /// Its path in the package.
    pub path: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`PACKAGE_SCHEMA`].
    pub schema: String,
    /// What the package is about.
    #[serde(flatten)]
    pub subject: Subject,
    /// Every file but the manifest and its signature.
    pub files: Vec<Listed>,
}

/// Why a package could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The bytes are not a zip, or a broken one.
    #[error("not a readable zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing or reading an entry failed.
    #[error("entry {path}: {source}")]
    Entry {
        /// The entry.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// An entry is larger than a package entry can be.
    #[error("entry {path} holds more than {MAX_ENTRY_BYTES} bytes")]
    TooLarge {
        /// The entry.
        path: String,
    },
    /// More entries than a package has.
    #[error("{0} entries: an audit package has at most {MAX_ENTRIES}")]
    TooMany(usize),
    /// Two files of one path.
    #[error("two files named {0}")]
    Duplicate(String),
    /// The archive has no manifest.
    #[error("no {MANIFEST}: this is not a SecureBase audit package")]
    NoManifest,
    /// The manifest is not one.
    #[error("{MANIFEST}: {0}")]
    BadManifest(String),
}

/// Who signs a package: the public key it names, and the signing of bytes (the
/// cryptography is the caller's, as for [`seal::seal`]).
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    /// The public key, base64.
    pub key: &'a str,
    /// Signs bytes; returns the signature, base64.
    pub sign: &'a dyn Fn(&[u8]) -> String,
}

/// Makes the package of `files` (path and bytes, in the order given), its manifest
/// signed by `signer` if given.
pub fn write(subject: Subject, files: &[(String, Vec<u8>)], signer: Option<Signer<'_>>) -> Result<Vec<u8>, PackageError> {
    let mut seen = std::collections::HashSet::new();
    for (path, _) in files {
        if !seen.insert(path.as_str()) || path == MANIFEST || path == MANIFEST_SIGNATURE {
            return Err(PackageError::Duplicate(path.clone()));
        }
    }
    let listed = files
        .iter()
        .map(|(path, bytes)| Listed { path: path.clone(), sha256: securebase_runtime::cache::sha256_hex(bytes), size: bytes.len() as u64 })
        .collect();
    let manifest = Manifest { schema: PACKAGE_SCHEMA.into(), subject, files: listed };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest serializes");
    manifest_bytes.push(b'\n');
    let signature = signer.map(|s| seal::seal(manifest_bytes.clone(), s.key, s.sign)[manifest_bytes.len()..].to_vec());

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).unix_permissions(0o644);
    let mut entries: Vec<(&str, &[u8])> = vec![(MANIFEST, &manifest_bytes)];
    if let Some(s) = &signature {
        entries.push((MANIFEST_SIGNATURE, s));
    }
    entries.extend(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    for (path, bytes) in entries {
        zip.start_file(path, options)?;
        zip.write_all(bytes).map_err(|source| PackageError::Entry { path: path.into(), source })?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A package read back.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The manifest's bytes, as signed.
    pub manifest_bytes: Vec<u8>,
    /// The manifest.
    pub manifest: Manifest,
    /// The signature line, if the package has one.
    pub signature: Option<Vec<u8>>,
    /// Every other file, by path.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Opened {
    /// The manifest followed by its signature line, as [`seal::open`] reads a signed
    /// report; `None` for an unsigned package.
    pub fn sealed_manifest(&self) -> Option<Vec<u8>> {
        // The signed manifest ends in a newline; one edited without it must still read as
        // signed (and changed), not as unsigned.
        let newline: &[u8] = if self.manifest_bytes.ends_with(b"\n") { b"" } else { b"\n" };
        self.signature.as_ref().map(|s| [self.manifest_bytes.as_slice(), newline, s].concat())
    }
}

/// Reads a package: every entry, the manifest parsed.
pub fn read(bytes: &[u8]) -> Result<Opened, PackageError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    if zip.len() > MAX_ENTRIES {
        return Err(PackageError::TooMany(zip.len()));
    }
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i)?;
        if entry.is_dir() {
            continue;
        }
        let path = entry.name()?.to_string();
        let mut content = Vec::new();
        // Read one byte past the cap, whatever the entry's header claims its size is.
        entry.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut content).map_err(|source| PackageError::Entry { path: path.clone(), source })?;
        if content.len() as u64 > MAX_ENTRY_BYTES {
            return Err(PackageError::TooLarge { path });
        }
        if files.insert(path.clone(), content).is_some() {
            return Err(PackageError::Duplicate(path));
        }
    }
    let manifest_bytes = files.remove(MANIFEST).ok_or(PackageError::NoManifest)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| PackageError::BadManifest(e.to_string()))?;
    if manifest.schema != PACKAGE_SCHEMA {
        return Err(PackageError::BadManifest(format!("field schema: expected {PACKAGE_SCHEMA}, found {}", manifest.schema)));
    }
    let signature = files.remove(MANIFEST_SIGNATURE);
    Ok(Opened { manifest_bytes, manifest, signature, files })
}

/// What does not match the manifest in a package read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Listed, not in the package.
    Missing(String),
    /// In the package with other bytes than listed.
    Changed {
        /// The file.
        path: String,
        /// The SHA-256 the manifest lists.
        listed: String,
        /// The SHA-256 of the bytes found.
        found: String,
    },
    /// In the package, not listed (added after the manifest was made).
    Unlisted(String),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Missing(p) => write!(f, "{p}: listed in the manifest, missing from the package"),
            Mismatch::Changed { path, listed, found } => write!(f, "{path}: changed (SHA-256 {found}, the manifest lists {listed})"),
            Mismatch::Unlisted(p) => write!(f, "{p}: not listed in the manifest (added afterwards)"),
        }
    }
}

/// Every file that does not match the manifest, in path order.
pub fn mismatches(opened: &Opened) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let listed: BTreeMap<&str, &Listed> = opened.manifest.files.iter().map(|l| (l.path.as_str(), l)).collect();
    for (path, l) in &listed {
        match opened.files.get(*path) {
            None => out.push(Mismatch::Missing(path.to_string())),
            Some(bytes) => {
                let found = securebase_runtime::cache::sha256_hex(bytes);
                if found != l.sha256 || bytes.len() as u64 != l.size {
                    out.push(Mismatch::Changed { path: path.to_string(), listed: l.sha256.clone(), found });
                }
            }
        }
    }
    out.extend(opened.files.keys().filter(|p| !listed.contains_key(p.as_str())).map(|p| Mismatch::Unlisted(p.clone())));
    out.sort_by(|a, b| path_of(a).cmp(path_of(b)));
    out
}

fn path_of(m: &Mismatch) -> &str {
    match m {
        Mismatch::Missing(p) | Mismatch::Unlisted(p) => p,
        Mismatch::Changed { path, .. } => path,
    }
}

/// Whether `bytes` look like a zip archive (what `report verify` tells a package from a PDF by).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject {
            tenant_id: "t_1".into(),
            organization: "Acme".into(),
            scan_id: "s_1".into(),
            framework: "hipaa".into(),
            generated_at: "2026-12-03T00:00:00Z".into(),
        }
    }

    fn files() -> Vec<(String, Vec<u8>)> {
        vec![("report.pdf".into(), b"%PDF".to_vec()), ("evidence/ab/plan.pdf".into(), vec![7; 5000])]
    }

    /// Rewrites a package with one entry's bytes replaced, or dropped (`None`), or added.
    fn rewrite(package: &[u8], path: &str, bytes: Option<&[u8]>) -> Vec<u8> {
        let opened = read(package).unwrap();
        let mut all: Vec<(String, Vec<u8>)> = vec![(MANIFEST.into(), opened.manifest_bytes.clone())];
        all.extend(opened.signature.clone().map(|s| (MANIFEST_SIGNATURE.to_string(), s)));
        all.extend(opened.files.clone());
        all.retain(|(p, _)| p != path);
        if let Some(b) = bytes {
            all.push((path.into(), b.to_vec()));
        }
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (p, b) in all {
            zip.start_file(p, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(&b).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_package_reads_back_with_every_file_listed_and_signed() {
        let signer = |b: &[u8]| format!("sig-of-{}", securebase_runtime::cache::sha256_hex(b));
        let package = write(subject(), &files(), Some(Signer { key: "KEY", sign: &signer })).unwrap();
        assert!(is_zip(&package));
        let opened = read(&package).unwrap();
        assert_eq!(opened.manifest.subject, subject());
        assert_eq!(opened.manifest.files.len(), 2);
        assert_eq!(opened.files.len(), 2);
        assert_eq!(opened.files["evidence/ab/plan.pdf"], vec![7; 5000]);
        assert_eq!(mismatches(&opened), vec![]);
        let sealed = opened.sealed_manifest().expect("signed");
        let s = seal::open(&sealed).expect("a seal line");
        assert_eq!(s.content, opened.manifest_bytes.as_slice(), "the signature covers exactly the manifest");
        assert_eq!(s.signature, signer(&opened.manifest_bytes));
        assert!(read(&write(subject(), &files(), None).unwrap()).unwrap().sealed_manifest().is_none());
    }

    #[test]
    fn every_changed_missing_or_added_file_is_named() {
        let package = write(subject(), &files(), None).unwrap();
        let changed = read(&rewrite(&package, "report.pdf", Some(b"%PDF changed"))).unwrap();
        assert!(
            matches!(mismatches(&changed).as_slice(), [Mismatch::Changed { path, .. }] if path == "report.pdf"),
            "{:?}",
            mismatches(&changed)
        );
        let missing = read(&rewrite(&package, "evidence/ab/plan.pdf", None)).unwrap();
        assert_eq!(mismatches(&missing), vec![Mismatch::Missing("evidence/ab/plan.pdf".into())]);
        let added = read(&rewrite(&package, "extra.txt", Some(b"x"))).unwrap();
        assert_eq!(mismatches(&added), vec![Mismatch::Unlisted("extra.txt".into())]);
        assert!(matches!(read(&rewrite(&package, MANIFEST, None)), Err(PackageError::NoManifest)));
        assert!(matches!(read(b"%PDF-1.7"), Err(PackageError::Zip(_))));
    }

    #[test]
    fn a_file_may_not_take_the_manifests_name_or_another_files() {
        let mut twice = files();
        twice.push(("report.pdf".into(), vec![]));
        assert!(matches!(write(subject(), &twice, None), Err(PackageError::Duplicate(p)) if p == "report.pdf"));
        assert!(matches!(write(subject(), &[(MANIFEST.into(), vec![])], None), Err(PackageError::Duplicate(_))));
    }
}
