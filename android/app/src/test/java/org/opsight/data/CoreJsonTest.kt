package org.opsight.data

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.opsight.logic.Cell
import org.opsight.logic.Mark
import java.time.LocalDate

/** The shell reads the documents of docs/json.md; these are shaped like them, nulls included. */
class CoreJsonTest {
    private val findingsDoc = """
        {"opsight_findings": 1, "pack_version": "2026.11.1", "lang": "en", "from_ms": 1, "to_ms": 2,
         "apps": [
          {"package": "com.example.flashlight", "label": "Torch", "category": null, "category_name": "Utilities",
           "category_source": "android", "score": 14, "summary": "Read your contacts in the background.",
           "findings": [
             {"rule": "background_access", "package": "com.example.flashlight", "label": "Torch", "severity": "high",
              "info_type": "contacts", "category": null, "category_name": "Utilities", "category_source": "android",
              "title": "Contacts read in the background", "explanation": "It read them 12 times.",
              "advice": "Revoke the permission.",
              "actions": [{"kind": "open_app_permissions", "package": "com.example.flashlight"},
                          {"kind": "revoke_permission", "package": "com.example.flashlight",
                           "permission": "android.permission.READ_CONTACTS"}],
              "sources": [], "evidence": {"accesses": 12}},
             {"rule": "out_of_scope", "package": "com.example.flashlight", "label": null, "severity": "medium",
              "info_type": "clipboard", "category": null, "category_name": null, "category_source": "unknown",
              "title": "t", "explanation": "e", "advice": "a",
              "actions": [{"kind": "set_category", "package": "com.example.flashlight"}], "sources": [], "evidence": {}}
           ]},
          {"package": "org.quiet", "label": null, "category": null, "category_name": null, "category_source": "unknown",
           "score": 0, "summary": null, "findings": []}
         ],
         "findings": []}
    """.trimIndent()

    @Test
    fun `findings are read per app with their actions`() {
        val apps = CoreJson.findings(findingsDoc)
        assertEquals(listOf("com.example.flashlight", "org.quiet"), apps.map { it.packageName })
        val torch = apps[0]
        assertEquals("Torch", torch.label)
        assertEquals("Utilities", torch.categoryName)
        assertEquals(14, torch.score)
        assertEquals(2, torch.findings.size)
        val f = torch.findings[0]
        assertEquals("background_access", f.rule)
        assertEquals("contacts", f.infoType)
        assertEquals("Contacts read in the background", f.title)
        assertEquals(listOf("android.permission.READ_CONTACTS"), f.revokePermissions)
        assertFalse(f.canSetCategory)
        assertTrue(torch.findings[1].canSetCategory)
    }

    @Test
    fun `JSON null stays null, never the text null`() {
        val quiet = CoreJson.findings(findingsDoc)[1]
        assertNull(quiet.label)
        assertNull(quiet.summary)
        assertNull(quiet.categoryName)
    }

    @Test
    fun `concerns carry the top severity and the count`() {
        val c = CoreJson.concerns(CoreJson.findings(findingsDoc))
        assertEquals("high", c[0].topSeverity)
        assertEquals(2, c[0].findingCount)
        assertNull(c[1].topSeverity)
        assertEquals(0, c[1].findingCount)
    }

    @Test
    fun `apps with and without a last sensitive access`() {
        val doc = """
            {"opsight_apps": 1, "apps": [
              {"package": "a", "label": "A", "category": "social", "system": false, "uids": [10103],
               "last_access": {"op": "WAKE_LOCK", "info_type": "background_run", "t": 5},
               "last_sensitive_access": {"op": "FINE_LOCATION", "info_type": "location", "t": 1648589274087}},
              {"package": "b", "label": null, "category": null, "system": true, "uids": [],
               "last_access": null, "last_sensitive_access": null}
            ]}
        """.trimIndent()
        val apps = CoreJson.apps(doc)
        assertEquals(1_648_589_274_087, apps[0].lastSensitiveMs)
        assertEquals("location", apps[0].lastSensitiveInfoType)
        assertEquals("social", apps[0].category)
        assertNull(apps[1].label)
        assertNull(apps[1].lastSensitiveMs)
        assertTrue(apps[1].system)
    }

