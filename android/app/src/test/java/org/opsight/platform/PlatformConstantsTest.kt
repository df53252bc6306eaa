package org.opsight.platform

import android.app.usage.UsageEvents
import android.content.pm.ApplicationInfo
import android.content.pm.PackageInfo
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.opsight.logic.AppCategories
import org.opsight.logic.Permissions
import org.opsight.logic.UsageEventTypes

/**
 * The pure logic repeats a few platform constants so it can run without Android; this holds them to the real
 * framework's values. Compile-time constants: the compiler inlines them, so no Android class loads at run time.
 */
class PlatformConstantsTest {
    @Test
    fun `application categories`() {
        assertEquals(ApplicationInfo.CATEGORY_UNDEFINED, AppCategories.UNDEFINED)
        assertEquals(ApplicationInfo.CATEGORY_GAME, AppCategories.GAME)
        assertEquals(ApplicationInfo.CATEGORY_AUDIO, AppCategories.AUDIO)
        assertEquals(ApplicationInfo.CATEGORY_VIDEO, AppCategories.VIDEO)
        assertEquals(ApplicationInfo.CATEGORY_IMAGE, AppCategories.IMAGE)
        assertEquals(ApplicationInfo.CATEGORY_SOCIAL, AppCategories.SOCIAL)
        assertEquals(ApplicationInfo.CATEGORY_NEWS, AppCategories.NEWS)
        assertEquals(ApplicationInfo.CATEGORY_MAPS, AppCategories.MAPS)
        assertEquals(ApplicationInfo.CATEGORY_PRODUCTIVITY, AppCategories.PRODUCTIVITY)
        assertEquals(ApplicationInfo.CATEGORY_ACCESSIBILITY, AppCategories.ACCESSIBILITY)
    }

    @Test
    fun `usage event types`() {
        assertEquals(UsageEvents.Event.ACTIVITY_RESUMED, UsageEventTypes.ACTIVITY_RESUMED)
        assertEquals(UsageEvents.Event.ACTIVITY_PAUSED, UsageEventTypes.ACTIVITY_PAUSED)
        @Suppress("DEPRECATION")
        assertEquals(UsageEvents.Event.MOVE_TO_FOREGROUND, UsageEventTypes.ACTIVITY_RESUMED)
        @Suppress("DEPRECATION")
        assertEquals(UsageEvents.Event.MOVE_TO_BACKGROUND, UsageEventTypes.ACTIVITY_PAUSED)
    }

    @Test
    fun `granted flag`() {
        assertEquals(PackageInfo.REQUESTED_PERMISSION_GRANTED, Permissions.REQUESTED_PERMISSION_GRANTED)
    }
}
