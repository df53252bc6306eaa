package org.opsight.logic

/** An app as the core's `findings` document ranks it (`apps[]`), in the core's order of concern. */
data class Concern(
    val packageName: String,
    val label: String?,
    val score: Int,
    val summary: String?,
    /** The most serious finding's severity (`high`, `medium`, `low`, `info`), `null` with no finding. */
    val topSeverity: String?,
    val findingCount: Int,
)

/** An app as the core's `apps` document lists it. */
data class AppSummary(
    val packageName: String,
    val label: String?,
    val category: String?,
    val system: Boolean,
    val lastSensitiveMs: Long?,
    val lastSensitiveInfoType: String?,
)

/** One line of the app list. */
data class AppRow(
    val packageName: String,
    val label: String,
    val system: Boolean,
    val score: Int,
    val summary: String?,
    val topSeverity: String?,
    val lastSensitiveMs: Long?,
    val lastSensitiveInfoType: String?,
)

/**
 * Lays out the app list from the core's two orders: apps with findings first, in the order of the core's `findings`
 * document (by concern score), then the other apps in the order of its `apps` document (most recent sensitive access
 * first, then by label). Nothing is re-sorted here. System apps are listed only when they have a finding or a
 * sensitive access (a phone has hundreds that never do), unless [includeQuietSystemApps].
 */
object AppOrdering {
    fun rows(concerns: List<Concern>, apps: List<AppSummary>, includeQuietSystemApps: Boolean = false): List<AppRow> {
        val byPackage = apps.associateBy { it.packageName }
        val ranked = concerns.filter { it.findingCount > 0 }
        val rankedPackages = ranked.map { it.packageName }.toHashSet()
        val first = ranked.map { c ->
            val a = byPackage[c.packageName]
            AppRow(
                packageName = c.packageName,
                label = labelOf(c.label ?: a?.label, c.packageName),
                system = a?.system ?: false,
                score = c.score,
                summary = c.summary,
                topSeverity = c.topSeverity,
                lastSensitiveMs = a?.lastSensitiveMs,
                lastSensitiveInfoType = a?.lastSensitiveInfoType,
            )
        }
        val rest = apps
            .filter { it.packageName !in rankedPackages }
            .filter { includeQuietSystemApps || !it.system || it.lastSensitiveMs != null }
            .map { a ->
                AppRow(
                    packageName = a.packageName,
                    label = labelOf(a.label, a.packageName),
                    system = a.system,
                    score = 0,
                    summary = null,
                    topSeverity = null,
                    lastSensitiveMs = a.lastSensitiveMs,
                    lastSensitiveInfoType = a.lastSensitiveInfoType,
                )
            }
        return first + rest
    }

    private fun labelOf(label: String?, packageName: String): String =
        label?.takeIf { it.isNotBlank() } ?: packageName

    /** The most serious of [severities] (`high` > `medium` > `low` > `info`), `null` for none. */
    fun topSeverity(severities: List<String>): String? = severities.minByOrNull { SEVERITY_ORDER.indexOf(it).let { i -> if (i < 0) SEVERITY_ORDER.size else i } }

    val SEVERITY_ORDER = listOf("high", "medium", "low", "info")
}
