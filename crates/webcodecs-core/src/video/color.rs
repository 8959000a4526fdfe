//! `VideoColorSpace` values and their FFmpeg counterparts.

use ffmpeg_next::ffi::{self, AVColorPrimaries::*, AVColorRange::*, AVColorSpace::*, AVColorTransferCharacteristic::*};

/// A `VideoColorSpaceInit`: each member null when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColorSpace {
    pub primaries: Option<&'static str>,
    pub transfer: Option<&'static str>,
    pub matrix: Option<&'static str>,
    pub full_range: Option<bool>,
}

const PRIMARIES: [(&str, ffi::AVColorPrimaries); 5] = [
    ("bt709", AVCOL_PRI_BT709),
    ("bt470bg", AVCOL_PRI_BT470BG),
    ("smpte170m", AVCOL_PRI_SMPTE170M),
    ("bt2020", AVCOL_PRI_BT2020),
    ("smpte432", AVCOL_PRI_SMPTE432),
];

const TRANSFERS: [(&str, ffi::AVColorTransferCharacteristic); 6] = [
    ("bt709", AVCOL_TRC_BT709),
    ("smpte170m", AVCOL_TRC_SMPTE170M),
    ("iec61966-2-1", AVCOL_TRC_IEC61966_2_1),
    ("linear", AVCOL_TRC_LINEAR),
    ("pq", AVCOL_TRC_SMPTE2084),
    ("hlg", AVCOL_TRC_ARIB_STD_B67),
];

const MATRICES: [(&str, ffi::AVColorSpace); 5] = [
    ("rgb", AVCOL_SPC_RGB),
    ("bt709", AVCOL_SPC_BT709),
    ("bt470bg", AVCOL_SPC_BT470BG),
    ("smpte170m", AVCOL_SPC_SMPTE170M),
    ("bt2020-ncl", AVCOL_SPC_BT2020_NCL),
];

fn name_of<T: PartialEq + Copy>(table: &[(&'static str, T)], value: T) -> Option<&'static str> {
    table.iter().find(|row| row.1 == value).map(|row| row.0)
}

fn value_of<T: Copy>(table: &[(&'static str, T)], name: Option<&str>) -> Option<T> {
    name.and_then(|n| table.iter().find(|row| row.0 == n).map(|row| row.1))
}

impl ColorSpace {
    /// Interns enum strings that came from JavaScript (unknown ones become null).
    pub fn from_names(primaries: Option<&str>, transfer: Option<&str>, matrix: Option<&str>, full_range: Option<bool>) -> ColorSpace {
        ColorSpace {
            primaries: value_of(&PRIMARIES, primaries).and_then(|v| name_of(&PRIMARIES, v)),
            transfer: value_of(&TRANSFERS, transfer).and_then(|v| name_of(&TRANSFERS, v)),
            matrix: value_of(&MATRICES, matrix).and_then(|v| name_of(&MATRICES, v)),
            full_range,
        }
    }

    pub(crate) fn of_frame(f: &ffi::AVFrame) -> ColorSpace {
        ColorSpace {
            primaries: name_of(&PRIMARIES, f.color_primaries),
            transfer: name_of(&TRANSFERS, f.color_trc),
            matrix: name_of(&MATRICES, f.colorspace),
            full_range: match f.color_range {
                AVCOL_RANGE_JPEG => Some(true),
                AVCOL_RANGE_MPEG => Some(false),
                _ => None,
            },
        }
    }

    /// The whole colour space a VP8 or VP9 frame header signals, as Chrome
    /// reads it: VP9 names only its matrix (`color_space`), which stands for
    /// a full set of primaries, transfer and matrix; VP8 names none (its one
    /// colour bit says "BT.601" for every stream), only its range.
    pub fn of_vpx_stream(self, vp9: bool) -> ColorSpace {
        let full_range = self.full_range;
        let (primaries, transfer, matrix) = match (vp9, self.matrix) {
            (true, Some("bt709")) => (Some("bt709"), Some("bt709"), Some("bt709")),
            (true, Some("smpte170m" | "bt470bg")) => (Some("smpte170m"), Some("smpte170m"), Some("smpte170m")),
            // BT.2020's own transfer (bt2020-10/12) is BT.709's curve; WebCodecs names it bt709.
            (true, Some("bt2020-ncl")) => (Some("bt2020"), Some("bt709"), Some("bt2020-ncl")),
            (true, Some("rgb")) => (Some("bt709"), Some("iec61966-2-1"), Some("rgb")),
            _ => (None, None, None),
        };
        ColorSpace { primaries: self.primaries.or(primaries), transfer: self.transfer.or(transfer), matrix, full_range }
    }

    /// The FFmpeg values of the known members.
    #[allow(clippy::type_complexity)]
    pub(crate) fn av_values(&self) -> (Option<ffi::AVColorPrimaries>, Option<ffi::AVColorTransferCharacteristic>, Option<ffi::AVColorSpace>, Option<ffi::AVColorRange>) {
        (
            value_of(&PRIMARIES, self.primaries),
            value_of(&TRANSFERS, self.transfer),
            value_of(&MATRICES, self.matrix),
            self.full_range.map(|full| if full { AVCOL_RANGE_JPEG } else { AVCOL_RANGE_MPEG }),
        )
    }

    /// Writes the known members into an encoder context (unknown ones stay unspecified).
    pub(crate) fn apply_to_codec(&self, c: &mut ffi::AVCodecContext) {
        let (p, t, m, r) = self.av_values();
        set(&mut c.color_primaries, p);
        set(&mut c.color_trc, t);
        set(&mut c.colorspace, m);
        set(&mut c.color_range, r);
    }

    /// Writes the known members into a frame.
    pub(crate) fn apply_to_frame(&self, f: &mut ffi::AVFrame) {
        let (p, t, m, r) = self.av_values();
        set(&mut f.color_primaries, p);
        set(&mut f.color_trc, t);
        set(&mut f.colorspace, m);
        set(&mut f.color_range, r);
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_interned_and_unknown_ones_dropped() {
        let cs = ColorSpace::from_names(Some("bt709"), Some("pq"), Some("nope"), Some(true));
        assert_eq!(cs, ColorSpace { primaries: Some("bt709"), transfer: Some("pq"), matrix: None, full_range: Some(true) });
        let mut frame = crate::video::frame::Frame::empty();
        let f = unsafe { &mut *frame.as_mut_ptr() };
        assert_eq!(ColorSpace::of_frame(f), ColorSpace::default());
        cs.apply_to_frame(f);
        assert_eq!(ColorSpace::of_frame(f), cs);
    }
}
