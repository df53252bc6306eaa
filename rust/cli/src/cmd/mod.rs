//! One file per command.

pub mod parse;
