//! Sample conversion between FFmpeg's sample formats and the f32-planar
//! samples JavaScript exchanges with the codecs. Integers map to floats the
//! way Chrome's (and lib/audio-data.js's) conversions do: the zero point maps
//! to 0, the minimum to -1 and the maximum to +1, with separate scales below
//! and above zero; floats outside [-1, 1] clip when stored as integers.

use ffmpeg_next::ffi::AVSampleFormat as F;

/// The integer sample types, described by their minimum, zero point and maximum.
#[derive(Clone, Copy, Debug)]
struct Fixed {
    min: f64,
    zero: f64,
    max: f64,
}

const U8: Fixed = Fixed { min: 0.0, zero: 128.0, max: 255.0 };
const S16: Fixed = Fixed { min: -32768.0, zero: 0.0, max: 32767.0 };
const S32: Fixed = Fixed { min: -2147483648.0, zero: 0.0, max: 2147483647.0 };

impl Fixed {
    /// In single precision, multiplying by the inverse scale, as Chrome does.
    fn to_float(self, v: f64) -> f32 {
        let offset = (v - self.zero) as f32;
        let inverse = if offset < 0.0 { 1.0 / (self.zero - self.min) as f32 } else { 1.0 / (self.max - self.zero) as f32 };
        offset * inverse
    }

    /// As Chrome (and lib/audio-data.js): clipped to [-1, 1], scaled in
    /// single precision, truncated toward zero; NaN becomes what x86's
    /// conversion of NaN (0x80000000) leaves in the type.
    fn from_float(self, v: f32) -> f64 {
        if v.is_nan() {
            return if self.min < -32768.0 { self.min } else { 0.0 };
        }
        if v < 0.0 {
            if v <= -1.0 {
                return self.min;
            }
            truncate((v * (self.zero - self.min) as f32) + self.zero as f32)
        } else {
            if v >= 1.0 {
                return self.max;
            }
            truncate((v * (self.max - self.zero) as f32) + self.zero as f32).min(self.max)
        }
    }
}

/// `v` truncated toward zero, for the scaled samples of from_float (finite,
/// within ±2^32): the integer conversion truncates, where `f32::trunc` is a
/// libm call per sample on x86-64's baseline (no SSE4.1 `roundss`).
#[inline]
fn truncate(v: f32) -> f64 {
    v as i64 as f64
}

/// A WebCodecs AudioSampleFormat ("s16", "f32-planar", …) as the FFmpeg
/// sample format with the same layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleFormat(F);

impl SampleFormat {
    /// In the order of the specification's AudioSampleFormat enum (and of
    /// lib/audio-data.js's FORMATS, which [`SampleFormat::index`] follows).
    const NAMES: [(&'static str, F); 8] = [
        ("u8", F::AV_SAMPLE_FMT_U8),
        ("u8-planar", F::AV_SAMPLE_FMT_U8P),
        ("s16", F::AV_SAMPLE_FMT_S16),
        ("s16-planar", F::AV_SAMPLE_FMT_S16P),
        ("s32", F::AV_SAMPLE_FMT_S32),
        ("s32-planar", F::AV_SAMPLE_FMT_S32P),
        ("f32", F::AV_SAMPLE_FMT_FLT),
        ("f32-planar", F::AV_SAMPLE_FMT_FLTP),
    ];

    pub fn parse(name: &str) -> Option<SampleFormat> {
        Self::NAMES.iter().find(|(n, _)| *n == name).map(|&(_, f)| SampleFormat(f))
    }

    /// The WebCodecs format of an FFmpeg one, if WebCodecs has a name for it.
    pub fn from_av(fmt: F) -> Option<SampleFormat> {
        Self::NAMES.iter().find(|(_, f)| *f == fmt).map(|&(_, f)| SampleFormat(f))
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self.index()].0
    }

    /// The format's position in the AudioSampleFormat enum (how it crosses to JavaScript).
    pub fn index(self) -> usize {
        Self::NAMES.iter().position(|(_, f)| *f == self.0).expect("constructed from NAMES")
    }

    /// The format at `index` in the AudioSampleFormat enum (see [`SampleFormat::index`]).
    pub fn from_index(index: usize) -> Option<SampleFormat> {
        Self::NAMES.get(index).map(|&(_, f)| SampleFormat(f))
    }

    pub fn av(self) -> F {
        self.0
    }

    pub fn bytes_per_sample(self) -> usize {
        bytes_per_sample(self.0).expect("a WebCodecs format")
    }

    /// `frames` frames of `channels` channels held in `data` (planes one
    /// after another when planar), as f32-planar.
    pub fn to_f32_planar(self, data: &[u8], channels: usize, frames: usize) -> Vec<f32> {
        let mut out = Vec::new();
        self.append_f32_planar(data, channels, frames, &mut out);
        out
    }

