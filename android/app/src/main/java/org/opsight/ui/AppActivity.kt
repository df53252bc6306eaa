package org.opsight.ui

import android.content.ActivityNotFoundException
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import android.provider.Settings
import android.view.LayoutInflater
import android.view.View
import android.widget.Button
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.TextView
import android.widget.Toast
import org.opsight.R
import org.opsight.app.core
import org.opsight.collect.InventoryCollector
import org.opsight.data.CoreJson
import org.opsight.logic.TimelineGrid
import java.time.LocalDate
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle

/** One app: its timeline (a week at a time), its findings with explanations, and its permission page. */
class AppActivity : BaseActivity() {
    private data class State(
        val label: String,
        val category: String?,
        val findings: List<CoreJson.Finding>,
        val days: Pair<LocalDate, LocalDate>,
        /** Apart from the rest: a grid the core cannot give (an unusual system zone) leaves the findings shown. */
        val grid: Result<TimelineGrid>,
        val granted: List<String>,
    )

    private lateinit var appPackage: String
    private lateinit var timeline: TimelineView
    private lateinit var range: TextView
    private lateinit var findingsBox: LinearLayout
    private var lastDay: LocalDate = LocalDate.now()
    private val dateFormat = DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        appPackage = intent.getStringExtra(EXTRA_PACKAGE) ?: run {
            finish()
            return
        }
        setContentView(R.layout.activity_app)
        applyInsets(findViewById(R.id.root))
        enableUp()
        timeline = findViewById(R.id.timeline)
        range = findViewById(R.id.range)
        findingsBox = findViewById(R.id.findings)
        findViewById<ImageView>(R.id.icon).setImageDrawable(Labels.icon(this, appPackage))
        findViewById<TextView>(R.id.package_name).text = appPackage
        findViewById<Button>(R.id.earlier).setOnClickListener { shift(-DAYS) }
        findViewById<Button>(R.id.later).setOnClickListener { shift(DAYS) }
        findViewById<Button>(R.id.permissions_button).setOnClickListener { openPermissions() }
        // The week being looked at stays across a rotation.
        savedInstanceState?.getString(STATE_LAST_DAY)?.let { day ->
            runCatching { LocalDate.parse(day) }.getOrNull()?.let { lastDay = minOf(it, LocalDate.now()) }
        }
        reload()
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putString(STATE_LAST_DAY, lastDay.toString())
    }

    /** Moves the week shown; never past today. */
    private fun shift(days: Long) {
        val next = minOf(lastDay.plusDays(days), LocalDate.now())
        if (next == lastDay) return
        lastDay = next
        reload()
    }

    private fun reload() {
        val pkg = appPackage
        val lang = findingsLang
        val zone = ZoneId.systemDefault()
        val day = lastDay
        val context = applicationContext
        loadLatest("app", {
            val app = CoreJson.findings(core.findings(lang)).firstOrNull { it.packageName == pkg }
            val label = app?.label ?: CoreJson.apps(core.apps()).firstOrNull { it.packageName == pkg }?.label ?: pkg
            State(
                label = label,
                category = app?.categoryName,
                findings = app?.findings ?: emptyList(),
                days = day.minusDays(DAYS - 1) to day,
                grid = runCatching { CoreJson.timelineGrid(core.timelineGrid(pkg, day.toString(), DAYS.toInt(), zone.id)) },
                granted = InventoryCollector.grantedRuntimePermissions(context, pkg),
            )
        }) { result ->
            result.onSuccess(::show)
            result.onFailure {
                findViewById<TextView>(R.id.timeline_empty).apply {
                    text = errorText(it)
                    visibility = View.VISIBLE
                }
            }
        }
    }

    private fun show(state: State) {
        title = state.label
        findViewById<TextView>(R.id.label).text = state.label
        findViewById<TextView>(R.id.category).text =
            state.category?.let { getString(R.string.category_is, it) } ?: getString(R.string.category_unknown)
        range.text = getString(
            R.string.timeline_range,
            dateFormat.format(state.days.first),
            dateFormat.format(state.days.second),
        )
        val grid = state.grid.getOrDefault(TimelineGrid(emptyList(), emptyList()))
        timeline.setGrid(grid) { Labels.infoType(this, it) }
        findViewById<TextView>(R.id.timeline_empty).apply {
            val failure = state.grid.exceptionOrNull()
            if (failure != null) text = errorText(failure) else setText(R.string.timeline_empty)
            visibility = if (grid.rows.isEmpty()) View.VISIBLE else View.GONE
        }

        findingsBox.removeAllViews()
        val inflater = LayoutInflater.from(this)
        if (state.findings.isEmpty()) {
            val none = inflater.inflate(R.layout.item_finding, findingsBox, false)
            none.findViewById<TextView>(R.id.severity).visibility = View.GONE
            none.findViewById<TextView>(R.id.title).setText(R.string.no_findings)
            none.findViewById<TextView>(R.id.explanation).visibility = View.GONE
            none.findViewById<TextView>(R.id.advice).visibility = View.GONE
            findingsBox.addView(none)
        }
        for (f in state.findings) {
            val v = inflater.inflate(R.layout.item_finding, findingsBox, false)
            v.findViewById<TextView>(R.id.severity).apply {
                text = getString(R.string.severity_and_type, Labels.severity(context, f.severity), Labels.infoType(context, f.infoType))
                setTextColor(Labels.severityColor(context, f.severity))
            }
            v.findViewById<TextView>(R.id.title).text = f.title
            v.findViewById<TextView>(R.id.explanation).text = f.explanation
            v.findViewById<TextView>(R.id.advice).text = f.advice
            findingsBox.addView(v)
        }
        findViewById<TextView>(R.id.granted).text = if (state.granted.isEmpty()) {
            getString(R.string.no_runtime_permissions)
        } else {
            state.granted.joinToString("\n") { "• $it" }
        }
    }

    /**
     * The system's page for this app, where the user revokes permissions. `ACTION_MANAGE_APP_PERMISSIONS` would go
     * straight to the permission list but needs `GRANT_RUNTIME_PERMISSIONS`, which only system apps hold.
     */
    private fun openPermissions() {
        val intent = Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", appPackage, null))
        try {
            startActivity(intent)
        } catch (_: ActivityNotFoundException) {
            Toast.makeText(this, R.string.no_settings_screen, Toast.LENGTH_LONG).show()
        }
    }

    companion object {
        const val EXTRA_PACKAGE = "org.opsight.extra.PACKAGE"
        private const val DAYS = 7L
        private const val STATE_LAST_DAY = "last_day"
    }
}
