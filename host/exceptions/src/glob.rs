//! Resource globs: `*` matches any run of characters (including none), `?` exactly one.
//! Nothing else is special, so an ARN's `:` and `/` are matched as written.

/// Whether `text` matches `pattern` as a whole.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it has taken up to: on a mismatch,
    // let that star take one more character (linear backtracking, no recursion).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_and_question_marks() {
        for (p, t, want) in [
            ("acme-*", "acme-logs", true),
            ("acme-*", "acme-", true),
            ("acme-*", "other-logs", false),
            ("*-logs", "acme-access-logs", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("vol-????", "vol-1234", true),
            ("vol-????", "vol-12345", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("*", "", true),
            ("arn:aws:s3:::acme-*", "arn:aws:s3:::acme-logs", true),
        ] {
            assert_eq!(matches(p, t), want, "{p} ~ {t}");
        }
    }
}
