package org.opsight.logic

import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource
import org.junit.jupiter.api.Assertions.assertEquals

class FindingsLangTest {
    @ParameterizedTest(name = "{0}-{1}-{2} -> {3}")
    @CsvSource(
        "zh, '', CN, zh-CN",
        "zh, Hans, '', zh-CN",
        "zh, Hans, HK, zh-CN",
        "zh, '', SG, zh-CN",
        "zh, '', '', zh-CN",
        "ZH, '', cn, zh-CN",
        "zh, Hant, TW, en",
        "zh, '', TW, en",
        "zh, '', HK, en",
        "zh, '', MO, en",
        "zh, Hant, '', en",
        "en, '', US, en",
        "en, '', GB, en",
        "de, '', DE, en",
        "ja, '', JP, en",
        "'', '', '', en",
    )
    fun `findings follow the language the app's strings resolve to`(language: String, script: String, country: String, expected: String) {
        assertEquals(expected, FindingsLang.forLocale(language, script, country))
    }
}
