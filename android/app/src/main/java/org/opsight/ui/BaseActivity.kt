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
