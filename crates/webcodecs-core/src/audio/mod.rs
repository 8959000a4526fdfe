//! Audio: the codec strings of the WebCodecs audio registrations, sample
//! conversion, and the encoder and decoder behind `AudioEncoder` and
//! `AudioDecoder`. JavaScript hands encoders f32-planar samples and gets
//! f32-planar samples from decoders (as Chrome's decoders output them).

pub mod codec;
pub mod decoder;
pub mod encoder;
pub mod samples;
