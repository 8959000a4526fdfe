//! Links libjpeg-turbo's TurboJPEG library (ImageDecoder's JPEG decoder),
//! and in a development build libvpx and libaom (per-frame quantizers),
//! found with pkg-config like FFmpeg: the system's shared library in a
//! development build, the static one of scripts/build-ffmpeg's prefix
//! (PKG_CONFIG_PATH, set by scripts/prebuild) with the `static-ffmpeg` feature.
//!
//! Two encoders are also called without FFmpeg where they are found, each
//! turning on a cfg: OpenH264 (`openh264`: H.264 temporal layers and
//! per-frame QP, src/video/openh264.rs), which a static FFmpeg always links,
//! and in a development build x265 of build 199 (`x265_direct`: HEVC
//! per-frame QP, src/video/x265.rs), Debian 12's.
use std::process::Command;

/// X265_BUILD of the x265 pkg-config finds, from its x265_config.h.
fn x265_build() -> Option<u32> {
    let out = Command::new("pkg-config").args(["--cflags-only-I", "x265"]).output().ok().filter(|o| o.status.success())?;
    let flags = String::from_utf8_lossy(&out.stdout).into_owned();
    let dirs = flags.split_whitespace().filter_map(|f| f.strip_prefix("-I")).map(String::from).chain(["/usr/include".to_string()]);
    let header = dirs.map(|d| std::path::Path::new(&d).join("x265_config.h")).find(|p| p.exists())?;
    println!("cargo:rerun-if-changed={}", header.display());
    let text = std::fs::read_to_string(header).ok()?;
    text.lines().find_map(|l| l.strip_prefix("#define X265_BUILD").and_then(|v| v.trim().parse().ok()))
}

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rustc-check-cfg=cfg(openh264)");
    println!("cargo:rustc-check-cfg=cfg(x265_direct)");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    let static_link = std::env::var_os("CARGO_FEATURE_STATIC_FFMPEG").is_some();
    let mut args = vec!["--libs", "libturbojpeg"];
    if static_link {
        args.insert(0, "--static");
    } else {
        // Per-frame quantizers call libvpx and libaom directly (see
        // src/video/library.rs); a static FFmpeg links them already.
        args.extend(["vpx", "aom"]);
    }
    let output = Command::new("pkg-config").args(&args).output();
    let mut flags = match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => panic!("pkg-config cannot find libturbojpeg, vpx or aom: install libturbojpeg0-dev, libvpx-dev and libaom-dev (Debian/Ubuntu)"),
    };
    if static_link {
        println!("cargo:rustc-cfg=openh264");
    } else {
        match Command::new("pkg-config").args(["--libs", "openh264"]).output() {
            Ok(out) if out.status.success() => {
                println!("cargo:rustc-cfg=openh264");
                flags.push(' ');
                flags.push_str(&String::from_utf8_lossy(&out.stdout));
            }
            _ => println!("cargo:warning=OpenH264 not found (libopenh264-dev): H.264 temporal layers and quantizer mode will be unsupported"),
        }
        if x265_build() == Some(199) {
            println!("cargo:rustc-cfg=x265_direct");
            flags.push_str(" -lx265");
        }
    }
    for flag in flags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            let kind = if static_link && lib == "turbojpeg" { "static=" } else { "" };
            println!("cargo:rustc-link-lib={kind}{lib}");
        }
    }
}
