//! Billing arithmetic for SecureBase tenants: the price list as data (`pricing.toml`),
//! and invoices computed from a month's tier history and metered usage.
//!
//! Money is integers only. Unit prices are micro-dollars ([`Micros`]: an API call costs
//! fractions of a cent); every invoice line is computed exactly and rounded to cents
//! once, half up; the discount and the tax are computed on whole cents and rounded once
//! each. Nothing here touches a database: the service reads the inputs from its store.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The bundled price list.
pub const PRICING_TOML: &str = include_str!("../pricing.toml");

/// Millionths of a dollar: exact unit prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Micros(pub i64);

/// Whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Cents(pub i64);

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", self.0.unsigned_abs() / 100, self.0.unsigned_abs() % 100)
    }
}

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 1_000_000, self.0 % 1_000_000);
        let frac = format!("{frac:06}");
        let trimmed = frac.trim_end_matches('0');
        let frac = if trimmed.len() < 2 { &frac[..2] } else { trimmed };
        write!(f, "{whole}.{frac}")
    }
}

/// `numerator / denominator` rounded half up (both non-negative).
fn div_round(numerator: i128, denominator: i128) -> i64 {
    ((numerator + denominator / 2) / denominator) as i64
}

/// A bad price list.
#[derive(Debug, thiserror::Error)]
pub enum PricingError {
    /// Not TOML, or a missing or mistyped field.
    #[error("{origin}: {message}")]
    Invalid {
        /// The file.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// Prices of one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierPrice {
    /// The framework the tier is sold with.
    pub framework: String,
    /// Base fee for a whole month.
    pub base_monthly: Micros,
    /// Per authenticated API call.
    pub api_call: Micros,
    /// Per compliance scan.
    pub compliance_scan: Micros,
    /// Fuel the tenant's own plugins may use together in one scan.
    pub plugin_fuel_per_scan: u64,
}

/// The price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pricing {
    /// ISO 4217 code.
    pub currency: String,
    /// By tier name.
    pub tiers: BTreeMap<String, TierPrice>,
    /// Subtotals above this get the volume discount.
    pub volume_discount_threshold: Cents,
    /// The discount, in whole percent.
    pub volume_discount_percent: i64,
    /// Tax, in whole percent, applied after the discount.
    pub tax_percent: i64,
}

/// Parses `"15000.00"` or `"0.0005"` into micro-dollars, exactly.
fn parse_amount(s: &str) -> Option<Micros> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<6}").parse().ok()?;
    whole.checked_mul(1_000_000)?.checked_add(frac).map(Micros)
}

impl Pricing {
    /// The bundled price list.
    pub fn builtin() -> Self {
        Self::parse(PRICING_TOML, "pricing.toml").unwrap_or_else(|e| panic!("the bundled price list is invalid: {e}"))
    }

    /// Parses a price list; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PricingError> {
        let err = |message: String| PricingError::Invalid { origin: origin.into(), message };
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| err(e.to_string()))?;
        let amount = |table: &toml::Table, at: &str, key: &str| -> Result<Micros, PricingError> {
            let v = table.get(key).ok_or_else(|| err(format!("{at}.{key}: missing")))?;
            v.as_str()
                .and_then(parse_amount)
                .ok_or_else(|| err(format!("{at}.{key}: expected a decimal string such as \"12.50\" (at most 6 decimals), found {v}")))
        };
        let table = |v: Option<&toml::Value>, at: &str| -> Result<toml::Table, PricingError> {
            v.and_then(|v| v.as_table()).cloned().ok_or_else(|| err(format!("{at}: expected a table")))
        };
        let currency = doc.get("currency").and_then(|v| v.as_str()).ok_or_else(|| err("currency: expected a string".into()))?;
        let mut tiers = BTreeMap::new();
        for (name, t) in table(doc.get("tiers"), "tiers")? {
            let at = format!("tiers.{name}");
            let t = table(Some(&t), &at)?;
            let framework = t.get("framework").and_then(|v| v.as_str()).ok_or_else(|| err(format!("{at}.framework: expected a string")))?;
            tiers.insert(
                name.clone(),
                TierPrice {
                    framework: framework.into(),
                    base_monthly: amount(&t, &at, "base_monthly")?,
                    api_call: amount(&t, &at, "api_call")?,
                    compliance_scan: amount(&t, &at, "compliance_scan")?,
                    plugin_fuel_per_scan: t
                        .get("plugin_fuel_per_scan")
                        .and_then(|v| v.as_integer())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| err(format!("{at}.plugin_fuel_per_scan: expected a whole number of fuel units above zero")))?
                        as u64,
                },
            );
        }
        let inv = table(doc.get("invoice"), "invoice")?;
        let threshold = amount(&inv, "invoice", "volume_discount_threshold")?;
        if threshold.0 % 10_000 != 0 {
            return Err(err("invoice.volume_discount_threshold: whole cents expected".into()));
        }
        let percent = |key: &str| -> Result<i64, PricingError> {
            let m = amount(&inv, "invoice", key)?;
            if m.0 % 1_000_000 != 0 || m.0 > 100_000_000 {
                return Err(err(format!("invoice.{key}: a whole percentage from 0 to 100 expected")));
            }
            Ok(m.0 / 1_000_000)
        };
        Ok(Self {
            currency: currency.into(),
            tiers,
            volume_discount_threshold: Cents(threshold.0 / 10_000),
            volume_discount_percent: percent("volume_discount_percent")?,
            tax_percent: percent("tax_percent")?,
        })
    }

    /// The fuel a tenant's own plugins may use in one scan on `tier` (`None`: no such tier).
    pub fn plugin_fuel_per_scan(&self, tier: &str) -> Option<u64> {
        self.tiers.get(tier).map(|t| t.plugin_fuel_per_scan)
    }

    /// The unit price of a metered event on a tier (reports are not charged).
    pub fn unit_price(&self, tier: &str, kind: EventKind) -> Micros {
        match (self.tiers.get(tier), kind) {
            (Some(t), EventKind::ApiCall) => t.api_call,
            (Some(t), EventKind::ComplianceScan) => t.compliance_scan,
            _ => Micros(0),
        }
    }
}

