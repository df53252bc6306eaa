package org.opsight.app

import android.content.Context
import android.content.SharedPreferences
import org.opsight.logic.Retention
import org.opsight.logic.SchedulePolicy

/** The app's few settings and the collection bookkeeping, in one SharedPreferences file. */
class Prefs(context: Context) {
    private val sp: SharedPreferences = context.getSharedPreferences("opsight", Context.MODE_PRIVATE)

    var intervalMinutes: Int
        get() = SchedulePolicy.clampMinutes(sp.getInt(INTERVAL, SchedulePolicy.DEFAULT_INTERVAL_MINUTES))
        set(value) = sp.edit().putInt(INTERVAL, SchedulePolicy.clampMinutes(value)).apply()

    var retention: Retention
        get() = Retention(
            sp.getInt(RAW_DAYS, Retention.DEFAULT_RAW_DAYS),
            sp.getInt(HOURLY_DAYS, Retention.DEFAULT_HOURLY_DAYS),
        )
        set(value) = sp.edit().putInt(RAW_DAYS, value.rawDays).putInt(HOURLY_DAYS, value.hourlyDays).apply()

    /** When the last collection run finished (UTC ms), `null` before the first. */
    var lastRunMs: Long?
        get() = sp.getLong(LAST_RUN, -1).takeIf { it >= 0 }
        set(value) = sp.edit().putLong(LAST_RUN, value ?: -1).apply()

    /** Where the last usage-events query ended, so the next one continues from there. */
    var usageQueryEndMs: Long?
        get() = sp.getLong(USAGE_END, -1).takeIf { it >= 0 }
        set(value) = sp.edit().putLong(USAGE_END, value ?: -1).apply()

    /** A short account of the last run for the main screen (counts only: no package names, no content). */
    var lastRunSummary: String?
        get() = sp.getString(LAST_SUMMARY, null)
        set(value) = sp.edit().putString(LAST_SUMMARY, value).apply()

    /** List system apps that have neither a finding nor a sensitive access (hundreds on most phones). */
    var showSystemApps: Boolean
        get() = sp.getBoolean(SHOW_SYSTEM, false)
        set(value) = sp.edit().putBoolean(SHOW_SYSTEM, value).apply()

    var setupShown: Boolean
        get() = sp.getBoolean(SETUP_SHOWN, false)
        set(value) = sp.edit().putBoolean(SETUP_SHOWN, value).apply()

    private companion object {
        const val INTERVAL = "interval_minutes"
        const val RAW_DAYS = "retention_raw_days"
        const val HOURLY_DAYS = "retention_hourly_days"
        const val LAST_RUN = "last_run_ms"
        const val USAGE_END = "usage_query_end_ms"
        const val LAST_SUMMARY = "last_run_summary"
        const val SETUP_SHOWN = "setup_shown"
        const val SHOW_SYSTEM = "show_system_apps"
    }
}
