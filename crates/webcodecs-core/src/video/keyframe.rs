//! Whether a VP8, VP9 or AV1 chunk is a key frame, read from its first
//! header bits (the decoder "SHOULD inspect the media data").

/// VP8 (RFC 6386 9.1): frame tag bit 0 is 0 for key frames, which also carry
/// the start code 9d 01 2a.
pub fn vp8(data: &[u8]) -> bool {
    data.len() >= 6 && data[0] & 1 == 0 && data[3..6] == [0x9d, 0x01, 0x2a]
}

/// VP9 (bitstream spec 6.2): frame_marker, profile, show_existing_frame,
/// frame_type (0 = KEY_FRAME). A superframe starts with its first frame.
pub fn vp9(data: &[u8]) -> bool {
    let Some(&b) = data.first() else { return false };
    if b >> 6 != 0b10 {
        return false;
    }
    let profile = (b >> 5 & 1) | (b >> 4 & 1) << 1;
    // Profile 3 has a reserved zero bit before show_existing_frame.
    let shift = if profile == 3 { 2 } else { 3 };
    let show_existing = b >> shift & 1;
    let frame_type = b >> (shift - 1) & 1;
    show_existing == 0 && frame_type == 0
}

const OBU_SEQUENCE_HEADER: u8 = 1;
const OBU_FRAME_HEADER: u8 = 3;
const OBU_FRAME: u8 = 6;

fn leb128(data: &[u8], pos: &mut usize) -> Option<usize> {
    let mut value = 0usize;
    for i in 0..8 {
        let b = *data.get(*pos)?;
        *pos += 1;
        value |= ((b & 0x7f) as usize) << (7 * i);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// AV1 (spec 5.3, 5.9.2): the first frame (header) OBU has frame_type
/// KEY_FRAME and is shown, or the sequence uses reduced still-picture headers.
pub fn av1(data: &[u8]) -> bool {
    let mut pos = 0;
    let mut reduced_still_picture = false;
    while pos < data.len() {
        let header = data[pos];
        let kind = header >> 3 & 0xf;
        pos += 1 + (header >> 2 & 1) as usize;
        let size = if header & 2 != 0 {
            match leb128(data, &mut pos) {
                Some(size) => size,
                None => return false,
            }
        } else {
            data.len().saturating_sub(pos)
        };
        let Some(payload) = data.get(pos..pos + size) else { return false };
        match kind {
            OBU_SEQUENCE_HEADER => reduced_still_picture = payload.first().is_some_and(|b| b >> 3 & 1 == 1),
            OBU_FRAME_HEADER | OBU_FRAME => {
                if reduced_still_picture {
                    return true;
                }
                let Some(&b) = payload.first() else { return false };
                // show_existing_frame, then frame_type (2 bits).
                return b >> 7 == 0 && b >> 5 & 3 == 0;
            }
            _ => {}
        }
        pos += size;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vp8_key_and_delta() {
        assert!(vp8(&[0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01]));
        assert!(!vp8(&[0x51, 0x42, 0x00, 0x9d, 0x01, 0x2a]));
        assert!(!vp8(&[0x50, 0x42]));
    }

    #[test]
    fn vp9_key_and_delta() {
        // frame_marker 10, profile 0, show_existing 0, frame_type 0 (key).
        assert!(vp9(&[0b1000_0010, 0x49, 0x83, 0x42]));
        assert!(!vp9(&[0b1000_0110, 0x00]));
        // show_existing_frame
        assert!(!vp9(&[0b1000_1000]));
        // profile 3: reserved bit, then show_existing 0, frame_type 0.
        assert!(vp9(&[0b1011_0000]));
        assert!(!vp9(&[]));
    }

    #[test]
    fn av1_key_and_delta() {
        // temporal delimiter, then a FRAME OBU whose header starts with
        // show_existing_frame 0, frame_type KEY (00).
        assert!(av1(&[0x12, 0x00, 0x32, 0x02, 0x10, 0x00]));
        // frame_type INTER (01)
        assert!(!av1(&[0x12, 0x00, 0x32, 0x02, 0x30, 0x00]));
        // truncated size
        assert!(!av1(&[0x32, 0x05, 0x10]));
        assert!(!av1(&[]));
    }
}
