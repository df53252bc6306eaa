package org.opsight.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

class AppCategoriesTest {
    @Test
    fun `every Android category has the inventory's name`() {
        val expected = mapOf(
            0 to "game", 1 to "audio", 2 to "video", 3 to "image", 4 to "social", 5 to "news", 6 to "maps",
            7 to "productivity", 8 to "accessibility",
        )
        for ((value, name) in expected) assertEquals(name, AppCategories.name(value))
    }

    @Test
    fun `undefined and unknown categories have no name`() {
        assertNull(AppCategories.name(AppCategories.UNDEFINED))
        assertNull(AppCategories.name(9))
        assertNull(AppCategories.name(-2))
    }

    @Test
    fun `granted permissions are those flagged granted`() {
        val requested = arrayOf("a.READ_CONTACTS", "a.CAMERA", "a.INTERNET")
        val flags = intArrayOf(Permissions.REQUESTED_PERMISSION_GRANTED, 0, Permissions.REQUESTED_PERMISSION_GRANTED or 1)
        assertEquals(listOf("a.READ_CONTACTS", "a.INTERNET"), Permissions.granted(requested, flags))
    }

    @Test
    fun `missing or short flag arrays grant nothing beyond them`() {
        assertEquals(emptyList<String>(), Permissions.granted(null, null))
        assertEquals(emptyList<String>(), Permissions.granted(arrayOf("a"), null))
        assertEquals(listOf("a"), Permissions.granted(arrayOf("a", "b"), intArrayOf(2)))
    }
}
