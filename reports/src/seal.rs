//! The signature a report carries: one PDF comment line appended after the document,
//! `%SecureBase-Signature ed25519 key=<base64> sha256=<hex> sig=<base64>`, an Ed25519
//! signature over every byte before it. PDF readers skip it; `securebase report verify`
//! checks it offline against the service's public key (`GET /v1/signing-key`), so a
//! report changed after download is detected. The cryptography is the caller's (the
//! kit's signing key); this module is the format.

use securebase_runtime::cache::sha256_hex;

const MARK: &[u8] = b"\n%SecureBase-Signature ed25519 ";

/// What a signed report says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal<'a> {
    /// The signed bytes: everything before the signature line.
    pub content: &'a [u8],
    /// The public key it names, base64.
    pub key: String,
    /// The SHA-256 of `content` it states, hex.
    pub sha256: String,
    /// The signature, base64.
    pub signature: String,
}

/// `content` with its signature line; `sign` signs the bytes the line follows.
pub fn seal(mut content: Vec<u8>, key: &str, sign: impl FnOnce(&[u8]) -> String) -> Vec<u8> {
    if !content.ends_with(b"\n") {
        content.push(b'\n');
    }
    let (sha256, signature) = (sha256_hex(&content), sign(&content));
    content.extend_from_slice(&MARK[1..]);
    content.extend_from_slice(format!("key={key} sha256={sha256} sig={signature}\n").as_bytes());
    content
}

/// The seal of a signed report; `None` when it has none (or a malformed one).
pub fn open(bytes: &[u8]) -> Option<Seal<'_>> {
    let at = bytes.windows(MARK.len()).rposition(|w| w == MARK)?;
    let line = std::str::from_utf8(&bytes[at + MARK.len()..]).ok()?.trim_end_matches(['\n', '\r']);
    let field = |name: &str| line.split(' ').find_map(|p| p.strip_prefix(name)).map(str::to_string);
    Some(Seal { content: &bytes[..=at], key: field("key=")?, sha256: field("sha256=")?, signature: field("sig=")? })
}

/// The SHA-256 of a seal's content, to compare with what it states.
pub fn content_sha256(seal: &Seal<'_>) -> String {
    sha256_hex(seal.content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_reads_back_and_covers_every_byte_before_it() {
        let sealed = seal(b"%PDF-1.7\n...%%EOF".to_vec(), "KEY", |b| format!("signed-{}", b.len()));
        let s = open(&sealed).expect("sealed");
        assert_eq!(s.content, b"%PDF-1.7\n...%%EOF\n");
        assert_eq!((s.key.as_str(), s.signature.as_str()), ("KEY", "signed-18"));
        assert_eq!(content_sha256(&s), s.sha256);
        let mut changed = sealed.clone();
        changed[3] = b'X';
        let s = open(&changed).unwrap();
        assert_ne!(content_sha256(&s), s.sha256, "a changed byte changes the digest");
        assert!(open(b"%PDF-1.7\n%%EOF\n").is_none());
    }
}
