package org.opsight.data

import org.json.JSONArray
import org.json.JSONObject
import org.opsight.logic.AppOrdering
import org.opsight.logic.AppSummary
import org.opsight.logic.Concern
import org.opsight.logic.Cell
import org.opsight.logic.GridRow
import org.opsight.logic.Mark
import org.opsight.logic.TimelineGrid
import java.time.LocalDate

/**
 * Reads the core's JSON documents (docs/json.md) into the shell's types with org.json, the platform's parser.
 * Reading only: no judgement and no reordering happens here; absent values are `null`, as the core writes them.
 */
object CoreJson {
    /** One finding (`opsight_findings` → `apps[].findings[]`). */
    data class Finding(
        val rule: String,
        val severity: String,
        val infoType: String,
        val title: String,
        val explanation: String,
        val advice: String,
        val canSetCategory: Boolean,
        val revokePermissions: List<String>,
    )

    /** One app's part of the findings document. */
    data class AppFindings(
        val packageName: String,
        val label: String?,
        val categoryName: String?,
        val categorySource: String?,
        val score: Int,
        val summary: String?,
        val findings: List<Finding>,
    )

    /** One line of `opsight_who_accessed` → `apps`. */
    data class Accessor(
        val packageName: String,
        val label: String?,
        val access: Long,
        val reject: Long,
        val foreground: Long,
        val background: Long,
        val lastMs: Long?,
    )

    fun findings(doc: String): List<AppFindings> {
        val apps = JSONObject(doc).getJSONArray("apps")
        return objects(apps).map { a ->
            AppFindings(
                packageName = a.getString("package"),
                label = a.stringOrNull("label"),
                categoryName = a.stringOrNull("category_name"),
                categorySource = a.stringOrNull("category_source"),
                score = a.optInt("score", 0),
                summary = a.stringOrNull("summary"),
                findings = objects(a.optJSONArray("findings")).map(::finding),
            )
        }
    }

    private fun finding(f: JSONObject): Finding {
        val actions = objects(f.optJSONArray("actions"))
        return Finding(
            rule = f.getString("rule"),
            severity = f.getString("severity"),
            infoType = f.getString("info_type"),
            title = f.optString("title"),
            explanation = f.optString("explanation"),
            advice = f.optString("advice"),
            canSetCategory = actions.any { it.stringOrNull("kind") == "set_category" },
            revokePermissions = actions
                .filter { it.stringOrNull("kind") == "revoke_permission" }
                .mapNotNull { it.stringOrNull("permission") },
        )
    }

    fun concerns(findings: List<AppFindings>): List<Concern> = findings.map { a ->
        Concern(
            packageName = a.packageName,
            label = a.label,
            score = a.score,
            summary = a.summary,
            topSeverity = AppOrdering.topSeverity(a.findings.map { it.severity }),
            findingCount = a.findings.size,
        )
    }

    fun apps(doc: String): List<AppSummary> = objects(JSONObject(doc).getJSONArray("apps")).map { a ->
        val last = a.optJSONObject("last_sensitive_access")
        AppSummary(
            packageName = a.getString("package"),
            label = a.stringOrNull("label"),
            category = a.stringOrNull("category"),
            system = a.optBoolean("system", false),
            lastSensitiveMs = last?.longOrNull("t"),
            lastSensitiveInfoType = last?.stringOrNull("info_type"),
        )
    }

