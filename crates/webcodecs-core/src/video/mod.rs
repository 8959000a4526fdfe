pub mod color;
pub mod convert;
pub mod decoder;
pub mod encoder;
pub mod frame;
pub mod gamut;
pub mod h264;
pub mod hevc;
pub mod keyframe;
pub mod pixel;
pub mod transform;
pub mod library;
#[cfg(openh264)]
pub mod openh264;
#[cfg(x265_direct)]
pub mod x265;
pub mod yuv_rgb;
