//! Terminal output: JSON documents and plain text, never colour or progress when not on a terminal.

use std::io::{self, IsTerminal, Write};

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
