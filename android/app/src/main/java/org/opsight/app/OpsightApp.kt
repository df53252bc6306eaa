package org.opsight.app

import android.app.Application
import android.os.Handler
import android.os.Looper
import android.util.Log
import org.opsight.collect.CollectionScheduler
import org.opsight.core.Opsight
import java.io.File
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.ThreadFactory

/**
 * The process-wide singletons, BinaryEye style: no DI framework. [core] is the one [Opsight] instance; it is
 * opened on the [background] executor as the process starts (never on the main thread) and lives as long as the
 * process (the OS reclaims it; SQLite in WAL mode needs no close for durability).
 */
class OpsightApp : Application() {
    override fun onCreate() {
        super.onCreate()
        instance = this
        prefs = Prefs(this)
        background.execute {
            try {
                core
            } catch (e: Throwable) {
                // Shown by the screens when they call the core; the process must not die here.
                Log.w("Opsight", "opening the database failed: ${e.javaClass.simpleName}")
            }
        }
        CollectionScheduler.schedule(this, prefs.intervalMinutes)
    }

    companion object {
        lateinit var instance: OpsightApp
            private set
    }
}

lateinit var prefs: Prefs
    private set

/** The timeline database in no-backup storage: years of access history stay on the phone. */
val core: Opsight by lazy { Opsight(File(OpsightApp.instance.noBackupFilesDir, "opsight.db").path) }

/**
 * Every core call runs here, never on the main thread. Two threads: the UI's reads go on while a collection
 * writes (the core allows one writer and parallel readers).
 */
val background: ExecutorService = Executors.newFixedThreadPool(
    2,
    object : ThreadFactory {
        private var n = 0

        @Synchronized
        override fun newThread(r: Runnable) = Thread(r, "opsight-bg-${n++}").apply { isDaemon = true }
    },
)

val mainHandler = Handler(Looper.getMainLooper())
