package org.opsight.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.ZoneId

class TimelineGridTest {
    private val berlin = ZoneId.of("Europe/Berlin")
    private val lastDay = LocalDate.of(2026, 3, 30)

    private fun at(y: Int, mo: Int, d: Int, h: Int, mi: Int = 0, zone: ZoneId = berlin) =
        LocalDateTime.of(y, mo, d, h, mi).atZone(zone).toInstant().toEpochMilli()

    @Test
    fun `events land in their local day and hour`() {
        val events = listOf(
            TimelineEvent("location", at(2026, 3, 30, 23, 59), reject = false, foreground = true),
            TimelineEvent("location", at(2026, 3, 24, 0, 0), reject = false, foreground = false),
        )
        val g = TimelineGridBuilder.build(events, berlin, lastDay, 7)
        assertEquals(LocalDate.of(2026, 3, 24), g.days.first())
        assertEquals(lastDay, g.days.last())
        val row = g.rows.single()
        assertEquals(1, row.cells[6][23].foreground)
        assertEquals(Mark.FOREGROUND, row.cells[6][23].mark)
        assertEquals(Mark.BACKGROUND, row.cells[0][0].mark)
        assertEquals(2, row.total)
    }

    @Test
    fun `a row sums its accesses, background ones and refusals apart`() {
        val events = listOf(
            TimelineEvent("contacts", at(2026, 3, 30, 10), reject = false, foreground = true),
            TimelineEvent("contacts", at(2026, 3, 29, 3), reject = false, foreground = false),
            TimelineEvent("contacts", at(2026, 3, 29, 4), reject = false, foreground = false),
            TimelineEvent("contacts", at(2026, 3, 28, 5), reject = true, foreground = false),
        )
        val row = TimelineGridBuilder.build(events, berlin, lastDay, 7).rows.single()
        assertEquals(listOf(3, 2, 1, 4), listOf(row.accesses, row.background, row.rejects, row.total))
    }

    @Test
    fun `hours follow the zone across the DST change`() {
        // 2026-03-29 is the spring change in Berlin: 02:00 local does not exist; 01:30 UTC is 03:30 CEST.
        val utc = LocalDateTime.of(2026, 3, 29, 1, 30).atZone(ZoneId.of("UTC")).toInstant().toEpochMilli()
        val g = TimelineGridBuilder.build(listOf(TimelineEvent("camera", utc, false, true)), berlin, lastDay, 7)
        assertEquals(1, g.rows.single().cells[5][3].foreground)
    }

    @Test
    fun `events outside the days are left out`() {
        val events = listOf(
            TimelineEvent("sms", at(2026, 3, 31, 0, 0), false, true),
            TimelineEvent("sms", at(2026, 3, 23, 23, 59), false, true),
        )
        assertTrue(TimelineGridBuilder.build(events, berlin, lastDay, 7).rows.isEmpty())
    }

    @Test
    fun `rows follow the sensitivity order, unknown types last`() {
        val t = at(2026, 3, 30, 12)
        val events = listOf("clipboard", "zz_new", "location", "contacts", "other").map { TimelineEvent(it, t, false, null) }
        val g = TimelineGridBuilder.build(events, berlin, lastDay, 1)
        assertEquals(listOf("location", "contacts", "clipboard", "other", "zz_new"), g.rows.map { it.infoType })
    }

    @Test
    fun `background wins over foreground in a cell, rejects are counted apart`() {
        val t = at(2026, 3, 30, 8, 10)
        val events = listOf(
            TimelineEvent("microphone", t, false, true),
            TimelineEvent("microphone", t + 60_000, false, false),
            TimelineEvent("microphone", t + 120_000, true, false),
        )
        val cell = TimelineGridBuilder.build(events, berlin, lastDay, 1).rows.single().cells[0][8]
        assertEquals(Cell(foreground = 1, background = 1, unknown = 0, rejects = 1), cell)
        assertEquals(Mark.BACKGROUND, cell.mark)
    }

    @Test
    fun `marks for unknown state and denied-only cells`() {
        assertEquals(Mark.UNKNOWN, Cell(unknown = 2).mark)
        assertEquals(Mark.REJECT_ONLY, Cell(rejects = 1).mark)
        assertEquals(Mark.NONE, Cell().mark)
    }

    @Test
    fun `days must be positive`() {
        assertThrows(IllegalArgumentException::class.java) { TimelineGridBuilder.build(emptyList(), berlin, lastDay, 0) }
    }
}
