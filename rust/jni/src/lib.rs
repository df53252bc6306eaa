//! opsight-jni: `libopsight.so`, the bridge between `org.opsight.core.Opsight` (Kotlin) and opsight-core.
//!
//! It converts and guards; it decides nothing. Strings and byte arrays come in, JSON documents go out
//! (docs/bridge.md lists every method and its document). The parts:
//! - [`api`]: what each entry point does, in Rust types: one core call, one document. Unit-tested on the host.
//! - [`handles`]: the registry that turns a `jlong` into a store (never a raw pointer).
//! - [`ffi`]: `run_ffi_safe`, the one wrapper every entry point runs in (panics and errors become exceptions),
//!   and the argument/result conversions.
//! - `exports`: the `Java_org_opsight_core_Opsight_native*` functions, one line of conversion each.
//!
//! Nothing here may abort the VM: no `unwrap`, no `panic = "abort"`, every body inside `run_ffi_safe`.

#![deny(clippy::unwrap_used)]
#![warn(clippy::cast_possible_truncation)]

pub mod api;
pub mod error;
mod exports;
pub mod ffi;
pub mod handles;

pub use error::BridgeError;
