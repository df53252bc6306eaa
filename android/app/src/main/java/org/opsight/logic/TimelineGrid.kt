package org.opsight.logic

import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId

/** One event of the core's timeline (`opsight_timeline` → `events`), reduced to what the grid draws. */
data class TimelineEvent(
    val infoType: String,
    val startMs: Long,
    val reject: Boolean,
    /** The platform's foreground (`top` … `fg`); `null` when the dump did not say. */
    val foreground: Boolean?,
)

/** What one hour of one day shows for one information type. */
data class Cell(val foreground: Int = 0, val background: Int = 0, val unknown: Int = 0, val rejects: Int = 0) {
    val accesses: Int get() = foreground + background + unknown

    /** The mark drawn: background wins over foreground (it is the one to notice); rejects are drawn on top. */
    val mark: Mark
        get() = when {
            background > 0 -> Mark.BACKGROUND
            foreground > 0 -> Mark.FOREGROUND
            unknown > 0 -> Mark.UNKNOWN
            rejects > 0 -> Mark.REJECT_ONLY
            else -> Mark.NONE
        }
}

enum class Mark {
    NONE,

    /** Filled square. */
    FOREGROUND,

    /** Outlined square in the alert colour. */
    BACKGROUND,

    /** Grey filled square: the dump did not say which. */
    UNKNOWN,

    /** Only denied attempts: a cross alone. */
    REJECT_ONLY,
}

/** One row of the timeline: an information type, its days (oldest first) by 24 hours. */
data class GridRow(val infoType: String, val cells: List<List<Cell>>) {
    val total: Int get() = accesses + rejects
    val accesses: Int get() = cells.sumOf { day -> day.sumOf { it.accesses } }
    val background: Int get() = cells.sumOf { day -> day.sumOf { it.background } }
    val rejects: Int get() = cells.sumOf { day -> day.sumOf { it.rejects } }
}

data class TimelineGrid(val days: List<LocalDate>, val rows: List<GridRow>)

object TimelineGridBuilder {
    /** The op catalog's information types, in the order the rows are shown (most sensitive first). */
    val INFO_TYPE_ORDER = listOf(
        "location", "microphone", "camera", "contacts", "call_log", "sms", "phone_identity", "calendar",
        "body_sensors", "physical_activity", "clipboard", "storage_media", "installed_apps", "app_usage",
        "nearby_devices", "notifications", "background_run", "other",
    )

    /**
     * The [days] days ending with [lastDay] (in [zone], so hours are the phone's wall-clock hours, DST included),
     * one row per information type with at least one event in them, ordered by [INFO_TYPE_ORDER] (unknown types
     * last, by name).
     */
    fun build(events: List<TimelineEvent>, zone: ZoneId, lastDay: LocalDate, days: Int): TimelineGrid {
        require(days > 0) { "days must be positive" }
        val first = lastDay.minusDays((days - 1).toLong())
        val dayList = (0 until days).map { first.plusDays(it.toLong()) }
        val grids = HashMap<String, Array<Array<Cell>>>()
        for (e in events) {
            val local = Instant.ofEpochMilli(e.startMs).atZone(zone)
            val day = local.toLocalDate()
            if (day < first || day > lastDay) continue
            val d = (day.toEpochDay() - first.toEpochDay()).toInt()
            val grid = grids.getOrPut(e.infoType) { Array(days) { Array(24) { Cell() } } }
            val c = grid[d][local.hour]
            grid[d][local.hour] = when {
                e.reject -> c.copy(rejects = c.rejects + 1)
                e.foreground == true -> c.copy(foreground = c.foreground + 1)
                e.foreground == false -> c.copy(background = c.background + 1)
                else -> c.copy(unknown = c.unknown + 1)
            }
        }
        val order = { type: String -> INFO_TYPE_ORDER.indexOf(type).let { if (it < 0) INFO_TYPE_ORDER.size else it } }
        val rows = grids.entries
            .sortedWith(compareBy<Map.Entry<String, Array<Array<Cell>>>> { order(it.key) }.thenBy { it.key })
            .map { (type, grid) -> GridRow(type, grid.map { it.toList() }) }
        return TimelineGrid(dayList, rows)
    }
}
