//! Worked examples, computed by hand with the arithmetic written out beside each.

use super::*;

const NOV: Month = Month { year: 2026, month: 11 }; // 30 days

fn day(d: u32) -> i64 {
    NOV.first_day() + i64::from(d) - 1
}

/// A tenant that existed all month on one tier.
fn all_month(tier: &str) -> Vec<TierSpan> {
    tier_spans(NOV, day(1) - 100, None, &[(day(1) - 100, tier.to_string())])
}

fn usage(tier: &str, calls: i64, scans: i64) -> Vec<UsageTotal> {
    let p = Pricing::builtin();
    vec![
        UsageTotal { kind: EventKind::ApiCall, tier: tier.into(), unit_price: p.unit_price(tier, EventKind::ApiCall), quantity: calls },
        UsageTotal {
            kind: EventKind::ComplianceScan,
            tier: tier.into(),
            unit_price: p.unit_price(tier, EventKind::ComplianceScan),
            quantity: scans,
        },
    ]
}

fn totals(i: &Invoice) -> (i64, i64, i64, i64) {
    (i.subtotal_cents, i.discount_cents, i.tax_cents, i.total_cents)
}

fn amounts(i: &Invoice) -> Vec<i64> {
    i.lines.iter().map(|l| l.amount_cents).collect()
}

#[test]
fn healthcare_month() {
    // base 15,000.00; 1,000,000 calls x 0.0005 = 500.00; 10 scans x 50.00 = 500.00
    // subtotal 16,000.00 > 5,000.00: discount 5% = 800.00; 15,200.00 x 8% = 1,216.00
    // total 15,200.00 + 1,216.00 = 16,416.00
    let i = invoice(&Pricing::builtin(), NOV, &all_month("healthcare"), &usage("healthcare", 1_000_000, 10));
    assert_eq!(amounts(&i), [1_500_000, 50_000, 50_000]);
    assert_eq!(totals(&i), (1_600_000, 80_000, 121_600, 1_641_600));
    assert_eq!((i.total.as_str(), i.currency.as_str()), ("16416.00", "USD"));
}

#[test]
fn fintech_month() {
    // base 8,000.00; 250,000 x 0.0003 = 75.00; 4 x 35.00 = 140.00; subtotal 8,215.00
    // discount 8,215.00 x 5% = 410.75; 7,804.25 x 8% = 624.34; total 8,428.59
    let i = invoice(&Pricing::builtin(), NOV, &all_month("fintech"), &usage("fintech", 250_000, 4));
    assert_eq!(amounts(&i), [800_000, 7_500, 14_000]);
    assert_eq!(totals(&i), (821_500, 41_075, 62_434, 842_859));
}

#[test]
fn gov_federal_month_rounds_each_line_once() {
    // base 25,000.00; 12,345 x 0.0004 = 4.938 -> 4.94; 3 x 75.00 = 225.00; subtotal 25,229.94
    // discount 25,229.94 x 5% = 1,261.497 -> 1,261.50; 23,968.44 x 8% = 1,917.4752 -> 1,917.48
    // total 23,968.44 + 1,917.48 = 25,885.92
    let i = invoice(&Pricing::builtin(), NOV, &all_month("gov-federal"), &usage("gov-federal", 12_345, 3));
    assert_eq!(amounts(&i), [2_500_000, 494, 22_500]);
    assert_eq!(totals(&i), (2_522_994, 126_150, 191_748, 2_588_592));
    assert_eq!(i.lines[1].unit_price, "0.0004");
}

#[test]
fn standard_month_below_the_discount() {
    // base 2,000.00; 7 x 0.0001 = 0.0007 -> 0.00; 2 x 15.00 = 30.00; subtotal 2,030.00
    // no discount; 2,030.00 x 8% = 162.40; total 2,192.40
    let i = invoice(&Pricing::builtin(), NOV, &all_month("standard"), &usage("standard", 7, 2));
    assert_eq!(amounts(&i), [200_000, 0, 3_000]);
    assert_eq!(totals(&i), (203_000, 0, 16_240, 219_240));
}

#[test]
fn the_discount_starts_above_5000_not_at_it() {
    // 2,000.00 + 200 x 15.00 = 5,000.00 exactly: no discount; tax 400.00; total 5,400.00
    let at = invoice(&Pricing::builtin(), NOV, &all_month("standard"), &usage("standard", 0, 200));
    assert_eq!(totals(&at), (500_000, 0, 40_000, 540_000));
    // one cent more (100 x 0.0001 = 0.01): 5,000.01; discount 250.0005 -> 250.00;
    // 4,750.01 x 8% = 380.0008 -> 380.00; total 5,130.01
    let above = invoice(&Pricing::builtin(), NOV, &all_month("standard"), &usage("standard", 100, 200));
    assert_eq!(totals(&above), (500_001, 25_000, 38_000, 513_001));
    assert_eq!((above.discount.as_str(), above.total.as_str()), ("250.00", "5130.01"));
}

