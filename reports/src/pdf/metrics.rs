//! Glyph widths of the two standard PDF fonts the report uses (Adobe's Helvetica and
//! Helvetica-Bold AFM metrics, 1/1000 em, ASCII 32..=126), so text can be wrapped to a
//! column without embedding a font.

const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278,
    278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556,
    556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333,
    333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611,
    611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// Width of `text` in points at `size`, in Helvetica (or Helvetica-Bold).
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let units: u32 = text.bytes().map(|b| u32::from(table.get(usize::from(b.wrapping_sub(32))).copied().unwrap_or(556))).sum();
    units as f32 * size / 1000.0
}

/// The report's fonts encode single bytes: map typographic punctuation to ASCII and
/// anything else outside printable ASCII to `?`, so no glyph renders as garbage.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201B}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2026}' => '.',
            '\t' | '\n' | '\r' => ' ',
            c if (' '..='~').contains(&c) => c,
            _ => '?',
        })
        .collect()
}

/// Breaks `text` into lines no wider than `max` points: at spaces where possible, and
/// inside a word (a long ARN, say) when the word alone is too wide.
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let text = sanitize(text);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if width(&candidate, size, bold) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word itself may be wider than the column: cut it into pieces that fit.
        let mut piece = String::new();
        for ch in word.chars() {
            piece.push(ch);
            if width(&piece, size, bold) > max && piece.len() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(ch);
            }
        }
        line = piece;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_metrics() {
        assert_eq!(width("i", 10.0, false), 2.22);
        assert!(width("W", 10.0, true) > width("i", 10.0, true));
    }

    #[test]
    fn wraps_words_and_breaks_overlong_tokens() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", 10.0, false, 60.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| width(l, 10.0, false) <= 60.0), "{lines:?}");
        let arn = "arn:aws:s3:::a-very-long-bucket-name-that-does-not-fit-on-one-line-at-all";
        let lines = wrap(arn, 10.0, false, 80.0);
        assert!(lines.len() > 2 && lines.iter().all(|l| width(l, 10.0, false) <= 80.0), "{lines:?}");
        assert_eq!(lines.concat(), arn);
    }

    #[test]
    fn sanitizes_to_ascii() {
        assert_eq!(sanitize("Allow \u{2014} “quoted” naïve"), "Allow - \"quoted\" na?ve");
    }
}
