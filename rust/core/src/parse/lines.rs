//! Splits a byte stream into lines without holding more than one buffer of it.
//!
//! Memory is bounded by the buffer and by [`MAX_LINE`]: a longer line is cut there and the rest of it skipped,
//! so a hostile input without newlines cannot make the parser grow.

use std::io::{self, Read};

/// Longest line handed to the parser. Real AppOps lines are under 300 bytes; the cap only guards memory.
pub const MAX_LINE: usize = 64 * 1024;
const BUF: usize = 256 * 1024;

/// A line as read: its bytes without the terminator, and whether a `\n` ended it.
pub struct Line<'a> {
    pub bytes: &'a [u8],
    pub terminated: bool,
    /// The line was longer than [`MAX_LINE`] and was cut.
    pub overlong: bool,
}

pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Inside an overlong line: skip until the next newline.
    skipping: bool,
    pub bytes_read: u64,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader { inner, buf: vec![0; BUF], start: 0, end: 0, eof: false, skipping: false, bytes_read: 0 }
    }

    /// Calls `f` for every line until the input ends. I/O errors other than `Interrupted` are returned.
    pub fn for_each_line(&mut self, mut f: impl FnMut(Line<'_>)) -> io::Result<()> {
        loop {
            // Hand out every complete line in the buffer.
            while let Some(pos) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                let line_end = self.start + pos;
                if self.skipping {
                    self.skipping = false;
                } else {
                    let len = line_end - self.start;
                    let cut = len.min(MAX_LINE);
                    f(Line {
                        bytes: &self.buf[self.start..self.start + cut],
                        terminated: true,
                        overlong: len > MAX_LINE,
                    });
                }
                self.start = line_end + 1;
            }
            if self.eof {
                if self.start < self.end && !self.skipping {
                    let len = self.end - self.start;
                    let cut = len.min(MAX_LINE);
                    f(Line {
                        bytes: &self.buf[self.start..self.start + cut],
                        terminated: false,
                        overlong: len > MAX_LINE,
                    });
                }
                self.start = self.end;
                return Ok(());
            }
            // Keep the partial line, make room, read more.
            let pending = self.end - self.start;
            if pending >= MAX_LINE {
                if !self.skipping {
                    f(Line { bytes: &self.buf[self.start..self.start + MAX_LINE], terminated: true, overlong: true });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8]) -> Vec<(Vec<u8>, bool, bool)> {
        let mut out = Vec::new();
        LineReader::new(input)
            .for_each_line(|l| out.push((l.bytes.to_vec(), l.terminated, l.overlong)))
            .expect("reading a slice cannot fail");
        out
    }

    #[test]
    fn splits_and_reports_the_unterminated_tail() {
        let lines = collect(b"a\nbb\r\n\nccc");
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1].0, b"bb\r");
        assert!(lines[2].1 && lines[2].0.is_empty());
        assert_eq!(lines[3], (b"ccc".to_vec(), false, false));
        assert!(collect(b"").is_empty());
    }

    #[test]
    fn overlong_lines_are_cut_and_skipped() {
        let mut input = vec![b'x'; MAX_LINE * 3];
        input.extend_from_slice(b"\nnext\n");
        let lines = collect(&input);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0.len(), MAX_LINE);
        assert!(lines[0].2);
        assert_eq!(lines[1].0, b"next");
    }

    #[test]
    fn lines_across_buffer_boundaries() {
        let mut input = Vec::new();
        for i in 0..100_000 {
            input.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        let lines = collect(&input);
        assert_eq!(lines.len(), 100_000);
        assert_eq!(lines[99_999].0, b"line 99999");
    }
}
