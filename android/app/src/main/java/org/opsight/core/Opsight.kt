package org.opsight.core

/**
 * The Opsight core (Rust, `libopsight.so`) on one timeline database.
 *
 * Pass-through: every method converts its arguments, calls the core, and returns the core's answer as one JSON
 * document (shapes: docs/bridge.md). Failures throw [OpsightException] (unchecked), whose message never carries a
 * path, a package name or dump content.
 *
 * Threading: one instance may be used from many threads at once. Reads run in parallel with each other and with a
 * write (SQLite WAL: one writer connection, a pool of readers); writes (ingest, inventory, category, retention) run
 * one at a time. Every call blocks its thread until the core is done, and an ingest of a large dump takes seconds:
 * call from a background executor, never the main thread.
 *
 * Lifetime: [close] releases the database (synchronized, idempotent); any call after it throws
 * [OpsightException]. The native side holds the database under a numeric handle in a registry, never a pointer, so
 * a call racing [close] either completes or throws, and no reachability fence is needed. Nothing is closed by the
 * garbage collector: call [close] (or use `use {}`).
 *
 * No `android.*` imports: the same file is compiled for the host JVM tests (tests/jvm).
 *
 * R8: the `external` functions are looked up by name (`Java_org_opsight_core_Opsight_native…`), and
 * [OpsightException] is built from native code. The app module must keep both: see `opsight-keep.pro` next to this
 * file.
 *
 * @param dbPath the database file, created if missing (e.g. `File(context.filesDir, "opsight.db").path`). A
 *   damaged database is moved aside, never deleted ([openReport] says so); one written by a newer Opsight is
 *   refused untouched.
 */
class Opsight(dbPath: String) : AutoCloseable {
    private val handle: Long = nativeOpen(dbPath)
    private var closed = false

    /**
     * What opening found: `{"opsight_open": 1, "moved_aside": <file name>|null, "upgraded_from": <schema version>}`.
     * `moved_aside` is the new name of a damaged database that was set aside (a new one was started).
     */
    @Throws(OpsightException::class)
    fun openReport(): String = nativeOpenReport(handle)

    /**
     * Stores one `dumpsys appops` output (any Android version; a whole bugreport works too), recorded with source
     * `app`. Returns the ingest report (`new_events`, `known_events`, `repeat`, …). Any bytes are accepted: input
     * that is not a dump gives a report with 0 events.
     *
     * @param capturedAtMillis the phone's clock (UTC epoch ms) just before the dump was taken
     * @param zoneId the phone's IANA zone then, e.g. `ZoneId.systemDefault().id`
     */
    @Throws(OpsightException::class)
    fun ingestDump(dump: ByteArray, capturedAtMillis: Long, zoneId: String): String =
        nativeIngestDump(handle, dump, capturedAtMillis, zoneId)

    /** Loads a package inventory (`{"opsight_inventory": 1, ...}`, docs/inventory.md); returns its report. */
    @Throws(OpsightException::class)
    fun ingestPackages(inventoryJson: String): String = nativeIngestPackages(handle, inventoryJson)

    /** Every app known (`{"opsight_apps": 1, "apps": [...]}`), ordered by package. */
    @Throws(OpsightException::class)
    fun apps(): String = nativeApps(handle)

    /**
     * One app's events in `[fromMillis, toMillis)` with per-op counts (`{"opsight_timeline": 1, ...}`).
     * `Long.MIN_VALUE` / `Long.MAX_VALUE` leave the range open on that side.
     */
    @Throws(OpsightException::class)
    fun timeline(packageName: String, fromMillis: Long, toMillis: Long): String =
        nativeTimeline(handle, packageName, fromMillis, toMillis)

    /**
     * One app's accesses as a calendar to draw (`{"opsight_timeline_grid": 1, ...}`, docs/json.md): per information
     * type, per local day and hour, accesses in the foreground, in the background, in an unknown state, refusals,
     * and each cell's mark. An access of a type counts once per instant; counts kept per hour or day after
     * retention are included.
     *
     * @param lastDay the last day shown, `YYYY-MM-DD`
     * @param days how many days, 1 to 366, ending with [lastDay]
     * @param zoneId the zone the days and hours are in (an IANA id such as `Asia/Shanghai`)
     */
    @Throws(OpsightException::class)
    fun timelineGrid(packageName: String, lastDay: String, days: Int, zoneId: String): String =
        nativeTimelineGrid(handle, packageName, lastDay, days, zoneId)

    /**
     * Which apps collect too much, judged over the last 30 days as of now (`{"opsight_findings": 1, ...}`).
     *
     * @param lang `en` or `zh-CN` (also `en-US`, `zh-Hans`, `zh_CN`…); anything else throws
     */
    @Throws(OpsightException::class)
    fun findings(lang: String): String = nativeFindings(handle, lang)

    /**
     * Who accessed one kind of information in `[fromMillis, toMillis)`, most accesses first
     * (`{"opsight_who_accessed": 1, ...}`).
     *
     * @param infoType an op-catalog identifier: `location`, `contacts`, `call_log`, `sms`, `microphone`, `camera`,
     *   `clipboard`, … (docs/op-catalog.md); anything else throws
     */
    @Throws(OpsightException::class)
    fun whoAccessed(infoType: String, fromMillis: Long, toMillis: Long): String =
        nativeWhoAccessed(handle, infoType, fromMillis, toMillis)

