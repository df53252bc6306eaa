// The Opsight Android app (docs/android.md). Build from the repository root:
//   ./gradlew :app:assembleDebug        (or :app:assembleRelease, :app:testDebugUnitTest)
// The native core (libopsight.so, rust/jni) is built by cargo-ndk for every ABI below and packaged with the app.

import javax.inject.Inject
import org.gradle.process.ExecOperations

plugins {
    alias(libs.plugins.android.application)
}

/** The ABIs the app ships (phones, older 32-bit phones, the emulator). */
val appAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

android {
    namespace = "org.opsight"
    compileSdk = libs.versions.compileSdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        applicationId = "org.opsight"
        minSdk = libs.versions.minSdk.get().toInt()
        targetSdk = libs.versions.targetSdk.get().toInt()
        versionCode = 1
        versionName = "0.1.0"
        ndk {
            abiFilters += appAbis
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(
                getDefaultProguardFile("proguard-android-optimize.txt"),
                "proguard-rules.pro",
                // The JNI bridge's own keep rules, kept next to the class they protect.
                "src/main/java/org/opsight/core/opsight-keep.pro",
            )
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        jniLibs {
            // Store libopsight.so uncompressed and page-aligned in the APK, loaded in place (16 KB pages too).
            useLegacyPackaging = false
        }
    }

    testOptions {
        unitTests.all { it.useJUnitPlatform() }
    }
}

dependencies {
    testImplementation(libs.junit.jupiter)
    // The platform's org.json is a stub in host unit tests; the shell's JSON tests use the real one.
    testImplementation(libs.org.json)
    testRuntimeOnly(libs.junit.platform.launcher)
}

/**
 * Builds `libopsight.so` for the given ABIs with cargo-ndk (`cargo install cargo-ndk`, plus `rustup target add` for each
 * ABI's Rust target) into [outputDir]/<abi>/. Linked with 16 KB maximum page size, which Android 15+ devices with
 * 16 KB pages require and Google Play requires for apps targeting Android 15+.
 */
abstract class CargoNdkTask @Inject constructor(private val execOps: ExecOperations) : DefaultTask() {
    @get:Input abstract val abis: ListProperty<String>
    @get:Input abstract val platform: Property<Int>
    /** The Cargo profile: `android`, the size-optimised profile with `panic = "unwind"` (docs/bridge.md). */
    @get:Input abstract val profile: Property<String>
    @get:Input abstract val crate: Property<String>

    /** The Rust sources and manifests the library is built from (the task reruns when they change). */
    @get:InputFiles
    @get:PathSensitive(PathSensitivity.RELATIVE)
    abstract val sources: ConfigurableFileCollection

    @get:Internal abstract val workspace: DirectoryProperty
    @get:OutputDirectory abstract val outputDir: DirectoryProperty

    @TaskAction
    fun build() {
        val out = outputDir.get().asFile
        out.deleteRecursively()
        out.mkdirs()
        val pageSize = "-C link-arg=-Wl,-z,max-page-size=16384"
        val rustflags = listOfNotNull(System.getenv("RUSTFLAGS")?.takeIf { it.isNotBlank() }, pageSize)
        // The SQLite options the host tests use too (rust/jni/libsqlite3-flags): features Opsight never calls, left out
        // (-D/-U lines, for libsqlite3-sys), and compiler options for SQLite's C (-f lines, the only C in the library).
        val sqliteOptions = workspace.get().file("rust/jni/libsqlite3-flags").asFile.readLines().map { it.trim() }
        fun options(prefix: Regex) = sqliteOptions.filter { prefix.matches(it.take(2)) }.joinToString(" ")
        execOps.exec {
            workingDir = workspace.get().asFile
            environment("RUSTFLAGS", rustflags.joinToString(" "))
            environment("LIBSQLITE3_FLAGS", options(Regex("-[DU]")))
            environment("CFLAGS", options(Regex("-f")))
            commandLine(
                buildList {
                    addAll(listOf("cargo", "ndk"))
                    abis.get().forEach { addAll(listOf("-t", it)) }
                    addAll(listOf("--platform", platform.get().toString(), "-o", out.path))
                    addAll(listOf("build", "--locked", "-p", crate.get(), "--profile", profile.get()))
                },
            )
        }
    }
}

androidComponents {
    onVariants { variant ->
        val name = variant.name.replaceFirstChar { it.uppercase() }
        val cargo = tasks.register<CargoNdkTask>("cargoNdk$name") {
            group = "build"
            description = "Builds libopsight.so (rust/jni) with cargo-ndk for ${variant.name}."
            abis.set(appAbis)
            platform.set(libs.versions.minSdk.get().toInt())
            // Debug builds of the app ship the same optimised library: a debug-profile parser is too slow for real
            // dumps, and the Kotlin side is what one debugs.
            profile.set("android")
            crate.set("opsight-jni")
            workspace.set(rootProject.layout.projectDirectory)
            sources.from(
                rootProject.files("Cargo.toml", "Cargo.lock"),
                rootProject.fileTree("rust") {
                    exclude("**/target/**", "cli/**", "synth/**", "core/fuzz/**")
                },
            )
            outputDir.set(layout.buildDirectory.dir("rustJniLibs/${variant.name}"))
        }
        // Wires the task's output into the variant's jniLibs: merge<Variant>JniLibFolders depends on it.
        variant.sources.jniLibs?.addGeneratedSourceDirectory(cargo, CargoNdkTask::outputDir)
    }
}
