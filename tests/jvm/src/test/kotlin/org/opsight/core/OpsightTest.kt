package org.opsight.core

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import org.opsight.core.TestSupport.A10_CAPTURED_AT
import org.opsight.core.TestSupport.A10_EVENTS
import org.opsight.core.TestSupport.A10_ZONE
import org.opsight.core.TestSupport.assertClean
import org.opsight.core.TestSupport.dailyTotal
import org.opsight.core.TestSupport.json
import java.io.File

/** Every method of [Opsight] on real and generated dumps: what goes in comes back out through the JSON documents. */
class OpsightTest {
    @TempDir
    lateinit var dir: File

    private fun open() = Opsight(File(dir, "opsight.db").path)

    private fun ingestA10(db: Opsight) = json(db.ingestDump(TestSupport.a10.readBytes(), A10_CAPTURED_AT, A10_ZONE))

    @Test
    fun `ingestDump stores the A10 capture once and reports a repeat as nothing new`() {
        open().use { db ->
            val first = ingestA10(db)
            assertEquals(A10_EVENTS, first.getInt("new_events"))
            assertEquals("dumpsys_q", first.getString("dialect"))
            assertFalse(first.getBoolean("repeat"))
            assertEquals(4957, first.getInt("bytes"))
            val again = ingestA10(db)
            assertEquals(0, again.getInt("new_events"))
            assertTrue(again.getBoolean("repeat"))
            // Every key of the CLI's report is there (docs/json.md, `opsight ingest --json`).
            for (key in listOf(
                "run_id", "dialect", "truncated", "repeat", "new_events", "known_events", "new_discrete_events",
                "history_entries", "undatable_events", "unattributed_events", "skipped_before_retention", "apps",
                "new_apps", "clock_skew_ms", "zone_from_dump", "bytes", "duration_ms",
            )) {
                assertTrue(again.has(key), "ingest report lacks $key")
            }
        }
    }

    @Test
    fun `apps, timeline, whoAccessed and dailyCounts read the A10 events back`() {
        open().use { db ->
            ingestA10(db)
            val apps = json(db.apps())
            assertEquals(1, apps.getInt("opsight_apps"))
            val list = apps.getJSONArray("apps")
            val packages = (0 until list.length()).map { list.getJSONObject(it).getString("package") }
            assertTrue("com.facebook.katana" in packages, packages.toString())
            // The core's order: most recent sensitive access first, apps without one last.
            val last = (0 until list.length()).map { list.getJSONObject(it).optJSONObject("last_sensitive_access")?.getLong("t") }
            assertEquals(last.sortedByDescending { it ?: Long.MIN_VALUE }, last)

            // The timelines of all apps hold exactly the 23 events.
            var events = 0
            for (p in packages) {
                val tl = json(db.timeline(p, Long.MIN_VALUE, Long.MAX_VALUE))
                assertEquals(1, tl.getInt("opsight_timeline"))
                assertEquals(p, tl.getString("package"))
                assertTrue(tl.isNull("from_ms") && tl.isNull("to_ms"), "unbounded range is null")
                events += tl.getJSONArray("events").length()
                assertEquals(tl.getInt("access") + tl.getInt("reject"), tl.getJSONArray("events").length())
            }
            assertEquals(A10_EVENTS, events)

            val fb = json(db.timeline("com.facebook.katana", Long.MIN_VALUE, Long.MAX_VALUE))
            assertEquals(listOf(10103L), (0 until fb.getJSONArray("uids").length()).map { fb.getJSONArray("uids").getLong(it) })
            val first = fb.getJSONArray("events").getJSONObject(0)
            for (key in listOf("op", "info_type", "kind", "start_utc_ms", "visibility", "flags", "source", "precision_ms")) {
                assertTrue(first.has(key), "timeline event lacks $key")
            }
            // A bounded range: only what lies inside, with the bounds echoed.
            val t0 = first.getLong("start_utc_ms")
            val one = json(db.timeline("com.facebook.katana", t0, t0 + 1))
            assertEquals(t0, one.getLong("from_ms"))
            assertTrue(one.getJSONArray("events").length() >= 1)
            // An unknown package: empty, not an error.
            val none = json(db.timeline("com.example.unknown", Long.MIN_VALUE, Long.MAX_VALUE))
            assertEquals(0, none.getJSONArray("events").length())
            assertEquals(0, none.getJSONArray("uids").length())

            val who = json(db.whoAccessed("contacts", Long.MIN_VALUE, Long.MAX_VALUE))
            assertEquals(1, who.getInt("opsight_who_accessed"))
            assertEquals("contacts", who.getString("info_type"))
            val readers = who.getJSONArray("apps")
            val fbContacts = (0 until readers.length()).map { readers.getJSONObject(it) }.single { it.getString("package") == "com.facebook.katana" }
            assertEquals(1, fbContacts.getInt("access"))
            assertEquals(listOf("READ_CONTACTS"), (0 until fbContacts.getJSONArray("ops").length()).map { fbContacts.getJSONArray("ops").getString(it) })

            val daily = db.dailyCounts(Long.MIN_VALUE, Long.MAX_VALUE)
            assertEquals(1, json(daily).getInt("opsight_daily_counts"))
            assertEquals(A10_EVENTS.toLong(), dailyTotal(daily))
            assertEquals(0L, dailyTotal(db.dailyCounts(0, 1)))
        }
    }

