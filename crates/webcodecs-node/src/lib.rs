//! webcodecs-node: the Neon layer. It converts already-validated JavaScript
//! values to core types and back, owns the codec handles, and routes worker
//! events to JavaScript through one Channel per codec. Validation of user
//! input happens in lib/ (JavaScript) before any function here runs.

mod audio_decoder;
mod audio_encoder;
mod codec;
mod errors;
mod external;
mod guard;
mod image_decoder;
mod transfer;
mod video_decoder;
mod video_encoder;
mod video_frame;

use neon::prelude::*;
use crate::guard::ExportGuarded;

fn build_info(mut cx: FunctionContext) -> JsResult<JsObject> {
    let info = webcodecs_core::build_info();
    let obj = cx.empty_object();
    for (key, value) in [("ffmpeg", &info.ffmpeg), ("libavcodec", &info.libavcodec), ("license", &info.license)] {
        let v = cx.string(value);
        obj.set(&mut cx, key, v)?;
    }
    for (key, names) in [("encoders", &info.encoders), ("decoders", &info.decoders), ("directEncoders", &info.direct_encoders)] {
        let array = cx.empty_array();
        for (i, name) in names.iter().enumerate() {
            let v = cx.string(name);
            array.set(&mut cx, i as u32, v)?;
        }
        obj.set(&mut cx, key, array)?;
    }
    let libraries = cx.empty_array();
    for (i, (name, version, license)) in info.libraries.iter().enumerate() {
        let entry = cx.empty_object();
        for (key, value) in [("license", license), ("name", name), ("version", version)] {
            let v = cx.string(value);
            entry.set(&mut cx, key, v)?;
        }
        libraries.set(&mut cx, i as u32, entry)?;
    }
    obj.set(&mut cx, "libraries", libraries)?;
    Ok(obj)
}

#[neon::main]
fn main(mut cx: ModuleContext) -> NeonResult<()> {
    webcodecs_core::init();
    cx.export_guarded("setDispatch", codec::set_dispatch)?;
    cx.export_guarded("takeOutput", codec::take_output)?;
    cx.export_guarded("dropOutput", codec::drop_output)?;
    cx.export_guarded("buildInfo", build_info)?;
    cx.export_guarded("externalMemory", external::external_memory)?;
    video_frame::register(&mut cx)?;
    transfer::register(&mut cx)?;
    video_encoder::register(&mut cx)?;
    video_decoder::register(&mut cx)?;
    audio_encoder::register(&mut cx)?;
    audio_decoder::register(&mut cx)?;
    image_decoder::register(&mut cx)?;
    Ok(())
}
