package org.opsight.core

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout
import org.junit.jupiter.api.io.TempDir
import org.opsight.core.TestSupport.dailyTotal
import org.opsight.core.TestSupport.json
import java.io.File
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong
import kotlin.concurrent.thread

/** One instance from many threads at once, close racing calls, and a dump of more than 20 MB. */
class ConcurrencyAndSizeTest {
    @TempDir
    lateinit var dir: File

    private val soakMillis = (System.getProperty("opsight.soak.seconds")?.toDoubleOrNull() ?: 6.0).times(1000).toLong()

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    fun `8 threads ingest distinct dumps and query together, and the final counts add up`() {
        val threads = 8
        val appsPerDump = 10
        val maxDumpsPerThread = 1000 // uids u0a<t*10000 + i*10 + k> stay distinct and below 90000
        val now = System.currentTimeMillis()
        val newEvents = AtomicLong()
        val ingests = AtomicInteger()
        val queries = AtomicInteger()
        val failures = ConcurrentLinkedQueue<Throwable>()
        Opsight(File(dir, "soak.db").path).use { db ->
            val start = CountDownLatch(1)
            val deadline = System.nanoTime() + soakMillis * 1_000_000
            val workers = (0 until threads).map { t ->
                thread(name = "soak-$t") {
                    try {
                        start.await()
                        var i = 0
                        while (System.nanoTime() < deadline && i < maxDumpsPerThread) {
                            val prefix = "com.soak.t$t.i$i"
                            val dump = TestSupport.dump(prefix, t * 10_000 + i * appsPerDump, appsPerDump, now)
                            val report = json(db.ingestDump(dump, now, "UTC"))
                            assertEquals(appsPerDump * TestSupport.EVENTS_PER_APP, report.getInt("new_events"))
                            newEvents.addAndGet(report.getLong("new_events"))
                            ingests.incrementAndGet()
                            // Reads while the other threads write.
                            val tl = json(db.timeline("$prefix.p0", Long.MIN_VALUE, Long.MAX_VALUE))
                            assertEquals(TestSupport.EVENTS_PER_APP, tl.getJSONArray("events").length())
                            json(db.whoAccessed("location", now - 86_400_000, now + 1))
                            assertTrue(dailyTotal(db.dailyCounts(Long.MIN_VALUE, Long.MAX_VALUE)) >= TestSupport.EVENTS_PER_APP)
                            when (i % 8) {
                                0 -> json(db.apps())
                                4 -> json(db.findings(if (t % 2 == 0) "en" else "zh-CN"))
                                else -> {}
                            }
                            queries.addAndGet(4)
                            i++
                        }
                    } catch (e: Throwable) {
                        failures.add(e)
                    }
                }
            }
            start.countDown()
            workers.forEach { it.join() }
            failures.firstOrNull()?.let { throw AssertionError("a worker failed (${failures.size} in all)", it) }
            assertTrue(ingests.get() >= threads, "each thread ingested at least once (${ingests.get()})")
            val stored = dailyTotal(db.dailyCounts(Long.MIN_VALUE, Long.MAX_VALUE))
            assertEquals(newEvents.get(), stored, "stored events = sum of reported new_events")
            assertEquals(ingests.get().toLong() * appsPerDump, json(db.apps()).getJSONArray("apps").length().toLong())
            println("soak: ${ingests.get()} ingests, ${queries.get()} queries, ${newEvents.get()} events in ${soakMillis / 1000.0} s")
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    fun `close while other threads call gives closed errors, never a crash`() {
        val db = Opsight(File(dir, "race.db").path)
        val now = System.currentTimeMillis()
        db.ingestDump(TestSupport.dump("com.race", 0, 50, now), now, "UTC")
        val unexpected = ConcurrentLinkedQueue<Throwable>()
        val closedSeen = AtomicInteger()
        val running = CountDownLatch(4)
        val workers = (0 until 4).map { t ->
            thread(name = "race-$t") {
                running.countDown()
                var i = 0
                while (true) {
                    try {
                        when (t) {
                            0 -> db.ingestDump(TestSupport.dump("com.race.t$t.i$i", 1000 + i * 5, 5, now), now, "UTC")
                            1 -> db.apps()
                            2 -> db.timeline("com.race.p1", Long.MIN_VALUE, Long.MAX_VALUE)
                            else -> db.findings("en")
                        }
                        i++
                    } catch (e: OpsightException) {
                        if (e.message == "the database is closed") closedSeen.incrementAndGet() else unexpected.add(e)
                        break
                    } catch (e: Throwable) {
                        unexpected.add(e)
                        break
                    }
                }
            }
        }
        running.await()
        Thread.sleep(300)
        db.close()
        workers.forEach { it.join(30_000) }
        assertTrue(unexpected.isEmpty(), unexpected.joinToString { it.toString() })
        assertEquals(4, closedSeen.get(), "every worker stopped on the closed error")
        // What was committed is there.
        Opsight(File(dir, "race.db").path).use { again ->
            assertTrue(json(again.apps()).getJSONArray("apps").length() >= 50)
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    fun `a dump of more than 20 MB passes through`() {
        val given = System.getProperty("opsight.big.dump")?.takeIf { it.isNotBlank() }?.let(::File)
        val bytes = given?.readBytes() ?: generateBig()
        assertTrue(bytes.size >= 20_000_000, "the dump has ${bytes.size} bytes")
        Opsight(File(dir, "big.db").path).use { db ->
            val started = System.nanoTime()
            val report = json(db.ingestDump(bytes, 1774826873087L, "UTC"))
            val seconds = (System.nanoTime() - started) / 1e9
            assertTrue(report.getLong("new_events") > 100_000, report.toString())
            assertEquals(bytes.size.toLong(), report.getLong("bytes"))
            assertEquals(report.getLong("new_events"), dailyTotal(db.dailyCounts(Long.MIN_VALUE, Long.MAX_VALUE)))
            val apps = json(db.apps()).getJSONArray("apps").length()
            assertTrue(apps > 5_000, "apps: $apps")
            println("big dump: ${bytes.size} bytes, ${report.getLong("new_events")} events, $apps apps, ingest %.1f s".format(seconds))
        }
    }

    /** Without gen-dump's output: generated dumps appended until past 20 MB (distinct uids and packages). */
    private fun generateBig(): ByteArray {
        val out = java.io.ByteArrayOutputStream()
        val now = System.currentTimeMillis()
        var chunk = 0
        while (out.size() < 21_000_000) {
            val dump = TestSupport.dump("com.big.c$chunk", chunk * 1000, 1000, now)
            // One header for the whole file.
            val body = if (chunk == 0) dump else dump.copyOfRange("Current AppOps Service state:\n".length, dump.size)
            out.write(body)
            chunk++
        }
        return out.toByteArray()
    }
}