    @Test
    fun `timelineGrid counts the A10 accesses per type, local day and hour, before and after retention`() {
        open().use { db ->
            ingestA10(db)
            // Facebook on 2022-03-29 in Berlin: an identifier read in the background at 18:xx with a refused one, a
            // refused SMS write at 18:xx, a wake lock in the background at 23:xx.
            val grid = json(db.timelineGrid("com.facebook.katana", "2022-03-29", 2, "Europe/Berlin"))
            assertEquals(1, grid.getInt("opsight_timeline_grid"))
            assertEquals("Europe/Berlin", grid.getString("zone"))
            assertEquals(listOf("2022-03-28", "2022-03-29"), (0 until 2).map { grid.getJSONArray("days").getString(it) })
            fun cells(g: org.json.JSONObject) = (0 until g.getJSONArray("rows").length()).map { i ->
                val row = g.getJSONArray("rows").getJSONObject(i)
                val cells = row.getJSONArray("cells")
                row.getString("info_type") to (0 until cells.length()).map { j ->
                    val c = cells.getJSONObject(j)
                    listOf(c.getInt("day"), if (c.isNull("hour")) null else c.getInt("hour"), c.getString("mark"))
                }
            }
            val want = listOf(
                "sms" to listOf(listOf(1, 18, "reject_only")),
                "phone_identity" to listOf(listOf(1, 18, "background")),
                "background_run" to listOf(listOf(1, 23, "background")),
            )
            assertEquals(want, cells(grid))
            // Past retention the same hours stay, from hourly counts.
            json(db.applyRetention(90, 100_000))
            assertEquals(want, cells(json(db.timelineGrid("com.facebook.katana", "2022-03-29", 2, "Europe/Berlin"))))
            assertEquals(0, json(db.timelineGrid("com.example.unknown", "2022-03-29", 2, "UTC")).getJSONArray("rows").length())
            for ((day, days, zone) in listOf(
                Triple("2022-03-29", 0, "UTC"), Triple("2022-03-29", -1, "UTC"), Triple("2022-03-29", 367, "UTC"),
                Triple("29.03.2022", 7, "UTC"), Triple("2022-03-29", 7, "Mars/Olympus_Mons"),
            )) {
                val e = assertThrows<OpsightException> { db.timelineGrid("com.facebook.katana", day, days, zone) }
                assertClean(e, "com.facebook.katana")
                assertEquals("invalid_input", e.kind, e.message)
            }
        }
    }

