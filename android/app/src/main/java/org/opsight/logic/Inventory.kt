package org.opsight.logic

/** The inventory's `device` object (docs/inventory.md). */
data class DeviceInfo(
    val manufacturer: String?,
    val model: String?,
    val androidVersion: String?,
    val zone: String?,
)

/** One installed package as PackageManager and UsageStatsManager describe it. */
data class PackageRecord(
    val packageName: String,
    val label: String?,
    val uid: Int?,
    /** Already a name ([AppCategories.name]) or `null`. */
    val category: String?,
    val system: Boolean,
    val firstInstallMs: Long?,
    val lastUpdateMs: Long?,
    val versionName: String?,
    val requestedPermissions: List<String>,
    val grantedPermissions: List<String>,
    val usage: List<Interval>,
)

/** Builds the `opsight_inventory` 1 document `Opsight.ingestPackages` reads (docs/inventory.md). */
object InventoryJson {
    const val VERSION = 1

    fun write(device: DeviceInfo, capturedAtMs: Long, packages: List<PackageRecord>): String {
        val w = JsonWriter().beginObject()
            .field("opsight_inventory", VERSION)
            .name("device").beginObject()
            .field("manufacturer", device.manufacturer)
            .field("model", device.model)
            .field("android_version", device.androidVersion)
            .field("zone", device.zone)
            .endObject()
            .field("captured_at_ms", capturedAtMs)
            .name("packages").beginArray()
        for (p in packages.sortedBy { it.packageName }) {
            w.beginObject()
                .field("package", p.packageName)
                .field("label", p.label)
                .field("uid", p.uid)
                .field("category", p.category)
                .field("system", p.system)
                .field("first_install_ms", p.firstInstallMs)
                .field("last_update_ms", p.lastUpdateMs)
                .field("version_name", p.versionName)
                .stringArray("requested_permissions", p.requestedPermissions)
                .stringArray("granted_permissions", p.grantedPermissions)
                .name("usage").beginArray()
            for (i in p.usage) {
                w.beginObject().field("begin_ms", i.beginMs).field("end_ms", i.endMs).endObject()
            }
            w.endArray().endObject()
        }
        return w.endArray().endObject().toString()
    }
}
