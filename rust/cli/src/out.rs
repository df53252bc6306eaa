//! Terminal output: JSON documents and plain text, never colour or progress when not on a terminal.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use serde::Serialize;

/// Writes one JSON document and a newline to stdout.
pub fn json<T: Serialize>(value: &T) -> io::Result<()> {
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut w, value).map_err(io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// Whether stderr is a terminal (progress and colour only then).
#[allow(dead_code)]
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Writes rows under a header, columns left-aligned and separated by two spaces, no trailing blanks.
pub fn table(w: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let mut line = String::new();
    let mut write_row = |w: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        line.clear();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', pad));
        }
        writeln!(w, "{}", line.trim_end())
    };
    write_row(w, &mut header.iter().copied())?;
    for row in rows {
        write_row(w, &mut row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// A duration for people, in the units Android prints: `33ms`, `1s942ms`, `7m19s305ms`, `2h5m`.
pub fn duration(ms: i64) -> String {
    if ms < 0 {
        return format!("-{}", duration(ms.saturating_neg()));
    }
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let parts = [(ms / 86_400_000, "d"), (ms / 3_600_000 % 24, "h"), (ms / 60_000 % 60, "m"), (ms / 1000 % 60, "s")];
    let mut text: String = parts.iter().filter(|(n, _)| *n > 0).map(|(n, u)| format!("{n}{u}")).collect();
    if ms % 1000 > 0 {
        text.push_str(&format!("{}ms", ms % 1000));
    }
    text
}

/// A table cell from text that may hold anything (an app label): control characters become spaces so one row
/// stays one line, and the characters that reorder text are shown escaped, as [`printable`] shows them, so that a
/// label cannot show itself (or the cells beside it) backwards.
pub fn cell(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            shown.push(' ');
        } else if needs_escape(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// Text for a terminal that may hold anything (a file name, an error naming one): control characters, and the
/// characters that reorder or break lines (bidirectional overrides and isolates, line and paragraph separators), are
/// shown escaped (`\u{1b}`, `\n`, `\u{202e}`), so that a name cannot move the cursor, recolour the terminal, show
/// itself backwards or fake a line of output. Unlike [`cell`], no character is dropped.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Prints an error and its causes as one line on stderr, `opsight: …`. Error chains name files and quote input:
/// [`printable`], so that neither can drive the terminal.
pub fn error(err: &anyhow::Error) {
    eprintln!("opsight: {}", printable(&format!("{err:#}")));
}

/// A path as [`printable`] text (names that are not UTF-8 show U+FFFD, as `Path::display` does).
pub fn path(p: &Path) -> String {
    printable(&p.display().to_string()).into_owned()
}

/// `1 row`, `2 rows`: a count and its English noun (Chinese counts with a measure word instead).
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, other: &str) -> String {
    let word = if n == N::from(1) { one } else { other };
    format!("{n} {word}")
}

/// `yes`/`no`.
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A finding's severity as printed by `findings` and `demo`.
pub fn severity_label(s: opsight_core::analysis::Severity, lang: opsight_core::ops::Lang) -> &'static str {
    use opsight_core::analysis::Severity;
    use opsight_core::ops::Lang;
    match (s, lang) {
        (Severity::High, Lang::En) => "HIGH",
        (Severity::Medium, Lang::En) => "MEDIUM",
        (Severity::Low, Lang::En) => "LOW",
        (Severity::Info, Lang::En) => "INFO",
        (Severity::High, Lang::ZhCn) => "高",
        (Severity::Medium, Lang::ZhCn) => "中",
        (Severity::Low, Lang::ZhCn) => "低",
        (Severity::Info, Lang::ZhCn) => "提示",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_androids() {
        assert_eq!(duration(0), "0ms");
        assert_eq!(duration(33), "33ms");
        assert_eq!(duration(999), "999ms");
        assert_eq!(duration(1000), "1s");
        assert_eq!(duration(1942), "1s942ms");
        assert_eq!(duration(439_305), "7m19s305ms");
        assert_eq!(duration(7_500_000), "2h5m");
        assert_eq!(duration(86_400_000 + 1), "1d1ms");
    }

    #[test]
    fn counts_take_the_noun_their_number_needs() {
        assert_eq!(count(0u64, "row", "rows"), "0 rows");
        assert_eq!(count(1usize, "row", "rows"), "1 row");
        assert_eq!(count(2i64, "access", "accesses"), "2 accesses");
    }

    #[test]
    fn tables_align_and_trim() {
        let mut out = Vec::new();
        table(&mut out, &["A", "LONG HEADER", "C"], &[vec!["wide cell".into(), "x".into(), String::new()]])
            .expect("write");
        assert_eq!(String::from_utf8(out).expect("utf-8"), "A          LONG HEADER  C\nwide cell  x\n");
    }
}
