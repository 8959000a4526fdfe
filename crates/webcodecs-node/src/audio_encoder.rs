//! AudioEncoder's native half.

use neon::prelude::*;
use neon::types::buffer::TypedArray;
use webcodecs_core::audio::encoder::{AudioEncoder, EncodeInput, EncodedAudio, EncoderConfig, OpusOptions};
use webcodecs_core::audio::samples::SampleFormat;
use webcodecs_core::worker::Command;

use crate::codec::{self, get_bool, get_number, get_opt_number, get_string};
use crate::guard::ExportGuarded;

type Boxed = codec::BoxedCodec<AudioEncoder>;

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    codec::export::<AudioEncoder>(cx, "audioEncoder", |cx| codec::create(cx, "webcodecs-aenc", AudioEncoder::default(), chunk_object), config_from, AudioEncoder::check_support)?;
    cx.export_guarded("audioEncoderEncode", encode)?;
    Ok(())
}

/// Reads the config lib/ normalised: `opus`, `aac` and `flac` are always
/// objects, with defaults filled in.
fn config_from<'a>(cx: &mut FunctionContext<'a>, i: usize) -> NeonResult<EncoderConfig> {
    let obj = cx.argument::<JsObject>(i)?;
    let opus: Handle<JsObject> = obj.get(cx, "opus")?;
    let aac: Handle<JsObject> = obj.get(cx, "aac")?;
    let flac: Handle<JsObject> = obj.get(cx, "flac")?;
    Ok(EncoderConfig {
        codec: get_string(cx, obj, "codec")?,
        sample_rate: get_number(cx, obj, "sampleRate")? as u32,
        channels: get_number(cx, obj, "numberOfChannels")? as u32,
        bitrate: get_opt_number(cx, obj, "bitrate")?.map(|b| b as u64),
        constant_bitrate: get_string(cx, obj, "bitrateMode")? == "constant",
        opus: OpusOptions {
            frame_duration: get_number(cx, opus, "frameDuration")? as u64,
            complexity: get_opt_number(cx, opus, "complexity")?.map(|c| c as u32),
            packet_loss_perc: get_number(cx, opus, "packetlossperc")? as u32,
            in_band_fec: get_bool(cx, opus, "useinbandfec")?,
            dtx: get_bool(cx, opus, "usedtx")?,
            application: get_string(cx, opus, "application")?,
            ogg: get_string(cx, opus, "format")? == "ogg",
        },
        aac_adts: get_string(cx, aac, "format")? == "adts",
        flac_block_size: get_opt_number(cx, flac, "blockSize")?.map(|b| b as u32).filter(|&b| b > 0),
        flac_compress_level: get_opt_number(cx, flac, "compressLevel")?.map(|c| c as u32),
    })
}


/// `audioEncoderEncode(handle, bytes, format, frames, channels, sampleRate, timestamp)`:
/// the AudioData's samples as they are (`format` the index of their
/// AudioSampleFormat), copied here and converted on the codec thread.
fn encode(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<Boxed>(0)?;
    let data = handle.spares.copy_of(cx.argument::<JsTypedArray<u8>>(1)?.as_slice(&cx));
    let index = cx.argument::<JsNumber>(2)?.value(&mut cx);
    let Some(format) = SampleFormat::from_index(index as usize).filter(|_| index.fract() == 0.0 && index >= 0.0) else {
        return cx.throw_type_error(format!("Unknown sample format {index}"));
    };
    let frames = cx.argument::<JsNumber>(3)?.value(&mut cx) as usize;
    let channels = cx.argument::<JsNumber>(4)?.value(&mut cx) as u32;
    let sample_rate = cx.argument::<JsNumber>(5)?.value(&mut cx);
    let timestamp = cx.argument::<JsNumber>(6)?.value(&mut cx) as i64;
    if data.len() < frames * channels as usize * format.bytes_per_sample() {
        return cx.throw_range_error("Fewer bytes than frames × channels × bytes per sample");
    }
    codec::stage(&mut cx, &handle, Command::Process(EncodeInput { data, format, frames, channels, sample_rate, timestamp }))
}


/// A chunk's bytes as an ArrayBuffer, its timestamp and duration in the
/// scalars (see codec::put_scalars); with a new decoder config, `{data,
/// decoderConfig}` instead.
fn chunk_object<'a>(cx: &mut Cx<'a>, chunk: EncodedAudio, _: Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue> {
    codec::put_scalars(cx, &[chunk.timestamp as f64, chunk.duration as f64])?;
    let data = JsArrayBuffer::from_slice(cx, &chunk.data)?;
    let Some(config) = chunk.decoder_config else { return Ok(data.upcast()) };
    let obj = cx.empty_object();
    obj.set(cx, "data", data)?;
    let c = cx.empty_object();
    let codec = cx.string(&config.codec);
    c.set(cx, "codec", codec)?;
    let rate = cx.number(config.sample_rate);
    c.set(cx, "sampleRate", rate)?;
    let channels = cx.number(config.channels);
    c.set(cx, "numberOfChannels", channels)?;
    if let Some(description) = &config.description {
        let d = JsArrayBuffer::from_slice(cx, description)?;
        c.set(cx, "description", d)?;
    }
    obj.set(cx, "decoderConfig", c)?;
    Ok(obj.upcast())
}
