package org.opsight.ui

import android.content.Intent
import android.graphics.drawable.Drawable
import android.os.Bundle
import android.view.LayoutInflater
import android.view.Menu
import android.view.MenuItem
import android.view.View
import android.view.ViewGroup
import android.widget.BaseAdapter
import android.widget.Button
import android.widget.ImageView
import android.widget.ListView
import android.widget.ProgressBar
import android.widget.TextView
import org.opsight.R
import org.opsight.app.core
import org.opsight.app.prefs
import org.opsight.collect.Collector
import org.opsight.collect.GrantCheck
import org.opsight.collect.InventoryCollector
import org.opsight.data.CoreJson
import org.opsight.logic.AppOrdering
import org.opsight.logic.AppRow
import org.opsight.logic.Mode

/** The app list, ordered by concern; a banner explains the reduced mode until both grants are there. */
class MainActivity : BaseActivity() {
    /** Everything the screen shows, built off the main thread in one go. */
    private data class State(
        val mode: Mode,
        val rows: List<AppRow>,
        val icons: Map<String, Drawable>,
        /** Reduced mode: runtime permissions granted per app (from PackageManager). */
        val granted: Map<String, Int>,
        /** The new name of a damaged database the core set aside when it opened (it is never deleted). */
        val movedAside: String?,
    )

    private lateinit var list: ListView
    private lateinit var banner: View
    private lateinit var status: TextView
    private lateinit var progress: ProgressBar
    private lateinit var empty: TextView
    private val adapter = RowAdapter()
    private var collecting = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)
        applyInsets(findViewById(R.id.root))
        list = findViewById(R.id.app_list)
        banner = findViewById(R.id.reduced_banner)
        status = findViewById(R.id.status)
        progress = findViewById(R.id.progress)
        empty = findViewById(R.id.empty)
        list.adapter = adapter
        list.emptyView = empty
        list.setOnItemClickListener { _, _, position, _ -> openApp(adapter.getItem(position).packageName) }
        findViewById<Button>(R.id.setup_button).setOnClickListener { openSetup() }
        if (!prefs.setupShown) {
            prefs.setupShown = true
            openSetup()
        }
    }

    override fun onResume() {
        super.onResume()
        banner.visibility = if (GrantCheck.grants(this).mode == Mode.FULL) View.GONE else View.VISIBLE
        if (prefs.lastRunMs == null) refresh() else reload()
    }

    override fun onCreateOptionsMenu(menu: Menu): Boolean {
        menuInflater.inflate(R.menu.main, menu)
        return true
    }

    override fun onOptionsItemSelected(item: MenuItem): Boolean {
        when (item.itemId) {
            R.id.action_refresh -> refresh()
            R.id.action_who -> startActivity(Intent(this, WhoAccessedActivity::class.java))
            R.id.action_settings -> startActivity(Intent(this, SettingsActivity::class.java))
            R.id.action_donate -> startActivity(Intent(this, DonateActivity::class.java))
            R.id.action_setup -> openSetup()
            else -> return super.onOptionsItemSelected(item)
        }
        return true
    }

    private fun openSetup() = startActivity(Intent(this, SetupActivity::class.java))

    /** Collects now (the user asked), then reloads the list. */
    private fun refresh() {
        if (collecting) return
        collecting = true
        progress.visibility = View.VISIBLE
        status.setText(R.string.collecting)
        whenDone(Collector.request(this)) { result ->
            collecting = false
            result.onFailure { status.text = errorText(it) }
            reload()
        }
    }

    private fun reload() {
        progress.visibility = View.VISIBLE
        val lang = findingsLang
        val context = applicationContext
        loadLatest("apps", {
            val mode = GrantCheck.grants(context).mode
            val findings = CoreJson.findings(core.findings(lang))
            val rows = AppOrdering.rows(CoreJson.concerns(findings), CoreJson.apps(core.apps()), prefs.showSystemApps)
            val icons = rows.associate { it.packageName to Labels.icon(context, it.packageName) }
            val granted = if (mode == Mode.FULL) {
                emptyMap()
            } else {
                val labels = HashMap<String, String?>()
                rows.associate {
                    it.packageName to InventoryCollector.grantedRuntimePermissions(context, it.packageName, labels).size
                }
            }
            State(mode, rows, icons, granted, CoreJson.movedAside(core.openReport()))
        }) { result ->
            if (!collecting) progress.visibility = View.GONE
            result.onSuccess { state ->
                adapter.state = state
                if (!collecting) status.text = prefs.lastRunSummary ?: getString(R.string.never_collected)
                if (state.movedAside != null) status.text = getString(R.string.db_moved_aside, state.movedAside)
                empty.setText(if (state.mode == Mode.FULL) R.string.empty_full else R.string.empty_reduced)
            }
            result.onFailure { status.text = errorText(it) }
        }
    }

    private inner class RowAdapter : BaseAdapter() {
        var state: State? = null
            set(value) {
                field = value
                notifyDataSetChanged()
            }

        override fun getCount() = state?.rows?.size ?: 0
        override fun getItem(position: Int): AppRow = state!!.rows[position]
        override fun getItemId(position: Int) = position.toLong()

        override fun getView(position: Int, convertView: View?, parent: ViewGroup): View {
            val view = convertView ?: LayoutInflater.from(parent.context).inflate(R.layout.item_app, parent, false)
            val s = state!!
            val row = s.rows[position]
            view.findViewById<ImageView>(R.id.icon).setImageDrawable(s.icons[row.packageName])
            view.findViewById<TextView>(R.id.label).text = row.label
            val finding = view.findViewById<TextView>(R.id.finding)
            when {
                row.summary != null -> {
                    finding.text = row.summary
                    finding.setTextColor(Labels.severityColor(this@MainActivity, row.topSeverity))
                }
                s.mode != Mode.FULL -> {
                    finding.text = getString(R.string.granted_permissions_count, s.granted[row.packageName] ?: 0)
                    finding.setTextColor(getColor(R.color.text_secondary))
                }
                else -> {
                    finding.setText(R.string.no_findings)
                    finding.setTextColor(getColor(R.color.text_secondary))
                }
            }
            val last = view.findViewById<TextView>(R.id.last_access)
            if (row.lastSensitiveMs != null) {
                last.visibility = View.VISIBLE
                last.text = getString(
                    R.string.last_sensitive_access,
                    Labels.infoType(this@MainActivity, row.lastSensitiveInfoType),
                    Labels.ago(row.lastSensitiveMs),
                )
            } else {
                last.visibility = View.GONE
            }
            return view
        }
    }
}
