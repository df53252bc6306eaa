package org.opsight.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class SchedulePolicyTest {
    private val hour = 60L * 60 * 1000
    private val now = 1_700_000_000_000L

    @Test
    fun `interval defaults to an hour and is clamped to what JobScheduler allows`() {
        assertEquals(hour, SchedulePolicy.intervalMillis(SchedulePolicy.DEFAULT_INTERVAL_MINUTES))
        assertEquals(15 * 60_000L, SchedulePolicy.intervalMillis(1))
        assertEquals(15 * 60_000L, SchedulePolicy.intervalMillis(-5))
        assertEquals(24 * hour, SchedulePolicy.intervalMillis(100_000))
        assertEquals(hour / 4, SchedulePolicy.flexMillis(hour))
        assertEquals(5 * 60_000L, SchedulePolicy.flexMillis(15 * 60_000L))
    }

    @Test
    fun `every offered interval is within bounds`() {
        for (m in SchedulePolicy.INTERVAL_CHOICES_MINUTES) assertEquals(m, SchedulePolicy.clampMinutes(m))
        assert(SchedulePolicy.DEFAULT_INTERVAL_MINUTES in SchedulePolicy.INTERVAL_CHOICES_MINUTES)
    }

    @Test
    fun `periodic runs skip in battery saver`() {
        assertEquals(Decision.SKIP_POWER_SAVE, SchedulePolicy.decide(Trigger.PERIODIC, true, null, now, hour))
    }

    @Test
    fun `the user's request runs even in battery saver and right after another run`() {
        assertEquals(Decision.RUN, SchedulePolicy.decide(Trigger.USER, true, now - 1000, now, hour))
    }

    @Test
    fun `a periodic run shortly after another one is skipped`() {
        assertEquals(Decision.SKIP_RECENT, SchedulePolicy.decide(Trigger.PERIODIC, false, now - 10 * 60_000, now, hour))
        assertEquals(Decision.RUN, SchedulePolicy.decide(Trigger.PERIODIC, false, now - 31 * 60_000, now, hour))
        assertEquals(Decision.RUN, SchedulePolicy.decide(Trigger.PERIODIC, false, null, now, hour))
    }

    @Test
    fun `a last run in the future (clock set back) does not block collection`() {
        assertEquals(Decision.RUN, SchedulePolicy.decide(Trigger.PERIODIC, false, now + hour, now, hour))
    }

    @Test
    fun `usage window starts a week back, then overlaps the previous one by an hour`() {
        assertEquals(now - SchedulePolicy.USAGE_FIRST_LOOKBACK_MS to now, SchedulePolicy.usageWindow(null, now))
        assertEquals(now - 3 * hour to now, SchedulePolicy.usageWindow(now - 2 * hour, now))
        val longAgo = now - 30L * 24 * hour
        assertEquals(now - SchedulePolicy.USAGE_FIRST_LOOKBACK_MS to now, SchedulePolicy.usageWindow(longAgo, now))
        assertEquals(now - SchedulePolicy.USAGE_FIRST_LOOKBACK_MS to now, SchedulePolicy.usageWindow(now + hour, now))
    }

    @Test
    fun `retention input is sanitized`() {
        val current = Retention(90, 730)
        assertEquals(Retention(30, 365), Retention.fromInput("30", "365", current))
        assertEquals(current, Retention.fromInput("", "abc", current))
        assertEquals(Retention(1, 1), Retention.fromInput("0", "-4", current))
        assertEquals(Retention(200, 200), Retention.fromInput(" 200 ", "100", current))
        assertEquals(Retention(Retention.MAX_DAYS, Retention.MAX_DAYS), Retention.fromInput("99999999", "", current))
    }
}
