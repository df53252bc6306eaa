package org.opsight.logic

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class InventoryJsonTest {
    private val device = DeviceInfo("samsung", "SM-A105F", "10", "Europe/Berlin")

    private fun record(pkg: String, label: String? = "Label") = PackageRecord(
        packageName = pkg,
        label = label,
        uid = 10103,
        category = AppCategories.name(4),
        system = false,
        firstInstallMs = 1_600_000_000_000,
        lastUpdateMs = null,
        versionName = "360.0",
        requestedPermissions = listOf("android.permission.READ_CONTACTS", "android.permission.READ_PHONE_STATE"),
        grantedPermissions = listOf("android.permission.READ_CONTACTS"),
    )

    @Test
    fun `the document has the shape of docs-inventory-md`() {
        val usage = UsageWindow(
            1_648_500_000_000,
            1_648_589_274_087,
            listOf(UsageEvent("com.facebook.katana", "Main", 1_648_580_000_000, UsageEventTypes.ACTIVITY_RESUMED),
                UsageEvent("com.facebook.katana", null, 1_648_580_600_000, UsageEventTypes.ACTIVITY_PAUSED)),
        )
        val doc = JSONObject(InventoryJson.write(device, 1_648_589_274_087, listOf(record("com.facebook.katana", "Facebook")), usage))
        assertEquals(1, doc.getInt("opsight_inventory"))
        assertEquals(1_648_589_274_087, doc.getLong("captured_at_ms"))
        assertEquals("Europe/Berlin", doc.getJSONObject("device").getString("zone"))
        assertEquals("10", doc.getJSONObject("device").getString("android_version"))
        val p = doc.getJSONArray("packages").getJSONObject(0)
        assertEquals("com.facebook.katana", p.getString("package"))
        assertEquals("Facebook", p.getString("label"))
        assertEquals(10103, p.getInt("uid"))
        assertEquals("social", p.getString("category"))
        assertFalse(p.getBoolean("system"))
        assertEquals(1_600_000_000_000, p.getLong("first_install_ms"))
        assertTrue(p.isNull("last_update_ms"))
        assertEquals(2, p.getJSONArray("requested_permissions").length())
        assertEquals("android.permission.READ_CONTACTS", p.getJSONArray("granted_permissions").getString(0))
        assertFalse(p.has("usage"), "usage goes as events, turned into intervals by the core")
        val window = doc.getJSONObject("usage_events")
        assertEquals(1_648_500_000_000, window.getLong("begin_ms"))
        assertEquals(1_648_589_274_087, window.getLong("end_ms"))
        val events = window.getJSONArray("events")
        assertEquals(2, events.length())
        assertEquals("com.facebook.katana", events.getJSONObject(0).getString("package"))
        assertEquals("Main", events.getJSONObject(0).getString("class"))
        assertEquals(1_648_580_000_000, events.getJSONObject(0).getLong("time_ms"))
        assertEquals(1, events.getJSONObject(0).getInt("type"))
        assertTrue(events.getJSONObject(1).isNull("class"))
        assertFalse(JSONObject(InventoryJson.write(device, 1, emptyList())).has("usage_events"), "none without usage access")
    }

    @Test
    fun `absent values are null, not omitted`() {
        val doc = JSONObject(InventoryJson.write(DeviceInfo(null, null, null, null), 1, listOf(record("a", null).copy(category = null))))
        assertTrue(doc.getJSONObject("device").has("model"))
        assertTrue(doc.getJSONObject("device").isNull("model"))
        val p = doc.getJSONArray("packages").getJSONObject(0)
        assertTrue(p.has("label") && p.isNull("label"))
        assertTrue(p.has("category") && p.isNull("category"))
    }

    @Test
    fun `packages are written in package order`() {
        val doc = JSONObject(InventoryJson.write(device, 1, listOf(record("c"), record("a"), record("b"))))
        val names = (0 until 3).map { doc.getJSONArray("packages").getJSONObject(it).getString("package") }
        assertEquals(listOf("a", "b", "c"), names)
    }

    @Test
    fun `labels with quotes, control characters and non-BMP text survive`() {
        val label = "A \"quoted\" \\ label\n\t\u0001 微信 \uD83D\uDE00"
        val doc = JSONObject(InventoryJson.write(device, 1, listOf(record("a", label))))
        assertEquals(label, doc.getJSONArray("packages").getJSONObject(0).getString("label"))
    }

    @Test
    fun `a lone surrogate becomes a replacement character`() {
        val doc = JSONObject(InventoryJson.write(device, 1, listOf(record("a", "x\uD800y"))))
        assertEquals("x\uFFFDy", doc.getJSONArray("packages").getJSONObject(0).getString("label"))
    }

    @Test
    fun `an empty inventory is still a valid document`() {
        val doc = JSONObject(InventoryJson.write(device, 1, emptyList()))
        assertEquals(0, doc.getJSONArray("packages").length())
    }

    @Test
    fun `the writer nests objects and arrays with commas in the right places`() {
        val s = JsonWriter().beginObject()
            .field("a", 1).name("b").beginArray().value("x").value(null as String?).beginObject().endObject().endArray()
            .field("c", true).endObject().toString()
        assertEquals("""{"a":1,"b":["x",null,{}],"c":true}""", s)
    }
}
