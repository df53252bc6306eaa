// Gradle root of Opsight's Android app (docs/android.md). The Rust workspace beside it is built by cargo; the
// app module runs cargo-ndk itself (android/app/build.gradle.kts).
pluginManagement {
    repositories {
        google {
            content {
                includeGroupByRegex("com\\.android.*")
                includeGroupByRegex("com\\.google.*")
                includeGroupByRegex("androidx.*")
            }
        }
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "opsight"

include(":app")
project(":app").projectDir = file("android/app")
