//! Detached Ed25519 signatures over a component, as the tenant plugin API checks them:
//! the signature is 64 bytes in standard base64 (the `X-SecureBase-Signature` header),
//! a public key 32 bytes in standard base64 (the body of `POST .../signing-keys`).
//!
//! Key files are one line of base64 each. The secret one holds the 32-byte seed and is
//! written readable by its owner only; it never leaves the author's machine.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
pub use ed25519_dalek::VerifyingKey;
use ed25519_dalek::{Signature, Signer, SigningKey};
use std::path::{Path, PathBuf};

/// What can go wrong with keys and signatures; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A key or signature file does not hold what it should.
    #[error("{path}: {expected}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What it should hold.
        expected: String,
    },
    /// `keygen` would overwrite a key.
    #[error("{0} exists; choose another name or remove it first (a key pair is never overwritten)")]
    Exists(PathBuf),
    /// The signature does not verify.
    #[error("the signature in {signature} is not by the key in {key} over the bytes of {file}")]
    Mismatch {
        /// The signed file.
        file: PathBuf,
        /// The signature file.
        signature: PathBuf,
        /// The public key file.
        key: PathBuf,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SigningError + '_ {
    move |source| SigningError::Io { path: path.to_path_buf(), source }
}

fn read_base64(path: &Path, len: usize, what: &str) -> Result<Vec<u8>, SigningError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let malformed =
        || SigningError::Malformed { path: path.to_path_buf(), expected: format!("expected {what}: {len} bytes in base64 on one line") };
    let raw = STANDARD.decode(text.trim()).map_err(|_| malformed())?;
    if raw.len() != len {
        return Err(malformed());
    }
    Ok(raw)
}

/// Why a text is not a detached signature, as the service explains it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadSignature {
    /// Not standard, padded base64.
    NotBase64,
    /// Base64 of this many bytes, not 64.
    Length(usize),
}

/// A public key in the service's spelling (32 bytes, standard base64), or `None`.
pub fn decode_public_key(text: &str) -> Option<VerifyingKey> {
    let raw = STANDARD.decode(text.trim()).ok()?;
    VerifyingKey::from_bytes(&raw.try_into().ok()?).ok()
}

/// The one spelling of a public key, so the same key is recognised however it was sent.
pub fn encode_public_key(key: &VerifyingKey) -> String {
    STANDARD.encode(key.as_bytes())
}

/// A detached signature in the service's spelling: 64 bytes, standard base64.
pub fn decode_signature(text: &[u8]) -> Result<Signature, BadSignature> {
    let raw = STANDARD.decode(text.trim_ascii()).map_err(|_| BadSignature::NotBase64)?;
    Signature::from_slice(&raw).map_err(|_| BadSignature::Length(raw.len()))
}

/// Whether `signature` is `key`'s over `bytes`, checked strictly (no malleable forms).
pub fn verifies(key: &VerifyingKey, bytes: &[u8], signature: &Signature) -> bool {
    key.verify_strict(bytes, signature).is_ok()
}

