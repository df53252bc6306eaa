package org.opsight.ui

import android.content.Intent
import android.net.Uri
import android.os.Bundle
import android.widget.ArrayAdapter
import android.widget.Button
import android.widget.CheckBox
import android.widget.ListView
import android.widget.TextView
import org.opsight.R
import org.opsight.app.core
import org.opsight.data.CoreJson
import org.opsight.logic.DonationSelection

/**
 * Donating to a study: the donor opens the study's manifest, reads every row that would leave, removes rows or
 * whole apps, agrees, and saves the bundle to a file they pick (the app has no network access: they share it
 * themselves). The core builds both the preview and the bundle; this screen only shows and forwards choices.
 */
class DonateActivity : BaseActivity() {
    private var manifest: String? = null
    private var preview: CoreJson.DonationPreview? = null
    private var selection: DonationSelection? = null
    private var pendingBundle: ByteArray? = null

    private lateinit var study: TextView
    private lateinit var summary: TextView
    private lateinit var rows: ListView
    private lateinit var consent: CheckBox
    private lateinit var export: Button

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_donate)
        applyInsets(findViewById(R.id.root))
        enableUp()
        study = findViewById(R.id.study)
        summary = findViewById(R.id.summary)
        rows = findViewById(R.id.rows)
        consent = findViewById(R.id.consent)
        export = findViewById(R.id.export)
        findViewById<Button>(R.id.open_manifest).setOnClickListener {
            startActivityForResult(
                Intent(Intent.ACTION_OPEN_DOCUMENT).addCategory(Intent.CATEGORY_OPENABLE).setType("application/json"),
                REQUEST_MANIFEST,
            )
        }
        rows.setOnItemClickListener { _, _, position, _ ->
            val p = preview ?: return@setOnItemClickListener
            selection?.toggleRow(p.rows[position].rowId)
            refresh()
        }
        rows.setOnItemLongClickListener { _, _, position, _ ->
            val p = preview ?: return@setOnItemLongClickListener false
            selection?.togglePackage(p.rows[position].packageName)
            refresh()
            true
        }
        consent.setOnCheckedChangeListener { _, _ -> refresh() }
        export.setOnClickListener { exportBundle() }
        refresh()
    }

    @Deprecated("Activity results through the platform API; no androidx")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        val uri = data?.data
        if (resultCode != RESULT_OK || uri == null) return
        when (requestCode) {
            REQUEST_MANIFEST -> readManifest(uri)
            REQUEST_SAVE -> saveBundle(uri)
        }
    }

    private fun readManifest(uri: Uri) {
        load({
            val text = contentResolver.openInputStream(uri)?.use { it.readBytes().toString(Charsets.UTF_8) }
                ?: error("unreadable")
            text to CoreJson.donationPreview(core.previewDonation(text))
        }) { result ->
            result.onSuccess { (text, p) ->
                manifest = text
                preview = p
                selection = DonationSelection(p.rows.map { DonationSelection.Row(it.rowId, it.packageName) })
                consent.isChecked = false
                refresh()
            }.onFailure { summary.text = getString(R.string.donate_error, it.message ?: "") }
        }
    }

    private fun exportBundle() {
        val m = manifest ?: return
        val s = selection ?: return
        val p = preview ?: return
        load({ core.exportDonation(m, s.toJson()) }) { result ->
            result.onSuccess { bytes ->
                pendingBundle = bytes
                startActivityForResult(
                    Intent(Intent.ACTION_CREATE_DOCUMENT)
                        .addCategory(Intent.CATEGORY_OPENABLE)
                        .setType("application/json")
                        .putExtra(Intent.EXTRA_TITLE, DonationSelection.fileName(p.studyId)),
                    REQUEST_SAVE,
                )
            }.onFailure { summary.text = getString(R.string.donate_error, it.message ?: "") }
        }
    }

    private fun saveBundle(uri: Uri) {
        val bytes = pendingBundle ?: return
        load({
            contentResolver.openOutputStream(uri)?.use { it.write(bytes) } ?: error("unwritable")
            CoreJson.donationId(bytes.toString(Charsets.UTF_8))
        }) { result ->
            pendingBundle = null
            result.onSuccess { id -> summary.text = getString(R.string.donate_saved, id) }
                .onFailure { summary.text = getString(R.string.donate_error, it.message ?: "") }
        }
    }

    private fun refresh() {
        val p = preview
        val s = selection
        if (p == null || s == null) {
            study.setText(R.string.donate_intro)
            summary.text = ""
            rows.adapter = null
            consent.isEnabled = false
            export.isEnabled = false
            return
        }
        study.text = getString(
            R.string.donate_study,
            p.title, p.researcher, p.contact, p.purpose, p.retention,
            p.infoTypes.joinToString(getString(R.string.list_separator)) { Labels.infoType(this, it) },
            p.fields.joinToString(", "),
        )
        summary.text = getString(R.string.donate_summary, s.leaving, p.rows.size, p.suppressedGroups)
        rows.adapter = ArrayAdapter(
            this,
            android.R.layout.simple_list_item_1,
            p.rows.map { r ->
                val row = DonationSelection.Row(r.rowId, r.packageName)
                val mark = if (s.isRowExcluded(row)) getString(R.string.donate_excluded) else ""
                "$mark${r.label ?: r.packageName}\n${r.leaves}"
            },
        )
        consent.isEnabled = true
        export.isEnabled = consent.isChecked && s.leaving > 0
    }

    private companion object {
        const val REQUEST_MANIFEST = 1
        const val REQUEST_SAVE = 2
    }
}
