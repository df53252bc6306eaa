package org.opsight.ui

import android.content.Intent
import android.net.Uri
import android.os.Bundle
import android.provider.DocumentsContract
import android.widget.ArrayAdapter
import android.widget.Button
import android.widget.CheckBox
import android.widget.ListView
import android.widget.TextView
import org.opsight.R
import org.opsight.app.core
import org.opsight.core.OpsightException
import org.opsight.data.CoreJson
import org.opsight.logic.DonationSelection

/**
 * Donating to a study: the donor opens the study's manifest, reads every row that would leave, removes rows or
 * whole apps, agrees, and saves the bundle to a file they pick (the app has no network access: they share it
 * themselves). The core builds both the preview and the bundle; this screen only shows and forwards choices.
 *
 * The manifest, what was removed and the consent outlive the screen (rotation, or the process ended while the file
 * picker is open): the bundle is built when the file has been picked, from them, never kept from before.
 */
class DonateActivity : BaseActivity() {
    private var manifest: String? = null
    private var preview: CoreJson.DonationPreview? = null
    private var selection: DonationSelection? = null
    /** What was removed, as the core reads it: kept beside [selection] so that a restored screen can export at once. */
    private var exclusions: String = EMPTY_EXCLUSIONS
    /** What was removed, from a saved state, until the preview it applies to is back. */
    private var restoring: Pair<List<String>, List<String>> = emptyList<String>() to emptyList()
    private val items = mutableListOf<String>()
    private lateinit var adapter: ArrayAdapter<String>

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
        adapter = ArrayAdapter(this, android.R.layout.simple_list_item_1, items)
        rows.adapter = adapter
        findViewById<Button>(R.id.open_manifest).setOnClickListener {
            startActivityForResult(
                Intent(Intent.ACTION_OPEN_DOCUMENT).addCategory(Intent.CATEGORY_OPENABLE).setType("application/json"),
                REQUEST_MANIFEST,
            )
        }
        rows.setOnItemClickListener { _, _, position, _ ->
            val p = preview ?: return@setOnItemClickListener
            selection?.toggleRow(p.rows[position].rowId)
            selectionChanged()
        }
        rows.setOnItemLongClickListener { _, _, position, _ ->
            val p = preview ?: return@setOnItemLongClickListener false
            selection?.togglePackage(p.rows[position].packageName)
            selectionChanged()
            true
        }
        consent.setOnCheckedChangeListener { _, _ -> refresh() }
        export.setOnClickListener { pickFile() }
        refresh()
        val saved = savedInstanceState?.getString(STATE_MANIFEST) ?: return
        manifest = saved
        exclusions = savedInstanceState.getString(STATE_EXCLUSIONS) ?: EMPTY_EXCLUSIONS
        restoring = savedInstanceState.getStringArrayList(STATE_PACKAGES).orEmpty() to
            savedInstanceState.getStringArrayList(STATE_ROWS).orEmpty()
        showPreview(saved, savedInstanceState.getBoolean(STATE_CONSENT), savedInstanceState.getString(STATE_REVIEWED))
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        val m = manifest ?: return
        outState.putString(STATE_MANIFEST, m)
        outState.putString(STATE_EXCLUSIONS, exclusions)
        val (packages, rowIds) = selection?.let { it.excludedPackageList to it.excludedRowList } ?: restoring
        outState.putStringArrayList(STATE_PACKAGES, ArrayList(packages))
        outState.putStringArrayList(STATE_ROWS, ArrayList(rowIds))
        outState.putBoolean(STATE_CONSENT, consent.isChecked)
        outState.putString(STATE_REVIEWED, preview?.reviewCode)
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
            contentResolver.openInputStream(uri)?.use { it.readBytes().toString(Charsets.UTF_8) }
        }) { result ->
            val text = result.getOrNull()
            if (text == null) {
                summary.text = getString(R.string.donate_error, getString(R.string.donate_unreadable))
                return@load
            }
            manifest = text
            exclusions = EMPTY_EXCLUSIONS
            restoring = emptyList<String>() to emptyList()
            preview = null
            selection = null
            showPreview(text, consented = false, reviewedBefore = null)
        }
    }

    /**
     * Asks the core for the preview of [text] and shows it, with what was removed before ([restoring]) put back. The
     * donor's agreement is kept only for the preview it was given to ([reviewedBefore]): a collection may have run
     * while the screen was away.
     */
    private fun showPreview(text: String, consented: Boolean, reviewedBefore: String?) {
        load({ CoreJson.donationPreview(core.previewDonation(text)) }) { result ->
            result.onSuccess { p ->
                preview = p
                val (packages, rowIds) = restoring
                selection = DonationSelection(p.rows.map { DonationSelection.Row(it.rowId, it.packageName) }, p.reviewCode)
                    .also { it.restore(packages, rowIds) }
                consent.isChecked = DonationSelection.keepsConsent(consented, reviewedBefore, p.reviewCode)
                selectionChanged()
            }.onFailure { summary.text = kindText(it) ?: getString(R.string.donate_error, it.message ?: "") }
        }
    }

    private fun selectionChanged() {
        exclusions = selection?.toJson() ?: EMPTY_EXCLUSIONS
        refresh()
    }

    private fun pickFile() {
        val p = preview ?: return
        startActivityForResult(
            Intent(Intent.ACTION_CREATE_DOCUMENT)
                .addCategory(Intent.CATEGORY_OPENABLE)
                .setType("application/json")
                .putExtra(Intent.EXTRA_TITLE, DonationSelection.fileName(p.studyId)),
            REQUEST_SAVE,
        )
    }

    /**
     * Builds the bundle now, from the manifest and exclusions the donor agreed to, and writes it to the file the picker
     * created. If it cannot be written, the picker's empty file is removed: an empty "donation" must not be shared.
     */
    private fun saveBundle(uri: Uri) {
        val m = manifest
        val x = exclusions
        load({
            try {
                val bytes = core.exportDonation(checkNotNull(m) { "no study open" }, x)
                checkNotNull(contentResolver.openOutputStream(uri)) { "no stream" }.use { it.write(bytes) }
                CoreJson.donationId(bytes.toString(Charsets.UTF_8))
            } catch (e: Throwable) {
                runCatching { DocumentsContract.deleteDocument(contentResolver, uri) }
                throw e
            }
        }) { result ->
            summary.text = result.fold(
                { id -> getString(R.string.donate_saved, id) },
                { e ->
                    // The core's messages carry no personal data and say what is wrong; anything else is ours.
                    val why = if (e is OpsightException) e.message.orEmpty() else getString(R.string.donate_unwritable)
                    kindText(e) ?: getString(R.string.donate_error, why)
                },
            )
        }
    }

    private fun refresh() {
        val p = preview
        val s = selection
        if (p == null || s == null) {
            study.setText(R.string.donate_intro)
            summary.text = ""
            items.clear()
            adapter.notifyDataSetChanged()
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
        // One adapter for the screen's life: a toggle updates the rows in place, and the list keeps its place.
        val mark = getString(R.string.donate_excluded)
        items.clear()
        p.rows.mapTo(items) { r ->
            val excluded = s.isRowExcluded(DonationSelection.Row(r.rowId, r.packageName))
            "${if (excluded) mark else ""}${r.label ?: r.packageName}\n${r.leaves}"
        }
        adapter.notifyDataSetChanged()
        consent.isEnabled = true
        export.isEnabled = consent.isChecked && s.leaving > 0
    }

    private companion object {
        const val REQUEST_MANIFEST = 1
        const val REQUEST_SAVE = 2
        const val EMPTY_EXCLUSIONS = """{"packages":[],"rows":[]}"""
        const val STATE_MANIFEST = "manifest"
        const val STATE_EXCLUSIONS = "exclusions"
        const val STATE_PACKAGES = "excluded_packages"
        const val STATE_ROWS = "excluded_rows"
        const val STATE_CONSENT = "consent"
        const val STATE_REVIEWED = "reviewed"
    }
}
