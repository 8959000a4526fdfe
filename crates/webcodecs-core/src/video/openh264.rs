//! H.264 temporal layers (`scalabilityMode` L1T2 and L1T3) from OpenH264,
//! the encoder Chrome uses for them, and its per-frame QP
//! (`bitrateMode: "quantizer"` where x264 cannot, in the LGPL build).
//!
//! FFmpeg's libopenh264 wrapper opens the encoder with one temporal layer and
//! has no option for more. OpenH264 takes a new parameter set at any time
//! (`SetOption(ENCODER_OPTION_SVC_ENCODE_PARAM_EXT)`), re-initialising itself
//! when the layer structure changes, so once the wrapper has opened it, the
//! encoder's parameters are read back, given the layer count and set again
//! before the first frame. Its layers follow Chrome's pattern (0,1 / 0,2,1,2,
//! a period of 2^(layers-1) frames that a forced IDR restarts), so the
//! encoder's layer bookkeeping (encoder.rs) names each frame's layer.
//!
//! The wrapper's private data starts with its AVClass (every FFmpeg encoder's
//! does) followed by the `ISVCEncoder*` (FFmpeg 4 to 7); both are checked, and
//! the parameters read back must describe this encoder (its size, one
//! temporal and one spatial layer) before anything is written.

use std::ffi::{c_int, c_void, CStr};

use ffmpeg_next::ffi;

use crate::error::{Error, Result};

/// ENCODER_OPTION_SVC_ENCODE_PARAM_EXT in codec_app_def.h's ENCODER_OPTION.
const PARAM_EXT: c_int = 3;

/// SEncParamExt's leading fields, as 32-bit slots (codec_app_def.h):
/// iUsageType, iPicWidth, iPicHeight, iTargetBitrate, iRCMode,
/// fMaxFrameRate, iTemporalLayerNum, iSpatialLayerNum.
const WIDTH: usize = 1;
const HEIGHT: usize = 2;
const TEMPORAL_LAYERS: usize = 6;
const SPATIAL_LAYERS: usize = 7;

/// More than any OpenH264 2.x SEncParamExt (about 1 KB), which GetOption copies whole.
const PARAM_WORDS: usize = 1024;

/// iRCMode, then sSpatialLayers[0]'s iVideoWidth, iVideoHeight and (after
/// fFrameRate, iSpatialBitrate, iMaxSpatialBitrate, uiProfileIdc and
/// uiLevelIdc) iDLayerQp. The quantizer path checks the first three against
/// what FFmpeg's wrapper set before writing the last.
const RC_MODE: usize = 4;
const LAYER_WIDTH: usize = 8;
const LAYER_HEIGHT: usize = 9;
const LAYER_QP: usize = 15;
/// RC_OFF_MODE: each frame at iDLayerQp.
const RC_OFF: u32 = -1i32 as u32;

/// ISVCEncoderVtbl (codec_api.h): only the last two entries are called.
#[repr(C)]
struct Vtbl {
    _initialize: usize,
    _initialize_ext: usize,
    _get_default_params: usize,
    _uninitialize: usize,
    _encode_frame: usize,
    _encode_parameter_sets: usize,
    _force_intra_frame: usize,
    set_option: unsafe extern "C" fn(*mut *const Vtbl, c_int, *mut c_void) -> c_int,
    get_option: unsafe extern "C" fn(*mut *const Vtbl, c_int, *mut c_void) -> c_int,
}

fn unexpected(what: &str) -> Error {
    Error::NotSupported(format!("Cannot reach OpenH264's own parameters: {what}"))
}

/// The OpenH264 encoder inside an open FFmpeg libopenh264 context.
struct Encoder(*mut *const Vtbl);

// SAFETY: used only on the codec thread that owns the context.
unsafe impl Send for Encoder {}

