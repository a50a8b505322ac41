//! Webhook notifications: signed with HMAC-SHA256 and retried with exponential backoff.
//!
//! A webhook's signing secret is never stored: it is derived from the service's secret
//! key and the webhook's id (`HMAC(key, "securebase-webhook:" tenant ":" id)`), shown to
//! the tenant once when the webhook is set, and re-derived to sign each delivery.
//! Deliveries are rows queued in the transaction that stores the scan, so a crash
//! between storing and sending loses nothing; receivers de-duplicate on
//! `X-SecureBase-Delivery`, which stays the same across retries.

use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use securebase_store::{Delivery, Store, StoreError};
use sha2::Sha256;
use std::time::{Duration, SystemTime};

type HmacSha256 = Hmac<Sha256>;

/// The service's secret key (`SECUREBASE_SECRET_KEY`): what webhook secrets derive from.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// The secret key is unusable.
#[derive(Debug, thiserror::Error)]
#[error("the service secret key must be at least 32 characters (got {0}); generate one with `openssl rand -hex 32`")]
pub struct WeakKey(usize);

impl SecretKey {
    /// A key from its text; at least 32 characters.
    pub fn new(text: &str) -> Result<Self, WeakKey> {
        if text.len() < 32 {
            return Err(WeakKey(text.len()));
        }
        Ok(Self(text.as_bytes().to_vec()))
    }

    /// The signing secret of a tenant's webhook.
    pub fn webhook_secret(&self, tenant: &str, webhook_id: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(format!("securebase-webhook:{tenant}:{webhook_id}").as_bytes());
        format!("whsec_{}", hex(&mac.finalize().into_bytes()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `X-SecureBase-Signature` value of `body` sent at `unix_seconds`:
/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Receivers recompute
/// it and reject old timestamps, so a captured delivery cannot be replayed later.
pub fn signature(secret: &str, unix_seconds: u64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{unix_seconds}.").as_bytes());
    mac.update(body);
    format!("t={unix_seconds},v1={}", hex(&mac.finalize().into_bytes()))
}

/// Retry policy.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    /// Wait before the first retry; doubled after each failure.
    pub first_retry: Duration,
    /// Longest wait between attempts.
    pub max_wait: Duration,
    /// Attempts before a delivery is given up.
    pub max_attempts: u32,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            first_retry: Duration::from_secs(10),
            max_wait: Duration::from_secs(3600),
            max_attempts: 8,
            timeout: Duration::from_secs(10),
        }
    }
}

impl DeliveryPolicy {
    /// The wait after failed attempt number `attempt` (1-based); `None`: give up.
    pub fn retry_after(&self, attempt: u32) -> Option<Duration> {
        (attempt < self.max_attempts).then(|| self.first_retry.saturating_mul(1 << attempt.saturating_sub(1).min(20)).min(self.max_wait))
    }
}

type Client = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<bytes::Bytes>,
>;

/// Sends due deliveries.
pub struct Deliverer {
    store: Store,
    key: SecretKey,
    policy: DeliveryPolicy,
    client: Client,
}

impl Deliverer {
    /// A deliverer over `store`, signing with secrets derived from `key`.
    pub fn new(store: Store, key: SecretKey, policy: DeliveryPolicy) -> Self {
        // A machine without a CA bundle can still deliver to http:// receivers.
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_native_roots().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no CA certificates found: https:// webhooks will fail until the system has some");
            let config = rustls::ClientConfig::builder().with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        });
        let https = builder.https_or_http().enable_http1().build();
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        Self { store, key, policy, client }
    }

    /// Sends due deliveries every `every` until `stop` turns true.
    pub async fn run(&self, every: Duration, stop: tokio::sync::watch::Receiver<bool>) {
        crate::repeat(every, stop, || async {
            if let Err(e) = self.deliver_due().await {
                tracing::error!(error = %e, "cannot read webhook deliveries");
            }
        })
        .await
    }

    /// Sends what is due now; returns how many attempts were made.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        // Held long enough for one attempt; another deliverer skips them meanwhile.
        let due = self.store.claim_deliveries(20, self.policy.timeout * 3).await?;
        for d in &due {
            let attempt = d.attempts as u32 + 1;
            match self.send(d).await {
                Ok(status) if (200..300).contains(&status) => {
                    self.store.record_delivery(&d.id, true, Some(status), None, None).await?;
                }
                outcome => {
                    let (status, error) = match outcome {
                        Ok(s) => (Some(s), format!("the receiver answered {s}")),
                        Err(e) => (None, e),
                    };
                    let retry = self.policy.retry_after(attempt);
                    tracing::warn!(delivery = %d.id, event = %d.event, attempt, error = %error, retry_in = ?retry, "webhook delivery failed");
                    self.store.record_delivery(&d.id, false, status, Some(&error), retry).await?;
                }
            }
        }
        Ok(due.len())
    }

    async fn send(&self, d: &Delivery) -> Result<u16, String> {
        let secret = self.key.webhook_secret(&d.tenant_id, &d.webhook_id);
        let t = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_secs();
        let request = hyper::Request::post(&d.url)
            .header("content-type", "application/json")
            .header("user-agent", concat!("SecureBase-Webhooks/", env!("CARGO_PKG_VERSION")))
            .header("x-securebase-event", &d.event)
            .header("x-securebase-delivery", &d.id)
            .header("x-securebase-signature", signature(&secret, t, d.payload.as_bytes()))
            .body(Full::new(bytes::Bytes::from(d.payload.clone())))
            .map_err(|e| format!("invalid request: {e}"))?;
        let response = tokio::time::timeout(self.policy.timeout, self.client.request(request))
            .await
            .map_err(|_| format!("no answer within {:?}", self.policy.timeout))?
            .map_err(|e| format!("cannot reach the receiver: {}", innermost(&e)))?;
        let status = response.status().as_u16();
        // Read (and drop) the body so the connection can be reused.
        let _ = tokio::time::timeout(self.policy.timeout, response.into_body().collect()).await;
        Ok(status)
    }
}

fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut e = e;
    while let Some(next) = e.source() {
        e = next;
    }
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_differ_per_webhook_and_signatures_bind_time_and_body() {
        let key = SecretKey::new("0123456789abcdef0123456789abcdef").unwrap();
        let a = key.webhook_secret("t_1", "wh_1");
        assert!(a.starts_with("whsec_") && a.len() == 6 + 64);
        assert_ne!(a, key.webhook_secret("t_1", "wh_2"));
        assert_ne!(a, key.webhook_secret("t_2", "wh_1"));
        assert_ne!(a, SecretKey::new("another key of at least 32 chars!!").unwrap().webhook_secret("t_1", "wh_1"));
        let s = signature(&a, 1_700_000_000, b"{}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_ne!(s, signature(&a, 1_700_000_001, b"{}"));
        assert_ne!(s, signature(&a, 1_700_000_000, b"{ }"));
        assert!(SecretKey::new("short").is_err());
        assert_eq!(format!("{key:?}"), "SecretKey(***)");
    }

    #[test]
    fn retries_back_off_exponentially_then_give_up() {
        let p = DeliveryPolicy {
            first_retry: Duration::from_secs(10),
            max_wait: Duration::from_secs(60),
            max_attempts: 5,
            ..Default::default()
        };
        let waits: Vec<_> = (1..=5).map(|a| p.retry_after(a).map(|d| d.as_secs())).collect();
        assert_eq!(waits, [Some(10), Some(20), Some(40), Some(60), None]);
    }
}
