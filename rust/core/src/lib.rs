//! opsight-core: parses Android AppOps dumps, keeps per-app access timelines, and judges them.
//!
//! Pure logic: no JNI, no printing, no processes. Data flows one way:
//! bytes → [`parse`] → [`Snapshot`] / [`Visitor`] records → store → analysis → JSON views.

pub mod analysis;
mod by_key;
pub mod donate;
pub mod error;
pub mod model;
pub mod ops;
pub mod parse;
mod sort;
pub mod store;
pub mod time;

pub use error::{Error, Result};
pub use model::{Dialect, EventKind, ParseSummary, Snapshot, Visitor};
pub use parse::{parse_bytes, parse_reader, parse_snapshot};
pub use store::Store;
