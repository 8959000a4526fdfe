//! H.264 temporal layers (`scalabilityMode` L1T2 and L1T3) from OpenH264,
//! the encoder Chrome uses for them.
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
    Error::NotSupported(format!("Cannot set H.264 temporal layers: {what}"))
}

/// Gives the open libopenh264 encoder of `ctx` `layers` temporal layers.
pub fn set_temporal_layers(ctx: *mut ffi::AVCodecContext, layers: i32) -> Result<()> {
    // SAFETY: `ctx` is an open encoder context. Its private data is read only
    // after its first pointer is found to be libopenh264's AVClass, which
    // makes it FFmpeg's SVCContext; the encoder is called only after the
    // parameters it reports match this context.
    unsafe {
        let c = &*ctx;
        if c.codec.is_null() || CStr::from_ptr((*c.codec).name).to_bytes() != b"libopenh264" {
            return Err(unexpected("the encoder is not OpenH264"));
        }
        let private = c.priv_data as *const *const c_void;
        if private.is_null() || (*c.codec).priv_class.is_null() || *private != (*c.codec).priv_class.cast() {
            return Err(unexpected("FFmpeg's libopenh264 context has an unknown layout"));
        }
        let encoder = *private.add(1) as *mut *const Vtbl;
        if encoder.is_null() || (*encoder).is_null() {
            return Err(unexpected("the encoder is not open"));
        }
        let vtbl = &**encoder;
        let mut params = vec![0u32; PARAM_WORDS];
        let read = |params: &mut Vec<u32>| (vtbl.get_option)(encoder, PARAM_EXT, params.as_mut_ptr().cast());
        if read(&mut params) != 0 {
            return Err(unexpected("OpenH264 did not report its parameters"));
        }
        let expected = [(WIDTH, c.width as u32), (HEIGHT, c.height as u32), (TEMPORAL_LAYERS, 1), (SPATIAL_LAYERS, 1)];
        if expected.iter().any(|&(at, value)| params[at] != value) {
            return Err(unexpected("OpenH264's parameters do not describe this encoder"));
        }
        params[TEMPORAL_LAYERS] = layers as u32;
        if (vtbl.set_option)(encoder, PARAM_EXT, params.as_mut_ptr().cast()) != 0 {
            return Err(unexpected(&format!("OpenH264 refused {layers} temporal layers")));
        }
        if read(&mut params) != 0 || params[TEMPORAL_LAYERS] != layers as u32 {
            return Err(unexpected(&format!("OpenH264 did not take {layers} temporal layers")));
        }
    }
    Ok(())
}