/// What is metered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// One authenticated request.
    ApiCall,
    /// One finished scan.
    ComplianceScan,
    /// One report rendered for download.
    ReportGenerated,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 3] = [EventKind::ApiCall, EventKind::ComplianceScan, EventKind::ReportGenerated];

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ApiCall => "api_call",
            EventKind::ComplianceScan => "compliance_scan",
            EventKind::ReportGenerated => "report_generated",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A calendar month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    /// Year.
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// The month containing `unix` seconds.
    pub fn of_unix(unix: i64) -> Self {
        let d = utc_date(unix);
        Self { year: i32::from(d.year()), month: d.month().unsigned_abs().into() }
    }

    /// The next month.
    pub fn next(self) -> Self {
        if self.month == 12 { Self { year: self.year + 1, month: 1 } } else { Self { year: self.year, month: self.month + 1 } }
    }

    /// Its first day, in days since 1970-01-01.
    pub fn first_day(self) -> i64 {
        let year = i16::try_from(self.year).expect("a month of a four-digit year");
        let month = i8::try_from(self.month).expect("a month from 1 to 12");
        let first = jiff::civil::Date::new(year, month, 1).expect("a valid month");
        first.to_zoned(jiff::tz::TimeZone::UTC).expect("in jiff's range").timestamp().as_second().div_euclid(86_400)
    }

    /// Its number of days.
    pub fn days(self) -> i64 {
        self.next().first_day() - self.first_day()
    }

    /// Its first instant and the next month's, as RFC 3339 text (for range queries).
    pub fn bounds(self) -> (String, String) {
        (format!("{self}-01T00:00:00"), format!("{}-01T00:00:00", self.next()))
    }
}

/// Days (since 1970-01-01) of an RFC 3339 time.
pub fn day_of(rfc3339: &str) -> Option<i64> {
    rfc3339.parse::<jiff::Timestamp>().ok().map(|t| t.as_second().div_euclid(86_400))
}

/// The UTC calendar date of `unix` seconds.
fn utc_date(unix: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_second(unix).expect("a time within jiff's range").to_zoned(jiff::tz::TimeZone::UTC).date()
}

fn date(day: i64) -> String {
    utc_date(day * 86_400).to_string()
}

/// Consecutive days of a month spent on one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSpan {
    /// The tier.
    pub tier: String,
    /// First day (days since 1970-01-01).
    pub first_day: i64,
    /// Number of days.
    pub days: i64,
}

/// The tier of each day of `month` a tenant existed: from the day it was created to the
/// day it was deleted, both included. A tier change takes effect on the day it happens.
/// `changes` are (day, tier), the creation's tier included, in any order.
pub fn tier_spans(month: Month, created_day: i64, deleted_day: Option<i64>, changes: &[(i64, String)]) -> Vec<TierSpan> {
    let mut changes = changes.to_vec();
    changes.sort_by_key(|c| c.0);
    let first = month.first_day().max(created_day);
    let last = (month.first_day() + month.days() - 1).min(deleted_day.unwrap_or(i64::MAX));
    let mut spans: Vec<TierSpan> = vec![];
    for day in first..=last {
        let Some((_, tier)) = changes.iter().rev().find(|(d, _)| *d <= day) else { continue };
        match spans.last_mut() {
            Some(s) if &s.tier == tier && s.first_day + s.days == day => s.days += 1,
            _ => spans.push(TierSpan { tier: tier.clone(), first_day: day, days: 1 }),
        }
    }
    spans
}

