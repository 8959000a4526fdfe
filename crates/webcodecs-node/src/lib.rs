//! webcodecs-node: the Neon layer. It converts already-validated JavaScript
//! values to core types and back, owns the codec handles, and routes worker
//! events to JavaScript through one Channel per codec. Validation of user
//! input happens in lib/ (JavaScript) before any function here runs.

mod codec;
mod errors;
mod video_decoder;
mod video_encoder;
mod video_frame;

use neon::prelude::*;

#[neon::main]
fn main(mut cx: ModuleContext) -> NeonResult<()> {
    webcodecs_core::init();
    cx.export_function("setDispatch", codec::set_dispatch)?;
    cx.export_function("ffmpegVersion", |mut cx| Ok(cx.string(webcodecs_core::ffmpeg_version())))?;
    video_frame::register(&mut cx)?;
    video_encoder::register(&mut cx)?;
    video_decoder::register(&mut cx)?;
    Ok(())
}
