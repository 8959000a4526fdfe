//! Links libjpeg-turbo's TurboJPEG library (ImageDecoder's JPEG decoder),
//! and in a development build libvpx and libaom (per-frame quantizers) and
//! OpenH264 (H.264 temporal layers and per-frame QP, src/video/openh264.rs),
//! found with pkg-config like FFmpeg: the system's shared library in a
//! development build, the static one of scripts/build-ffmpeg's prefix
//! (PKG_CONFIG_PATH, set by scripts/prebuild) with the `static-ffmpeg` feature.
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    let static_link = std::env::var_os("CARGO_FEATURE_STATIC_FFMPEG").is_some();
    let mut args = vec!["--libs", "libturbojpeg"];
    if static_link {
        args.insert(0, "--static");
    } else {
        // Per-frame quantizers call libvpx and libaom directly (see
        // src/video/library.rs), H.264's layers OpenH264; a static FFmpeg
        // links them already.
        args.extend(["vpx", "aom", "openh264"]);
    }
    let output = Command::new("pkg-config").args(&args).output();
    let flags = match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => panic!("pkg-config cannot find libturbojpeg, vpx, aom or openh264: install libturbojpeg0-dev, libvpx-dev, libaom-dev and libopenh264-dev (Debian/Ubuntu)"),
    };
    for flag in flags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            let kind = if static_link && lib == "turbojpeg" { "static=" } else { "" };
            println!("cargo:rustc-link-lib={kind}{lib}");
        }
    }
}