    /// [`SampleFormat::to_f32_planar`], appending to `out`.
    pub fn append_f32_planar(self, data: &[u8], channels: usize, frames: usize, out: &mut Vec<f32>) {
        if is_planar(self.0) {
            let len = frames * self.bytes_per_sample();
            let planes: Vec<&[u8]> = (0..channels).map(|ch| &data[ch * len..(ch + 1) * len]).collect();
            to_f32_planar(self.0, &planes, channels, frames, out);
        } else {
            to_f32_planar(self.0, &[data], channels, frames, out);
        }
    }
}

/// Whether FFmpeg sample format `fmt` is planar.
pub fn is_planar(fmt: F) -> bool {
    matches!(fmt, F::AV_SAMPLE_FMT_U8P | F::AV_SAMPLE_FMT_S16P | F::AV_SAMPLE_FMT_S32P | F::AV_SAMPLE_FMT_FLTP | F::AV_SAMPLE_FMT_DBLP | F::AV_SAMPLE_FMT_S64P)
}

/// The sample format an AVFrame's `format` field names, among those this
/// module handles (no transmute of an arbitrary integer).
pub fn from_raw(raw: i32) -> Option<F> {
    [
        F::AV_SAMPLE_FMT_U8,
        F::AV_SAMPLE_FMT_S16,
        F::AV_SAMPLE_FMT_S32,
        F::AV_SAMPLE_FMT_FLT,
        F::AV_SAMPLE_FMT_DBL,
        F::AV_SAMPLE_FMT_U8P,
        F::AV_SAMPLE_FMT_S16P,
        F::AV_SAMPLE_FMT_S32P,
        F::AV_SAMPLE_FMT_FLTP,
        F::AV_SAMPLE_FMT_DBLP,
    ]
    .into_iter()
    .find(|f| *f as i32 == raw)
}

/// Bytes per sample of `fmt`, or None for formats this module does not handle.
pub fn bytes_per_sample(fmt: F) -> Option<usize> {
    Some(match fmt {
        F::AV_SAMPLE_FMT_U8 | F::AV_SAMPLE_FMT_U8P => 1,
        F::AV_SAMPLE_FMT_S16 | F::AV_SAMPLE_FMT_S16P => 2,
        F::AV_SAMPLE_FMT_S32 | F::AV_SAMPLE_FMT_S32P | F::AV_SAMPLE_FMT_FLT | F::AV_SAMPLE_FMT_FLTP => 4,
        F::AV_SAMPLE_FMT_DBL | F::AV_SAMPLE_FMT_DBLP => 8,
        _ => return None,
    })
}

/// Converts `frames` frames of `channels` channels stored in `planes` (one
/// plane per channel when planar, else one interleaved plane) to f32-planar,
/// appending channel after channel to `out`. Formats this module does not
/// handle read as silence.
pub fn to_f32_planar(fmt: F, planes: &[&[u8]], channels: usize, frames: usize, out: &mut Vec<f32>) {
    out.reserve(channels * frames);
    let planar = is_planar(fmt);
    // One loop per format, so that the format is not matched per sample.
    match fmt {
        F::AV_SAMPLE_FMT_U8 | F::AV_SAMPLE_FMT_U8P => gather(planes, channels, frames, planar, out, |[b]: [u8; 1]| U8.to_float(b as f64)),
        F::AV_SAMPLE_FMT_S16 | F::AV_SAMPLE_FMT_S16P => gather(planes, channels, frames, planar, out, |b| S16.to_float(i16::from_ne_bytes(b) as f64)),
        F::AV_SAMPLE_FMT_S32 | F::AV_SAMPLE_FMT_S32P => gather(planes, channels, frames, planar, out, |b| S32.to_float(i32::from_ne_bytes(b) as f64)),
        F::AV_SAMPLE_FMT_FLT | F::AV_SAMPLE_FMT_FLTP => gather(planes, channels, frames, planar, out, f32::from_ne_bytes),
        F::AV_SAMPLE_FMT_DBL | F::AV_SAMPLE_FMT_DBLP => gather(planes, channels, frames, planar, out, |b| f64::from_ne_bytes(b) as f32),
        _ => out.resize(out.len() + channels * frames, 0.0),
    }
}

