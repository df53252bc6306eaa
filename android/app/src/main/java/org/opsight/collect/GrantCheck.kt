package org.opsight.collect

import android.Manifest
import android.app.AppOpsManager
import android.content.Context
import android.content.pm.PackageManager
import android.os.Process
import org.opsight.logic.Grants
import org.opsight.logic.Setup

/** What is granted now. Cheap (no I/O beyond two binder calls): fine on the main thread. */
object GrantCheck {
    fun grants(context: Context): Grants = Grants(dump = hasDump(context), usageAccess = hasUsageAccess(context))

    /** `android.permission.DUMP`, granted with `adb shell pm grant` (a development permission). */
    fun hasDump(context: Context): Boolean =
        context.checkSelfPermission(Setup.DUMP_PERMISSION) == PackageManager.PERMISSION_GRANTED

    /**
     * Usage access is the app op `GET_USAGE_STATS`, switched in Settings → Usage access. Its default mode defers to
     * the `PACKAGE_USAGE_STATS` permission itself (granted on some builds by adb).
     */
    fun hasUsageAccess(context: Context): Boolean {
        val appOps = context.getSystemService(AppOpsManager::class.java) ?: return false
        // Deprecated on the newest releases in favour of attribution-source variants; for the app's own uid and
        // package this is still the documented check (API 29+).
        @Suppress("DEPRECATION")
        val mode = appOps.unsafeCheckOpNoThrow(AppOpsManager.OPSTR_GET_USAGE_STATS, Process.myUid(), context.packageName)
        return if (mode == AppOpsManager.MODE_DEFAULT) {
            context.checkSelfPermission(Manifest.permission.PACKAGE_USAGE_STATS) == PackageManager.PERMISSION_GRANTED
        } else {
            mode == AppOpsManager.MODE_ALLOWED
        }
    }
}
