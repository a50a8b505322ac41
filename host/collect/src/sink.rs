//! What collectors write into: configuration items and error entries. A failed call
//! becomes an entry naming the service, region and API call, and the collector goes on
//! with what does not depend on it; nothing is emitted half-read (where an item is kept
//! without a part that failed, that part's key is absent, never empty, so checks report
//! an error rather than a verdict).

use crate::CollectError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use securebase_inventory::ConfigItem;
use serde_json::Value;

/// One account's items and errors, filled by every collector of that account.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub items: Vec<ConfigItem>,
    pub errors: Vec<CollectError>,
}

impl Sink {
    /// Records a failed call.
    pub fn error(&mut self, service: &str, region: &str, message: impl Into<String>) {
        self.errors.push(CollectError { service: service.into(), region: region.into(), message: message.into() });
    }

    /// The value of a call, or `None` with an error entry `CALL: what AWS said`.
    pub fn call<T, E>(&mut self, service: &str, region: &str, call: &str, r: Result<T, SdkError<E, HttpResponse>>) -> Option<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(service, region, format!("{call}: {}", describe(&e)));
                None
            }
        }
    }

    pub fn push(&mut self, item: ConfigItem) {
        self.items.push(item);
    }

    pub fn merge(&mut self, other: Sink) {
        self.items.extend(other.items);
        self.errors.extend(other.errors);
    }
}

/// The error code AWS answered with: the parsed one, or the `x-amzn-errortype` header
/// when the body could not be parsed.
pub(crate) fn code<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> Option<String> {
    if let Some(c) = e.code() {
        return Some(c.to_string());
    }
    let raw = e.raw_response()?;
    let header = raw.headers().get("x-amzn-errortype")?;
    Some(header.split(':').next().unwrap_or(header).to_string())
}

/// Whether an SDK error is one of the codes that mean "not configured here".
pub(crate) fn is_code<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>, codes: &[&str]) -> bool {
    code(e).is_some_and(|c| codes.contains(&c.as_str()))
}

/// One line for an error entry: AWS's code and message, or what went wrong on the way
/// (no connection, timeout, an answer that was not AWS's), never the whole response.
pub(crate) fn describe<E: ProvideErrorMetadata + std::error::Error + 'static>(e: &SdkError<E, HttpResponse>) -> String {
    let status = e.raw_response().map(|r| r.status().as_u16());
    match (code(e), e.message(), e) {
        (Some(c), Some(m), _) => format!("{c}: {m}"),
        (Some(c), None, _) => c,
        (None, _, SdkError::TimeoutError(_)) => "timed out".into(),
        (None, _, SdkError::DispatchFailure(f)) => {
            // The innermost cause ("Connection refused (os error 111)") is the useful part;
            // the layers above it only repeat that the request was not sent.
            let mut cause: &dyn std::error::Error = e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            let what = if f.is_io() || f.is_timeout() { "could not reach the endpoint" } else { "could not send the request" };
            format!("{what}: {cause}")
        }
        (None, _, _) if status.is_some() => {
            format!("HTTP {} with an answer that is not this API's (the endpoint may not serve it)", status.unwrap_or(0))
        }
        (None, _, _) => DisplayErrorContext(e).to_string().chars().take(300).collect(),
    }
}

/// A configuration item with the inventory's defaults: no name, ARN, supplements or tags.
pub(crate) fn item(resource_type: &str, resource_id: impl Into<String>, account: &str, region: &str, configuration: Value) -> ConfigItem {
    ConfigItem {
        resource_type: resource_type.into(),
        resource_id: resource_id.into(),
        resource_name: None,
        account_id: account.into(),
        aws_region: region.into(),
        arn: None,
        configuration: configuration.to_string(),
        supplementary_configuration: "{}".into(),
        tags: vec![],
    }
}

/// Builder-style setters, so collectors read as the item they make.
pub(crate) trait ItemExt {
    fn named(self, name: Option<&str>) -> Self;
    fn arn(self, arn: Option<String>) -> Self;
    fn supplementary(self, value: Value) -> Self;
    fn tags<'a>(self, tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self;
}

impl ItemExt for ConfigItem {
    fn named(mut self, name: Option<&str>) -> Self {
        self.resource_name = name.map(str::to_string);
        self
    }
    fn arn(mut self, arn: Option<String>) -> Self {
        self.arn = arn;
        self
    }
    fn supplementary(mut self, value: Value) -> Self {
        self.supplementary_configuration = value.to_string();
        self
    }
    fn tags<'a>(mut self, tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.tags = tags.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.tags.sort();
        self
    }
}

/// An SDK timestamp as the inventory writes times.
pub(crate) fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.map(|t| securebase_inventory::time::format_rfc3339(t.secs()))
}