    @Test
    fun `findings judge the last 30 days in English and Chinese, and setCategory changes the category`() {
        val now = System.currentTimeMillis()
        open().use { db ->
            val report = json(db.ingestDump(TestSupport.dump("com.example.recent", 500, 3, now), now, "UTC"))
            assertEquals(3 * TestSupport.EVENTS_PER_APP, report.getInt("new_events"))
            val en = json(db.findings("en"))
            assertEquals(1, en.getInt("opsight_findings"))
            assertEquals("en", en.getString("lang"))
            assertEquals(3, en.getJSONArray("apps").length(), "the three apps active in the last 30 days")
            assertTrue(en.getLong("to_ms") > now - 1000 && en.getLong("from_ms") <= now - 29L * 86_400_000)
            assertTrue(en.getJSONArray("findings").length() > 0, "background contacts reads are a finding")

            val zh = json(db.findings("zh-CN"))
            assertEquals("zh-CN", zh.getString("lang"))
            val summary = zh.getJSONArray("apps").getJSONObject(0).getString("summary")
            assertTrue(summary.any { it.code in 0x4E00..0x9FFF }, "Chinese text survives the bridge: $summary")
            assertEquals("zh-CN", json(db.findings("zh_CN")).getString("lang"))

            val pkg = "com.example.recent.p0"
            db.setCategory(pkg, "online_video_music")
            val app = json(db.findings("en")).getJSONArray("apps").let { a ->
                (0 until a.length()).map { a.getJSONObject(it) }.single { it.getString("package") == pkg }
            }
            assertEquals("online_video_music", app.getString("category"))
            assertEquals("user", app.getString("category_source"))
            db.setCategory(pkg, null)
            val cleared = json(db.findings("en")).getJSONArray("apps").let { a ->
                (0 until a.length()).map { a.getJSONObject(it) }.single { it.getString("package") == pkg }
            }
            assertTrue(cleared.getString("category_source") != "user")

            val e = assertThrows<OpsightException> { db.setCategory(pkg, "no_such_category") }
            assertClean(e, pkg)
            assertClean(assertThrows<OpsightException> { db.findings("fr") }, "fr")
            assertClean(assertThrows<OpsightException> { db.findings("zh-TW") })
        }
    }

    @Test
    fun `ingestPackages loads labels and refuses bad documents without echoing them`() {
        open().use { db ->
            ingestA10(db)
            val inventory = """{"opsight_inventory": 1, "captured_at_ms": $A10_CAPTURED_AT, "packages": [
                {"package": "com.facebook.katana", "label": "Facebook", "uid": 10103, "category": "social",
                 "requested_permissions": ["android.permission.READ_CONTACTS"],
                 "granted_permissions": ["android.permission.READ_CONTACTS"],
                 "usage": [{"begin_ms": 1648500000000, "end_ms": 1648500600000}]},
                {"package": "org.example.new", "label": "Neu 新 \uD83D\uDE00 😀", "system": false}]}"""
            val report = json(db.ingestPackages(inventory))
            assertEquals(2, report.getInt("packages"))
            assertEquals(2, report.getInt("new_packages"), "new to the inventory, even if a dump named it before")
            assertEquals(1, report.getInt("permissions"), "one permission, requested and granted")
            assertEquals(1, report.getInt("usage_intervals"))
            assertEquals(0, json(db.ingestPackages(inventory)).getInt("new_packages"))
            val apps = json(db.apps()).getJSONArray("apps")
            val byPackage = (0 until apps.length()).map { apps.getJSONObject(it) }.associateBy { it.getString("package") }
            assertEquals("Facebook", byPackage.getValue("com.facebook.katana").getString("label"))
            assertEquals("social", byPackage.getValue("com.facebook.katana").getString("category"))
            assertEquals("Neu 新 😀 😀", byPackage.getValue("org.example.new").getString("label"))

            val secret = "com.secret.package"
            for (bad in listOf(
                "not json at all: $secret",
                """{"opsight_inventory": 1, "packages": [{"package": "$secret", "category": "bogus"}]}""",
                """{"opsight_inventory": 2, "packages": []}""",
                """{"opsight_inventory": 1, "packages": [{"package": "$secret", "usage": [{"begin_ms": 2, "end_ms": 1}]}]}""",
            )) {
                assertClean(assertThrows<OpsightException> { db.ingestPackages(bad) }, secret)
            }
        }
    }

