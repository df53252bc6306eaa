package org.opsight.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class UsageIntervalsTest {
    private fun fg(pkg: String, t: Long, cls: String? = "A") = UsageEvent(pkg, cls, t, foreground = true)
    private fun bg(pkg: String, t: Long, cls: String? = "A") = UsageEvent(pkg, cls, t, foreground = false)

    @Test
    fun `event types map to foreground and background`() {
        assertEquals(true, UsageIntervals.foregroundOf(1))
        assertEquals(false, UsageIntervals.foregroundOf(2))
        assertNull(UsageIntervals.foregroundOf(23))
        assertNull(UsageIntervals.foregroundOf(5))
    }

    @Test
    fun `resume then pause is one interval`() {
        val r = UsageIntervals.build(listOf(fg("a", 100), bg("a", 200)), 0, 1000)
        assertEquals(mapOf("a" to listOf(Interval(100, 200))), r)
    }

    @Test
    fun `switching activities inside an app keeps one interval`() {
        val events = listOf(fg("a", 100, "A"), fg("a", 150, "B"), bg("a", 151, "A"), bg("a", 300, "B"))
        assertEquals(listOf(Interval(100, 300)), UsageIntervals.build(events, 0, 1000)["a"])
    }

    @Test
    fun `pause then resume of the next activity (the usual order) merges into one interval`() {
        val events = listOf(fg("a", 100, "A"), bg("a", 150, "A"), fg("a", 150, "B"), bg("a", 300, "B"))
        assertEquals(listOf(Interval(100, 300)), UsageIntervals.build(events, 0, 1000)["a"])
    }

    @Test
    fun `an app open at the window's start or end is cut at the window`() {
        val r = UsageIntervals.build(listOf(bg("a", 100), fg("b", 900)), 50, 1000)
        assertEquals(listOf(Interval(50, 100)), r["a"])
        assertEquals(listOf(Interval(900, 1000)), r["b"])
    }

    @Test
    fun `a stray pause after a complete interval is ignored`() {
        val r = UsageIntervals.build(listOf(fg("a", 100), bg("a", 200), bg("a", 300, "Z")), 0, 1000)
        assertEquals(listOf(Interval(100, 200)), r["a"])
    }

    @Test
    fun `packages are kept apart and events need not arrive sorted`() {
        val r = UsageIntervals.build(listOf(bg("b", 400), fg("a", 100), fg("b", 300), bg("a", 200)), 0, 1000)
        assertEquals(listOf(Interval(100, 200)), r["a"])
        assertEquals(listOf(Interval(300, 400)), r["b"])
    }

    @Test
    fun `empty intervals are dropped and null class names work`() {
        val r = UsageIntervals.build(listOf(fg("a", 100, null), bg("a", 100, null), fg("a", 500, null), bg("a", 600, null)), 0, 1000)
        assertEquals(listOf(Interval(500, 600)), r["a"])
    }

    @Test
    fun `merge joins overlapping and touching intervals`() {
        val merged = UsageIntervals.merge(listOf(Interval(50, 60), Interval(0, 10), Interval(10, 20), Interval(15, 30)))
        assertEquals(listOf(Interval(0, 30), Interval(50, 60)), merged)
    }

    @Test
    fun `every interval is well formed`() {
        val events = (0 until 200).map { i -> UsageEvent("p${i % 3}", "c${i % 5}", (i * 7919L) % 1000, i % 2 == 0) }
        for ((_, list) in UsageIntervals.build(events, 0, 1000)) {
            list.forEach { assertTrue(it.beginMs < it.endMs && it.beginMs >= 0 && it.endMs <= 1000, "$it") }
            list.zipWithNext().forEach { (x, y) -> assertTrue(x.endMs < y.beginMs, "$x $y") }
        }
    }
}
