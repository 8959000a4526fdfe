//! VideoDecoder's native half.

use neon::prelude::*;
use neon::types::buffer::TypedArray;
use webcodecs_core::video::decoder::{DecodeInput, DecodedFrame, DecoderConfig, VideoDecoder};
use webcodecs_core::worker::Command;

use crate::codec::{self, get_bool, get_string};
use crate::video_frame;
use crate::guard::ExportGuarded;

type Boxed = codec::BoxedCodec<VideoDecoder>;

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    codec::export::<VideoDecoder>(cx, "decoder", |cx| codec::create(cx, "webcodecs-vdec", VideoDecoder::default(), frame_object), config_from, VideoDecoder::check_support)?;
    cx.export_guarded("decoderDecode", decode)?;
    cx.export_guarded("isKeyChunk", is_key_chunk)?;
    Ok(())
}

fn bytes_of<'a>(cx: &mut FunctionContext<'a>, value: Handle<'a, JsValue>) -> NeonResult<Option<Vec<u8>>> {
    Ok(value.downcast::<JsTypedArray<u8>, _>(cx).ok().map(|a| a.as_slice(cx).to_vec()))
}

fn config_from<'a>(cx: &mut FunctionContext<'a>, i: usize) -> NeonResult<DecoderConfig> {
    let obj = cx.argument::<JsObject>(i)?;
    let description = obj.get_value(cx, "description")?;
    Ok(DecoderConfig {
        codec: get_string(cx, obj, "codec")?,
        description: bytes_of(cx, description)?,
        optimize_for_latency: get_bool(cx, obj, "optimizeForLatency")?,
        prefer_hardware: get_string(cx, obj, "hardwareAcceleration")? == "prefer-hardware",
    })
}


/// `decoderDecode(handle, bytes, timestamp, duration)`.
fn decode(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<Boxed>(0)?;
    let data = cx.argument::<JsTypedArray<u8>>(1)?.as_slice(&cx).to_vec();
    let timestamp = cx.argument::<JsNumber>(2)?.value(&mut cx) as i64;
    let duration = codec::opt_number_arg(&mut cx, 3)?.map(|d| d as i64);
    codec::stage(&mut cx, &handle, Command::Process(DecodeInput { data, timestamp, duration }))
}


/// `isKeyChunk(codec, description | null, bytes)`: does the bitstream start decoding?
fn is_key_chunk(mut cx: FunctionContext) -> JsResult<JsBoolean> {
    let codec = cx.argument::<JsString>(0)?.value(&mut cx);
    let description = cx.argument::<JsValue>(1)?;
    let description = bytes_of(&mut cx, description)?;
    let data = cx.argument::<JsTypedArray<u8>>(2)?;
    let key = VideoDecoder::is_key_chunk(&codec, description.as_deref(), data.as_slice(&cx));
    Ok(cx.boolean(key))
}

fn frame_object<'a>(cx: &mut Cx<'a>, decoded: DecodedFrame, _: Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue> {
    let obj = video_frame::info_object(cx, &decoded.info)?;
    let timestamp = cx.number(decoded.timestamp as f64);
    obj.set(cx, "timestamp", timestamp)?;
    if let Some(d) = decoded.duration {
        let d = cx.number(d as f64);
        obj.set(cx, "duration", d)?;
    }
    let handle = video_frame::boxed(cx, decoded.frame);
    obj.set(cx, "handle", handle)?;
    Ok(obj.upcast())
}
