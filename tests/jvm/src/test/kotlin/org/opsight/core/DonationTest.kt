package org.opsight.core

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import org.opsight.core.TestSupport.A10_CAPTURED_AT
import org.opsight.core.TestSupport.A10_ZONE
import org.opsight.core.TestSupport.json
import java.io.File

/** previewDonation, exportDonation and categories through the same class the app uses. */
class DonationTest {
    @TempDir
    lateinit var dir: File

    private val manifest = """
        {"study_id": "a10-2022", "title": "Phone identity reads", "researcher": "Dr. R", "contact": "r@example.org",
         "purpose": "Count reads of phone identity", "info_types": ["phone_identity", "contacts"],
         "granularity": "day", "level": "daily_counts", "app_identity": "package",
         "from": "2022-03-01", "to": "2022-03-31", "min_count": 1, "retention": "one year"}
    """.trimIndent()

    @Test
    fun `the preview shows what the export then writes, minus exclusions`() {
        Opsight(File(dir, "opsight.db").path).use { db ->
            db.ingestDump(TestSupport.a10.readBytes(), A10_CAPTURED_AT, A10_ZONE)
            val preview = json(db.previewDonation(manifest))
            assertEquals(1, preview.getInt("opsight_donation_preview"))
            val rows = preview.getJSONArray("rows")
            assertTrue(rows.length() > 0)
            val first = rows.getJSONObject(0)
            val id = first.getString("row_id")
            assertTrue(id.startsWith("r-"), id)

            // Nothing leaves unreviewed: the export needs the preview's review code.
            val unreviewed = assertThrows<OpsightException> { db.exportDonation(manifest, "") }
            assertTrue(unreviewed.message!!.contains("review it first"), unreviewed.message)
            assertEquals("donation_not_reviewed", unreviewed.kind, "the app's own words in the user's language")
            val code = preview.getString("review_code")
            val reviewed = """{"reviewed": "$code"}"""
            val bundle = JSONObject(String(db.exportDonation(manifest, reviewed), Charsets.UTF_8))
            assertEquals(1, bundle.getInt("opsight_donation"))
            assertEquals(rows.length(), bundle.getJSONArray("rows").length())
            assertTrue(bundle.getString("checksum").startsWith("sha256:"))
            assertEquals(first.getJSONObject("leaves").toString(), bundle.getJSONArray("rows").getJSONObject(0).toString())

            val excluded =
                JSONObject(String(db.exportDonation(manifest, """{"rows": ["$id"], "reviewed": "$code"}"""), Charsets.UTF_8))
            assertEquals(rows.length() - 1, excluded.getJSONArray("rows").length())
            assertEquals(1, excluded.getJSONObject("exclusions").getInt("rows"))
            assertNotEquals(bundle.getString("donation_id"), excluded.getString("donation_id"))
            assertFalse(String(db.exportDonation(manifest, reviewed), Charsets.UTF_8).contains("Europe/Berlin"))
            // Accesses stored after the review: the code no longer matches, and nothing leaves.
            val later = "Uid u0a250:\n  Package org.example.later:\n    READ_CONTACTS (allow):\n      null=[\n" +
                "        Access: [fg-s] 2022-03-30 10:00:00.000 (-1m0s0ms)\n      ]\n"
            db.ingestDump(later.toByteArray(), A10_CAPTURED_AT + 86_400_000, A10_ZONE)
            val stale = assertThrows<OpsightException> { db.exportDonation(manifest, reviewed) }
            assertTrue(stale.message!!.contains("changed since it was reviewed"), stale.message)
            assertEquals("donation_changed", stale.kind)
        }
    }

    @Test
    fun `bad manifests and exclusions throw without echoing them`() {
        Opsight(File(dir, "opsight.db").path).use { db ->
            val bad = manifest.replace("\"day\"", "\"minute\"")
            val e = assertThrows<OpsightException> { db.previewDonation(bad) }
            assertFalse(e.message!!.contains("Dr. R"), e.message)
            assertEquals("invalid_input", e.kind)
            assertThrows<OpsightException> { db.exportDonation(manifest, "[1]") }
            assertThrows<OpsightException> { db.exportDonation("{", "") }
        }
    }

    @Test
    fun `categories lists the 39 kinds in both languages`() {
        val en = json(Opsight.categories("en")).getJSONArray("categories")
        val zh = json(Opsight.categories("zh-CN")).getJSONArray("categories")
        assertEquals(39, en.length())
        assertEquals("online_video_music", en.getJSONObject(27).getString("id"))
        assertEquals("在线影音类", zh.getJSONObject(27).getString("name"))
        assertThrows<OpsightException> { Opsight.categories("fr") }
    }
}
