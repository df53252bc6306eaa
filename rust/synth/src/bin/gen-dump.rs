//! gen-dump: write a synthetic `dumpsys appops` file.
//!
//! ```text
//! gen-dump [--layout android10|android11] [--bytes N] [--apps N] [--seed N]
//!          [--now "YYYY-MM-DD HH:MM:SS.mmm"] [--out FILE|-]
//! ```
//! Defaults: android11, 20000000 bytes, 0 apps minimum, seed 1, now 2026-03-29 23:27:53.087,
//! stdout. A one-line JSON summary goes to stderr.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use opsight_synth::{generate, DumpSpec};

const USAGE: &str = "usage: gen-dump [--layout android10|android11] [--bytes N] [--apps N] [--seed N] \
[--now \"YYYY-MM-DD HH:MM:SS.mmm\"] [--out FILE|-]";

fn parse_args() -> Result<(DumpSpec, Option<String>), String> {
    let mut spec = DumpSpec { target_bytes: 20_000_000, ..DumpSpec::default() };
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = |v: &str| v.replace('_', "").parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--layout" => spec.layout = value.parse()?,
            "--bytes" => spec.target_bytes = num(&value)? as usize,
            "--apps" => spec.apps = num(&value)? as usize,
            "--seed" => spec.seed = num(&value)?,
            // DumpSpec wants a 'static str; leaking one short string in a CLI is fine.
            "--now" => spec.now_local = Box::leak(value.into_boxed_str()),
            "--out" => out = (value != "-").then_some(value),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok((spec, out))
}

fn main() -> ExitCode {
    let (spec, out_path) = match parse_args() {
        Ok(v) => v,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("gen-dump: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let result = match &out_path {
        Some(path) => File::create(path).and_then(|f| {
            let mut w = BufWriter::with_capacity(1 << 20, f);
            let stats = generate(&spec, &mut w)?;
            w.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()?;
            Ok(stats)
        }),
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
            generate(&spec, &mut w).and_then(|s| w.flush().map(|()| s))
        }
    };
    match result {
        Ok(s) => {
            eprintln!(
                "{{\"layout\":\"{:?}\",\"seed\":{},\"bytes\":{},\"lines\":{},\"uids\":{},\"packages\":{},\"ops\":{},\"access_events\":{},\"reject_events\":{},\"seconds\":{:.3}}}",
                spec.layout,
                spec.seed,
                s.bytes,
                s.lines,
                s.uids,
                s.packages,
                s.ops,
                s.access_events,
                s.reject_events,
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-dump: {e}");
            ExitCode::FAILURE
        }
    }
}