impl Encoder {
    /// Finds the encoder of `ctx`, whose parameters must describe one
    /// temporal and one spatial layer of this context's size.
    fn of(ctx: *mut ffi::AVCodecContext) -> Result<Encoder> {
        // SAFETY: `ctx` is an open encoder context. Its private data is read
        // only after its first pointer is found to be libopenh264's AVClass,
        // which makes it FFmpeg's SVCContext; the encoder is called only
        // after the parameters it reports match this context.
        unsafe {
            let c = &*ctx;
            if c.codec.is_null() || CStr::from_ptr((*c.codec).name).to_bytes() != b"libopenh264" {
                return Err(unexpected("the encoder is not OpenH264"));
            }
            let private = c.priv_data as *const *const c_void;
            if private.is_null() || (*c.codec).priv_class.is_null() || *private != (*c.codec).priv_class.cast() {
                return Err(unexpected("FFmpeg's libopenh264 context has an unknown layout"));
            }
            let encoder = Encoder(*private.add(1) as *mut *const Vtbl);
            if encoder.0.is_null() || (*encoder.0).is_null() {
                return Err(unexpected("the encoder is not open"));
            }
            let params = encoder.read()?;
            let expected = [(WIDTH, c.width as u32), (HEIGHT, c.height as u32), (TEMPORAL_LAYERS, 1), (SPATIAL_LAYERS, 1)];
            if expected.iter().any(|&(at, value)| params[at] != value) {
                return Err(unexpected("OpenH264's parameters do not describe this encoder"));
            }
            Ok(encoder)
        }
    }

    fn read(&self) -> Result<Vec<u32>> {
        let mut params = vec![0u32; PARAM_WORDS];
        // SAFETY: a live encoder (Encoder::of); the buffer is larger than SEncParamExt.
        let status = unsafe { ((**self.0).get_option)(self.0, PARAM_EXT, params.as_mut_ptr().cast()) };
        if status != 0 {
            return Err(unexpected("OpenH264 did not report its parameters"));
        }
        Ok(params)
    }

    fn write(&self, params: &mut [u32], what: &str) -> Result<()> {
        // SAFETY: as read(); OpenH264 copies what it takes.
        let status = unsafe { ((**self.0).set_option)(self.0, PARAM_EXT, params.as_mut_ptr().cast()) };
        if status != 0 {
            return Err(unexpected(&format!("OpenH264 refused {what}")));
        }
        Ok(())
    }
}

/// Gives the open libopenh264 encoder of `ctx` `layers` temporal layers.
pub fn set_temporal_layers(ctx: *mut ffi::AVCodecContext, layers: i32) -> Result<()> {
    let encoder = Encoder::of(ctx)?;
    let mut params = encoder.read()?;
    params[TEMPORAL_LAYERS] = layers as u32;
    encoder.write(&mut params, &format!("{layers} temporal layers"))?;
    if encoder.read()?[TEMPORAL_LAYERS] != layers as u32 {
        return Err(unexpected(&format!("OpenH264 did not take {layers} temporal layers")));
    }
    Ok(())
}

/// Each frame's QP for an OpenH264 opened with rate control off: the frame
/// is coded at its layer's iDLayerQp, every macroblock alike (OpenH264 2.x
/// turns adaptive quantisation off whatever it is given; a QP change alone
/// is taken without re-initialising).
pub struct FrameQp {
    encoder: Encoder,
    qp: u32,
}

impl FrameQp {
    pub fn new(ctx: *mut ffi::AVCodecContext, qp: u32) -> Result<FrameQp> {
        let encoder = Encoder::of(ctx)?;
        let mut params = encoder.read()?;
        // SAFETY: `ctx` is open (Encoder::of checked it).
        let (width, height) = unsafe { ((*ctx).width as u32, (*ctx).height as u32) };
        if params[RC_MODE] != RC_OFF || params[LAYER_WIDTH] != width || params[LAYER_HEIGHT] != height || params[LAYER_QP] > 51 {
            return Err(unexpected("OpenH264's parameters are not laid out as expected (rate control off, layer 0 of this size)"));
        }
        params[LAYER_QP] = qp;
        encoder.write(&mut params, &format!("QP {qp}"))?;
        if encoder.read()?[LAYER_QP] != qp {
            return Err(unexpected("OpenH264 did not take a fixed QP"));
        }
        Ok(FrameQp { encoder, qp })
    }

    /// Codes the next frames at `qp` (0-51).
    pub fn set(&mut self, qp: u32) -> Result<()> {
        if qp == self.qp {
            return Ok(());
        }
        let mut params = self.encoder.read()?;
        params[LAYER_QP] = qp;
        self.encoder.write(&mut params, &format!("QP {qp}"))?;
        self.qp = qp;
        Ok(())
    }
}
