//! Owned FFmpeg objects (codec contexts, packets) and small helpers shared by
//! the encoders and decoders.

use std::ffi::CString;
use std::ptr::{self, NonNull};

use ffmpeg_next::ffi;

use crate::error::{Error, Result};

/// An open (or opening) AVCodecContext, freed on drop.
pub struct CodecContext {
    ptr: NonNull<ffi::AVCodecContext>,
}

// Used only by the worker thread that owns it.
unsafe impl Send for CodecContext {}

impl Drop for CodecContext {
    fn drop(&mut self) {
        let mut ptr = self.ptr.as_ptr();
        unsafe { ffi::avcodec_free_context(&mut ptr) };
    }
}

impl CodecContext {
    pub fn new(codec: *const ffi::AVCodec) -> Result<CodecContext> {
        let ptr = unsafe { ffi::avcodec_alloc_context3(codec) };
        NonNull::new(ptr).map(|ptr| CodecContext { ptr }).ok_or_else(|| Error::Encoding("avcodec_alloc_context3 failed".into()))
    }

    pub fn as_ptr(&self) -> *mut ffi::AVCodecContext {
        self.ptr.as_ptr()
    }

    #[allow(clippy::mut_from_ref)]
    pub fn raw(&self) -> &mut ffi::AVCodecContext {
        // Safety: the context is owned, and used from one thread.
        unsafe { &mut *self.ptr.as_ptr() }
    }

    /// Makes the decoder put its pictures in pooled memory ([`crate::pool`]):
    /// a context made for one image would otherwise map (and fault in) fresh
    /// memory for each. Call before `open`.
    pub fn use_pooled_buffers(&self) {
        self.raw().get_buffer2 = Some(pooled_get_buffer);
    }

    /// Copies `data` into the context's extradata (with FFmpeg's padding).
    pub fn set_extradata(&self, data: &[u8]) -> Result<()> {
        unsafe {
            let size = data.len() + ffi::AV_INPUT_BUFFER_PADDING_SIZE as usize;
            let buf = ffi::av_mallocz(size) as *mut u8;
            if buf.is_null() {
                return Err(Error::Encoding("Out of memory for extradata".into()));
            }
            ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len());
            let c = self.raw();
            ffi::av_freep(&mut c.extradata as *mut *mut u8 as *mut std::ffi::c_void);
            c.extradata = buf;
            c.extradata_size = data.len() as i32;
        }
        Ok(())
    }

    /// Sends a packet to a decoder, or with None the end of the stream.
    /// "Try again" (outputs waiting) and, at the end, "already drained" are not errors.
    pub fn send_packet(&self, packet: Option<&Packet>) -> Result<()> {
        let ret = unsafe { ffi::avcodec_send_packet(self.as_ptr(), packet.map_or(ptr::null(), |p| p.as_ptr())) };
        match (ret, packet) {
            (0.., _) => Ok(()),
            (r, Some(_)) if r == eagain() => Ok(()),
            (ffi::AVERROR_EOF, None) => Ok(()),
            (r, Some(_)) => Err(Error::ffmpeg("Decoding", r)),
            (r, None) => Err(Error::ffmpeg("Draining", r)),
        }
    }

    /// Takes the next packet an encoder has ready into `packet`; false when it
    /// has none (not yet, or no more after the end of input).
    pub fn receive_packet(&self, packet: &Packet) -> Result<bool> {
        match unsafe { ffi::avcodec_receive_packet(self.as_ptr(), packet.as_ptr()) } {
            0.. => Ok(true),
            r if r == eagain() || r == ffi::AVERROR_EOF => Ok(false),
            r => Err(Error::ffmpeg("avcodec_receive_packet", r)),
        }
    }

    /// Takes the next frame a decoder has ready into `frame`; false when it
    /// has none (not yet, or no more after the end of the stream).
    pub fn receive_frame(&self, frame: *mut ffi::AVFrame) -> Result<bool> {
        match unsafe { ffi::avcodec_receive_frame(self.as_ptr(), frame) } {
            0.. => Ok(true),
            r if r == eagain() || r == ffi::AVERROR_EOF => Ok(false),
            r => Err(Error::ffmpeg("avcodec_receive_frame", r)),
        }
    }

    /// Tells an encoder its input has ended, so it emits what it holds.
    pub fn end_encoder_input(&self) -> Result<()> {
        let ret = unsafe { ffi::avcodec_send_frame(self.as_ptr(), ptr::null()) };
        if ret < 0 {
            return Err(Error::ffmpeg("avcodec_send_frame(NULL)", ret));
        }
        Ok(())
    }

    /// Opens the codec with private options; options it does not know are an error.
    pub fn open(&self, codec: *const ffi::AVCodec, options: &[(&str, String)]) -> Result<()> {
        let mut dict: *mut ffi::AVDictionary = ptr::null_mut();
        for (key, value) in options {
            let (k, v) = (cstring(key), cstring(value));
            unsafe { ffi::av_dict_set(&mut dict, k.as_ptr(), v.as_ptr(), 0) };
        }
        let ret = crate::exit::opening(|| unsafe { ffi::avcodec_open2(self.as_ptr(), codec, &mut dict) });
        let unused = unsafe { ffi::av_dict_count(dict) };
        unsafe { ffi::av_dict_free(&mut dict) };
        if ret < 0 {
            return Err(Error::NotSupported(format!("Opening the {} codec failed: {}", codec_name(codec), crate::error::AvError(ret))));
        }
        if unused > 0 {
            return Err(Error::NotSupported(format!("The {} codec does not take all of our options", codec_name(codec))));
        }
        Ok(())
    }
}

