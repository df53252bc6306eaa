package org.opsight.collect

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import android.os.PowerManager
import android.util.Log
import org.opsight.app.prefs
import org.opsight.logic.Decision
import org.opsight.logic.SchedulePolicy
import org.opsight.logic.Trigger

/** The periodic collection job (JobScheduler: no extra library, survives reboots with `setPersisted`). */
object CollectionScheduler {
    const val JOB_ID = 7001

    /** (Re)schedules the job at [intervalMinutes]; leaves a pending job with the same period alone. */
    fun schedule(context: Context, intervalMinutes: Int) {
        val scheduler = context.getSystemService(JobScheduler::class.java) ?: return
        val interval = SchedulePolicy.intervalMillis(intervalMinutes)
        if (scheduler.getPendingJob(JOB_ID)?.intervalMillis == interval) return
        val job = JobInfo.Builder(JOB_ID, ComponentName(context, CollectionJobService::class.java))
            .setPeriodic(interval, SchedulePolicy.flexMillis(interval))
            .setRequiresBatteryNotLow(true)
            .setPersisted(true)
            .build()
        scheduler.schedule(job)
    }
}

/** Runs [Collector] when JobScheduler says so, unless [SchedulePolicy] says to skip this period. */
class CollectionJobService : JobService() {
    override fun onStartJob(params: JobParameters): Boolean {
        val powerSave = getSystemService(PowerManager::class.java)?.isPowerSaveMode == true
        val decision = SchedulePolicy.decide(
            trigger = Trigger.PERIODIC,
            powerSaveMode = powerSave,
            lastRunMs = prefs.lastRunMs,
            nowMs = System.currentTimeMillis(),
            intervalMs = SchedulePolicy.intervalMillis(prefs.intervalMinutes),
        )
        if (decision != Decision.RUN) return false
        // Joins a run the user started, if there is one; no thread waits for it.
        Collector.request(applicationContext).whenComplete { _, e ->
            // Never crash the process from a background job (a missing native library, a bug in a step).
            if (e != null) Log.w("OpsightJob", "collection failed: ${(e.cause ?: e).javaClass.simpleName}")
            jobFinished(params, false)
        }
        return true
    }

    /** The system wants the job to stop: the run finishes its current transaction; no retry (the next period runs). */
    override fun onStopJob(params: JobParameters): Boolean = false
}
