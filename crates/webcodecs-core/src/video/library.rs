//! libvpx's and libaom's own encoder, reached through FFmpeg's wrapper, for
//! what the wrappers do not pass on: per-frame quantizers for VP9 and AV1
//! (`bitrateMode: "quantizer"` with `encode(frame, {vp9: {quantizer}})` or
//! `{av1: {quantizer}}`) and AV1's temporal layers (`scalabilityMode`).
//!
//! The wrapper keeps the library's encoder context inside its private data;
//! it is found there by its signature (the library's interface and that
//! interface's name, the first two members of `vpx_codec_ctx_t` and
//! `aom_codec_ctx_t`), within the bounds of the wrapper's own options, so no
//! FFmpeg version's private layout is assumed. FFmpeg's libvpx and libaom
//! wrappers encode inside `avcodec_send_frame`, so what is set just before
//! it applies to that frame.
//!
//! Quantizers: the wrappers set the rate control once, when the encoder
//! opens. A frame encoded after `*_codec_enc_config_set` with
//! `rc_min_quantizer == rc_max_quantizer == q` is coded at exactly that
//! quantizer (qindex `quantizer_to_qindex[q]` in its frame header), which is
//! how Chrome applies them too. The bounds inside the library's configuration
//! are found the same way as the context: the encoder is opened with bounds
//! no other member holds ([`OPEN_BOUNDS`]), and exactly one place must hold
//! them, or quantizer mode is unsupported.
//!
//! AV1 layers: libaom's SVC controls (`AV1E_SET_SVC_PARAMS` once, then the
//! layer id and reference configuration of each frame), whose structures and
//! control ids are the same from libaom 3.6 (Debian 12) to 3.12.

use std::ffi::{c_char, c_int, c_long, c_void};

use ffmpeg_next::ffi;

use crate::error::{Error, Result};

extern "C" {
    fn vpx_codec_vp9_cx() -> *const c_void;
    fn vpx_codec_enc_config_set(ctx: *mut c_void, cfg: *const c_void) -> c_int;
    fn aom_codec_av1_cx() -> *const c_void;
    fn aom_codec_enc_config_set(ctx: *mut c_void, cfg: *const c_void) -> c_int;
    fn aom_codec_control(ctx: *mut c_void, id: c_int, ...) -> c_int;
    fn aom_codec_version() -> c_int;
}

/// The linked libaom's version (major, minor, patch).
pub fn aom_version() -> (u32, u32, u32) {
    // SAFETY: a constant query.
    let v = unsafe { aom_codec_version() } as u32;
    (v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff)
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
pub struct LibraryEncoder {
    library: Library,
    context: *mut LibraryContext,
}

// The pointers belong to the FFmpeg context, which lives and moves with the
// encoder on its codec thread.
unsafe impl Send for LibraryEncoder {}

/// Per-frame quantizers (`bitrateMode: "quantizer"`).
pub struct FrameQuantizer {
    encoder: LibraryEncoder,
    /// Offset of `rc_min_quantizer` (followed by `rc_max_quantizer`) in the
    /// library's configuration.
    bounds: usize,
    current: Option<u32>,
}

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

impl LibraryEncoder {
    /// Finds the library encoder of `ctx`, an open libvpx-vp9 or libaom-av1 context.
    pub fn find(ctx: *mut ffi::AVCodecContext, library: Library) -> Result<LibraryEncoder> {
        let unsupported = |what: &str| Error::NotSupported(format!("This build's {library:?} encoder cannot be reached: {what}"));
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
            let mut at = 0;
            while at + 2 * word <= end {
                let pair = private.add(at) as *const [*const c_void; 2];
                let [first, second] = std::ptr::read_unaligned(pair);
                if first == name as *const c_void && second == iface {
                    let context = private.add(at) as *mut LibraryContext;
                    if (*context).config.is_null() {
                        return Err(unsupported("it has no configuration"));
                    }
                    return Ok(LibraryEncoder { library, context });
                }
                at += word;
            }
            Err(unsupported("its context was not found"))
        }
    }

    /// `aom_codec_control(ctx, id, value)`.
    fn control<T>(&self, id: c_int, value: &mut T) -> Result<()> {
        debug_assert_eq!(self.library, Library::Aom);
        let ret = unsafe { aom_codec_control(self.context as *mut c_void, id, value as *mut T) };
        if ret != 0 {
            return Err(Error::Encoding(format!("libaom refused control {id} (error {ret})")));
        }
        Ok(())
    }
}

