//! Any bytes, read from a file cut into parts (small ones, so that inputs of a few KB are cut too): no panic, and
//! exactly the visitor calls, in the same order, and the same summary as one parse of the same bytes in memory.
#![no_main]

use std::fs::File;
use std::io::Write;

use libfuzzer_sys::fuzz_target;
use opsight_core::parse::calls::Calls;
use opsight_core::parse::parse_file_with;
use opsight_core::parse_reader;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the smallest part, 16 to 4,096 bytes; the rest is the file.
    let Some((&pick, input)) = data.split_first() else { return };
    let min_part = 16 + u64::from(pick) * 16;
    let path = std::env::temp_dir().join(format!("opsight-fuzz-parts-{}", std::process::id()));
    File::create(&path).and_then(|mut f| f.write_all(input)).expect("write the input");
    let file = File::open(&path).expect("open the input");
    let (parts, summary, _) = parse_file_with::<Calls>(&file, 2, min_part).expect("read the file");
    let mut whole = Calls::default();
    let want = parse_reader(input, &mut whole).expect("reading memory cannot fail");
    assert_eq!(summary, want);
    parts.assert_same(&whole, "parts");
});
