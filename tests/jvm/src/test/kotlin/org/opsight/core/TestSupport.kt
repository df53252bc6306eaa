package org.opsight.core

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertFalse
import java.io.File
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter

/** Fixtures, generated dumps and checks shared by the bridge tests. */
object TestSupport {
    val fixtures: File = File(System.getProperty("opsight.fixtures") ?: "../fixtures/appops")

    /** The Samsung A10 (Android 10) capture: 23 events with zone Europe/Berlin, captured at this instant. */
    val a10: File get() = File(fixtures, "mvt-project-mvt__dumpsys_appops_samsung_a10.txt")
    const val A10_CAPTURED_AT = 1648589274087L
    const val A10_ZONE = "Europe/Berlin"
    const val A10_EVENTS = 23

    private val local = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC)

    /**
     * An Android 10 `dumpsys appops` (zone UTC) with [apps] packages named `<prefix>.p<k>` under uids
     * `u0a<firstApp + k>`, each with [EVENTS_PER_APP] distinct events in the two hours before [capturedAt].
     */
    fun dump(prefix: String, firstApp: Int, apps: Int, capturedAt: Long): ByteArray {
        val out = StringBuilder("Current AppOps Service state:\n")
        for (k in 0 until apps) {
            val app = firstApp + k
            require(app in 0..89_999) { "u0aN covers uids 10000..99999" }
            // Instants differ per app so no two events of a stream coincide whatever the prefix.
            val base = capturedAt - 60_000L - (app % 1000) * 7L
            out.append("  Uid u0a").append(app).append(":\n    state=cch\n")
            out.append("    Package ").append(prefix).append(".p").append(k).append(":\n")
            out.append("      COARSE_LOCATION (allow):\n")
            access(out, "Access: [top-s] ", base - 3_600_000L, capturedAt, " duration=+2s5ms")
            access(out, "Access: [bg-s] ", base - 5_400_000L, capturedAt, "")
            out.append("      READ_CONTACTS (allow):\n")
            access(out, "Access: [bg-s] ", base - 1_800_000L, capturedAt, "")
            out.append("      READ_SMS (ignore):\n")
            access(out, "Reject: [cch-s]", base - 600_000L, capturedAt, "")
        }
        return out.toString().toByteArray(Charsets.UTF_8)
    }

    const val EVENTS_PER_APP = 4

    private fun access(out: StringBuilder, head: String, t: Long, capturedAt: Long, tail: String) {
        out.append("          ").append(head).append(local.format(Instant.ofEpochMilli(t)))
            .append(" (").append(relative(t - capturedAt)).append(")").append(tail).append('\n')
    }

    /** Android's duration format: `-1h30m0s0ms`, `-33s630ms`. */
    fun relative(ms: Long): String {
        val sign = if (ms < 0) "-" else "+"
        var left = kotlin.math.abs(ms)
        val parts = listOf(86_400_000L to "d", 3_600_000L to "h", 60_000L to "m", 1000L to "s")
        val text = StringBuilder(sign)
        var started = false
        for ((unit, name) in parts) {
            val n = left / unit
            left %= unit
            if (n > 0 || started) {
                text.append(n).append(name)
                started = true
            }
        }
        return text.append(left).append("ms").toString()
    }

    fun json(text: String) = JSONObject(text)

    /** Sum of `access` + `reject` over the counts of a `dailyCounts` document. */
    fun dailyTotal(doc: String): Long {
        val counts: JSONArray = JSONObject(doc).getJSONArray("counts")
        return (0 until counts.length()).sumOf { counts.getJSONObject(it).getLong("access") + counts.getJSONObject(it).getLong("reject") }
    }

    /** The message must be there and carry none of [secrets] (paths, package names, dump content). */
    fun assertClean(e: Throwable, vararg secrets: String) {
        val message = e.message ?: ""
        assertFalse(message.isEmpty(), "an exception without a message")
        for (s in secrets) {
            assertFalse(message.contains(s), "message leaks \"$s\": $message")
        }
    }
}