    /**
     * `opsight_timeline_grid` laid out as days by 24 hours per row; a cell without an hour is the day's count kept
     * per day only ([GridRow.dayOnly]). Cells outside the days or hours are ignored.
     */
    fun timelineGrid(doc: String): TimelineGrid {
        val root = JSONObject(doc)
        val dayArray = root.getJSONArray("days")
        val days = (0 until dayArray.length()).map { LocalDate.parse(dayArray.getString(it)) }
        val rows = objects(root.optJSONArray("rows")).map { r ->
            val cells = Array(days.size) { Array(24) { Cell() } }
            val dayOnly = Array(days.size) { Cell() }
            for (c in objects(r.optJSONArray("cells"))) {
                val day = c.optInt("day", -1)
                if (day !in days.indices) continue
                val cell = Cell(
                    foreground = c.optLong("foreground", 0),
                    background = c.optLong("background", 0),
                    unknown = c.optLong("unknown_state", 0),
                    rejects = c.optLong("reject", 0),
                    mark = Mark.of(c.stringOrNull("mark")),
                )
                if (c.isNull("hour")) {
                    dayOnly[day] = cell
                } else {
                    val hour = c.optInt("hour", -1)
                    if (hour in 0 until 24) cells[day][hour] = cell
                }
            }
            GridRow(
                infoType = r.optString("info_type", "other"),
                cells = cells.map { it.toList() },
                dayOnly = dayOnly.toList(),
                accesses = r.optLong("access", 0),
                background = r.optLong("background", 0),
                rejects = r.optLong("reject", 0),
            )
        }
        return TimelineGrid(days, rows)
    }

    fun whoAccessed(doc: String): List<Accessor> = objects(JSONObject(doc).getJSONArray("apps")).map { a ->
        Accessor(
            packageName = a.getString("package"),
            label = a.stringOrNull("label"),
            access = a.optLong("access", 0),
            reject = a.optLong("reject", 0),
            foreground = a.optLong("foreground", 0),
            background = a.optLong("background", 0),
            lastMs = a.longOrNull("last_ms"),
        )
    }

    /** `moved_aside` of `openReport()`: the new name of a damaged database set aside, or `null`. */
    fun movedAside(doc: String): String? = JSONObject(doc).stringOrNull("moved_aside")

    private fun objects(array: JSONArray?): List<JSONObject> =
        if (array == null) emptyList() else (0 until array.length()).mapNotNull { array.optJSONObject(it) }

    /** org.json's `optString` turns JSON `null` into the text "null"; this keeps it `null`. */
    private fun JSONObject.stringOrNull(key: String): String? = if (isNull(key)) null else optString(key)

    private fun JSONObject.longOrNull(key: String): Long? = if (isNull(key)) null else optLong(key)

    /** The donation preview (`opsight_donation_preview`, docs/research.md). */
    data class DonationPreview(
        val studyId: String,
        val title: String,
        val researcher: String,
        val contact: String,
        val purpose: String,
        val retention: String,
        val infoTypes: List<String>,
        val fields: List<String>,
        val rows: List<PreviewRow>,
        val suppressedGroups: Int,
        /** Given back with the exclusions to export exactly what this preview shows. */
        val reviewCode: String,
    )

    /** One row: its id, the app (the donor's eyes only) and exactly what leaves, as compact JSON text. */
    data class PreviewRow(val rowId: String, val packageName: String, val label: String?, val leaves: String)

    fun donationPreview(text: String): DonationPreview {
        val doc = JSONObject(text)
        val m = doc.getJSONObject("manifest")
        val rows = doc.getJSONArray("rows")
        return DonationPreview(
            studyId = m.getString("study_id"),
            title = m.getString("title"),
            researcher = m.getString("researcher"),
            contact = m.getString("contact"),
            purpose = m.getString("purpose"),
            retention = m.getString("retention"),
            infoTypes = strings(m.getJSONArray("info_types")),
            fields = strings(doc.getJSONArray("fields")),
            rows = (0 until rows.length()).map { i ->
                val r = rows.getJSONObject(i)
                PreviewRow(r.getString("row_id"), r.getString("package"), r.stringOrNull("label"), r.getJSONObject("leaves").toString())
            },
            suppressedGroups = doc.getJSONArray("suppressed").length(),
            reviewCode = doc.getString("review_code"),
        )
    }

    /** The donation id of an exported bundle, which the donor keeps to withdraw. */
    fun donationId(bundle: String): String = JSONObject(bundle).getString("donation_id")

    private fun strings(a: JSONArray): List<String> = (0 until a.length()).map { a.getString(it) }
}
