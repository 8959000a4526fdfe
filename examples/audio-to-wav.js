'use strict';
// Audio to WAV: the first audio track of any file Mediabunny reads (MP4,
// WebM, MKV, Ogg, MP3, FLAC, ADTS...), decoded with AudioDecoder and written
// as 16-bit PCM WAV from time 0 on (the codec's priming samples dropped, as
// players drop them).
//
//   node examples/audio-to-wav.js <input> [<output.wav>]
const fs = require('node:fs');
const path = require('node:path');
const { Input, ALL_FORMATS, FilePathSource, EncodedPacketSink } = require('mediabunny');
// The polyfill installs the classes as globals, which Mediabunny's packets need.
const { AudioDecoder } = require('../lib/polyfill'); // require('webcodecs-native/polyfill') in your project

/** A canonical 44-byte WAV header for 16-bit PCM. */
function wavHeader(sampleRate, channels, dataBytes) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node examples/audio-to-wav.js <input> [<output.wav>]');
    process.exit(2);
  }
  const out = path.resolve(process.argv[3] ?? path.join(__dirname, 'out', `${path.parse(file).name}.wav`));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const input = new Input({ source: new FilePathSource(file), formats: ALL_FORMATS });
  const track = await input.getPrimaryAudioTrack();
  if (!track) throw new Error(`${file} has no audio track`);
  const config = await track.getDecoderConfig();

  // The data is written as it is decoded; the header's sizes are filled in at the end.
  const fd = fs.openSync(out, 'w');
  fs.writeSync(fd, Buffer.alloc(44));
  let bytes = 0;
  let frames = 0;
  let format = null;
  let failure = null;
  const decoder = new AudioDecoder({
    output: (data) => {
      format ??= { sampleRate: data.sampleRate, channels: data.numberOfChannels, decoded: data.format };
      // Samples before time 0 are the codec's priming (AAC's 1024, an MP4
      // edit list's): players skip them, and so does this.
      const skip = Math.min(data.numberOfFrames, Math.max(0, Math.round((-data.timestamp * data.sampleRate) / 1e6)));
      const count = data.numberOfFrames - skip;
      if (count > 0) {
        // Interleaved 16-bit samples, converted by AudioData from the decoder's own format.
        const pcm = new Int16Array(count * data.numberOfChannels);
        data.copyTo(pcm, { planeIndex: 0, format: 's16', frameOffset: skip });
        fs.writeSync(fd, new Uint8Array(pcm.buffer));
        bytes += pcm.byteLength;
        frames += count;
      }
      data.close();
    },
    error: (e) => { failure = e; },
  });
  decoder.configure(config);
  const sink = new EncodedPacketSink(track);
  for await (const packet of sink.packets()) {
    decoder.decode(packet.toEncodedAudioChunk());
    // Let the decoder catch up instead of queueing the whole file.
    if (decoder.decodeQueueSize > 32) await new Promise((resolve) => decoder.addEventListener('dequeue', resolve, { once: true }));
    if (failure) break;
  }
  await decoder.flush().catch(() => {});
  decoder.close();
  if (failure) throw failure;
  if (!format) throw new Error(`${file}: no audio decoded`);
  fs.writeSync(fd, wavHeader(format.sampleRate, format.channels, bytes), 0, 44, 0);
  fs.closeSync(fd);
  console.log(`${path.relative(process.cwd(), out)}: ${frames} samples x ${format.channels} channels at ${format.sampleRate} Hz ` +
    `(${(frames / format.sampleRate).toFixed(3)} s) from ${track.codec} (decoded as ${format.decoded})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
