//! Any bytes, read after a pad that ends just before the block reader's first block is cut, in reads of a size the
//! input picks: the first block then ends inside the input, and on two threads the rest starts the pipeline. No
//! panic, and exactly the visitor calls and the summary of the line-by-line parse, on one thread, on two, and in one
//! read (`parse::across_blocks::check_block_boundary` says how the first three bytes choose).
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsight_core::parse::across_blocks::check_block_boundary;

fuzz_target!(|data: &[u8]| check_block_boundary(data));
