package org.opsight.collect

import android.content.Context
import android.os.Debug
import java.io.File
import java.io.FileOutputStream
import java.io.IOException

/**
 * Takes one `dumpsys appops` through the public `Debug.dumpService`, which needs `DUMP` and usage access.
 *
 * The service writes into a file descriptor while this thread waits for the binder call to return, so the output
 * goes to a private temporary file (a pipe would fill up and stall the service with nobody reading it). The file
 * is deleted as soon as its bytes are read. No text is looked at here: the bytes go to the core as they are.
 */
object AppOpsDumper {
    const val SERVICE = "appops"
    private const val PREFIX = "appops"
    private const val SUFFIX = ".dump"

    /**
     * Deletes dumps a run left behind when the process ended between writing and deleting one: each is a whole
     * access record, which must not sit in the cache. Called before a run's first dump (runs never overlap).
     */
    fun deleteLeftovers(context: Context) {
        context.cacheDir.listFiles { f -> f.name.startsWith(PREFIX) && f.name.endsWith(SUFFIX) }?.forEach { it.delete() }
    }

    @Throws(IOException::class)
    fun dump(context: Context, args: List<String>): ByteArray {
        val file = File.createTempFile(PREFIX, SUFFIX, context.cacheDir)
        try {
            val found = FileOutputStream(file).use { out ->
                Debug.dumpService(SERVICE, out.fd, args.toTypedArray())
            }
            if (!found) throw IOException("the appops service was not found")
            return file.readBytes()
        } finally {
            file.delete()
        }
    }
}
