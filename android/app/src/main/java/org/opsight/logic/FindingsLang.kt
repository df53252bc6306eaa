package org.opsight.logic

/**
 * The language to ask the core's findings in, from the locale the app's resources were resolved for, so the
 * findings speak the language of the screens around them.
 *
 * The core writes `en` and `zh-CN`; the app ships English and Simplified Chinese strings (`values-zh-rCN`).
 * Android resolves any Simplified Chinese locale (`zh-Hans`, `zh-CN`, `zh-SG`, a bare `zh`) to `values-zh-rCN`, and a
 * Traditional one (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`) to the English defaults; this follows the same rule.
 */
object FindingsLang {
    const val ENGLISH = "en"
    const val SIMPLIFIED_CHINESE = "zh-CN"

    private val TRADITIONAL_REGIONS = setOf("TW", "HK", "MO")

    /**
     * @param language ISO 639 code as `Locale.getLanguage()` gives it (`zh`, `en`, …)
     * @param script ISO 15924 code as `Locale.getScript()` gives it, empty when unknown
     * @param country region as `Locale.getCountry()` gives it, empty when unknown
     */
    fun forLocale(language: String, script: String, country: String): String {
        if (!language.equals("zh", ignoreCase = true)) return ENGLISH
        return when {
            script.equals("Hans", ignoreCase = true) -> SIMPLIFIED_CHINESE
            script.equals("Hant", ignoreCase = true) -> ENGLISH
            country.uppercase() in TRADITIONAL_REGIONS -> ENGLISH
            else -> SIMPLIFIED_CHINESE
        }
    }
}
