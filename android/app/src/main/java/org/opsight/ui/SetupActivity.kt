package org.opsight.ui

import android.content.ActivityNotFoundException
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Intent
import android.os.Bundle
import android.provider.Settings
import android.widget.Button
import android.widget.TextView
import android.widget.Toast
import org.opsight.R
import org.opsight.collect.Collector
import org.opsight.collect.GrantCheck
import org.opsight.logic.Mode
import org.opsight.logic.Setup

/**
 * Onboarding: what is granted, the exact adb command for `DUMP` (with a copy button), the way to usage access,
 * and what the app does until then. Rechecked every time the screen comes back.
 */
class SetupActivity : BaseActivity() {
    private lateinit var dumpStatus: TextView
    private lateinit var usageStatus: TextView
    private lateinit var modeText: TextView
    private lateinit var collectButton: Button

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_setup)
        applyInsets(findViewById(R.id.root))
        enableUp()
        dumpStatus = findViewById(R.id.dump_status)
        usageStatus = findViewById(R.id.usage_status)
        modeText = findViewById(R.id.mode_text)
        collectButton = findViewById(R.id.collect_button)

        val command = Setup.adbGrantCommand(packageName)
        findViewById<TextView>(R.id.adb_command).text = command
        findViewById<Button>(R.id.copy_button).setOnClickListener {
            val clipboard = getSystemService(ClipboardManager::class.java)
            clipboard?.setPrimaryClip(ClipData.newPlainText(getString(R.string.adb_command_label), command))
            Toast.makeText(this, R.string.copied, Toast.LENGTH_SHORT).show()
        }
        findViewById<Button>(R.id.usage_button).setOnClickListener {
            try {
                startActivity(Intent(Settings.ACTION_USAGE_ACCESS_SETTINGS))
            } catch (_: ActivityNotFoundException) {
                Toast.makeText(this, R.string.no_settings_screen, Toast.LENGTH_LONG).show()
            }
        }
        collectButton.setOnClickListener {
            collectButton.isEnabled = false
            whenDone(Collector.request(this)) { result ->
                collectButton.isEnabled = true
                result.onSuccess { r ->
                    if (r.failedSteps == 0) {
                        finish()
                    } else {
                        // Stay: the grants above say what is missing.
                        val failed = resources.getQuantityString(R.plurals.last_run_failures, r.failedSteps, r.failedSteps)
                        Toast.makeText(this, failed, Toast.LENGTH_LONG).show()
                    }
                }
                result.onFailure {
                    Toast.makeText(this, errorText(it), Toast.LENGTH_LONG).show()
                }
            }
        }
        findViewById<Button>(R.id.done_button).setOnClickListener { finish() }
    }

    override fun onResume() {
        super.onResume()
        val grants = GrantCheck.grants(this)
        dumpStatus.setText(if (grants.dump) R.string.granted else R.string.not_granted)
        usageStatus.setText(if (grants.usageAccess) R.string.granted else R.string.not_granted)
        modeText.setText(if (grants.mode == Mode.FULL) R.string.mode_full else R.string.mode_reduced)
        collectButton.isEnabled = !Collector.running
    }
}
