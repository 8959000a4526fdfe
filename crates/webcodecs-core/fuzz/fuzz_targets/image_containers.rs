//! ImageDecoder's container walkers (JPEG, PNG/APNG, GIF, WebP, AVIF, BMP) on
//! arbitrary bytes, fed in two pieces, then the first frames decoded: any
//! result is fine, a panic or a crash is not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use webcodecs_core::image::{ImageConfig, ImageDecoder, ImageInput, ImageKind, ImageOutput};
use webcodecs_core::worker::Processor;

const KINDS: [ImageKind; 6] = [ImageKind::Jpeg, ImageKind::Png, ImageKind::Gif, ImageKind::Webp, ImageKind::Avif, ImageKind::Bmp];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let kind = KINDS[data[0] as usize % KINDS.len()];
    let bytes = &data[2..];
    let cut = (data[1] as usize * bytes.len() / 255).min(bytes.len());
    let mut decoder = ImageDecoder::default();
    if decoder.configure(ImageConfig { kind, prefer_animation: None, premultiply: false }).is_err() {
        return;
    }
    let mut frames = 0;
    let mut emit = |out: ImageOutput| {
        if let ImageOutput::Tracks { tracks, .. } = &out {
            frames = tracks.iter().map(|t| t.frame_count).max().unwrap_or(0);
        }
    };
    let _ = decoder.process(ImageInput::Append(bytes[..cut].to_vec()), &mut emit);
    let _ = decoder.process(ImageInput::Append(bytes[cut..].to_vec()), &mut emit);
    let _ = decoder.process(ImageInput::End, &mut emit);
    for index in 0..frames.min(3) {
        let _ = decoder.process(ImageInput::Decode { id: index as u32, index, complete_frames_only: true }, &mut |_| {});
    }
});