/// Appends each channel's samples, `N` bytes each, read with `read`.
fn gather<const N: usize>(planes: &[&[u8]], channels: usize, frames: usize, planar: bool, out: &mut Vec<f32>, read: impl Fn([u8; N]) -> f32) {
    let sample = |bytes: &[u8]| read(bytes.try_into().expect("N bytes"));
    for ch in 0..channels {
        if planar {
            out.extend(planes[ch][..frames * N].chunks_exact(N).map(sample));
        } else {
            let stride = channels * N;
            out.extend(planes[0][..frames * stride].chunks_exact(stride).map(|frame| sample(&frame[ch * N..(ch + 1) * N])));
        }
    }
}

/// Appends the samples of `planes` (one per channel, `bytes` per sample) to `out`, interleaved.
pub fn interleave_into(planes: &[&[u8]], bytes: usize, frames: usize, out: &mut Vec<u8>) {
    out.reserve(planes.len() * bytes * frames);
    for i in 0..frames {
        for plane in planes {
            out.extend_from_slice(&plane[i * bytes..(i + 1) * bytes]);
        }
    }
}

/// Stores f32-planar samples (`source[ch][offset..offset + frames]`) into
/// `planes` in `fmt`, the reverse of [`to_f32_planar`]. Formats this module
/// does not handle are left as they are.
pub fn from_f32_planar(fmt: F, source: &[Vec<f32>], offset: usize, frames: usize, planes: &mut [&mut [u8]]) {
    let planar = is_planar(fmt);
    match fmt {
        F::AV_SAMPLE_FMT_U8 | F::AV_SAMPLE_FMT_U8P => scatter(source, offset, frames, planar, planes, |v| [U8.from_float(v) as u8]),
        F::AV_SAMPLE_FMT_S16 | F::AV_SAMPLE_FMT_S16P => scatter(source, offset, frames, planar, planes, |v| s16_of(v).to_ne_bytes()),
        F::AV_SAMPLE_FMT_S32 | F::AV_SAMPLE_FMT_S32P => scatter(source, offset, frames, planar, planes, |v| (S32.from_float(v) as i32).to_ne_bytes()),
        F::AV_SAMPLE_FMT_FLT | F::AV_SAMPLE_FMT_FLTP => scatter(source, offset, frames, planar, planes, f32::to_ne_bytes),
        F::AV_SAMPLE_FMT_DBL | F::AV_SAMPLE_FMT_DBLP => scatter(source, offset, frames, planar, planes, |v| (v as f64).to_ne_bytes()),
        _ => {}
    }
}

/// `S16.from_float(v)` without branches or doubles (the encoders' most common
/// input, FLAC's and LAME's): clipped at both ends, truncated, NaN made 0,
/// as from_float does. Clamping first and converting without Rust's
/// saturating `as` lets the loops around it use vector instructions: a third
/// of the time of `as i16` on a minute of stereo.
#[inline]
fn s16_of(v: f32) -> i16 {
    let scaled = if v < 0.0 { v * 32768.0 } else { v * 32767.0 };
    if scaled.is_nan() {
        return 0;
    }
    // SAFETY: clamped to [-32768, 32767], so finite and within i32.
    (unsafe { scaled.max(-32768.0).min(32767.0).to_int_unchecked::<i32>() }) as i16
}