/// Whether `codec`'s private options include `name` (they differ between FFmpeg versions).
pub fn has_private_option(codec: *const ffi::AVCodec, name: &str) -> bool {
    if codec.is_null() {
        return false;
    }
    let class = unsafe { (*codec).priv_class };
    if class.is_null() {
        return false;
    }
    let name = cstring(name);
    // av_opt_find takes a pointer to an object whose first member is its
    // AVClass pointer; a pointer to the class pointer is such an object.
    let object = &class as *const *const ffi::AVClass as *mut std::ffi::c_void;
    !unsafe { ffi::av_opt_find(object, name.as_ptr(), ptr::null(), 0, ffi::AV_OPT_SEARCH_FAKE_OBJ as i32) }.is_null()
}

pub fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

pub fn codec_name(codec: *const ffi::AVCodec) -> String {
    if codec.is_null() {
        return "(none)".into();
    }
    unsafe { std::ffi::CStr::from_ptr((*codec).name) }.to_string_lossy().into_owned()
}

pub fn find_encoder(name: &str) -> Option<*const ffi::AVCodec> {
    let name = cstring(name);
    let codec = unsafe { ffi::avcodec_find_encoder_by_name(name.as_ptr()) };
    (!codec.is_null()).then_some(codec as *const _)
}

/// An AVPacket, freed on drop.
pub struct Packet {
    ptr: NonNull<ffi::AVPacket>,
}

unsafe impl Send for Packet {}

impl Drop for Packet {
    fn drop(&mut self) {
        let mut ptr = self.ptr.as_ptr();
        unsafe { ffi::av_packet_free(&mut ptr) };
    }
}

impl Packet {
    pub fn empty() -> Packet {
        let ptr = unsafe { ffi::av_packet_alloc() };
        Packet { ptr: NonNull::new(ptr).expect("av_packet_alloc returned NULL") }
    }

    /// A packet holding a copy of `data`.
    pub fn copy_of(data: &[u8]) -> Result<Packet> {
        let packet = Packet::empty();
        if data.len() > i32::MAX as usize - ffi::AV_INPUT_BUFFER_PADDING_SIZE as usize {
            return Err(Error::Range(format!("A chunk of {} bytes is too large", data.len())));
        }
        let padding = ffi::AV_INPUT_BUFFER_PADDING_SIZE as usize;
        // Large packets (images, key frames) reuse pooled memory.
        let buf = crate::pool::buffer(data.len() + padding);
        if buf.is_null() {
            return Err(Error::ffmpeg("av_buffer_alloc", ffi::AVERROR(ffi::ENOMEM)));
        }
        unsafe {
            let p = &mut *packet.as_ptr();
            p.buf = buf;
            p.data = (*buf).data;
            p.size = data.len() as i32;
            ptr::copy_nonoverlapping(data.as_ptr(), p.data, data.len());
            // FFmpeg's readers may look past the end: the padding reads as zeros.
            ptr::write_bytes(p.data.add(data.len()), 0, padding);
        }
        Ok(packet)
    }

