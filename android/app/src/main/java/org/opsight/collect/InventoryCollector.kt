package org.opsight.collect

import android.app.usage.UsageEvents
import android.app.usage.UsageStatsManager
import android.content.Context
import android.content.pm.ApplicationInfo
import android.content.pm.PackageInfo
import android.content.pm.PackageManager
import android.content.pm.PermissionInfo
import android.os.Build
import org.opsight.logic.AppCategories
import org.opsight.logic.DeviceInfo
import org.opsight.logic.PackageRecord
import org.opsight.logic.Permissions
import org.opsight.logic.UsageEvent
import org.opsight.logic.UsageEventTypes
import org.opsight.logic.UsageWindow
import java.time.ZoneId

/** PackageManager and UsageStatsManager → the shell's plain records. Slow (labels): background only. */
object InventoryCollector {
    fun device(): DeviceInfo = DeviceInfo(
        manufacturer = Build.MANUFACTURER,
        model = Build.MODEL,
        androidVersion = Build.VERSION.RELEASE,
        zone = ZoneId.systemDefault().id,
    )

    /** Every installed package (QUERY_ALL_PACKAGES) with its permissions. */
    fun packages(context: Context): List<PackageRecord> {
        val pm = context.packageManager
        return installed(pm).mapNotNull { pi ->
            val ai = pi.applicationInfo ?: return@mapNotNull null
            val requested = pi.requestedPermissions
            PackageRecord(
                packageName = pi.packageName,
                label = ai.loadLabel(pm).toString(),
                uid = ai.uid,
                category = AppCategories.name(ai.category),
                system = ai.flags and ApplicationInfo.FLAG_SYSTEM != 0,
                firstInstallMs = pi.firstInstallTime,
                lastUpdateMs = pi.lastUpdateTime,
                versionName = pi.versionName,
                requestedPermissions = requested?.toList() ?: emptyList(),
                grantedPermissions = Permissions.granted(requested, pi.requestedPermissionsFlags),
            )
        }
    }

    /** The activity resumes and pauses of `[beginMs, endMs]`; none without usage access. */
    fun usage(context: Context, beginMs: Long, endMs: Long): UsageWindow {
        val out = ArrayList<UsageEvent>()
        val events = context.getSystemService(UsageStatsManager::class.java)?.queryEvents(beginMs, endMs)
        val e = UsageEvents.Event()
        while (events != null && events.hasNextEvent()) {
            if (!events.getNextEvent(e)) break
            // Only what the core reads: the other types (screen, configuration, notification…) are not sent.
            if (e.eventType == UsageEventTypes.ACTIVITY_RESUMED || e.eventType == UsageEventTypes.ACTIVITY_PAUSED) {
                out.add(UsageEvent(e.packageName, e.className, e.timeStamp, e.eventType))
            }
        }
        return UsageWindow(beginMs, endMs, out)
    }

    /**
     * The runtime ("dangerous") permissions [packageName] holds now, as their system labels. [labels] caches each
     * permission's label (`null`: not a runtime permission) across calls for many apps.
     */
    fun grantedRuntimePermissions(
        context: Context,
        packageName: String,
        labels: MutableMap<String, String?> = HashMap(),
    ): List<String> {
        val pm = context.packageManager
        val pi = try {
            packageInfo(pm, packageName)
        } catch (_: PackageManager.NameNotFoundException) {
            return emptyList()
        }
        return Permissions.granted(pi.requestedPermissions, pi.requestedPermissionsFlags)
            .mapNotNull { name ->
                if (name in labels) labels[name] else runtimePermissionLabel(pm, name).also { labels[name] = it }
            }
            .distinct()
            .sorted()
    }

    private fun runtimePermissionLabel(pm: PackageManager, name: String): String? {
        val info = try {
            pm.getPermissionInfo(name, 0)
        } catch (_: PackageManager.NameNotFoundException) {
            return null
        }
        return if (info.protection == PermissionInfo.PROTECTION_DANGEROUS) info.loadLabel(pm).toString() else null
    }

    private fun installed(pm: PackageManager): List<PackageInfo> =
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) {
            pm.getInstalledPackages(PackageManager.PackageInfoFlags.of(PackageManager.GET_PERMISSIONS.toLong()))
        } else {
            @Suppress("DEPRECATION")
            pm.getInstalledPackages(PackageManager.GET_PERMISSIONS)
        }

    private fun packageInfo(pm: PackageManager, packageName: String): PackageInfo =
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) {
            pm.getPackageInfo(packageName, PackageManager.PackageInfoFlags.of(PackageManager.GET_PERMISSIONS.toLong()))
        } else {
            @Suppress("DEPRECATION")
            pm.getPackageInfo(packageName, PackageManager.GET_PERMISSIONS)
        }
}
