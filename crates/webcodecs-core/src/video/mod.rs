pub mod color;
pub mod convert;
pub mod decoder;
pub mod encoder;
pub mod frame;
pub mod h264;
pub mod pixel;
