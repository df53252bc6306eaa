package org.opsight.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

class AppOrderingTest {
    private fun app(pkg: String, label: String? = null, system: Boolean = false, last: Long? = null) =
        AppSummary(pkg, label, null, system, last, last?.let { "location" })

    private fun concern(pkg: String, score: Int, findings: Int = 1) =
        Concern(pkg, null, score, "summary of $pkg", "high", findings)

    @Test
    fun `apps with findings come first, in the core's order, even when it is not by score here`() {
        val rows = AppOrdering.rows(
            listOf(concern("b", 14), concern("a", 14), concern("c", 1)),
            listOf(app("a", "A"), app("b", "B"), app("c", "C"), app("d", "D", last = 5)),
        )
        assertEquals(listOf("b", "a", "c", "d"), rows.map { it.packageName })
        assertEquals("A", rows[1].label)
    }

    @Test
    fun `then the other apps in the core's order, not sorted again`() {
        // The core orders them (most recent sensitive access first, then by label); an order that is not that one
        // here shows the shell keeps it.
        val rows = AppOrdering.rows(
            emptyList(),
            listOf(app("x", "Zeta"), app("old", last = 10), app("y", "alpha"), app("new", last = 20)),
        )
        assertEquals(listOf("x", "old", "y", "new"), rows.map { it.packageName })
    }

    @Test
    fun `quiet system apps are hidden unless asked for`() {
        val apps = listOf(app("sys.quiet", system = true), app("sys.loud", system = true, last = 1), app("user"))
        assertEquals(listOf("sys.loud", "user"), AppOrdering.rows(emptyList(), apps).map { it.packageName })
        assertEquals(3, AppOrdering.rows(emptyList(), apps, includeQuietSystemApps = true).size)
    }

    @Test
    fun `a system app with a finding is listed`() {
        val rows = AppOrdering.rows(listOf(concern("sys", 4)), listOf(app("sys", system = true)))
        assertEquals(listOf("sys"), rows.map { it.packageName })
    }

    @Test
    fun `apps ranked without findings fall back to the plain order and labels fall back to the package`() {
        val rows = AppOrdering.rows(listOf(concern("a", 0, findings = 0)), listOf(app("a", "  ")))
        assertEquals("a", rows.single().label)
        assertNull(rows.single().summary)
    }

    @Test
    fun `an app known only from findings is still listed`() {
        val rows = AppOrdering.rows(listOf(concern("gone", 10)), emptyList())
        assertEquals("gone", rows.single().label)
    }

    @Test
    fun `top severity is the most serious one`() {
        assertEquals("high", AppOrdering.topSeverity(listOf("low", "high", "medium")))
        assertEquals("low", AppOrdering.topSeverity(listOf("info", "low")))
        assertNull(AppOrdering.topSeverity(emptyList()))
    }
}