/// Writes each channel's samples as `N` bytes each, made by `write`.
fn scatter<const N: usize>(source: &[Vec<f32>], offset: usize, frames: usize, planar: bool, planes: &mut [&mut [u8]], write: impl Fn(f32) -> [u8; N]) {
    let channels = source.len();
    for (ch, samples) in source.iter().enumerate() {
        let samples = &samples[offset..offset + frames];
        if planar {
            for (to, &v) in planes[ch][..frames * N].chunks_exact_mut(N).zip(samples) {
                to.copy_from_slice(&write(v));
            }
        } else if channels == 2 {
            // Stereo, the common case: both channels in one pass, which
            // vectorises where a pass per channel's strided stores do not.
            let right = &source[1][offset..offset + frames];
            for ((frame, &l), &r) in planes[0][..frames * 2 * N].chunks_exact_mut(2 * N).zip(samples).zip(right) {
                frame[..N].copy_from_slice(&write(l));
                frame[N..].copy_from_slice(&write(r));
            }
            return;
        } else {
            let stride = channels * N;
            for (frame, &v) in planes[0][..frames * stride].chunks_exact_mut(stride).zip(samples) {
                frame[ch * N..(ch + 1) * N].copy_from_slice(&write(v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_float_truncates_exactly_as_f32_trunc_does() {
        // The reference: Chrome's formula with f32::trunc.
        let reference = |fixed: Fixed, v: f32| -> f64 {
            if v <= -1.0 {
                fixed.min
            } else if v >= 1.0 {
                fixed.max
            } else if v < 0.0 {
                ((v * (fixed.zero - fixed.min) as f32) + fixed.zero as f32).trunc() as f64
            } else {
                (((v * (fixed.max - fixed.zero) as f32) + fixed.zero as f32).trunc() as f64).min(fixed.max)
            }
        };
        let specials = [0.0, -0.0, f32::MIN_POSITIVE, -f32::MIN_POSITIVE, 0.99999994, -0.99999994, 1.0 / 65536.0, -1.0 / 65536.0];
        let sweep = (0..=2_000_000).map(|i| -1.05 + 2.1 * i as f32 / 2_000_000.0);
        for v in specials.into_iter().chain(sweep) {
            assert_eq!(s16_of(v) as f64, reference(S16, v), "{v} as s16");
            for fixed in [U8, S16, S32] {
                // Equal as numbers (the sign of a zero is lost in the integer anyway).
                assert_eq!(fixed.from_float(v), reference(fixed, v), "{v} as {fixed:?}");
            }
        }
    }

    #[test]
    fn s16_of_clips_and_maps_nan_as_from_float() {
        for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1.0, -1.0, 1e30, -1e30] {
            assert_eq!(s16_of(v) as f64, S16.from_float(v), "{v}");
        }
    }

    #[test]
    fn integer_extremes_and_zero_map_to_minus_one_one_and_zero() {
        assert_eq!(U8.to_float(0.0), -1.0);
        assert_eq!(U8.to_float(128.0), 0.0);
        assert_eq!(U8.to_float(255.0), 1.0);
        assert_eq!(S16.to_float(-32768.0), -1.0);
        assert_eq!(S16.to_float(32767.0), 1.0);
        assert_eq!(S32.from_float(1.5), 2147483647.0);
        assert_eq!(S32.from_float(0.75), 1610612736.0, "single-precision scaling, as Chrome");
        assert_eq!(S16.from_float(-0.5), -16384.0);
        assert_eq!(S16.from_float(0.25), 8191.0, "truncated, as Chrome");
        assert_eq!(U8.from_float(-0.5), 64.0);
        assert_eq!(U8.from_float(f32::NAN), 0.0);
        assert_eq!(S32.from_float(f32::NAN), -2147483648.0);
    }

    #[test]
    fn s16_through_f32_loses_at_most_one_step_as_in_chrome() {
        let samples: Vec<i16> = vec![-32768, -12345, -1, 0, 1, 777, 32767];
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_ne_bytes()).collect();
        let mut floats = Vec::new();
        to_f32_planar(F::AV_SAMPLE_FMT_S16, &[&bytes], 1, samples.len(), &mut floats);
        let mut back = vec![0u8; bytes.len()];
        from_f32_planar(F::AV_SAMPLE_FMT_S16, &[floats], 0, samples.len(), &mut [&mut back]);
        let back: Vec<i16> = back.chunks(2).map(|c| i16::from_ne_bytes([c[0], c[1]])).collect();
        // Chrome turns 777 into 776 the same way (test/oracle/audio.js).
        assert_eq!(back, [-32768, -12345, -1, 0, 1, 776, 32767]);
    }

    #[test]
    fn interleaved_stereo_splits_into_planes() {
        let bytes: Vec<u8> = [0.25f32, -0.5, 0.75, -1.0].iter().flat_map(|s| s.to_ne_bytes()).collect();
        let mut out = Vec::new();
        to_f32_planar(F::AV_SAMPLE_FMT_FLT, &[&bytes], 2, 2, &mut out);
        assert_eq!(out, [0.25, 0.75, -0.5, -1.0]);
    }

    #[test]
    fn interleaved_output_puts_each_channel_in_its_slot() {
        // Stereo has a path of its own; three channels take the general one.
        for channels in [1usize, 2, 3] {
            let frames = 37;
            let source: Vec<Vec<f32>> = (0..channels).map(|ch| (0..frames + 5).map(|i| ((ch * 100 + i) as f32 / 400.0) - 0.5).collect()).collect();
            let mut s16 = vec![0u8; frames * channels * 2];
            from_f32_planar(F::AV_SAMPLE_FMT_S16, &source, 5, frames, &mut [&mut s16]);
            let mut f32s = vec![0u8; frames * channels * 4];
            from_f32_planar(F::AV_SAMPLE_FMT_FLT, &source, 5, frames, &mut [&mut f32s]);
            for i in 0..frames {
                for ch in 0..channels {
                    let at = i * channels + ch;
                    let v = source[ch][5 + i];
                    assert_eq!(i16::from_ne_bytes([s16[2 * at], s16[2 * at + 1]]) as f64, S16.from_float(v), "{channels} channels, frame {i}, channel {ch}");
                    assert_eq!(f32::from_ne_bytes(f32s[4 * at..4 * at + 4].try_into().unwrap()), v);
                }
            }
        }
    }
}
