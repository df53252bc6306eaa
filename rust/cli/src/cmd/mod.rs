//! One file per command.

pub mod apps;
pub mod category;
pub mod collect;
pub mod demo;
pub mod donate;
pub mod findings;
pub mod ingest;
pub mod packages;
pub mod parse;
pub mod report;
pub mod research;
pub mod timeline;