    @Test
    fun `applyRetention rolls old events up and keeps every count`() {
        open().use { db ->
            ingestA10(db)
            val before = json(db.timeline("com.facebook.katana", Long.MIN_VALUE, Long.MAX_VALUE))
            val report = json(db.applyRetention(90, 365))
            // The capture is from 2022: every event is older than 90 days.
            assertEquals(A10_EVENTS, report.getInt("events_rolled_up"))
            assertTrue(report.getLong("rolled_up_before_ms") > A10_CAPTURED_AT)
            assertTrue(report.has("hours_rolled_up"))
            val after = json(db.timeline("com.facebook.katana", Long.MIN_VALUE, Long.MAX_VALUE))
            assertEquals(0, after.getJSONArray("events").length())
            assertEquals(before.getInt("access"), after.getInt("access"))
            assertEquals(before.getInt("reject"), after.getInt("reject"))
            // Charts keep the rolled-up days: the same total, now from counts.
            assertEquals(A10_EVENTS.toLong(), dailyTotal(db.dailyCounts(Long.MIN_VALUE, Long.MAX_VALUE)))
            // Nothing left to roll up; the same dump again adds nothing.
            assertEquals(0, json(db.applyRetention(90, 365)).getInt("events_rolled_up"))
            assertEquals(0, ingestA10(db).getInt("new_events"))
            assertClean(assertThrows<OpsightException> { db.applyRetention(-1, 365) })
            assertClean(assertThrows<OpsightException> { db.applyRetention(90, Int.MIN_VALUE) })
        }
    }

    @Test
    fun `openReport says nothing was moved aside for a new database`() {
        open().use { db ->
            val report = json(db.openReport())
            assertEquals(1, report.getInt("opsight_open"))
            assertTrue(report.isNull("moved_aside"))
            assertEquals(0, report.getInt("upgraded_from"))
        }
        open().use { db -> assertTrue(json(db.openReport()).getInt("upgraded_from") > 0, "reopened at the current version") }
    }

    @Test
    fun `a damaged database is moved aside and reported by file name`() {
        val path = File(dir, "damaged.db")
        path.writeText("this is not an SQLite database, but it is somebody's only copy ".repeat(100))
        Opsight(path.path).use { db ->
            val moved = json(db.openReport()).getString("moved_aside")
            assertTrue(moved.startsWith("damaged.db.damaged-"), moved)
            assertTrue(File(dir, moved).exists(), "moved, not deleted")
            assertEquals(0, json(db.apps()).getJSONArray("apps").length())
        }
    }

    @Test
    fun `garbage bytes are a dump with no events, not a crash`() {
        open().use { db ->
            val garbage = ByteArray(256 * 1024) { (it * 31 + 7).toByte() }
            val report = json(db.ingestDump(garbage, System.currentTimeMillis(), "UTC"))
            assertEquals(0, report.getInt("new_events"))
            assertEquals("unknown", report.getString("dialect"))
            assertTrue(report.getBoolean("no_appops_text"), "what the app counts as a failed step")
            assertEquals(garbage.size, report.getInt("bytes"))
            assertFalse(json(db.ingestDump(TestSupport.a10.readBytes(), A10_CAPTURED_AT, A10_ZONE)).getBoolean("no_appops_text"))
            val empty = json(db.ingestDump(ByteArray(0), System.currentTimeMillis(), "UTC"))
            assertEquals(0, empty.getInt("new_events"))
        }
    }

    @Test
    fun `bad arguments throw OpsightException with clean messages`() {
        open().use { db ->
            val dump = TestSupport.a10.readBytes()
            assertEquals("invalid input: unknown time zone", assertThrows<OpsightException> { db.ingestDump(dump, 0, "Mars/Olympus_Mons") }.message)
            assertClean(assertThrows<OpsightException> { db.whoAccessed("com.secret.app", 0, 1) }, "com.secret.app")
            assertClean(assertThrows<OpsightException> { db.whoAccessed("Contacts", 0, 1) })
            // An unpaired surrogate cannot be turned into the UTF-8 the core reads.
            val e = assertThrows<OpsightException> { db.timeline("com.bad\uD800name", 0, 1) }
            assertEquals("argument packageName is not valid UTF-16 text", e.message)
            // Nothing was stored by the refused ingest.
            assertEquals(0, json(db.apps()).getJSONArray("apps").length())
        }
    }

