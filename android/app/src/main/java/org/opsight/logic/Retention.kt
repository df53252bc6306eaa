package org.opsight.logic

/**
 * How long the store keeps detail (docs/store.md, "Retention"): individual events for [rawDays], then hourly counts
 * until [hourlyDays], then daily counts for ever.
 */
data class Retention(val rawDays: Int, val hourlyDays: Int) {
    companion object {
        const val DEFAULT_RAW_DAYS = 90
        const val DEFAULT_HOURLY_DAYS = 730
        const val MAX_DAYS = 36_500

        val DEFAULT = Retention(DEFAULT_RAW_DAYS, DEFAULT_HOURLY_DAYS)

        /**
         * What the settings screen stores from what the user typed: blank or unreadable fields keep the current
         * value, raw days are at least 1, and hourly days at least raw days (the core would treat less as equal).
         */
        fun fromInput(rawText: String, hourlyText: String, current: Retention): Retention {
            val raw = (rawText.trim().toIntOrNull() ?: current.rawDays).coerceIn(1, MAX_DAYS)
            val hourly = (hourlyText.trim().toIntOrNull() ?: current.hourlyDays).coerceIn(raw, MAX_DAYS)
            return Retention(raw, hourly)
        }
    }
}
