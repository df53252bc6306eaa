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
)

/** The usage event types the core turns into foreground intervals (docs/inventory.md, `usage_events`). */
object UsageEventTypes {
    /** `UsageEvents.Event.ACTIVITY_RESUMED`, which is also the older `MOVE_TO_FOREGROUND`. */
    const val ACTIVITY_RESUMED = 1

    /** `UsageEvents.Event.ACTIVITY_PAUSED`, which is also the older `MOVE_TO_BACKGROUND`. */
    const val ACTIVITY_PAUSED = 2
}

/** One `UsageEvents.Event`, as the platform gave it. [className] tells apart several activities of one app. */
data class UsageEvent(val packageName: String, val className: String?, val timeMs: Long, val type: Int)

/** The usage events of the window `[beginMs, endMs]` queried. */
data class UsageWindow(val beginMs: Long, val endMs: Long, val events: List<UsageEvent>)

/** Builds the `opsight_inventory` 1 document `Opsight.ingestPackages` reads (docs/inventory.md). */
object InventoryJson {
    const val VERSION = 1

    fun write(device: DeviceInfo, capturedAtMs: Long, packages: List<PackageRecord>, usage: UsageWindow? = null): String {
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
                .endObject()
        }
        w.endArray()
        if (usage != null) {
            // As the platform gave them: the core decides when an app was in the foreground.
            w.name("usage_events").beginObject()
                .field("begin_ms", usage.beginMs)
                .field("end_ms", usage.endMs)
                .name("events").beginArray()
            for (e in usage.events) {
                w.beginObject()
                    .field("package", e.packageName)
                    .field("class", e.className)
                    .field("time_ms", e.timeMs)
                    .field("type", e.type)
                    .endObject()
            }
            w.endArray().endObject()
        }
        return w.endObject().toString()
    }
}
