package org.opsight.ui

import android.content.Context
import android.content.pm.PackageManager
import android.graphics.drawable.Drawable
import android.text.format.DateUtils
import org.opsight.R

/** Display texts for the core's identifiers. The identifiers themselves never change (docs/op-catalog.md). */
object Labels {
    /** The op catalog's information types, in the order the "who accessed" screen offers them. */
    val INFO_TYPES = listOf(
        "location", "contacts", "call_log", "sms", "phone_identity", "microphone", "camera", "clipboard",
        "storage_media", "calendar", "body_sensors", "physical_activity", "installed_apps", "app_usage",
        "nearby_devices", "notifications", "background_run", "other",
    )

    fun infoType(context: Context, id: String?): String = context.getString(
        when (id) {
            "location" -> R.string.info_location
            "contacts" -> R.string.info_contacts
            "call_log" -> R.string.info_call_log
            "sms" -> R.string.info_sms
            "phone_identity" -> R.string.info_phone_identity
            "microphone" -> R.string.info_microphone
            "camera" -> R.string.info_camera
            "clipboard" -> R.string.info_clipboard
            "storage_media" -> R.string.info_storage_media
            "calendar" -> R.string.info_calendar
            "body_sensors" -> R.string.info_body_sensors
            "physical_activity" -> R.string.info_physical_activity
            "installed_apps" -> R.string.info_installed_apps
            "app_usage" -> R.string.info_app_usage
            "nearby_devices" -> R.string.info_nearby_devices
            "notifications" -> R.string.info_notifications
            "background_run" -> R.string.info_background_run
            else -> R.string.info_other
        },
    )

    fun severity(context: Context, severity: String?): String = context.getString(
        when (severity) {
            "high" -> R.string.severity_high
            "medium" -> R.string.severity_medium
            "low" -> R.string.severity_low
            else -> R.string.severity_info
        },
    )

    fun severityColor(context: Context, severity: String?): Int = context.getColor(
        when (severity) {
            "high" -> R.color.severity_high
            "medium" -> R.color.severity_medium
            "low" -> R.color.severity_low
            else -> R.color.severity_info
        },
    )

    /** "3 hours ago", in the system's language. */
    fun ago(timeMs: Long): CharSequence =
        DateUtils.getRelativeTimeSpanString(timeMs, System.currentTimeMillis(), DateUtils.MINUTE_IN_MILLIS)

    /** The app's icon, or the system's default icon for a package no longer installed. */
    fun icon(context: Context, packageName: String): Drawable = try {
        context.packageManager.getApplicationIcon(packageName)
    } catch (_: PackageManager.NameNotFoundException) {
        context.packageManager.defaultActivityIcon
    }
}
