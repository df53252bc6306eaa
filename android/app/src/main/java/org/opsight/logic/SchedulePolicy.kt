package org.opsight.logic

/** Why a collection run was asked for. */
enum class Trigger {
    /** The periodic JobScheduler job. */
    PERIODIC,

    /** The user pressed refresh (or finished onboarding). */
    USER,
}

enum class Decision {
    RUN,

    /** Battery saver is on: a periodic run waits for the next period. */
    SKIP_POWER_SAVE,

    /** A run finished less than half an interval ago (a user refresh, say): the periodic run is not needed. */
    SKIP_RECENT,
}

/** When collection runs. JobScheduler does the waiting; this decides the numbers and whether to skip. */
object SchedulePolicy {
    const val DEFAULT_INTERVAL_MINUTES = 60

    /** JobScheduler's shortest period. */
    const val MIN_INTERVAL_MINUTES = 15
    const val MAX_INTERVAL_MINUTES = 24 * 60

    /** What the settings screen offers. */
    val INTERVAL_CHOICES_MINUTES = listOf(15, 30, 60, 180, 360, 720, 1440)

    /** Usage events are kept by Android for about a week; the first run reads that far back. */
    const val USAGE_FIRST_LOOKBACK_MS = 7L * 24 * 60 * 60 * 1000

    /** Later runs re-read the last hour before the previous end, so an app still open then is not cut. */
    const val USAGE_OVERLAP_MS = 60L * 60 * 1000

    fun clampMinutes(minutes: Int): Int = minutes.coerceIn(MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES)

    fun intervalMillis(minutes: Int): Long = clampMinutes(minutes) * 60_000L

    /** JobScheduler's shortest flex window. */
    const val MIN_FLEX_MS = 5L * 60 * 1000

    /**
     * The flex window: the last quarter of the period (at least JobScheduler's 5 minutes), so the system can batch
     * the job with others.
     */
    fun flexMillis(intervalMillis: Long): Long = maxOf(intervalMillis / 4, MIN_FLEX_MS).coerceAtMost(intervalMillis)

    /**
     * Whether to run now. An explicit request always runs; a periodic one skips in battery saver (the job already
     * requires a battery that is not low) and when a run finished less than half an interval ago.
     */
    fun decide(trigger: Trigger, powerSaveMode: Boolean, lastRunMs: Long?, nowMs: Long, intervalMs: Long): Decision {
        if (trigger == Trigger.USER) return Decision.RUN
        if (powerSaveMode) return Decision.SKIP_POWER_SAVE
        if (lastRunMs != null && lastRunMs <= nowMs && nowMs - lastRunMs < intervalMs / 2) return Decision.SKIP_RECENT
        return Decision.RUN
    }

    /**
     * The usage-events window `[begin, end)` for a run at [nowMs], given where the previous one ended. The window
     * starts at most [USAGE_FIRST_LOOKBACK_MS] back, and a clock set back (previous end in the future) starts over.
     */
    fun usageWindow(previousEndMs: Long?, nowMs: Long): Pair<Long, Long> {
        val earliest = nowMs - USAGE_FIRST_LOOKBACK_MS
        val begin = if (previousEndMs == null || previousEndMs > nowMs) {
            earliest
        } else {
            maxOf(earliest, previousEndMs - USAGE_OVERLAP_MS)
        }
        return begin to nowMs
    }
}