    pub fn as_ptr(&self) -> *mut ffi::AVPacket {
        self.ptr.as_ptr()
    }

    pub fn data(&self) -> &[u8] {
        unsafe {
            let p = &*self.as_ptr();
            if p.data.is_null() || p.size <= 0 {
                &[]
            } else {
                std::slice::from_raw_parts(p.data, p.size as usize)
            }
        }
    }

    pub fn unref(&self) {
        unsafe { ffi::av_packet_unref(self.as_ptr()) };
    }
}

/// AVERROR(EAGAIN), which the send/receive API uses for "not now".
pub fn eagain() -> i32 {
    -(ffi::EAGAIN as i32)
}

/// `get_buffer2` for video decoders: FFmpeg's default layout (dimensions
/// aligned as the codec asks, each row aligned to its plane's stride
/// alignment, padding after each plane) in one pooled buffer. Palette,
/// hardware and bitstream formats, and decoders that do not allow custom
/// buffers, get FFmpeg's default.
unsafe extern "C" fn pooled_get_buffer(ctx: *mut ffi::AVCodecContext, frame: *mut ffi::AVFrame, flags: std::os::raw::c_int) -> std::os::raw::c_int {
    let f = &mut *frame;
    let format: ffi::AVPixelFormat = std::mem::transmute(f.format);
    let desc = ffi::av_pix_fmt_desc_get(format);
    let special = (ffi::AV_PIX_FMT_FLAG_PAL | ffi::AV_PIX_FMT_FLAG_HWACCEL | ffi::AV_PIX_FMT_FLAG_BITSTREAM) as u64;
    let dr1 = !(*ctx).codec.is_null() && (*(*ctx).codec).capabilities & ffi::AV_CODEC_CAP_DR1 as i32 != 0;
    if desc.is_null() || (*desc).flags & special != 0 || !dr1 || (*ctx).codec_type != ffi::AVMediaType::AVMEDIA_TYPE_VIDEO || f.width <= 0 || f.height <= 0 {
        return ffi::avcodec_default_get_buffer2(ctx, frame, flags);
    }
    let (mut w, mut h) = (f.width, f.height);
    let mut align = [0i32; ffi::AV_NUM_DATA_POINTERS as usize];
    ffi::avcodec_align_dimensions2(ctx, &mut w, &mut h, align.as_mut_ptr());
    let mut linesize = [0i32; 4];
    loop {
        let ret = ffi::av_image_fill_linesizes(linesize.as_mut_ptr(), format, w);
        if ret < 0 {
            return ret;
        }
        // Widen until every row is aligned (w's lowest set bit doubles it).
        w += w & !(w - 1);
        if (0..4).all(|i| align[i] == 0 || linesize[i] % align[i] == 0) {
            break;
        }
    }
    let strides: [isize; 4] = linesize.map(|l| l as isize);
    let mut sizes = [0usize; 4];
    let ret = ffi::av_image_fill_plane_sizes(sizes.as_mut_ptr(), format, h, strides.as_ptr());
    if ret < 0 {
        return ret;
    }
    // Each plane starts 64-byte aligned (as av_malloc aligns FFmpeg's own),
    // with at least 16 bytes after it for SIMD over-reads.
    let mut offsets = [0usize; 4];
    let mut total = 0;
    for i in 0..4 {
        offsets[i] = total;
        if sizes[i] > 0 {
            total = (total + sizes[i] + 16).next_multiple_of(64);
        }
    }
    let buf = crate::pool::buffer(total);
    if buf.is_null() {
        return ffi::AVERROR(ffi::ENOMEM);
    }
    f.buf[0] = buf;
    for i in (0..4).take_while(|&i| sizes[i] > 0) {
        f.data[i] = (*buf).data.add(offsets[i]);
        f.linesize[i] = linesize[i];
    }
    f.extended_data = f.data.as_mut_ptr();
    0
}
