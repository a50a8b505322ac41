//! Webhook notifications: signed with HMAC-SHA256 and retried with exponential backoff.
//!
//! A webhook's signing secret is never stored: it is derived from the service's secret
//! key and the webhook's id (`HMAC(key, "securebase-webhook:" tenant ":" id)`), shown to
//! the tenant once when the webhook is set, and re-derived to sign each delivery.
//! Deliveries are rows queued in the transaction that stores the scan, so a crash
//! between storing and sending loses nothing; receivers de-duplicate on
//! `X-SecureBase-Delivery`, which stays the same across retries.

use futures_util::StreamExt;
use futures_util::future::join_all;
use futures_util::stream::FuturesUnordered;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use securebase_store::{Delivery, Store, StoreError};
use sha2::Sha256;
use std::collections::HashSet;
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
    /// Lets webhooks reach loopback and private addresses over http too
    /// (`--webhook-allow-private`: development, tests); see [`crate::egress`].
    pub allow_private: bool,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            first_retry: Duration::from_secs(10),
            max_wait: Duration::from_secs(3600),
            max_attempts: 8,
            timeout: Duration::from_secs(10),
            allow_private: false,
        }
    }
}

impl DeliveryPolicy {
    /// The wait after failed attempt number `attempt` (1-based); `None`: give up.
    pub fn retry_after(&self, attempt: u32) -> Option<Duration> {
        (attempt < self.max_attempts).then(|| self.first_retry.saturating_mul(1 << attempt.saturating_sub(1).min(20)).min(self.max_wait))
    }
}

/// Deliveries sent at once to one tenant's receiver.
pub const PER_TENANT: usize = 2;
/// Tenants whose deliveries are in flight at once, per deliverer.
const TENANTS_AT_ONCE: usize = 16;
/// Deliveries claimed per round.
const CLAIM: i64 = 32;

/// The most of a receiver's answer that is read (and dropped).
const MAX_ANSWER: usize = 64 << 10;

type Client = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector<crate::egress::VettedResolver>>,
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
        // Names resolve through the egress rules, so the address vetted is the one connected to.
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new_with_resolver(crate::egress::VettedResolver {
            allow_private: policy.allow_private,
        });
        http.enforce_http(false);
        http.set_connect_timeout(Some(policy.timeout));
        let https = builder.https_or_http().enable_http1().wrap_connector(http);
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        Self { store, key, policy, client }
    }

    /// Sends due deliveries until `stop` turns true, looking for more every `every`.
    /// Each tenant's deliveries go out concurrently with everyone else's, at most
    /// [`PER_TENANT`] at a time: a receiver that answers slowly (or never) holds only
    /// its own tenant's deliveries back.
    pub async fn run(&self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut busy: HashSet<String> = HashSet::new();
        let mut sending = FuturesUnordered::new();
        let mut next_claim = tokio::time::Instant::now();
        while !*stop.borrow() {
            if busy.len() < TENANTS_AT_ONCE && tokio::time::Instant::now() >= next_claim {
                let skip: Vec<String> = busy.iter().cloned().collect();
                match self.claim(&skip).await {
                    Ok(groups) => {
                        for (tenant, group) in groups {
                            busy.insert(tenant.clone());
                            sending.push(async move {
                                self.send_group(&group).await;
                                tenant
                            });
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "cannot read webhook deliveries"),
                }
                next_claim = tokio::time::Instant::now() + every;
            }
            tokio::select! {
                Some(tenant) = sending.next(), if !sending.is_empty() => { busy.remove(&tenant); }
                _ = tokio::time::sleep_until(next_claim) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
        // What is in flight finishes (each attempt is bounded by the timeout).
        while sending.next().await.is_some() {}
    }

    /// Sends what is due now, all tenants concurrently, and waits for it; returns how
    /// many attempts were made.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let groups = self.claim(&[]).await?;
        let attempted = groups.iter().map(|(_, g)| g.len()).sum();
        join_all(groups.iter().map(|(_, group)| self.send_group(group))).await;
        Ok(attempted)
    }

    /// Claims due deliveries of tenants not in `busy`, grouped by tenant.
    async fn claim(&self, busy: &[String]) -> Result<Vec<(String, Vec<Delivery>)>, StoreError> {
        // Held long enough for one attempt; another deliverer skips them meanwhile.
        let due = self.store.claim_deliveries(CLAIM, PER_TENANT as i64, busy, self.policy.timeout * 3).await?;
        let mut groups: Vec<(String, Vec<Delivery>)> = Vec::new();
        for d in due {
            match groups.iter_mut().find(|(t, _)| *t == d.tenant_id) {
                Some((_, g)) => g.push(d),
                None => groups.push((d.tenant_id.clone(), vec![d])),
            }
        }
        Ok(groups)
    }

    /// Sends one tenant's claimed deliveries (at most [`PER_TENANT`]) at once.
    async fn send_group(&self, group: &[Delivery]) {
        join_all(group.iter().map(|d| async move {
            if let Err(e) = self.attempt(d).await {
                tracing::error!(delivery = %d.id, error = %e, "cannot record a webhook delivery");
            }
        }))
        .await;
    }

    async fn attempt(&self, d: &Delivery) -> Result<(), StoreError> {
        let attempt = d.attempts as u32 + 1;
        match self.send(d).await {
            Ok(status) if (200..300).contains(&status) => {
                securebase_metrics::global().webhook_delivery(securebase_metrics::Delivery::Delivered);
                self.store.record_delivery(&d.id, true, Some(status), None, None).await
            }
            outcome => {
                let (status, error) = match outcome {
                    Ok(s) => (Some(s), format!("status: the receiver answered {s}")),
                    Err(e) => (None, e),
                };
                let retry = self.policy.retry_after(attempt);
                securebase_metrics::global().webhook_delivery(match retry {
                    Some(_) => securebase_metrics::Delivery::Retrying,
                    None => securebase_metrics::Delivery::GaveUp,
                });
                tracing::warn!(delivery = %d.id, event = %d.event, attempt, error = %error, retry_in = ?retry, "webhook delivery failed");
                self.store.record_delivery(&d.id, false, status, Some(&error), retry).await
            }
        }
    }

    async fn send(&self, d: &Delivery) -> Result<u16, String> {
        // Again at delivery: the rules may have changed since the webhook was set.
        crate::egress::check_url(&d.url, self.policy.allow_private).map_err(|r| format!("not allowed: {r}"))?;
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
            .map_err(|_| format!("timeout: no answer within {:?}", self.policy.timeout))?
            .map_err(|e| failure_class(&e))?;
        let status = response.status().as_u16();
        // Read (and drop) at most MAX_ANSWER of the body, so the connection can be reused.
        let _ = tokio::time::timeout(self.policy.timeout, http_body_util::Limited::new(response.into_body(), MAX_ANSWER).collect()).await;
        Ok(status)
    }
}

/// What kind of failure a connection error is, in words a tenant can act on, without
/// the inner error chain (which names the service's own network details).
fn failure_class(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::PermissionDenied => return format!("not allowed: {io}"),
                std::io::ErrorKind::ConnectionRefused => return "refused: nothing listens at the receiver's address".into(),
                std::io::ErrorKind::TimedOut => return "timeout: the receiver did not accept the connection".into(),
                _ => {}
            }
        }
        if c.downcast_ref::<rustls::Error>().is_some() {
            return "tls: the receiver's TLS handshake failed (certificate or protocol)".into();
        }
        cause = c.source();
    }
    "connect: the receiver could not be reached".into()
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
