//! ImageDecoder's native half: a codec thread per decoder that receives the
//! image's bytes as they arrive and answers decode requests.

use neon::prelude::*;
use neon::types::buffer::TypedArray;
use webcodecs_core::image::{
    ImageConfig, ImageDecoder, ImageInput, ImageKind, ImageOutput, TrackInfo,
};
use webcodecs_core::worker::Command;
use webcodecs_core::Error;

use crate::codec::{self, get_opt_bool, get_string};
use crate::errors::OrThrow;
use crate::video_frame;
use crate::guard::ExportGuarded;

type Boxed = codec::BoxedCodec<ImageDecoder>;

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    codec::export::<ImageDecoder>(
        cx,
        "image",
        |cx| {
            codec::create(
                cx,
                "webcodecs-image",
                ImageDecoder::default(),
                output_object,
            )
        },
        config_from,
        |_| Ok(()),
    )?;
    cx.export_guarded("imageAppend", append)?;
    cx.export_guarded("imageEnd", |mut cx| {
        let handle = cx.argument::<Boxed>(0)?;
        codec::send(&mut cx, &handle, Command::Process(ImageInput::End))
    })?;
    cx.export_guarded("imageDecode", decode)?;
    cx.export_guarded("imageSelect", select)?;
    cx.export_guarded("imageAbandon", |mut cx| {
        let handle = cx.argument::<Boxed>(0)?;
        codec::send(&mut cx, &handle, Command::Process(ImageInput::Abandon))
    })?;
    cx.export_guarded("imageTypeSupported", type_supported)?;
    Ok(())
}

fn kind_of(mime: &str) -> Option<ImageKind> {
    let kind = ImageKind::from_mime(mime)?;
    let decoders = webcodecs_core::build_info().decoders;
    let needs: &[&str] = match kind {
        ImageKind::Jpeg => &["mjpeg"],
        ImageKind::Png => &["png"],
        ImageKind::Webp => &["webp"],
        ImageKind::Bmp => &["bmp"],
        // GIF is decoded by webcodecs-core itself.
        ImageKind::Gif => &[],
        ImageKind::Avif => &["libdav1d"],
    };
    needs.iter().all(|n| decoders.contains(n)).then_some(kind)
}

fn type_supported(mut cx: FunctionContext) -> JsResult<JsBoolean> {
    let mime = cx.argument::<JsString>(0)?.value(&mut cx);
    let supported = kind_of(&mime).is_some();
    Ok(cx.boolean(supported))
}

fn config_from<'a>(cx: &mut FunctionContext<'a>, i: usize) -> NeonResult<ImageConfig> {
    let obj = cx.argument::<JsObject>(i)?;
    let mime = get_string(cx, obj, "type")?;
    let kind = kind_of(&mime)
        .ok_or_else(|| Error::NotSupported(format!("Image type '{mime}' is not supported")))
        .or_throw(cx)?;
    Ok(ImageConfig {
        kind,
        prefer_animation: get_opt_bool(cx, obj, "preferAnimation")?,
        // "default" is premultiplied, as in Chrome.
        premultiply: get_string(cx, obj, "premultiplyAlpha")? != "none",
    })
}

/// `imageAppend(handle, bytes)`: more of the image (copied).
fn append(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<Boxed>(0)?;
    let data = cx.argument::<JsTypedArray<u8>>(1)?.as_slice(&cx).to_vec();
    codec::send(&mut cx, &handle, Command::Process(ImageInput::Append(data)))
}

/// `imageDecode(handle, id, frameIndex, completeFramesOnly)`.
fn decode(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<Boxed>(0)?;
    let id = cx.argument::<JsNumber>(1)?.value(&mut cx) as u32;
    let index = cx.argument::<JsNumber>(2)?.value(&mut cx) as usize;
    let complete_frames_only = cx.argument::<JsBoolean>(3)?.value(&mut cx);
    codec::send(&mut cx, &handle, Command::Process(ImageInput::Decode { id, index, complete_frames_only }))
}

/// `imageSelect(handle, index)`: -1 for no track.
fn select(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<Boxed>(0)?;
    let index = cx.argument::<JsNumber>(1)?.value(&mut cx);
    let track = (index >= 0.0).then_some(index as usize);
    codec::send(
        &mut cx,
        &handle,
        Command::Process(ImageInput::Select(track)),
    )
}

fn track_object<'a>(cx: &mut Cx<'a>, info: &TrackInfo) -> JsResult<'a, JsObject> {
    let obj = cx.empty_object();
    let animated = cx.boolean(info.animated);
    obj.set(cx, "animated", animated)?;
    let frames = cx.number(info.frame_count as f64);
    obj.set(cx, "frameCount", frames)?;
    let repetition = cx.number(info.repetition_count);
    obj.set(cx, "repetitionCount", repetition)?;
    Ok(obj)
}

fn output_object<'a>(cx: &mut Cx<'a>, output: ImageOutput, _: Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue> {
    let obj = match output {
        ImageOutput::Tracks { tracks, selected } => {
            let obj = cx.empty_object();
            let list = cx.empty_array();
            for (i, t) in tracks.iter().enumerate() {
                let t = track_object(cx, t)?;
                list.set(cx, i as u32, t)?;
            }
            obj.set(cx, "tracks", list)?;
            let selected = cx.number(selected.map_or(-1.0, |s| s as f64));
            obj.set(cx, "selected", selected)?;
            obj
        }
        ImageOutput::TrackUpdate { track, info } => {
            let obj = track_object(cx, &info)?;
            let track = cx.number(track as f64);
            obj.set(cx, "track", track)?;
            obj
        }
        ImageOutput::Completed => {
            let obj = cx.empty_object();
            let t = cx.boolean(true);
            obj.set(cx, "completed", t)?;
            obj
        }
        ImageOutput::Decoded {
            id,
            complete,
            picture,
            timestamp,
            duration,
        } => {
            let obj = video_frame::info_object(cx, &picture.info)?;
            let complete = cx.boolean(complete);
            obj.set(cx, "complete", complete)?;
            let id = cx.number(id);
            obj.set(cx, "id", id)?;
            let ts = cx.number(timestamp as f64);
            obj.set(cx, "timestamp", ts)?;
            if let Some(d) = duration {
                let d = cx.number(d as f64);
                obj.set(cx, "duration", d)?;
            }
            let rotation = cx.number(picture.rotation);
            obj.set(cx, "rotation", rotation)?;
            let flip = cx.boolean(picture.flip);
            obj.set(cx, "flip", flip)?;
            let handle = video_frame::boxed(cx, picture.frame);
            obj.set(cx, "handle", handle)?;
            obj
        }
        ImageOutput::Failed { id, error } => {
            let obj = cx.empty_object();
            let id = cx.number(id);
            obj.set(cx, "id", id)?;
            let e = crate::errors::describe(cx, &error)?;
            obj.set(cx, "error", e)?;
            obj
        }
    };
    Ok(obj.upcast())
}
