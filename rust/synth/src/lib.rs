//! opsight-synth: a deterministic generator of synthetic `dumpsys appops` text.
//!
//! For benchmarks, fuzz-style parser tests and JVM bridge tests that need large realistic
//! inputs without shipping them. The output follows the Android 10 (`[state-flags]` events
//! directly under the op) or Android 11 (`null=[ … ]` / `tag=[ … ]` attribution blocks)
//! grammar described in `shared/briefs/appops-format.md`, including its quirks:
//! no space after the key on `Reject:` lines, trailing space after op headers,
//! ` / switch COARSE_LOCATION=mode` headers, `proxy[…]` suffixes, `Running start at:` and
//! `startNesting=` lines, keys ordered as Android's `ArraySet<Long>` orders them, tags as
//! `ArrayMap` orders them.
//!
//! Guarantees (tested):
//! * the same [`DumpSpec`] gives byte-identical output;
//! * every event's absolute time equals `now_local + relative` exactly (naive local clock);
//! * within one attribution block (A10: one op) each `[state-flags]` key appears at most once
//!   per kind (`Access` / `Reject`);
//! * a `  Uid 0:` block comes first and no blank line follows it (MVT's older parser gates on
//!   `  Uid 0:` and stops at the first blank line);
//! * [`GenStats`] counts exactly what was written.
//!
//! ```
//! use opsight_synth::{generate, DumpSpec, Layout};
//! let spec = DumpSpec { seed: 7, apps: 3, target_bytes: 0, layout: Layout::Android11, now_local: "2026-03-29 23:27:53.087" };
//! let mut out = Vec::new();
//! let stats = generate(&spec, &mut out).expect("writing to a Vec cannot fail");
//! assert_eq!(stats.bytes, out.len() as u64);
//! assert!(out.starts_with(b"Current AppOps Service state:\n"));
//! ```

mod catalog;
mod gen;
mod rng;
mod time;

use std::io;
use std::str::FromStr;

pub use crate::time::format_duration;

/// Which release's dump grammar to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `[state-flags]` events directly under the op; `proxy[uid=N, pkg=P]`; no capability line.
    Android10,
    /// `null=[ … ]` / `tag=[ … ]` attribution blocks; `proxy[uid=N, pkg=P, attributionTag=T]`;
    /// `capability=` and `appWidgetVisible=` uid lines.
    Android11,
}

impl FromStr for Layout {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "android10" | "a10" | "10" | "q" => Ok(Layout::Android10),
            "android11" | "a11" | "11" | "r" => Ok(Layout::Android11),
            other => Err(format!("unknown layout {other:?} (expected android10 or android11)")),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSpec {
    /// PRNG seed: same spec, same bytes.
    pub seed: u64,
    /// Minimum number of app uid blocks (`Uid u0aNNN:`), preinstalled apps included.
    pub apps: usize,
    /// Minimum output size. Generation stops after the first complete uid block at which both
    /// `apps` and `target_bytes` are reached (the header and `Uid 0` are always written).
    pub target_bytes: usize,
    pub layout: Layout,
    /// Device-local dump time, `YYYY-MM-DD HH:MM:SS.mmm`; every event is this plus its
    /// (negative) relative time.
    pub now_local: &'static str,
}

impl Default for DumpSpec {
    fn default() -> Self {
        Self {
            seed: 1,
            apps: 0,
            target_bytes: 1_000_000,
            layout: Layout::Android11,
            now_local: "2026-03-29 23:27:53.087",
        }
    }
}

/// Exact counts of what [`generate`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenStats {
    pub bytes: u64,
    /// Newline-terminated lines (the output always ends with `\n`).
    pub lines: u64,
    /// `  Uid …:` blocks.
    pub uids: u64,
    /// `    Package …:` blocks.
    pub packages: u64,
    /// Per-package op headers (`      OP (mode…): `); uid-level `OP: mode=` lines are not counted.
    pub ops: u64,
    /// `Access:` lines.
    pub access_events: u64,
    /// `Reject:` lines.
    pub reject_events: u64,
}

/// Writes a synthetic dump to `out` (buffered per uid block; wrap files in a `BufWriter` anyway
/// if you like) and returns what was written.
///
/// Errors: `InvalidInput` if `spec.now_local` is malformed, otherwise whatever `out` returns.
pub fn generate(spec: &DumpSpec, out: &mut impl io::Write) -> io::Result<GenStats> {
    gen::generate(spec, out)
}

#[cfg(test)]
mod test;
