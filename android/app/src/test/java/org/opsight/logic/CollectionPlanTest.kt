package org.opsight.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class CollectionPlanTest {
    private val full = Grants(dump = true, usageAccess = true)

    @Test
    fun `Android 10 and 11 take only the plain dump`() {
        assertEquals(listOf(emptyList<String>()), CollectionPlanner.dumpArgs(29))
        assertEquals(listOf(emptyList<String>()), CollectionPlanner.dumpArgs(30))
    }

    @Test
    fun `Android 12 and later add discrete accesses and history, each its own dump`() {
        val expected = listOf(emptyList(), listOf("--include-discrete", "0"), listOf("--history"))
        for (sdk in listOf(31, 33, 35, 36, 37)) assertEquals(expected, CollectionPlanner.dumpArgs(sdk), "sdk $sdk")
    }

    @Test
    fun `full mode needs both grants`() {
        assertEquals(Mode.FULL, full.mode)
        assertEquals(Mode.INVENTORY_ONLY, Grants(dump = true, usageAccess = false).mode)
        assertEquals(Mode.INVENTORY_ONLY, Grants(dump = false, usageAccess = true).mode)
        assertEquals(Mode.INVENTORY_ONLY, Grants(dump = false, usageAccess = false).mode)
    }

    @Test
    fun `without DUMP no dump is attempted but the inventory still is`() {
        val plan = CollectionPlanner.plan(34, Grants(dump = false, usageAccess = true))
        assertTrue(plan.dumps.isEmpty())
        assertTrue(plan.inventory)
        assertTrue(plan.usage)
        assertTrue(plan.retention)
    }

    @Test
    fun `usage intervals need usage access`() {
        val plan = CollectionPlanner.plan(34, Grants(dump = true, usageAccess = false))
        assertTrue(plan.dumps.isEmpty(), "the appops service refuses DUMP alone")
        assertFalse(plan.usage)
        assertTrue(plan.inventory)
    }

    @Test
    fun `full plan on Android 14`() {
        val plan = CollectionPlanner.plan(34, full)
        assertEquals(3, plan.dumps.size)
        assertTrue(plan.usage)
    }

    @Test
    fun `the adb command grants DUMP to the given package`() {
        assertEquals("adb shell pm grant org.opsight android.permission.DUMP", Setup.adbGrantCommand("org.opsight"))
    }
}