#[test]
fn a_mid_month_tier_change_prorates_the_base_and_prices_usage_at_the_time() {
    // standard since before November, healthcare from 15 November:
    // standard 1-14 Nov = 14 days: 2,000.00 x 14/30 = 933.333... -> 933.33
    // healthcare 15-30 Nov = 16 days: 15,000.00 x 16/30 = 8,000.00
    let spans = tier_spans(NOV, day(1) - 40, None, &[(day(1) - 40, "standard".into()), (day(15), "healthcare".into())]);
    assert_eq!(
        spans,
        [
            TierSpan { tier: "standard".into(), first_day: day(1), days: 14 },
            TierSpan { tier: "healthcare".into(), first_day: day(15), days: 16 }
        ]
    );
    // usage: 1,000 calls at 0.0001 = 0.10 and 1 scan at 15.00 before; 2,000 calls at
    // 0.0005 = 1.00 and 1 scan at 50.00 after.
    let mut u = usage("standard", 1_000, 1);
    u.extend(usage("healthcare", 2_000, 1));
    let i = invoice(&Pricing::builtin(), NOV, &spans, &u);
    // lines: 933.33, 8,000.00, then usage by kind and tier:
    // calls healthcare 1.00, calls standard 0.10, scans healthcare 50.00, scans standard 15.00
    assert_eq!(amounts(&i), [93_333, 800_000, 100, 10, 5_000, 1_500]);
    // subtotal 8,999.43; discount 449.9715 -> 449.97; 8,549.46 x 8% = 683.9568 -> 683.96
    // total 8,549.46 + 683.96 = 9,233.42
    assert_eq!(totals(&i), (899_943, 44_997, 68_396, 923_342));
    assert!(i.lines[0].description.contains("14 of 30 days (2026-11-01 to 2026-11-14)"), "{}", i.lines[0].description);
}

#[test]
fn months_with_no_usage() {
    // the base fee alone: 2,000.00; tax 160.00; total 2,160.00
    let i = invoice(&Pricing::builtin(), NOV, &all_month("standard"), &[]);
    assert_eq!(totals(&i), (200_000, 0, 16_000, 216_000));
    // created 21 November: 10 of 30 days: 2,000.00 x 10/30 = 666.666... -> 666.67;
    // tax 53.3336 -> 53.33; total 720.00
    let spans = tier_spans(NOV, day(21), None, &[(day(21), "standard".into())]);
    assert_eq!(totals(&invoice(&Pricing::builtin(), NOV, &spans, &[])), (66_667, 0, 5_333, 72_000));
    // a tenant created after the month, or deleted before it: nothing at all.
    assert!(tier_spans(NOV, day(31), None, &[(day(31), "standard".into())]).is_empty());
    assert!(tier_spans(NOV, day(1) - 60, Some(day(1) - 1), &[(day(1) - 60, "standard".into())]).is_empty());
    assert_eq!(totals(&invoice(&Pricing::builtin(), NOV, &[], &[])), (0, 0, 0, 0));
    // created on the 10th, deleted on the 12th: three days billed.
    let spans = tier_spans(NOV, day(10), Some(day(12)), &[(day(10), "fintech".into())]);
    assert_eq!(spans.iter().map(|s| s.days).sum::<i64>(), 3);
}

#[test]
fn months_and_amounts_parse_strictly() {
    assert_eq!(Month::parse("2028-02").unwrap().days(), 29);
    assert_eq!(Month::parse("2026-12").unwrap().next().to_string(), "2027-01");
    for bad in ["2026-13", "2026-1", "26-11", "2026-11-01", "abcd-ef"] {
        assert_eq!(Month::parse(bad), None, "{bad}");
    }
    assert_eq!(parse_amount("0.0005"), Some(Micros(500)));
    assert_eq!(parse_amount("15000.00"), Some(Micros(15_000_000_000)));
    for bad in ["1.0000001", "-1", "1e3", ".5", "1,000"] {
        assert_eq!(parse_amount(bad), None, "{bad}");
    }
    let err = Pricing::parse("currency = \"USD\"\n[tiers.x]\nframework = \"f\"\nbase_monthly = 12.5\n", "p.toml").unwrap_err();
    assert!(err.to_string().contains("p.toml: tiers.x.base_monthly: expected a decimal string"), "{err}");
    assert_eq!(Cents(-1234).to_string(), "-12.34");
    assert_eq!(Micros(1_500_000).to_string(), "1.50");
}

#[test]
fn the_bundled_price_list_is_the_design_s() {
    let p = Pricing::builtin();
    let row = |t: &str| {
        let t = &p.tiers[t];
        (t.base_monthly.to_string(), t.api_call.to_string(), t.compliance_scan.to_string(), t.framework.as_str())
    };
    assert_eq!(row("healthcare"), ("15000.00".into(), "0.0005".into(), "50.00".into(), "hipaa"));
    assert_eq!(row("fintech"), ("8000.00".into(), "0.0003".into(), "35.00".into(), "soc2"));
    assert_eq!(row("gov-federal"), ("25000.00".into(), "0.0004".into(), "75.00".into(), "fedramp-moderate"));
    assert_eq!(row("standard"), ("2000.00".into(), "0.0001".into(), "15.00".into(), "cis-aws-foundations"));
    assert_eq!((p.volume_discount_threshold, p.volume_discount_percent, p.tax_percent), (Cents(500_000), 5, 8));
}