/// The public key file beside a secret key file `KEY`: `KEY.pub`.
pub fn public_path(secret: &Path) -> PathBuf {
    let mut name = secret.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// The signature file beside a component `FILE.wasm`: `FILE.wasm.sig`.
pub fn signature_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// Makes a key pair: `secret` (owner-only) and `secret.pub`; the public key in base64.
pub fn keygen(secret: &Path) -> Result<String, SigningError> {
    let public = public_path(secret);
    for path in [secret, public.as_path()] {
        if path.exists() {
            return Err(SigningError::Exists(path.to_path_buf()));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| SigningError::Io { path: secret.to_path_buf(), source: std::io::Error::other(e) })?;
    let key = SigningKey::from_bytes(&seed);
    write_private(secret, &format!("{}\n", STANDARD.encode(seed)))?;
    let encoded = encode_public_key(&key.verifying_key());
    std::fs::write(&public, format!("{encoded}\n")).map_err(io(&public))?;
    Ok(encoded)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<(), SigningError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(io(path))?;
    file.write_all(text.as_bytes()).map_err(io(path))
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<(), SigningError> {
    std::fs::write(path, text).map_err(io(path))
}

/// The signature of `bytes` by the secret key in `secret`, base64.
pub fn sign(bytes: &[u8], secret: &Path) -> Result<String, SigningError> {
    let seed: [u8; 32] =
        read_base64(secret, 32, "an Ed25519 secret key (securebase plugin keygen makes one)")?.try_into().expect("length checked");
    Ok(STANDARD.encode(SigningKey::from_bytes(&seed).sign(bytes).to_bytes()))
}

/// A secret key held in memory to sign what a process produces (the service's reports):
/// read once from `SECUREBASE_SIGNING_KEY`, the contents of a key file `securebase
/// plugin keygen` makes, or that file's path.
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// The key in `value`: a file's path, or the base64 seed itself.
    pub fn from_env_value(value: &str) -> Result<Self, SigningError> {
        let path = Path::new(value.trim());
        let seed = if path.is_file() {
            read_base64(path, 32, "an Ed25519 secret key (securebase plugin keygen makes one)")?
        } else {
            STANDARD.decode(value.trim()).ok().filter(|b| b.len() == 32).ok_or_else(|| SigningError::Malformed {
                path: PathBuf::from("SECUREBASE_SIGNING_KEY"),
                expected: "expected the path of a key file, or an Ed25519 secret key (32 bytes) in base64".into(),
            })?
        };
        Ok(Self(SigningKey::from_bytes(&seed.try_into().expect("length checked"))))
    }

    /// Its public key, base64.
    pub fn public_base64(&self) -> String {
        encode_public_key(&self.0.verifying_key())
    }

    /// The signature of `bytes`, base64.
    pub fn sign(&self, bytes: &[u8]) -> String {
        STANDARD.encode(self.0.sign(bytes).to_bytes())
    }
}

impl std::fmt::Debug for SecretKey {
    // Never printed: a log line must not carry it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public_base64())
    }
}

/// Checks the signature in `signature` over the bytes of `file` against the public key
/// in `public`, as the service does (strict verification).
pub fn verify(file: &Path, signature: &Path, public: &Path) -> Result<(), SigningError> {
    let bytes = std::fs::read(file).map_err(io(file))?;
    let malformed = |path: &Path, what: &str| SigningError::Malformed {
        path: path.to_path_buf(),
        expected: format!("expected {what} in base64 on one line"),
    };
    let key = decode_public_key(&std::fs::read_to_string(public).map_err(io(public))?)
        .ok_or_else(|| malformed(public, "an Ed25519 public key: 32 bytes"))?;
    let sig = decode_signature(&std::fs::read(signature).map_err(io(signature))?)
        .map_err(|_| malformed(signature, "an Ed25519 signature: 64 bytes"))?;
    if verifies(&key, &bytes, &sig) {
        Ok(())
    } else {
        Err(SigningError::Mismatch { file: file.to_path_buf(), signature: signature.to_path_buf(), key: public.to_path_buf() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_over_the_same_bytes_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let (key, other) = (dir.path().join("team"), dir.path().join("other"));
        let public = keygen(&key).unwrap();
        keygen(&other).unwrap();
        assert_eq!(std::fs::read_to_string(public_path(&key)).unwrap().trim(), public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "the secret key is the owner's only");
        }
        let file = dir.path().join("p.wasm");
        std::fs::write(&file, b"\0asm component bytes").unwrap();
        let sig = signature_path(&file);
        std::fs::write(&sig, sign(&std::fs::read(&file).unwrap(), &key).unwrap()).unwrap();
        verify(&file, &sig, &public_path(&key)).expect("signed by this key over these bytes");

        let wrong_key = verify(&file, &sig, &public_path(&other)).unwrap_err();
        assert!(matches!(wrong_key, SigningError::Mismatch { .. }), "{wrong_key}");
        std::fs::write(&file, b"\0asm component bytes, changed").unwrap();
        assert!(matches!(verify(&file, &sig, &public_path(&key)), Err(SigningError::Mismatch { .. })), "tampered bytes");
        let exists = keygen(&key).unwrap_err();
        assert!(exists.to_string().contains("never overwritten"), "{exists}");
        std::fs::write(&sig, "not base64!").unwrap();
        let bad = verify(&file, &sig, &public_path(&key)).unwrap_err();
        assert!(bad.to_string().contains("64 bytes in base64"), "{bad}");
    }
}
