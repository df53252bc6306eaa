package org.opsight.logic

/**
 * `ApplicationInfo.category` → the name the inventory uses (docs/inventory.md). The numbers are the platform's
 * `ApplicationInfo.CATEGORY_*` constants, checked against the real framework by `PlatformConstantsTest`.
 */
object AppCategories {
    const val UNDEFINED = -1
    const val GAME = 0
    const val AUDIO = 1
    const val VIDEO = 2
    const val IMAGE = 3
    const val SOCIAL = 4
    const val NEWS = 5
    const val MAPS = 6
    const val PRODUCTIVITY = 7
    const val ACCESSIBILITY = 8

    /** The inventory's name for [category]; `null` for undefined and for values a newer Android may add. */
    fun name(category: Int): String? = when (category) {
        GAME -> "game"
        AUDIO -> "audio"
        VIDEO -> "video"
        IMAGE -> "image"
        SOCIAL -> "social"
        NEWS -> "news"
        MAPS -> "maps"
        PRODUCTIVITY -> "productivity"
        ACCESSIBILITY -> "accessibility"
        else -> null
    }
}

/** `PackageInfo.requestedPermissions` + `requestedPermissionsFlags` → the granted ones. */
object Permissions {
    /** `PackageInfo.REQUESTED_PERMISSION_GRANTED`. */
    const val REQUESTED_PERMISSION_GRANTED = 2

    fun granted(requested: Array<String>?, flags: IntArray?): List<String> {
        if (requested == null || flags == null) return emptyList()
        return requested.indices
            .filter { it < flags.size && flags[it] and REQUESTED_PERMISSION_GRANTED != 0 }
            .map { requested[it] }
    }
}
