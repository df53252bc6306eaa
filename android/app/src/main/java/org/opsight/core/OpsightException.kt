package org.opsight.core

/**
 * Every failure of the native library: the core refused an argument (unknown zone, bad inventory JSON, unknown
 * language), SQLite failed, the instance was closed, or the library hit a bug (a caught panic).
 *
 * The message is fixed text or the core's own and never carries a path, a package name or dump content, so it can
 * be shown or logged as is.
 *
 * Thrown from native code with `ThrowNew`, i.e. through the `(String)` constructor: R8 must keep this class's name
 * and that constructor (see the rules in `opsight-keep.pro` next to this file and docs/bridge.md).
 */
class OpsightException(message: String) : RuntimeException(message)