/// Billable usage of one kind at one unit price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageTotal {
    /// What.
    pub kind: EventKind,
    /// The tier in force when it happened.
    pub tier: String,
    /// The unit price at the time.
    pub unit_price: Micros,
    /// How many.
    pub quantity: i64,
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// `base`, `api_call` or `compliance_scan`.
    pub kind: String,
    /// For a person.
    pub description: String,
    /// The tier.
    pub tier: String,
    /// Days (base) or events.
    pub quantity: i64,
    /// Per unit (base: per month), in dollars as text.
    pub unit_price: String,
    /// The line's amount, in cents, rounded once.
    pub amount_cents: i64,
    /// The same, as text.
    pub amount: String,
}

/// An invoice for one tenant and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    /// `YYYY-MM`.
    pub month: String,
    /// ISO 4217.
    pub currency: String,
    /// Base fees, then usage.
    pub lines: Vec<Line>,
    /// Sum of the lines.
    pub subtotal_cents: i64,
    /// Volume discount.
    pub discount_cents: i64,
    /// Tax on subtotal less discount.
    pub tax_cents: i64,
    /// What is owed.
    pub total_cents: i64,
    /// The same four as text.
    pub subtotal: String,
    /// Text.
    pub discount: String,
    /// Text.
    pub tax: String,
    /// Text.
    pub total: String,
}

/// Computes an invoice. Usage of kinds that carry no price (reports) is ignored.
pub fn invoice(pricing: &Pricing, month: Month, spans: &[TierSpan], usage: &[UsageTotal]) -> Invoice {
    let mut lines = vec![];
    for s in spans {
        let base = pricing.tiers.get(&s.tier).map(|t| t.base_monthly).unwrap_or(Micros(0));
        let cents = div_round(i128::from(base.0) * i128::from(s.days), i128::from(month.days()) * 10_000);
        lines.push(Line {
            kind: "base".into(),
            description: format!(
                "Base fee, {} tier, {} of {} days ({} to {})",
                s.tier,
                s.days,
                month.days(),
                date(s.first_day),
                date(s.first_day + s.days - 1)
            ),
            tier: s.tier.clone(),
            quantity: s.days,
            unit_price: Cents(div_round(i128::from(base.0), 10_000)).to_string(),
            amount_cents: cents,
            amount: Cents(cents).to_string(),
        });
    }
    let mut usage: Vec<_> = usage.iter().filter(|u| u.kind != EventKind::ReportGenerated && u.quantity > 0).collect();
    usage.sort_by(|a, b| (a.kind, &a.tier, a.unit_price).cmp(&(b.kind, &b.tier, b.unit_price)));
    for u in usage {
        let cents = div_round(i128::from(u.unit_price.0) * i128::from(u.quantity), 10_000);
        let what = match u.kind {
            EventKind::ApiCall => "API calls",
            _ => "Compliance scans",
        };
        lines.push(Line {
            kind: u.kind.as_str().into(),
            description: format!("{what}, {} tier: {} at ${}", u.tier, u.quantity, u.unit_price),
            tier: u.tier.clone(),
            quantity: u.quantity,
            unit_price: u.unit_price.to_string(),
            amount_cents: cents,
            amount: Cents(cents).to_string(),
        });
    }
    let subtotal: i64 = lines.iter().map(|l| l.amount_cents).sum();
    let discount = if subtotal > pricing.volume_discount_threshold.0 {
        div_round(i128::from(subtotal) * i128::from(pricing.volume_discount_percent), 100)
    } else {
        0
    };
    let tax = div_round(i128::from(subtotal - discount) * i128::from(pricing.tax_percent), 100);
    let total = subtotal - discount + tax;
    Invoice {
        month: month.to_string(),
        currency: pricing.currency.clone(),
        lines,
        subtotal_cents: subtotal,
        discount_cents: discount,
        tax_cents: tax,
        total_cents: total,
        subtotal: Cents(subtotal).to_string(),
        discount: Cents(discount).to_string(),
        tax: Cents(tax).to_string(),
        total: Cents(total).to_string(),
    }
}

#[cfg(test)]
mod tests;
