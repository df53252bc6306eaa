package org.opsight.logic

import java.time.LocalDate

/** What one hour of one day shows for one information type, as the core counted and marked it. */
data class Cell(
    val foreground: Long = 0,
    val background: Long = 0,
    val unknown: Long = 0,
    val rejects: Long = 0,
    val mark: Mark = Mark.NONE,
)

/** The core's mark of a cell (`opsight_timeline_grid` → `cells[].mark`): the state to notice first. */
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
    ;

    companion object {
        /** The core's name of a mark; `NONE` for a name this version does not know. */
        fun of(name: String?): Mark = when (name) {
            "foreground" -> FOREGROUND
            "background" -> BACKGROUND
            "unknown" -> UNKNOWN
            "reject_only" -> REJECT_ONLY
            else -> NONE
        }
    }
}

/**
 * One row of the timeline: an information type, its days (oldest first) by 24 hours, per day what is known only per
 * day (counts kept per day after retention), and the row's totals as the core summed them.
 */
data class GridRow(
    val infoType: String,
    val cells: List<List<Cell>>,
    val dayOnly: List<Cell>,
    val accesses: Long,
    val background: Long,
    val rejects: Long,
)

/** The core's `opsight_timeline_grid`, laid out for drawing: rows in the core's order. */
data class TimelineGrid(val days: List<LocalDate>, val rows: List<GridRow>)
