package org.opsight.logic

/**
 * A minimal JSON writer (RFC 8259) for the documents the shell hands to the core. Reading the core's answers is
 * org.json's job; writing is done here so the inventory can be built and tested without the Android platform.
 */
class JsonWriter {
    private val out = StringBuilder()
    private val needsComma = ArrayDeque<Boolean>()

    override fun toString(): String = out.toString()

    fun beginObject(): JsonWriter = open('{')
    fun endObject(): JsonWriter = close('}')
    fun beginArray(): JsonWriter = open('[')
    fun endArray(): JsonWriter = close(']')

    fun name(name: String): JsonWriter {
        separate()
        string(name)
        out.append(':')
        // The value that follows must not write another comma.
        needsComma.removeLast()
        needsComma.addLast(false)
        return this
    }

    fun value(value: String?): JsonWriter = scalar { if (value == null) out.append("null") else string(value) }
    fun value(value: Long?): JsonWriter = scalar { out.append(value?.toString() ?: "null") }
    fun value(value: Int?): JsonWriter = scalar { out.append(value?.toString() ?: "null") }
    fun value(value: Boolean?): JsonWriter = scalar { out.append(value?.toString() ?: "null") }

    fun field(name: String, value: String?): JsonWriter = name(name).value(value)
    fun field(name: String, value: Long?): JsonWriter = name(name).value(value)
    fun field(name: String, value: Int?): JsonWriter = name(name).value(value)
    fun field(name: String, value: Boolean?): JsonWriter = name(name).value(value)

    fun stringArray(name: String, values: List<String>): JsonWriter {
        name(name).beginArray()
        values.forEach { value(it) }
        return endArray()
    }

    private inline fun scalar(write: () -> Unit): JsonWriter {
        separate()
        write()
        return this
    }

    private fun open(bracket: Char): JsonWriter {
        separate()
        out.append(bracket)
        needsComma.addLast(false)
        return this
    }

    private fun close(bracket: Char): JsonWriter {
        needsComma.removeLast()
        out.append(bracket)
        return this
    }

    /** Writes the comma before a member or element when one came before it at this level. */
    private fun separate() {
        if (needsComma.isEmpty()) return
        if (needsComma.last()) out.append(',')
        needsComma.removeLast()
        needsComma.addLast(true)
    }

    /**
     * A JSON string. Control characters are escaped; a lone UTF-16 surrogate (which has no UTF-8 form and would
     * make the whole document invalid) becomes U+FFFD.
     */
    private fun string(s: String) {
        out.append('"')
        var i = 0
        while (i < s.length) {
            val c = s[i]
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c == '\n' -> out.append("\\n")
                c == '\r' -> out.append("\\r")
                c == '\t' -> out.append("\\t")
                c < ' ' -> out.append("\\u").append(String.format("%04x", c.code))
                c.isHighSurrogate() && i + 1 < s.length && s[i + 1].isLowSurrogate() -> {
                    out.append(c).append(s[i + 1])
                    i++
                }
                c.isSurrogate() -> out.append('\uFFFD')
                else -> out.append(c)
            }
            i++
        }
        out.append('"')
    }
}
