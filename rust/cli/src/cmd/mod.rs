//! One file per command.

pub mod apps;
pub mod category;
pub mod findings;
pub mod ingest;
pub mod packages;
pub mod parse;
pub mod timeline;
