//! Splits a byte stream into lines of text without holding more than one buffer of it.
//!
//! Memory is bounded by the buffer and by [`MAX_LINE`]: a longer line is cut there and the rest of it skipped,
//! so a hostile input without newlines cannot make the parser grow. UTF-8 is validated once per buffer of whole
//! lines (fast for the all-ASCII text AppOps prints); only a buffer that fails is checked line by line, and only a
//! line that fails is converted lossily.

use std::io::{self, Read};

/// Longest line handed to the parser. Real AppOps lines are under 300 bytes; the cap only guards memory.
pub const MAX_LINE: usize = 64 * 1024;
const BUF: usize = 256 * 1024;

/// A line as read: its text without the terminator, and how it arrived.
pub struct Line<'a> {
    pub text: &'a str,
    /// A `\n` ended it (false only for the input's last line).
    pub terminated: bool,
    /// The line was longer than [`MAX_LINE`] and was cut.
    pub overlong: bool,
    /// The line was not UTF-8 and was converted with U+FFFD.
    pub lossy: bool,
}

pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Inside an overlong line: skip until the next newline.
    skipping: bool,
    scratch: String,
    pub bytes_read: u64,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader {
            inner,
            buf: vec![0; BUF],
            start: 0,
            end: 0,
            eof: false,
            skipping: false,
            scratch: String::new(),
            bytes_read: 0,
        }
    }

    /// Calls `f` for every line until the input ends. I/O errors other than `Interrupted` are returned.
    pub fn for_each_line(&mut self, mut f: impl FnMut(Line<'_>)) -> io::Result<()> {
        loop {
            // Hand out every complete line in the buffer.
            if let Some(last) = memchr::memrchr(b'\n', &self.buf[self.start..self.end]) {
                let block_end = self.start + last + 1;
                let block = &self.buf[self.start..block_end];
                match std::str::from_utf8(block) {
                    Ok(text) => {
                        let mut from = 0;
                        for nl in memchr::memchr_iter(b'\n', block) {
                            if self.skipping {
                                self.skipping = false;
                            } else {
                                emit_str(&text[from..nl], true, &mut f);
                            }
                            from = nl + 1;
                        }
                    }
                    Err(_) => {
                        let mut from = 0;
                        for nl in memchr::memchr_iter(b'\n', block) {
                            if self.skipping {
                                self.skipping = false;
                            } else {
                                emit_bytes(&block[from..nl], true, &mut self.scratch, &mut f);
                            }
                            from = nl + 1;
                        }
                    }
                }
                self.start = block_end;
            }
            if self.eof {
                if self.start < self.end && !self.skipping {
                    emit_bytes(&self.buf[self.start..self.end], false, &mut self.scratch, &mut f);
                }
                self.start = self.end;
                return Ok(());
            }
            // Keep the partial line, make room, read more.
            let pending = self.end - self.start;
            if pending >= MAX_LINE {
                if !self.skipping {
                    emit_bytes(&self.buf[self.start..self.end], true, &mut self.scratch, &mut f);
                }
                self.skipping = true;
                self.start = self.end;
            }
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.end += n;
                    self.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

fn emit_str(text: &str, terminated: bool, f: &mut impl FnMut(Line<'_>)) {
    if text.len() <= MAX_LINE {
        f(Line { text, terminated, overlong: false, lossy: false });
    } else {
        let mut cut = MAX_LINE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        f(Line { text: &text[..cut], terminated, overlong: true, lossy: false });
    }
}

fn emit_bytes(bytes: &[u8], terminated: bool, scratch: &mut String, f: &mut impl FnMut(Line<'_>)) {
    let overlong = bytes.len() > MAX_LINE;
    let bytes = &bytes[..bytes.len().min(MAX_LINE)];
    match std::str::from_utf8(bytes) {
        Ok(text) => f(Line { text, terminated, overlong, lossy: false }),
        Err(e) if overlong && e.error_len().is_none() => {
            // Only the cut at MAX_LINE split a character.
            let text = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            f(Line { text, terminated, overlong, lossy: false })
        }
        Err(_) => {
            scratch.clear();
            scratch.push_str(&String::from_utf8_lossy(bytes));
            f(Line { text: scratch, terminated, overlong, lossy: true })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8]) -> Vec<(String, bool, bool, bool)> {
        let mut out = Vec::new();
        LineReader::new(input)
            .for_each_line(|l| out.push((l.text.to_owned(), l.terminated, l.overlong, l.lossy)))
            .expect("reading a slice cannot fail");
        out
    }

    #[test]
    fn splits_and_reports_the_unterminated_tail() {
        let lines = collect(b"a\nbb\r\n\nccc");
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1].0, "bb\r");
        assert!(lines[2].1 && lines[2].0.is_empty());
        assert_eq!(lines[3], ("ccc".to_owned(), false, false, false));
        assert!(collect(b"").is_empty());
    }

    #[test]
    fn non_utf8_lines_are_lossy_and_their_neighbours_are_not() {
        let lines = collect(b"ok\nbad \xff byte\nfine\n");
        assert_eq!(lines[0], ("ok".to_owned(), true, false, false));
        assert_eq!(lines[1], ("bad \u{fffd} byte".to_owned(), true, false, true));
        assert_eq!(lines[2], ("fine".to_owned(), true, false, false));
    }

    #[test]
    fn overlong_lines_are_cut_and_skipped() {
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b"\nnext\n");
        let lines = collect(&input);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0.len(), MAX_LINE);
        assert!(lines[0].2);
        assert_eq!(lines[1].0, "next");
        // Longer than the buffer itself.
        let mut input = vec![b'y'; BUF * 2 + 17];
        input.extend_from_slice("\n\u{4e2d}\n".as_bytes());
        let lines = collect(&input);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].0, "\u{4e2d}");
    }

    #[test]
    fn lines_across_buffer_boundaries() {
        let mut input = Vec::new();
        for i in 0..100_000 {
            input.extend_from_slice(format!("line {i} \u{4e2d}\n").as_bytes());
        }
        let lines = collect(&input);
        assert_eq!(lines.len(), 100_000);
        assert_eq!(lines[99_999].0, "line 99999 \u{4e2d}");
        assert!(lines.iter().all(|l| !l.3));
    }
}
