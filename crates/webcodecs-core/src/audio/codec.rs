//! Audio codec strings (the WebCodecs codec registry) and the FFmpeg codecs
//! behind them.

use crate::error::{Error, Result};

/// The PCM layouts of the `pcm-*` registration (little-endian, interleaved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pcm {
    U8,
    S16,
    S24,
    S32,
    F32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioCodec {
    Opus,
    /// AAC with its MPEG-4 audio object type (2 LC, 5 HE, 29 HE v2), or the
    /// MPEG-2 LC of `mp4a.67` (object type 2 for our purposes).
    Aac { object_type: u8 },
    Mp3,
    Flac,
    Vorbis,
    Ulaw,
    Alaw,
    Pcm(Pcm),
}

impl AudioCodec {
    /// Parses a codec string exactly as the registrations spell it (case-sensitive,
    /// as Chrome). Anything else is NotSupported, never a TypeError.
    pub fn parse(codec: &str) -> Result<AudioCodec> {
        Ok(match codec {
            "opus" => AudioCodec::Opus,
            "mp3" | "mp4a.69" | "mp4a.6B" => AudioCodec::Mp3,
            "flac" => AudioCodec::Flac,
            "vorbis" => AudioCodec::Vorbis,
            "ulaw" => AudioCodec::Ulaw,
            "alaw" => AudioCodec::Alaw,
            "pcm-u8" => AudioCodec::Pcm(Pcm::U8),
            "pcm-s16" => AudioCodec::Pcm(Pcm::S16),
            "pcm-s24" => AudioCodec::Pcm(Pcm::S24),
            "pcm-s32" => AudioCodec::Pcm(Pcm::S32),
            "pcm-f32" => AudioCodec::Pcm(Pcm::F32),
            "mp4a.40.2" | "mp4a.40.02" | "mp4a.67" => AudioCodec::Aac { object_type: 2 },
            "mp4a.40.5" | "mp4a.40.05" => AudioCodec::Aac { object_type: 5 },
            "mp4a.40.29" => AudioCodec::Aac { object_type: 29 },
            _ => return Err(Error::NotSupported(format!("Unsupported audio codec string {codec:?}"))),
        })
    }

    /// FFmpeg encoders for the codec, in order of preference.
    pub fn encoder_names(self) -> &'static [&'static str] {
        match self {
            AudioCodec::Opus => &["libopus"],
            // FFmpeg's AAC encoder makes AAC-LC only.
            AudioCodec::Aac { object_type: 2 } => &["aac"],
            AudioCodec::Aac { .. } => &[],
            AudioCodec::Mp3 => &["libmp3lame"],
            AudioCodec::Flac => &["flac"],
            AudioCodec::Vorbis => &["libvorbis"],
            AudioCodec::Ulaw => &["pcm_mulaw"],
            AudioCodec::Alaw => &["pcm_alaw"],
            AudioCodec::Pcm(p) => pcm_name(p),
        }
    }

    /// FFmpeg decoders for the codec, in order of preference.
    pub fn decoder_names(self) -> &'static [&'static str] {
        match self {
            // FFmpeg's own Opus decoder takes half libopus's time; its
            // output is within 1.5e-5 of libopus's (77 dB SNR).
            AudioCodec::Opus => &["opus", "libopus"],
            AudioCodec::Aac { .. } => &["aac", "aac_fixed"],
            AudioCodec::Mp3 => &["mp3float", "mp3"],
            AudioCodec::Flac => &["flac"],
            AudioCodec::Vorbis => &["vorbis", "libvorbis"],
            AudioCodec::Ulaw => &["pcm_mulaw"],
            AudioCodec::Alaw => &["pcm_alaw"],
            AudioCodec::Pcm(p) => pcm_name(p),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AudioCodec::Opus => "Opus",
            AudioCodec::Aac { .. } => "AAC",
            AudioCodec::Mp3 => "MP3",
            AudioCodec::Flac => "FLAC",
            AudioCodec::Vorbis => "Vorbis",
            AudioCodec::Ulaw => "mu-law",
            AudioCodec::Alaw => "A-law",
            AudioCodec::Pcm(_) => "PCM",
        }
    }
}

fn pcm_name(p: Pcm) -> &'static [&'static str] {
    match p {
        Pcm::U8 => &["pcm_u8"],
        Pcm::S16 => &["pcm_s16le"],
        Pcm::S24 => &["pcm_s24le"],
        Pcm::S32 => &["pcm_s32le"],
        Pcm::F32 => &["pcm_f32le"],
    }
}

/// The first of `names` this build has, as an encoder or a decoder.
pub(crate) fn find(names: &[&str], encoder: bool) -> Option<*const ffmpeg_next::ffi::AVCodec> {
    names.iter().find_map(|name| {
        let c = crate::av::cstring(name);
        let codec = unsafe {
            if encoder {
                ffmpeg_next::ffi::avcodec_find_encoder_by_name(c.as_ptr())
            } else {
                ffmpeg_next::ffi::avcodec_find_decoder_by_name(c.as_ptr())
            }
        };
        (!codec.is_null()).then_some(codec)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_strings_parse() {
        assert_eq!(AudioCodec::parse("opus"), Ok(AudioCodec::Opus));
        assert_eq!(AudioCodec::parse("mp4a.40.02"), Ok(AudioCodec::Aac { object_type: 2 }));
        assert_eq!(AudioCodec::parse("mp4a.40.29"), Ok(AudioCodec::Aac { object_type: 29 }));
        assert_eq!(AudioCodec::parse("mp4a.6B"), Ok(AudioCodec::Mp3));
        assert_eq!(AudioCodec::parse("pcm-s24"), Ok(AudioCodec::Pcm(Pcm::S24)));
        for bad in ["", "Opus", "aac", "mp4a", "mp4a.40", "mp4a.40.3", "pcm", "pcm-s8", "flac ", "ogg"] {
            assert!(matches!(AudioCodec::parse(bad), Err(Error::NotSupported(_))), "{bad:?}");
        }
    }

    #[test]
    fn he_aac_decodes_but_does_not_encode() {
        let he = AudioCodec::parse("mp4a.40.5").unwrap();
        assert!(he.encoder_names().is_empty());
        assert_eq!(he.decoder_names()[0], "aac");
    }
}