    @Test
    fun `the timeline grid is laid out as days by hours, with what is known per day only`() {
        val doc = """
            {"opsight_timeline_grid": 1, "package": "com.example.app", "zone": "Europe/Berlin",
             "days": ["2026-03-28", "2026-03-29"],
             "rows": [
               {"info_type": "location", "access": 3, "foreground": 1, "background": 2, "unknown_state": 0, "reject": 1,
                "cells": [
                  {"day": 0, "hour": 23, "foreground": 1, "background": 1, "unknown_state": 0, "reject": 1, "mark": "background"},
                  {"day": 1, "hour": null, "foreground": 0, "background": 1, "unknown_state": 0, "reject": 0, "mark": "background"},
                  {"day": 1, "hour": 3, "foreground": 0, "background": 0, "unknown_state": 0, "reject": 0, "mark": "a_new_mark"},
                  {"day": 7, "hour": 3, "foreground": 9, "background": 0, "unknown_state": 0, "reject": 0, "mark": "foreground"},
                  {"day": 1, "hour": 24, "foreground": 9, "background": 0, "unknown_state": 0, "reject": 0, "mark": "foreground"}
                ]},
               {"info_type": "camera", "access": 0, "foreground": 0, "background": 0, "unknown_state": 0, "reject": 2,
                "cells": [{"day": 1, "hour": 0, "foreground": 0, "background": 0, "unknown_state": 0, "reject": 2, "mark": "reject_only"}]}
             ]}
        """.trimIndent()
        val grid = CoreJson.timelineGrid(doc)
        assertEquals(listOf(LocalDate.of(2026, 3, 28), LocalDate.of(2026, 3, 29)), grid.days)
        assertEquals(listOf("location", "camera"), grid.rows.map { it.infoType })
        val location = grid.rows[0]
        assertEquals(Cell(foreground = 1, background = 1, unknown = 0, rejects = 1, mark = Mark.BACKGROUND), location.cells[0][23])
        assertEquals(Mark.BACKGROUND, location.dayOnly[1].mark)
        assertEquals(Mark.NONE, location.dayOnly[0].mark)
        assertEquals(Mark.NONE, location.cells[1][3].mark, "a mark this version does not know draws nothing")
        assertTrue(location.cells.flatten().none { it.foreground == 9L }, "cells outside the days or hours are ignored")
        assertEquals(listOf(3L, 2L, 1L), listOf(location.accesses, location.background, location.rejects))
        assertEquals(Mark.REJECT_ONLY, grid.rows[1].cells[1][0].mark)
        assertEquals(2L, grid.rows[1].rejects)
    }

    @Test
    fun `who accessed lists apps with counts`() {
        val doc = """
            {"opsight_who_accessed": 1, "info_type": "contacts", "from_ms": 0, "to_ms": 9,
             "apps": [{"package": "a", "label": null, "access": 7, "reject": 1, "foreground": 2, "background": 5,
                       "first_ms": 1, "last_ms": 8, "ops": ["READ_CONTACTS"]},
                      {"package": "b", "label": "B", "access": 1, "reject": 0, "foreground": 1, "background": 0,
                       "first_ms": null, "last_ms": null, "ops": []}]}
        """.trimIndent()
        val who = CoreJson.whoAccessed(doc)
        assertEquals(7, who[0].access)
        assertEquals(5, who[0].background)
        assertEquals(8L, who[0].lastMs)
        assertNull(who[0].label)
        assertNull(who[1].lastMs)
    }

    @Test
    fun `a donation preview keeps a row's missing label null`() {
        val doc = """
            {"opsight_donation_preview": 1,
             "manifest": {"study_id": "s", "title": "T", "researcher": "R", "contact": "c", "purpose": "p",
                          "retention": "r", "info_types": ["sms", "location"]},
             "fields": ["day", "app", "info_type"],
             "rows": [{"row_id": "r-1", "package": "org.example", "label": null, "leaves": {"day": "2027-01-01"}},
                      {"row_id": "r-2", "package": "org.other", "label": "Other", "leaves": {"day": "2027-01-02"}}],
             "totals": {}, "suppressed": [{"day": "2027-01-01"}], "packages": [], "device": "this-device",
             "review_code": "5be1c0d29a4f7e13"}
        """.trimIndent()
        val p = CoreJson.donationPreview(doc)
        assertNull(p.rows[0].label, "shown as the package, never as the text null")
        assertEquals("Other", p.rows[1].label)
        assertEquals(listOf("sms", "location"), p.infoTypes)
        assertEquals(1, p.suppressedGroups)
        assertEquals("5be1c0d29a4f7e13", p.reviewCode, "given back with the exclusions at export")
    }

    @Test
    fun `open report names a database moved aside`() {
        assertNull(CoreJson.movedAside("""{"opsight_open": 1, "moved_aside": null, "upgraded_from": 0}"""))
        assertEquals(
            "opsight.db.damaged-20260101T000000Z",
            CoreJson.movedAside("""{"opsight_open": 1, "moved_aside": "opsight.db.damaged-20260101T000000Z", "upgraded_from": 0}"""),
        )
    }
}
