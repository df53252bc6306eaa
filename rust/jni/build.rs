//! Link options for libopsight.so: its relative relocations (pointers in vtables and string tables, ≈ 5,000 of
//! them) packed in the RELR format instead of 24 bytes each, 114 KB less library (docs/performance.md, "Bridge
//! library size"). Only the cdylib gets them; everything else (the unit tests among them) links as usual.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    match (os.as_str(), env.as_str()) {
        // Android reads RELR from API 28; API 28 and 29 only under Android's own tags, which later versions keep
        // reading (bionic's android-changes-for-ndk-developers.md), and the app's minSdk is 29. Needs lld, the NDK's
        // linker.
        ("android", _) => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,--pack-dyn-relocs=android+relr");
            println!("cargo:rustc-cdylib-link-arg=-Wl,--use-android-relr-tags");
        }
        // The host library of the JVM tests: glibc reads RELR from 2.36; lld and GNU ld ≥ 2.38 write it (older GNU
        // ld ignores the option with a warning).
        ("linux", "gnu") => println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs"),
        _ => {}
    }
    println!("cargo:rerun-if-changed=build.rs");
}
