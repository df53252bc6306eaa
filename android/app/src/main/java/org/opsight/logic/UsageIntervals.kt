package org.opsight.logic

/** An interval `[beginMs, endMs]` the app was in the foreground (UTC epoch ms). */
data class Interval(val beginMs: Long, val endMs: Long)

/** One `UsageEvents.Event` reduced to what intervals need. [className] tells apart several activities of one app. */
data class UsageEvent(val packageName: String, val className: String?, val timeMs: Long, val foreground: Boolean)

/** Usage events → foreground intervals per package (the inventory's `usage`). */
object UsageIntervals {
    /** `UsageEvents.Event.ACTIVITY_RESUMED`, which is also the older `MOVE_TO_FOREGROUND`. */
    const val ACTIVITY_RESUMED = 1

    /** `UsageEvents.Event.ACTIVITY_PAUSED`, which is also the older `MOVE_TO_BACKGROUND`. */
    const val ACTIVITY_PAUSED = 2

    /** `true` for a foreground event type, `false` for a background one, `null` for every other type. */
    fun foregroundOf(eventType: Int): Boolean? = when (eventType) {
        ACTIVITY_RESUMED -> true
        ACTIVITY_PAUSED -> false
        else -> null
    }

    /**
     * The intervals each package spent in the foreground within `[windowBeginMs, windowEndMs]`.
     *
     * An app is in the foreground while at least one of its activities is resumed (multi-window resumes several).
     * An app whose first event in the window is a pause was already in the foreground at the window's start; one
     * still resumed at the end is in the foreground until the window's end. A pause for an activity that was never
     * resumed later in the window is ignored. Overlapping and touching intervals are merged; empty ones dropped.
     */
    fun build(events: List<UsageEvent>, windowBeginMs: Long, windowEndMs: Long): Map<String, List<Interval>> {
        val open = HashMap<String, MutableSet<String>>()
        val openSince = HashMap<String, Long>()
        val seen = HashSet<String>()
        val out = HashMap<String, MutableList<Interval>>()

        fun emit(pkg: String, begin: Long, end: Long) {
            if (end > begin) out.getOrPut(pkg) { mutableListOf() }.add(Interval(begin, end))
        }

        for (e in events.sortedBy { it.timeMs }) {
            val t = e.timeMs.coerceIn(windowBeginMs, windowEndMs)
            val activity = e.className ?: ""
            val resumed = open.getOrPut(e.packageName) { mutableSetOf() }
            val first = seen.add(e.packageName)
            if (e.foreground) {
                if (resumed.isEmpty()) openSince[e.packageName] = t
                resumed.add(activity)
            } else if (resumed.remove(activity)) {
                if (resumed.isEmpty()) emit(e.packageName, openSince.remove(e.packageName) ?: t, t)
            } else if (first && resumed.isEmpty()) {
                emit(e.packageName, windowBeginMs, t)
            }
        }
        for ((pkg, since) in openSince) emit(pkg, since, windowEndMs)
        return out.mapValues { (_, intervals) -> merge(intervals) }
    }

    /** Sorts and merges overlapping or touching intervals. */
    fun merge(intervals: List<Interval>): List<Interval> {
        val merged = mutableListOf<Interval>()
        for (i in intervals.sortedBy { it.beginMs }) {
            val last = merged.lastOrNull()
            if (last != null && i.beginMs <= last.endMs) {
                merged[merged.size - 1] = Interval(last.beginMs, maxOf(last.endMs, i.endMs))
            } else {
                merged.add(i)
            }
        }
        return merged
    }
}
