//! Per-frame quantizers for VP9 and AV1 (`bitrateMode: "quantizer"` with
//! `encode(frame, {vp9: {quantizer}})` or `{av1: {quantizer}}`).
//!
//! FFmpeg's libvpx and libaom wrappers set the rate control once, when the
//! encoder opens, and have no per-frame quantizer. The libraries do: a frame
//! encoded after `*_codec_enc_config_set` with `rc_min_quantizer ==
//! rc_max_quantizer == q` is coded at exactly that quantizer (qindex
//! `quantizer_to_qindex[q]` in its frame header), which is how Chrome applies
//! them too. The wrapper keeps the library's encoder context inside its
//! private data; it is found there by its signature (the library's interface
//! and that interface's name, the first two members of `vpx_codec_ctx_t` and
//! `aom_codec_ctx_t`), within the bounds of the wrapper's own options, so no
//! FFmpeg version's private layout is assumed. The quantizer bounds inside
//! the library's configuration are found the same way: the encoder is opened
//! with bounds no other member holds ([`OPEN_BOUNDS`]), and exactly one place
//! must hold them, or quantizer mode is unsupported.

use std::ffi::{c_char, c_int, c_long, c_void};

use ffmpeg_next::ffi;

use crate::error::{Error, Result};

extern "C" {
    fn vpx_codec_vp9_cx() -> *const c_void;
    fn vpx_codec_enc_config_set(ctx: *mut c_void, cfg: *const c_void) -> c_int;
    fn aom_codec_av1_cx() -> *const c_void;
    fn aom_codec_enc_config_set(ctx: *mut c_void, cfg: *const c_void) -> c_int;
}

/// The quantizer bounds the encoder is opened with (`qmin`, `qmax`), chosen
/// to be found again in the library's configuration.
pub const OPEN_BOUNDS: (i32, i32) = (3, 61);

/// libvpx's and libaom's default constant quality level (`cq_level`): the
/// quantizer of frames encoded before any frame gave one.
pub const DEFAULT_QUANTIZER: u32 = 10;

/// The libraries' quantizer (0-63) → the frame header's qindex (0-255): the
/// `quantizer_to_qindex` table of libvpx and libaom.
pub fn qindex(quantizer: u32) -> u32 {
    match quantizer {
        0..=61 => quantizer * 4,
        62 => 249,
        _ => 255,
    }
}

/// The library quantizer for an `encode()` option's value, as Chrome maps
/// it: its low byte is a qindex (0-255; the registrations' "0 to 63" is the
/// libraries' own scale), rounded up to the nearest quantizer whose qindex
/// reaches it (libvpx's `qindex_to_quantizer`); AV1 frames are never
/// lossless (0 becomes 1). Read back from Chrome 156's streams:
/// test/oracle/encoder-quantizer.js.
pub fn from_option(value: u32, library: Library) -> u32 {
    let wanted = value & 0xff;
    let q = (0..=63).find(|&q| qindex(q) >= wanted).unwrap_or(63);
    match library {
        Library::Aom => q.max(1),
        Library::Vpx => q,
    }
}