    /** Accesses and rejects per day (device zone), app and op in `[fromMillis, toMillis)`, for charts. */
    @Throws(OpsightException::class)
    fun dailyCounts(fromMillis: Long, toMillis: Long): String = nativeDailyCounts(handle, fromMillis, toMillis)

    /**
     * Sets the user's category for an app (a policy-pack id such as `online_video_music`, docs/policy.md), or
     * clears it with `null`. The user's choice wins in [findings].
     */
    @Throws(OpsightException::class)
    fun setCategory(packageName: String, category: String?) = nativeSetCategory(handle, packageName, category)

    /**
     * Keeps individual events [rawDays] days, then hourly counts until [hourlyDays] days, then daily counts for
     * ever; every event is counted exactly once. Returns `{"events_rolled_up", "hours_rolled_up",
     * "rolled_up_before_ms"}`. Negative days throw.
     */
    @Throws(OpsightException::class)
    fun applyRetention(rawDays: Int, hourlyDays: Int): String = nativeApplyRetention(handle, rawDays, hourlyDays)

    /**
     * The donation preview for a study manifest (docs/research.md): every row that would leave with its row id and,
     * for the donor's eyes only, the app; totals per information type; what was suppressed; the review code the
     * export needs. Nothing leaves.
     */
    @Throws(OpsightException::class)
    fun previewDonation(manifestJson: String): String = nativePreviewDonation(handle, manifestJson)

    /**
     * The donation bundle (one JSON document, UTF-8): exactly what the manifest allows, minus the exclusions
     * `{"packages": [...], "rows": [...], "reviewed": "..."}` (row ids and `review_code` from [previewDonation]).
     * Without the review code, or when the rows are no longer those that preview showed (accesses were stored since),
     * it throws and nothing is exported: the donor reviews again. A new random donation id and salt every call. The
     * app hands the bytes to a file the user picks; it never sends them anywhere.
     */
    @Throws(OpsightException::class)
    fun exportDonation(manifestJson: String, exclusionsJson: String): ByteArray =
        nativeExportDonation(handle, manifestJson, exclusionsJson)

    /** Closes the database. Idempotent; later calls on this instance throw [OpsightException]. */
    @Synchronized
    override fun close() {
        if (!closed) {
            closed = true
            nativeClose(handle)
        }
    }

    /** Test only: a panic inside the native guard, which must arrive as [OpsightException]. */
    @Throws(OpsightException::class)
    internal fun testingPanic(): String = nativeTestingPanic()

    /** Test only: a throw whose exception class is missing; arrives as RuntimeException or AssertionError. */
    internal fun testingThrowFallback(withRuntime: Boolean) = nativeTestingThrowFallback(withRuntime)

    // Keep in sync with rust/jni/src/exports.rs. @JvmStatic puts each one on Opsight itself as a static native
    // method, so the symbols are Java_org_opsight_core_Opsight_native<Name>.
    companion object {
        init {
            System.loadLibrary("opsight")
        }

        @JvmStatic private external fun nativeOpen(dbPath: String): Long

        @JvmStatic private external fun nativeOpenReport(handle: Long): String

        @JvmStatic private external fun nativeClose(handle: Long)

        @JvmStatic private external fun nativeIngestDump(
            handle: Long,
            dump: ByteArray,
            capturedAtMillis: Long,
            zoneId: String,
        ): String

        @JvmStatic private external fun nativeIngestPackages(handle: Long, inventoryJson: String): String

        @JvmStatic private external fun nativeApps(handle: Long): String

        @JvmStatic private external fun nativeTimeline(
            handle: Long,
            packageName: String,
            fromMillis: Long,
            toMillis: Long,
        ): String

        @JvmStatic private external fun nativeTimelineGrid(
            handle: Long,
            packageName: String,
            lastDay: String,
            days: Int,
            zoneId: String,
        ): String

        @JvmStatic private external fun nativeFindings(handle: Long, lang: String): String

        @JvmStatic private external fun nativeWhoAccessed(
            handle: Long,
            infoType: String,
            fromMillis: Long,
            toMillis: Long,
        ): String

        @JvmStatic private external fun nativeDailyCounts(handle: Long, fromMillis: Long, toMillis: Long): String

        @JvmStatic private external fun nativeSetCategory(handle: Long, packageName: String, category: String?)

        @JvmStatic private external fun nativeApplyRetention(handle: Long, rawDays: Int, hourlyDays: Int): String

        @JvmStatic private external fun nativePreviewDonation(handle: Long, manifestJson: String): String

        @JvmStatic private external fun nativeExportDonation(handle: Long, manifestJson: String, exclusionsJson: String): ByteArray

        @JvmStatic private external fun nativeCategories(lang: String): String

        /**
         * The 39 categories of China's 2021 rules, for a picker: `{"opsight_categories": 1, "lang", "categories":
         * [{"id", "number", "name", "needs_no_pi", "necessary_info_types"}]}`; names in `en` or `zh-CN`.
         */
        @JvmStatic
        @Throws(OpsightException::class)
        fun categories(lang: String): String = nativeCategories(lang)

        @JvmStatic private external fun nativeTestingPanic(): String

        @JvmStatic private external fun nativeTestingThrowFallback(withRuntime: Boolean)
    }
}
