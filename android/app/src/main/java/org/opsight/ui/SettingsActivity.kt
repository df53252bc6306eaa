package org.opsight.ui

import android.os.Bundle
import android.widget.ArrayAdapter
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.Spinner
import android.widget.Toast
import org.opsight.R
import org.opsight.app.prefs
import org.opsight.collect.CollectionScheduler
import org.opsight.logic.Retention
import org.opsight.logic.SchedulePolicy

/** Collection interval, retention (applied by each collection run) and whether to list quiet system apps. */
class SettingsActivity : BaseActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_settings)
        applyInsets(findViewById(R.id.root))
        enableUp()

        val choices = SchedulePolicy.INTERVAL_CHOICES_MINUTES
        val interval = findViewById<Spinner>(R.id.interval)
        interval.adapter = ArrayAdapter(
            this,
            android.R.layout.simple_spinner_dropdown_item,
            choices.map {
                if (it < 60) {
                    resources.getQuantityString(R.plurals.every_minutes, it, it)
                } else {
                    resources.getQuantityString(R.plurals.every_hours, it / 60, it / 60)
                }
            },
        )
        interval.setSelection(choices.indexOf(prefs.intervalMinutes).coerceAtLeast(0))

        val current = prefs.retention
        val raw = findViewById<EditText>(R.id.raw_days).apply { setText(current.rawDays.toString()) }
        val hourly = findViewById<EditText>(R.id.hourly_days).apply { setText(current.hourlyDays.toString()) }
        val system = findViewById<CheckBox>(R.id.show_system).apply { isChecked = prefs.showSystemApps }

        findViewById<Button>(R.id.save).setOnClickListener {
            val minutes = choices[interval.selectedItemPosition.coerceAtLeast(0)]
            prefs.intervalMinutes = minutes
            val retention = Retention.fromInput(raw.text.toString(), hourly.text.toString(), prefs.retention)
            prefs.retention = retention
            prefs.showSystemApps = system.isChecked
            raw.setText(retention.rawDays.toString())
            hourly.setText(retention.hourlyDays.toString())
            CollectionScheduler.schedule(applicationContext, minutes)
            Toast.makeText(this, R.string.saved, Toast.LENGTH_SHORT).show()
        }
    }
}
