//! AudioDecoder's native half.

use neon::prelude::*;
use neon::types::buffer::TypedArray;
use webcodecs_core::audio::decoder::{AudioDecoder, DecodeInput, DecodedAudio, DecoderConfig};
use webcodecs_core::audio::samples::SampleFormat;
use webcodecs_core::worker::Command;

use crate::codec::{self, get_number, get_string};
use crate::guard::ExportGuarded;

type Boxed = codec::BoxedCodec<AudioDecoder>;

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    codec::export::<AudioDecoder>(cx, "audioDecoder", |cx| codec::create_sized(cx, "webcodecs-adec", AudioDecoder::default(), data_object, |d| d.data.len()), config_from, AudioDecoder::check_support)?;
    cx.export_guarded("audioDecoderDecode", decode)?;
    Ok(())
}

fn config_from<'a>(cx: &mut FunctionContext<'a>, i: usize) -> NeonResult<DecoderConfig> {
    let obj = cx.argument::<JsObject>(i)?;
    let description = obj.get_value(cx, "description")?;
    let description = description.downcast::<JsTypedArray<u8>, _>(cx).ok().map(|a| a.as_slice(cx).to_vec());
    Ok(DecoderConfig {
        codec: get_string(cx, obj, "codec")?,
        sample_rate: get_number(cx, obj, "sampleRate")? as u32,
        channels: get_number(cx, obj, "numberOfChannels")? as u32,
        description,
    })
}


/// `audioDecoderDecode(handle, bytes, timestamp)`.
fn decode(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<Boxed>(0)?;
    let data = handle.spares.copy_of(cx.argument::<JsTypedArray<u8>>(1)?.as_slice(&cx));
    let timestamp = cx.argument::<JsNumber>(2)?.value(&mut cx) as i64;
    codec::stage(&mut cx, &handle, Command::Process(DecodeInput { data, timestamp }))
}


/// An output's samples as an ArrayBuffer: `spare` filled when it has their
/// size, else a new one. Its format (its index in the AudioSampleFormat
/// enum), sample rate, frames, channels and timestamp go to the scalars.
fn data_object<'a>(cx: &mut Cx<'a>, decoded: DecodedAudio, spare: Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue> {
    let format = SampleFormat::parse(decoded.format).expect("a WebCodecs sample format").index() as f64;
    codec::put_scalars(cx, &[format, decoded.sample_rate as f64, decoded.frames as f64, decoded.channels as f64, decoded.timestamp as f64])?;
    if let Some(mut buffer) = spare {
        let bytes = buffer.as_mut_slice(cx);
        if bytes.len() == decoded.data.len() {
            bytes.copy_from_slice(&decoded.data);
            return Ok(buffer.upcast());
        }
    }
    Ok(JsArrayBuffer::from_slice(cx, &decoded.data)?.upcast())
}
