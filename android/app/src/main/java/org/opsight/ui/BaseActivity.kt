package org.opsight.ui

import android.app.Activity
import android.content.Intent
import android.os.Build
import android.view.MenuItem
import android.view.View
import android.view.WindowInsets
import org.opsight.app.background
import org.opsight.app.mainHandler
import org.opsight.logic.FindingsLang

/**
 * What every screen shares: background work with the result delivered on the main thread (dropped when the screen
 * is gone), system-bar insets, up navigation and the findings language.
 */
abstract class BaseActivity : Activity() {
    /** Runs [work] on the background executor and hands its outcome to [done] on the main thread. */
    protected fun <T> load(work: () -> T, done: (Result<T>) -> Unit) {
        background.execute {
            // Throwable, not Exception: a missing native library (UnsatisfiedLinkError) must show, not crash.
            val result = try {
                Result.success(work())
            } catch (e: Throwable) {
                Result.failure(e)
            }
            mainHandler.post { if (!isFinishing && !isDestroyed) done(result) }
        }
    }

    /** Requests per key, counted on the main thread: see [loadLatest]. */
    private val generations = HashMap<String, Int>()

    /**
     * [load], where only the newest request under [key] is shown: with two threads, a slower earlier one (the
     * previous information type, say) could otherwise finish last and replace the newer result.
     */
    protected fun <T> loadLatest(key: String, work: () -> T, done: (Result<T>) -> Unit) {
        val generation = (generations[key] ?: 0) + 1
        generations[key] = generation
        load(work) { result -> if (generations[key] == generation) done(result) }
    }

    /**
     * The error line for a failed core call: the app's own words for the kinds a user can meet, in the user's
     * language ([kindText]); else the core's message, which says what is wrong and carries no personal data
     * (docs/bridge.md), or only the kind of failure.
     */
    protected fun errorText(e: Throwable): String = kindText(e) ?: getString(
        org.opsight.R.string.error_core,
        (e as? org.opsight.core.OpsightException)?.message ?: e.javaClass.simpleName,
    )

    /** What a core failure of a kind a user can meet means, as a whole sentence in the user's language; else `null`. */
    protected fun kindText(e: Throwable): String? {
        val id = when ((e as? org.opsight.core.OpsightException)?.kind) {
            "newer_database" -> org.opsight.R.string.error_newer_database
            "foreign_database" -> org.opsight.R.string.error_foreign_database
            "database_damaged" -> org.opsight.R.string.error_database_damaged
            "damaged_moved_aside" -> org.opsight.R.string.error_damaged_moved_aside
            "donation_not_reviewed" -> org.opsight.R.string.error_donation_not_reviewed
            "donation_changed" -> org.opsight.R.string.error_donation_changed
            "closed" -> org.opsight.R.string.error_closed
            "internal" -> org.opsight.R.string.error_internal
            else -> return null
        }
        return getString(id)
    }

    /** Hands a collection's outcome (see [org.opsight.collect.Collector.request]) to [done] on the main thread. */
    protected fun <T> whenDone(future: java.util.concurrent.CompletableFuture<T>, done: (Result<T>) -> Unit) {
        future.whenComplete { value, e ->
            // CompletableFuture wraps what the run threw.
            val result = if (e == null) Result.success(value) else Result.failure(e.cause ?: e)
            mainHandler.post { if (!isFinishing && !isDestroyed) done(result) }
        }
    }

    /**
     * Pads [root] for the system bars. Apps targeting Android 15+ are drawn edge to edge; the framework action bar
     * takes care of the top, the content keeps clear of the navigation bar and cutouts.
     */
    protected fun applyInsets(root: View) {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.R) return
        val base = intArrayOf(root.paddingLeft, root.paddingTop, root.paddingRight, root.paddingBottom)
        root.setOnApplyWindowInsetsListener { v, insets ->
            val bars = insets.getInsets(WindowInsets.Type.systemBars() or WindowInsets.Type.displayCutout())
            v.setPadding(base[0] + bars.left, base[1], base[2] + bars.right, base[3] + bars.bottom)
            insets
        }
    }

    protected fun enableUp() {
        actionBar?.setDisplayHomeAsUpEnabled(true)
    }

    override fun onOptionsItemSelected(item: MenuItem): Boolean {
        if (item.itemId == android.R.id.home) {
            finish()
            return true
        }
        return super.onOptionsItemSelected(item)
    }

    /** The language of the screens' strings, for the core's findings (see [FindingsLang]). */
    protected val findingsLang: String
        get() {
            val locale = resources.configuration.locales[0]
            return FindingsLang.forLocale(locale.language, locale.script, locale.country)
        }

    protected fun openApp(packageName: String) {
        startActivity(Intent(this, AppActivity::class.java).putExtra(AppActivity.EXTRA_PACKAGE, packageName))
    }
}
