//! VideoEncoder's native half.

use neon::prelude::*;
use webcodecs_core::video::encoder::{BitrateMode, EncodeInput, EncodedChunk, EncoderConfig, VideoEncoder};
use webcodecs_core::video::frame::Rect;
use webcodecs_core::worker::Command;

use crate::codec::{self, get_number, get_opt_number, get_opt_string, get_string};
use crate::video_frame;
use crate::guard::ExportGuarded;

type Boxed = codec::BoxedCodec<VideoEncoder>;

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    codec::export::<VideoEncoder>(cx, "encoder", |cx| codec::create(cx, "webcodecs-venc", VideoEncoder::default(), chunk_object), config_from, VideoEncoder::check_support)?;
    cx.export_guarded("encoderEncode", encode)?;
    Ok(())
}

/// Reads the config lib/ normalised (every member present or undefined).
fn config_from<'a>(cx: &mut FunctionContext<'a>, i: usize) -> NeonResult<EncoderConfig> {
    let obj = cx.argument::<JsObject>(i)?;
    Ok(EncoderConfig {
        codec: get_string(cx, obj, "codec")?,
        width: get_number(cx, obj, "width")? as u32,
        height: get_number(cx, obj, "height")? as u32,
        display_width: get_number(cx, obj, "displayWidth")? as u32,
        display_height: get_number(cx, obj, "displayHeight")? as u32,
        bitrate: get_opt_number(cx, obj, "bitrate")?.map(|b| b as u64),
        framerate: get_opt_number(cx, obj, "framerate")?,
        bitrate_mode: match get_string(cx, obj, "bitrateMode")?.as_str() {
            "constant" => BitrateMode::Constant,
            "quantizer" => BitrateMode::Quantizer,
            _ => BitrateMode::Variable,
        },
        realtime: get_string(cx, obj, "latencyMode")? == "realtime",
        annexb: get_string(cx, obj, "bitstreamFormat")? == "annexb",
        prefer_hardware: get_string(cx, obj, "hardwareAcceleration")? == "prefer-hardware",
        keep_alpha: get_string(cx, obj, "alpha")? == "keep",
        scalability_mode: get_opt_string(cx, obj, "scalabilityMode")?,
        content_hint: get_opt_string(cx, obj, "contentHint")?,
    })
}


/// `encoderEncode(handle, frame, visibleRect[4], colorSpace, timestamp, duration, keyFrame, quantizer)`.
fn encode(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<Boxed>(0)?;
    let frame_handle = cx.argument::<video_frame::BoxedFrame>(1)?;
    let frame = video_frame::reference(&mut cx, &frame_handle)?;
    let visible = crate::codec::number_list(&mut cx, 2)?;
    let mut v = [0u32; 4];
    for (slot, value) in v.iter_mut().zip(visible) {
        *slot = value as u32;
    }
    let color_arg = cx.argument::<JsValue>(3)?;
    let color = video_frame::color_from(&mut cx, color_arg)?;
    let timestamp = cx.argument::<JsNumber>(4)?.value(&mut cx) as i64;
    let duration = codec::opt_number_arg(&mut cx, 5)?.map(|d| d as i64);
    let key_frame = cx.argument::<JsBoolean>(6)?.value(&mut cx);
    let quantizer = codec::opt_number_arg(&mut cx, 7)?.map(|q| q as u32);
    let input = EncodeInput { frame, visible: Rect { x: v[0], y: v[1], width: v[2], height: v[3] }, color, timestamp, duration, key_frame, quantizer };
    codec::stage(&mut cx, &handle, Command::Process(input))
}


fn chunk_object<'a>(cx: &mut Cx<'a>, chunk: EncodedChunk, _: Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue> {
    let obj = cx.empty_object();
    let kind = cx.string(if chunk.key { "key" } else { "delta" });
    obj.set(cx, "type", kind)?;
    let timestamp = cx.number(chunk.timestamp as f64);
    obj.set(cx, "timestamp", timestamp)?;
    if let Some(d) = chunk.duration {
        let d = cx.number(d as f64);
        obj.set(cx, "duration", d)?;
    }
    let data = JsArrayBuffer::from_slice(cx, &chunk.data)?;
    obj.set(cx, "data", data)?;
    if let Some(alpha) = &chunk.alpha {
        let a = JsArrayBuffer::from_slice(cx, alpha)?;
        obj.set(cx, "alphaSideData", a)?;
    }
    if let Some(layer) = chunk.temporal_layer {
        let id = cx.number(layer);
        obj.set(cx, "temporalLayerId", id)?;
    }
    if let Some(config) = chunk.decoder_config {
        let c = cx.empty_object();
        let codec = cx.string(&config.codec);
        c.set(cx, "codec", codec)?;
        if let Some(description) = &config.description {
            let d = JsArrayBuffer::from_slice(cx, description)?;
            c.set(cx, "description", d)?;
        }
        for (key, value) in [
            ("codedWidth", config.coded_width),
            ("codedHeight", config.coded_height),
            ("displayAspectWidth", config.display_aspect_width),
            ("displayAspectHeight", config.display_aspect_height),
        ] {
            let n = cx.number(value);
            c.set(cx, key, n)?;
        }
        let color = video_frame::color_object(cx, &config.color)?;
        c.set(cx, "colorSpace", color)?;
        obj.set(cx, "decoderConfig", c)?;
    }
    Ok(obj.upcast())
}

