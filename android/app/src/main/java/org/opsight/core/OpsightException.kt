package org.opsight.core

/**
 * Every failure of the native library: the core refused an argument (unknown zone, bad inventory JSON, unknown
 * language), SQLite failed, the instance was closed, or the library hit a bug (a caught panic).
 *
 * The message is fixed text or the core's own and never carries a path, a package name or dump content, so it can
 * be shown or logged as is.
 *
 * [kind] says what kind of failure it is, for the app's own words in the user's language (`newer_database`,
 * `foreign_database`, `database_damaged`, `damaged_moved_aside`, `donation_not_reviewed`, `donation_changed`,
 * `clock_mismatch`, `closed`, `invalid_input`, `invalid_argument`, `io`, `database`, `out_of_memory`, `internal`;
 * `unknown` when thrown through the one-argument constructor).
 *
 * Thrown from native code through the `(String, String)` constructor (or `ThrowNew`'s `(String)` one): R8 must keep
 * this class's name and both constructors (see the rules in `opsight-keep.pro` next to this file and docs/bridge.md).
 */
class OpsightException @JvmOverloads constructor(message: String, val kind: String = "unknown") : RuntimeException(message)