    @Test
    fun `null arguments from Java are refused with a fixed message`() {
        // Kotlin's types keep nulls out; Java callers (or reflection) can still pass them.
        val nativeOpen = Opsight::class.java.getDeclaredMethod("nativeOpen", String::class.java)
        nativeOpen.isAccessible = true
        val e = assertThrows<java.lang.reflect.InvocationTargetException> { nativeOpen.invoke(null, null) }
        assertTrue(e.cause is OpsightException, e.cause.toString())
        assertEquals("argument dbPath is null", e.cause?.message)

        open().use { db ->
            val handleField = Opsight::class.java.getDeclaredField("handle").apply { isAccessible = true }
            val handle = handleField.getLong(db)
            val ingest = Opsight::class.java.getDeclaredMethod(
                "nativeIngestDump", Long::class.java, ByteArray::class.java, Long::class.java, String::class.java,
            ).apply { isAccessible = true }
            val nullDump = assertThrows<java.lang.reflect.InvocationTargetException> { ingest.invoke(null, handle, null, 0L, "UTC") }
            assertEquals("argument dump is null", nullDump.cause?.message)
            val nullZone = assertThrows<java.lang.reflect.InvocationTargetException> { ingest.invoke(null, handle, ByteArray(1), 0L, null) }
            assertEquals("argument zoneId is null", nullZone.cause?.message)
        }
    }

    @Test
    fun `paths that cannot hold a database are refused without naming them`() {
        val asDirectory = File(dir, "a-directory").apply { mkdirs() }
        val e1 = assertThrows<OpsightException> { Opsight(asDirectory.path) }
        assertClean(e1, asDirectory.path, "a-directory")
        val missingParent = File(dir, "no/such/dir/opsight.db")
        val e2 = assertThrows<OpsightException> { Opsight(missingParent.path) }
        assertClean(e2, missingParent.path, "such")
    }

    @Test
    fun `calls after close throw and close is idempotent`() {
        val db = open()
        ingestA10(db)
        db.close()
        db.close()
        val calls: List<() -> Any> = listOf(
            { db.apps() },
            { db.openReport() },
            { db.ingestDump(ByteArray(1), 0, "UTC") },
            { db.ingestPackages("{}") },
            { db.timeline("com.facebook.katana", 0, 1) },
            { db.timelineGrid("com.facebook.katana", "2022-03-29", 7, "UTC") },
            { db.findings("en") },
            { db.whoAccessed("contacts", 0, 1) },
            { db.dailyCounts(0, 1) },
            { db.setCategory("com.facebook.katana", null) },
            { db.applyRetention(1, 1) },
        )
        for (call in calls) {
            val e = assertThrows<OpsightException> { call() }
            assertEquals("the database is closed", e.message)
            assertEquals("closed", e.kind)
        }
        // The data survived the close.
        open().use { again -> assertEquals(A10_EVENTS.toLong(), dailyTotal(again.dailyCounts(Long.MIN_VALUE, Long.MAX_VALUE))) }
    }

    @Test
    fun `a panic in the library surfaces as OpsightException and the library keeps working`() {
        open().use { db ->
            repeat(3) {
                val e = assertThrows<OpsightException> { db.testingPanic() }
                assertEquals("unexpected internal error in the Opsight library", e.message)
                assertEquals("internal", e.kind)
                assertClean(e, "/data", "com.secret.app")
            }
            ingestA10(db)
            assertEquals(A10_EVENTS.toLong(), dailyTotal(db.dailyCounts(Long.MIN_VALUE, Long.MAX_VALUE)))
        }
    }

    @Test
    fun `when OpsightException cannot be thrown the fallbacks are RuntimeException then AssertionError`() {
        open().use { db ->
            val runtime = assertThrows<RuntimeException> { db.testingThrowFallback(true) }
            assertEquals(RuntimeException::class.java, runtime.javaClass)
            assertEquals("invalid argument: testing fallback", runtime.message)
            val last = assertThrows<AssertionError> { db.testingThrowFallback(false) }
            assertEquals("invalid argument: testing fallback", last.message)
        }
    }
}