/// `vpx_codec_ctx_t` and `aom_codec_ctx_t`, which share this layout.
#[repr(C)]
struct LibraryContext {
    name: *const c_char,
    iface: *const c_void,
    err: c_int,
    err_detail: *const c_char,
    init_flags: c_long,
    config: *mut u8,
    private: *mut c_void,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Library {
    Vpx,
    Aom,
}

/// The library encoder inside an open FFmpeg libvpx-vp9 or libaom-av1 context.
pub struct FrameQuantizer {
    library: Library,
    context: *mut LibraryContext,
    /// Offset of `rc_min_quantizer` (followed by `rc_max_quantizer`) in the
    /// library's configuration.
    bounds: usize,
    current: Option<u32>,
}

// The pointers belong to the FFmpeg context, which lives and moves with the
// encoder on its codec thread.
unsafe impl Send for FrameQuantizer {}

/// The highest offset of the wrapper's own options: the private data reaches
/// at least that far.
unsafe fn options_end(codec: *const ffi::AVCodec) -> usize {
    let class = (*codec).priv_class;
    if class.is_null() || (*class).option.is_null() {
        return 0;
    }
    let mut end = 0;
    let mut option = (*class).option;
    while !(*option).name.is_null() {
        end = end.max((*option).offset.max(0) as usize);
        option = option.add(1);
    }
    end
}

impl FrameQuantizer {
    /// Finds the library encoder of `ctx` (opened with [`OPEN_BOUNDS`]).
    pub fn find(ctx: *mut ffi::AVCodecContext, library: Library) -> Result<FrameQuantizer> {
        let unsupported = |what: &str| Error::NotSupported(format!("Per-frame quantizers are not available with this build's {library:?} encoder: {what}"));
        unsafe {
            let iface = match library {
                Library::Vpx => vpx_codec_vp9_cx(),
                Library::Aom => aom_codec_av1_cx(),
            };
            let private = (*ctx).priv_data as *const u8;
            let end = options_end((*ctx).codec);
            if private.is_null() || iface.is_null() || end == 0 {
                return Err(unsupported("no private data"));
            }
            // The interface's name is its first member in both libraries.
            let name = *(iface as *const *const c_char);
            let word = std::mem::size_of::<usize>();
            let mut found = None;
            let mut at = 0;
            while at + 2 * word <= end {
                let pair = private.add(at) as *const [*const c_void; 2];
                let [first, second] = std::ptr::read_unaligned(pair);
                if first == name as *const c_void && second == iface {
                    found = Some(private.add(at) as *mut LibraryContext);
                    break;
                }
                at += word;
            }
            let context = found.ok_or_else(|| unsupported("its context was not found"))?;
            let config = (*context).config;
            if config.is_null() {
                return Err(unsupported("it has no configuration"));
            }
            // rc_min_quantizer and rc_max_quantizer sit side by side, after
            // the frame size and the rate control mode: well within 512 bytes.
            let mut places = (0..512).step_by(4).filter(|&offset| {
                let pair = config.add(offset) as *const [u32; 2];
                std::ptr::read_unaligned(pair) == [OPEN_BOUNDS.0 as u32, OPEN_BOUNDS.1 as u32]
            });
            let bounds = match (places.next(), places.next()) {
                (Some(offset), None) => offset,
                _ => return Err(unsupported("its quantizer bounds were not found")),
            };
            Ok(FrameQuantizer { library, context, bounds, current: None })
        }
    }

    /// Codes the next frame at the quantizer of its `encode()` option
    /// (`value`, see [`from_option`]); without one, at the last frame's, as
    /// Chrome does (before any, [`DEFAULT_QUANTIZER`]). FFmpeg's own copy of
    /// the bounds (`qmin`, `qmax`, which its libvpx wrapper compares with the
    /// library's before each frame) follows.
    pub fn set(&mut self, ctx: *mut ffi::AVCodecContext, value: Option<u32>) -> Result<()> {
        let q = match (value, self.current) {
            (Some(v), _) => from_option(v, self.library),
            (None, Some(_)) => return Ok(()),
            (None, None) => DEFAULT_QUANTIZER,
        };
        if self.current == Some(q) {
            return Ok(());
        }
        unsafe {
            let config = (*self.context).config;
            std::ptr::write_unaligned(config.add(self.bounds) as *mut [u32; 2], [q, q]);
            let ret = match self.library {
                Library::Vpx => vpx_codec_enc_config_set(self.context as *mut c_void, config as *const c_void),
                Library::Aom => aom_codec_enc_config_set(self.context as *mut c_void, config as *const c_void),
            };
            if ret != 0 {
                self.current = None;
                return Err(Error::Encoding(format!("The {:?} encoder refused quantizer {q} (error {ret})", self.library)));
            }
            (*ctx).qmin = q as i32;
            (*ctx).qmax = q as i32;
        }
        self.current = Some(q);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_map_as_chrome_maps_them() {
        // (value, VP9 qindex, AV1 qindex) read back from Chrome 156's frames.
        let chrome = [
            (0, 0, 4), (1, 4, 4), (2, 4, 4), (6, 8, 8), (20, 20, 20), (30, 32, 32), (63, 64, 64), (64, 64, 64),
            (253, 255, 255), (255, 255, 255), (1000, 232, 232), (4464, 112, 112), (65535, 255, 255),
        ];
        for (value, vp9, av1) in chrome {
            assert_eq!(qindex(from_option(value, Library::Vpx)), vp9, "VP9 {value}");
            assert_eq!(qindex(from_option(value, Library::Aom)), av1, "AV1 {value}");
        }
    }
}
