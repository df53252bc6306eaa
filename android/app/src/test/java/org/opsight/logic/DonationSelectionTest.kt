package org.opsight.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class DonationSelectionTest {
    private val rows = listOf(
        DonationSelection.Row("r-1", "com.tencent.qqmusic"),
        DonationSelection.Row("r-2", "org.example.loans"),
        DonationSelection.Row("r-3", "org.example.loans"),
    )

    @Test
    fun `nothing excluded leaves every row`() {
        val s = DonationSelection(rows, "0123456789abcdef")
        assertEquals(3, s.leaving)
        assertEquals("""{"packages":[],"rows":[],"reviewed":"0123456789abcdef"}""", s.toJson())
        assertEquals(listOf("com.tencent.qqmusic", "org.example.loans"), s.packages)
    }

    @Test
    fun `excluding an app covers its rows, and rows are not listed twice`() {
        val s = DonationSelection(rows, "0123456789abcdef")
        s.toggleRow("r-2")
        s.toggleRow("r-1")
        s.togglePackage("org.example.loans")
        assertTrue(s.isRowExcluded(rows[2]))
        assertEquals(0, s.leaving)
        assertEquals("""{"packages":["org.example.loans"],"rows":["r-1"],"reviewed":"0123456789abcdef"}""", s.toJson())
        s.togglePackage("org.example.loans")
        s.toggleRow("r-1")
        assertFalse(s.isPackageExcluded("org.example.loans"))
        assertEquals("""{"packages":[],"rows":["r-2"],"reviewed":"0123456789abcdef"}""", s.toJson())
        assertEquals(2, s.leaving)
    }

    @Test
    fun `what was removed survives the screen's recreation`() {
        val s = DonationSelection(rows, "0123456789abcdef")
        s.toggleRow("r-1")
        s.togglePackage("org.example.loans")
        val again = DonationSelection(rows, "0123456789abcdef")
        again.restore(s.excludedPackageList, s.excludedRowList + "r-gone")
        assertEquals(s.toJson(), again.toJson())
        assertEquals(listOf("r-1"), again.excludedRowList, "a row id the preview no longer has is dropped")
        val fresh = DonationSelection(rows, "0123456789abcdef")
        fresh.restore(listOf("not.in.preview"), emptyList())
        assertEquals("""{"packages":[],"rows":[],"reviewed":"0123456789abcdef"}""", fresh.toJson())
    }

    @Test
    fun `agreement holds only for the preview agreed to`() {
        assertTrue(DonationSelection.keepsConsent(true, "0123456789abcdef", "0123456789abcdef"))
        assertFalse(DonationSelection.keepsConsent(true, "0123456789abcdef", "fedcba9876543210"), "new data since")
        assertFalse(DonationSelection.keepsConsent(true, null, "0123456789abcdef"), "no code saved")
        assertFalse(DonationSelection.keepsConsent(false, "0123456789abcdef", "0123456789abcdef"))
    }

    @Test
    fun `file names are safe`() {
        assertEquals("opsight-donation-sms-2027.json", DonationSelection.fileName("sms-2027"))
        assertEquals("opsight-donation-a_b_c.json", DonationSelection.fileName("a/b:c"))
        assertEquals("opsight-donation-study.json", DonationSelection.fileName(""))
    }
}
