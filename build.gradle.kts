// Root build file: declares the plugins the app module applies. AGP 9 compiles Kotlin itself ("built-in Kotlin");
// the buildscript classpath entry pins the Kotlin Gradle plugin it uses to the catalog's Kotlin version, as the
// AGP 9 migration guide documents, so the APK and tests/android/check.sh compile with the same Kotlin.
buildscript {
    repositories {
        google()
        mavenCentral()
    }
    dependencies {
        classpath(libs.kotlin.gradle.plugin)
    }
}

plugins {
    alias(libs.plugins.android.application) apply false
}