impl FrameQuantizer {
    /// Finds the quantizer bounds of an encoder opened with [`OPEN_BOUNDS`].
    pub fn new(encoder: LibraryEncoder) -> Result<FrameQuantizer> {
        let config = unsafe { (*encoder.context).config };
        // rc_min_quantizer and rc_max_quantizer sit side by side, after the
        // frame size and the rate control mode: well within 512 bytes.
        let mut places = (0..512).step_by(4).filter(|&offset| {
            let pair = unsafe { std::ptr::read_unaligned(config.add(offset) as *const [u32; 2]) };
            pair == [OPEN_BOUNDS.0 as u32, OPEN_BOUNDS.1 as u32]
        });
        match (places.next(), places.next()) {
            (Some(bounds), None) => Ok(FrameQuantizer { encoder, bounds, current: None }),
            _ => Err(Error::NotSupported(format!("Per-frame quantizers are not available with this build's {:?} encoder", encoder.library))),
        }
    }

    /// Codes the next frame at the quantizer of its `encode()` option
    /// (`value`, see [`from_option`]); without one, at the last frame's, as
    /// Chrome does (before any, [`DEFAULT_QUANTIZER`]). FFmpeg's own copy of
    /// the bounds (`qmin`, `qmax`, which its libvpx wrapper compares with the
    /// library's before each frame) follows.
    pub fn set(&mut self, ctx: *mut ffi::AVCodecContext, value: Option<u32>) -> Result<()> {
        let q = match (value, self.current) {
            (Some(v), _) => from_option(v, self.encoder.library),
            (None, Some(_)) => return Ok(()),
            (None, None) => DEFAULT_QUANTIZER,
        };
        if self.current == Some(q) {
            return Ok(());
        }
        let LibraryEncoder { library, context } = self.encoder;
        unsafe {
            // The configuration is the library's own copy (the one a config
            // change replaces), changed in place and handed back.
            let config = (*context).config;
            std::ptr::write_unaligned(config.add(self.bounds) as *mut [u32; 2], [q, q]);
            let ret = match library {
                Library::Vpx => vpx_codec_enc_config_set(context as *mut c_void, config as *const c_void),
                Library::Aom => aom_codec_enc_config_set(context as *mut c_void, config as *const c_void),
            };
            if ret != 0 {
                self.current = None;
                return Err(Error::Encoding(format!("The {library:?} encoder refused quantizer {q} (error {ret})")));
            }
            (*ctx).qmin = q as i32;
            (*ctx).qmax = q as i32;
        }
        self.current = Some(q);
        Ok(())
    }
}

const AV1E_SET_SVC_LAYER_ID: c_int = 131;
const AV1E_SET_SVC_PARAMS: c_int = 132;
const AV1E_SET_SVC_REF_FRAME_CONFIG: c_int = 133;
const AOM_MAX_LAYERS: usize = 32;
const AOM_MAX_SS_LAYERS: usize = 4;
const AOM_MAX_TS_LAYERS: usize = 8;

#[repr(C)]
struct SvcLayerId {
    spatial_layer_id: c_int,
    temporal_layer_id: c_int,
}

#[repr(C)]
struct SvcParams {
    number_spatial_layers: c_int,
    number_temporal_layers: c_int,
    max_quantizers: [c_int; AOM_MAX_LAYERS],
    min_quantizers: [c_int; AOM_MAX_LAYERS],
    scaling_factor_num: [c_int; AOM_MAX_SS_LAYERS],
    scaling_factor_den: [c_int; AOM_MAX_SS_LAYERS],
    layer_target_bitrate: [c_int; AOM_MAX_LAYERS],
    framerate_factor: [c_int; AOM_MAX_TS_LAYERS],
}

