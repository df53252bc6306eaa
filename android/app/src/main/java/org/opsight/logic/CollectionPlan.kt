package org.opsight.logic

/**
 * What the user has granted Opsight. Both are granted outside the app: `DUMP` only from a computer
 * (`adb shell pm grant org.opsight android.permission.DUMP`), usage access in the system settings.
 */
data class Grants(val dump: Boolean, val usageAccess: Boolean) {
    /**
     * Full mode reads AppOps. The appops service checks both the `DUMP` permission and usage access before it
     * prints anything, so one without the other is not enough.
     */
    val mode: Mode get() = if (dump && usageAccess) Mode.FULL else Mode.INVENTORY_ONLY
}

enum class Mode {
    /** AppOps dumps, package inventory and usage: timelines and findings. */
    FULL,

    /** Package inventory only (plus usage when usage access is granted): granted permissions and categories. */
    INVENTORY_ONLY,
}

/**
 * One collection run: the `dumpsys appops` argument lists to dump (each one dump, ingested on its own), and whether
 * to take the package inventory, read usage events and apply retention.
 */
data class CollectionPlan(
    val dumps: List<List<String>>,
    val inventory: Boolean,
    val usage: Boolean,
    val retention: Boolean,
)

object CollectionPlanner {
    /** First release whose appops dump takes `--include-discrete` and `--history` (Android 12). */
    const val DISCRETE_AND_HISTORY_SDK = 31

    /**
     * The dumps to take on Android [sdkInt]: the plain dump on every version; on Android 12+ also the discrete
     * accesses (`--include-discrete 0`: 0 is "no limit") and the aggregate history (`--history`), each a separate
     * call because the newest releases print `--history` as a mode of its own.
     */
    fun dumpArgs(sdkInt: Int): List<List<String>> = buildList {
        add(emptyList())
        if (sdkInt >= DISCRETE_AND_HISTORY_SDK) {
            add(listOf("--include-discrete", "0"))
            add(listOf("--history"))
        }
    }

    fun plan(sdkInt: Int, grants: Grants): CollectionPlan = CollectionPlan(
        dumps = if (grants.mode == Mode.FULL) dumpArgs(sdkInt) else emptyList(),
        inventory = true,
        usage = grants.usageAccess,
        retention = true,
    )
}

/** The onboarding's texts that are not translations. */
object Setup {
    const val DUMP_PERMISSION = "android.permission.DUMP"

    /** The one command to run from a computer with the phone on adb (USB debugging on). */
    fun adbGrantCommand(packageName: String): String = "adb shell pm grant $packageName $DUMP_PERMISSION"
}
