package org.opsight.ui

import android.graphics.drawable.Drawable
import android.os.Bundle
import android.view.LayoutInflater
import android.view.View
import android.view.ViewGroup
import android.widget.AdapterView
import android.widget.ArrayAdapter
import android.widget.BaseAdapter
import android.widget.ImageView
import android.widget.ListView
import android.widget.Spinner
import android.widget.TextView
import org.opsight.R
import org.opsight.app.core
import org.opsight.data.CoreJson

/** "Who accessed my contacts this week": pick an information type and a period; apps with the most accesses first. */
class WhoAccessedActivity : BaseActivity() {
    private lateinit var typeSpinner: Spinner
    private lateinit var periodSpinner: Spinner
    private lateinit var empty: TextView
    private val adapter = AccessorAdapter()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_who)
        applyInsets(findViewById(R.id.root))
        enableUp()
        typeSpinner = findViewById(R.id.info_type)
        periodSpinner = findViewById(R.id.period)
        empty = findViewById(R.id.empty)
        typeSpinner.adapter = ArrayAdapter(
            this,
            android.R.layout.simple_spinner_dropdown_item,
            Labels.INFO_TYPES.map { Labels.infoType(this, it) },
        )
        periodSpinner.adapter = ArrayAdapter(
            this,
            android.R.layout.simple_spinner_dropdown_item,
            PERIOD_DAYS.map {
                if (it == null) getString(R.string.period_all) else resources.getQuantityString(R.plurals.period_days, it.toInt(), it)
            },
        )
        val reload = object : AdapterView.OnItemSelectedListener {
            override fun onItemSelected(parent: AdapterView<*>?, view: View?, position: Int, id: Long) = reload()
            override fun onNothingSelected(parent: AdapterView<*>?) = Unit
        }
        typeSpinner.onItemSelectedListener = reload
        periodSpinner.onItemSelectedListener = reload
        val list = findViewById<ListView>(R.id.list)
        list.adapter = adapter
        list.emptyView = empty
        list.setOnItemClickListener { _, _, position, _ -> openApp(adapter.getItem(position).packageName) }
    }

    private fun reload() {
        val type = Labels.INFO_TYPES[typeSpinner.selectedItemPosition.coerceAtLeast(0)]
        val days = PERIOD_DAYS[periodSpinner.selectedItemPosition.coerceAtLeast(0)]
        val now = System.currentTimeMillis()
        val from = if (days == null) Long.MIN_VALUE else now - days * DAY_MS
        val context = applicationContext
        loadLatest("who", {
            val rows = CoreJson.whoAccessed(core.whoAccessed(type, from, Long.MAX_VALUE))
            // Icons are read from each app's package here, off the main thread, not while scrolling.
            rows to rows.associate { it.packageName to Labels.icon(context, it.packageName) }
        }) { result ->
            result.onSuccess { (rows, icons) ->
                adapter.icons = icons
                adapter.rows = rows
                empty.setText(R.string.who_empty)
            }
            result.onFailure { empty.text = errorText(it) }
        }
    }

    private inner class AccessorAdapter : BaseAdapter() {
        var icons: Map<String, Drawable> = emptyMap()
        var rows: List<CoreJson.Accessor> = emptyList()
            set(value) {
                field = value
                notifyDataSetChanged()
            }

        override fun getCount() = rows.size
        override fun getItem(position: Int) = rows[position]
        override fun getItemId(position: Int) = position.toLong()

        override fun getView(position: Int, convertView: View?, parent: ViewGroup): View {
            val view = convertView ?: LayoutInflater.from(parent.context).inflate(R.layout.item_app, parent, false)
            val a = rows[position]
            view.findViewById<ImageView>(R.id.icon).setImageDrawable(icons[a.packageName])
            view.findViewById<TextView>(R.id.label).text = a.label ?: a.packageName
            view.findViewById<TextView>(R.id.finding).apply {
                text = getString(R.string.who_counts, a.access, a.background, a.reject)
                setTextColor(getColor(if (a.background > 0) R.color.severity_high else R.color.text_secondary))
            }
            view.findViewById<TextView>(R.id.last_access).apply {
                visibility = if (a.lastMs != null) View.VISIBLE else View.GONE
                if (a.lastMs != null) text = getString(R.string.who_last, Labels.ago(a.lastMs))
            }
            return view
        }
    }

    private companion object {
        const val DAY_MS = 24L * 60 * 60 * 1000

        /** The periods offered; `null` is all time. */
        val PERIOD_DAYS = listOf(7L, 30L, null)
    }
}