#[repr(C)]
struct SvcReferences {
    /// LAST, LAST2, LAST3, GOLDEN, BWDREF, ALTREF2, ALTREF.
    reference: [c_int; 7],
    ref_idx: [c_int; 7],
    refresh: [c_int; 8],
}

/// Which buffer slots a frame of a temporal pattern reads and refreshes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerReferences {
    /// Reads slot 0 (the last base-layer frame) as LAST.
    pub last: bool,
    /// Reads slot 1 (L1T3's last middle-layer frame) as GOLDEN.
    pub golden: bool,
    /// Slots it refreshes, as a bit mask (bit 0: slot 0).
    pub refresh: u8,
}

/// AV1 temporal layers, set up with libaom's SVC controls.
pub struct Av1Layers {
    encoder: LibraryEncoder,
}

impl Av1Layers {
    /// Declares `layers` temporal layers whose cumulative targets are
    /// `targets_kbps` and whose frame rates are the full rate divided by
    /// `decimators`, each with quantizers in `bounds`.
    pub fn new(encoder: LibraryEncoder, targets_kbps: &[i64], decimators: &[i32], bounds: (i32, i32)) -> Result<Av1Layers> {
        let layers = targets_kbps.len();
        if encoder.library != Library::Aom || layers == 0 || layers > AOM_MAX_TS_LAYERS || decimators.len() != layers {
            return Err(Error::NotSupported(format!("{layers} temporal layers are not supported")));
        }
        let mut params = SvcParams {
            number_spatial_layers: 1,
            number_temporal_layers: layers as c_int,
            max_quantizers: [0; AOM_MAX_LAYERS],
            min_quantizers: [0; AOM_MAX_LAYERS],
            scaling_factor_num: [1; AOM_MAX_SS_LAYERS],
            scaling_factor_den: [1; AOM_MAX_SS_LAYERS],
            layer_target_bitrate: [0; AOM_MAX_LAYERS],
            framerate_factor: [1; AOM_MAX_TS_LAYERS],
        };
        for layer in 0..layers {
            params.min_quantizers[layer] = bounds.0;
            params.max_quantizers[layer] = bounds.1;
            params.layer_target_bitrate[layer] = targets_kbps[layer].clamp(1, c_int::MAX as i64) as c_int;
            params.framerate_factor[layer] = decimators[layer];
        }
        encoder.control(AV1E_SET_SVC_PARAMS, &mut params)?;
        Ok(Av1Layers { encoder })
    }

    /// Sets the layer and references of the next frame.
    pub fn set(&self, layer: u32, references: LayerReferences) -> Result<()> {
        let mut id = SvcLayerId { spatial_layer_id: 0, temporal_layer_id: layer as c_int };
        self.encoder.control(AV1E_SET_SVC_LAYER_ID, &mut id)?;
        // The frame reads LAST alone (libaom's real-time mode search asserts
        // that LAST, GOLDEN or ALTREF is among what a frame reads), pointed
        // at the slot it predicts from: slot 1 (L1T3's middle layer) or else
        // slot 0 (the base layer). The other six point there too: a frame
        // header's skip-mode decision depends on the order hints of all
        // seven, so a base-layer frame that named a slot an upper layer
        // refreshes would not parse once the upper layers are dropped.
        let slot = if references.golden && !references.last { 1 } else { 0 };
        let mut config = SvcReferences { reference: [0; 7], ref_idx: [slot; 7], refresh: [0; 8] };
        config.reference[0] = (references.last || references.golden) as c_int;
        for (slot, flag) in config.refresh.iter_mut().enumerate() {
            *flag = (references.refresh >> slot & 1) as c_int;
        }
        self.encoder.control(AV1E_SET_SVC_REF_FRAME_CONFIG, &mut config)
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
