package org.opsight.collect

import android.content.Context
import android.os.Build
import android.util.Log
import org.json.JSONObject
import org.opsight.R
import org.opsight.app.core
import org.opsight.app.prefs
import org.opsight.core.OpsightException
import org.opsight.logic.CollectionPlanner
import org.opsight.logic.InventoryJson
import org.opsight.logic.SchedulePolicy
import java.io.IOException
import java.time.ZoneId
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * One collection run: the dumps the plan asks for (each ingested on its own), the package inventory with usage,
 * then retention. Runs on a background thread (the job's or the UI's executor), one run at a time.
 *
 * Each step fails on its own: a dump that fails does not stop the inventory. Logs carry step names and exception
 * classes only, never package names or dump content.
 */
object Collector {
    private const val TAG = "OpsightCollector"

    data class Result(val dumps: Int, val newEvents: Long, val packages: Int, val failedSteps: Int)

    /**
     * Runs have a thread of their own, so that the screens' reads on the two [org.opsight.app.background] threads go
     * on while one runs.
     */
    private val executor: ExecutorService = Executors.newSingleThreadExecutor { r ->
        Thread(r, "opsight-collect").apply { isDaemon = true }
    }
    private var inFlight: CompletableFuture<Result>? = null

    /** The run in progress, or a new one: a second request (a tap during a scheduled run) joins the first. */
    @Synchronized
    fun request(context: Context): CompletableFuture<Result> {
        inFlight?.let { if (!it.isDone) return it }
        val appContext = context.applicationContext
        return CompletableFuture.supplyAsync({ run(appContext) }, executor).also { inFlight = it }
    }

    /** Whether a run is in progress. */
    val running: Boolean
        @Synchronized get() = inFlight?.isDone == false

    @Synchronized
    fun run(context: Context): Result {
        val grants = GrantCheck.grants(context)
        val plan = CollectionPlanner.plan(Build.VERSION.SDK_INT, grants)
        var dumps = 0
        var newEvents = 0L
        var packages = 0
        var failed = 0

        AppOpsDumper.deleteLeftovers(context)
        for (args in plan.dumps) {
            step("dump") {
                val capturedAt = System.currentTimeMillis()
                val bytes = AppOpsDumper.dump(context, args)
                val report = JSONObject(core.ingestDump(bytes, capturedAt, ZoneId.systemDefault().id))
                // A refusal printed instead of a dump ("Permission Denial: …" on some builds) holds no AppOps text:
                // that is a failed step, not a dump with nothing in it.
                if (report.optBoolean("no_appops_text")) throw IOException("no AppOps text in the dump")
                dumps++
                newEvents += report.optLong("new_events") + report.optLong("new_discrete_events")
            } ?: failed++
        }

        if (plan.inventory) {
            step("inventory") {
                val now = System.currentTimeMillis()
                val usage = if (plan.usage) {
                    val (begin, end) = SchedulePolicy.usageWindow(prefs.usageQueryEndMs, now)
                    InventoryCollector.usage(context, begin, end)
                } else {
                    null
                }
                val records = InventoryCollector.packages(context)
                core.ingestPackages(InventoryJson.write(InventoryCollector.device(), now, records, usage))
                // Only once stored: a failed step reads the same window again next time, so no usage is lost.
                usage?.let { prefs.usageQueryEndMs = it.endMs }
                packages = records.size
            } ?: failed++
        }

        if (plan.retention) {
            step("retention") {
                val r = prefs.retention
                core.applyRetention(r.rawDays, r.hourlyDays)
            } ?: failed++
        }

        val result = Result(dumps, newEvents, packages, failed)
        prefs.lastRunMs = System.currentTimeMillis()
        val res = context.resources
        // The quantity only picks the noun's form; the number itself is printed whole.
        val quantity = newEvents.coerceAtMost(Int.MAX_VALUE.toLong()).toInt()
        val summary = context.getString(
            R.string.last_run_summary,
            res.getQuantityString(R.plurals.run_dumps, dumps, dumps),
            res.getQuantityString(R.plurals.run_new_accesses, quantity, newEvents),
            res.getQuantityString(R.plurals.run_apps, packages, packages),
        )
        prefs.lastRunSummary = if (failed > 0) {
            context.getString(
                R.string.two_sentences,
                summary,
                res.getQuantityString(R.plurals.last_run_failures, failed, failed),
            )
        } else {
            summary
        }
        return result
    }

    /** Runs one step; `null` when it failed (logged without data). */
    private inline fun step(name: String, body: () -> Unit): Unit? = try {
        body()
    } catch (e: OpsightException) {
        Log.w(TAG, "$name failed in the core: ${e.message}")
        null
    } catch (e: IOException) {
        Log.w(TAG, "$name failed: ${e.javaClass.simpleName}")
        null
    } catch (e: SecurityException) {
        Log.w(TAG, "$name was refused by the system: ${e.javaClass.simpleName}")
        null
    } catch (e: org.json.JSONException) {
        Log.w(TAG, "$name: unreadable report")
        null
    } catch (e: RuntimeException) {
        // A system service that died or refused in an unexpected way: this step fails, the others still run.
        Log.w(TAG, "$name failed unexpectedly: ${e.javaClass.simpleName}")
        null
    }
}
