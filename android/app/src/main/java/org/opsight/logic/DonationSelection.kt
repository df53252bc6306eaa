package org.opsight.logic

/**
 * What the donor removed from a donation before exporting it: whole apps and single rows (row ids from the core's
 * preview), with the review code of that preview, without which the core exports nothing (and with which it exports
 * only while the rows are still those shown). Pure: the screen toggles it, the core receives [toJson] and honours it
 * (docs/research.md).
 */
class DonationSelection(private val rows: List<Row>, private val reviewCode: String) {
    /** One preview row: its id and, for the donor's eyes only, its app. */
    data class Row(val rowId: String, val packageName: String)

    private val excludedPackages = sortedSetOf<String>()
    private val excludedRows = sortedSetOf<String>()

    val packages: List<String> = rows.map { it.packageName }.distinct().sorted()

    fun isPackageExcluded(packageName: String) = packageName in excludedPackages

    /** A row is left out when its app is, or when it was removed itself. */
    fun isRowExcluded(row: Row) = row.packageName in excludedPackages || row.rowId in excludedRows

    fun togglePackage(packageName: String) {
        if (!excludedPackages.remove(packageName)) excludedPackages.add(packageName)
    }

    fun toggleRow(rowId: String) {
        if (!excludedRows.remove(rowId)) excludedRows.add(rowId)
    }

    /** What was removed, to keep across the screen's recreation ([restore] puts it back). */
    val excludedPackageList: List<String> get() = excludedPackages.toList()
    val excludedRowList: List<String> get() = excludedRows.toList()

    /** Removes again what was removed before; names this preview does not have are dropped. */
    fun restore(packages: Collection<String>, rowIds: Collection<String>) {
        val known = rows.map { it.rowId }.toSet()
        excludedPackages.addAll(packages.filter { it in this.packages })
        excludedRows.addAll(rowIds.filter { it in known })
    }

    /** How many rows would leave. */
    val leaving: Int get() = rows.count { !isRowExcluded(it) }

    /**
     * `{"packages": [...], "rows": [...], "reviewed": "..."}`: rows already covered by an excluded app are not listed
     * twice.
     */
    fun toJson(): String {
        val rowIds = rows.filter { it.rowId in excludedRows && it.packageName !in excludedPackages }.map { it.rowId }
        return JsonWriter()
            .beginObject()
            .stringArray("packages", excludedPackages.toList())
            .stringArray("rows", rowIds)
            .name("reviewed").value(reviewCode)
            .endObject()
            .toString()
    }

    companion object {
        /**
         * Whether the donor's agreement still holds for a preview shown again (the screen recreated): only when it is
         * the preview agreed to, the same review code. New accesses stored meanwhile change what would leave.
         */
        fun keepsConsent(consented: Boolean, reviewedBefore: String?, reviewCode: String): Boolean =
            consented && reviewedBefore == reviewCode

        /** A file name for the bundle the user saves: `opsight-donation-<study>.json`, safe on every file system. */
        fun fileName(studyId: String): String {
            val safe = studyId.map { if (it.isLetterOrDigit() || it == '-' || it == '_') it else '_' }.joinToString("")
            return "opsight-donation-${safe.ifEmpty { "study" }.take(64)}.json"
        }
    }
}
