'use strict';
// Seeded mutations of real streams through VideoDecoder and AudioDecoder, per
// decoder: bytes flipped or overwritten, chunks cut short, spliced with
// another chunk, replaced by random bytes of random length, dropped,
// duplicated or swapped, the wrong `type`, absurd timestamps, and mutated
// descriptions (avcC, hvcC, av1C, OpusHead, AudioSpecificConfig, STREAMINFO,
// Vorbis headers). Every session must settle in time (flush resolves or
// rejects; no hang), errors must be the spec's (DataError thrown by decode(),
// EncodingError or, for a description the decoder cannot open,
// NotSupportedError through the error callback), and after the mutations the
// same process must still decode the clean stream to every frame.
//
//   node test/stress/decoder-fuzz.js [--count N] [--seed S] [--decoder NAME] [--chunks K] [--shard I/N]
//
// --count is the mutated sessions per decoder (default 10000 × STRESS_SCALE
// or --scale), --chunks how
// many chunks of the stream each session feeds (default 8). Prints one JSON
// line per decoder and exits non-zero on an unexpected error, a hang or a
// wrong clean decode.
const fs = require('node:fs');
const { VideoDecoder, EncodedVideoChunk, AudioDecoder, EncodedAudioChunk } = require('../..');
const { option, random, scaled, withTimeout } = require('./fuzz-common');
const { fixture, annexbAccessUnits, mp4Samples, ivfSamples, audioPackets, oggPackets, xiphLace } = require('../helpers');

const RATE = 48000;

/** ADTS frames to raw AAC plus the AudioSpecificConfig their headers describe. */
function rawAac(packets) {
  const h = packets[0].data;
  const objectType = (h[2] >> 6) + 1;
  const rateIndex = (h[2] >> 2) & 15;
  const channels = ((h[2] & 1) << 2) | (h[3] >> 6);
  const headerLength = h[1] & 1 ? 7 : 9;
  const asc = Uint8Array.of((objectType << 3) | (rateIndex >> 1), ((rateIndex & 1) << 7) | (channels << 3));
  return { description: asc, samples: packets.map((p) => ({ data: p.data.subarray(headerLength), timestamp: p.pts })) };
}

/** Every decoder with a clean stream: {kind, config, samples: [{data, timestamp, key}]}. */
function decoders() {
  const video = (codec, samples, description) => ({ kind: 'video', config: description ? { codec, description } : { codec }, samples });
  const audio = (codec, samples, description, extra = {}) => ({ kind: 'audio', config: { codec, sampleRate: RATE, numberOfChannels: 1, ...(description ? { description } : {}), ...extra }, samples });
  const h264 = mp4Samples(fixture('h264.mp4'));
  const h265 = mp4Samples(fixture('h265.mp4'), 'hvcC');
  const av1 = mp4Samples(fixture('av1.mp4'), 'av1C');
  const adts = audioPackets(fixture('sfx.adts'));
  const raw = rawAac(adts);
  const opus = oggPackets(fixture('sfx-opus.ogg'));
  const vorbis = oggPackets(fixture('sfx-vorbis.ogg'));
  const keyed = (list) => list.map((s, i) => ({ ...s, key: s.type ? s.type === 'key' : i === 0 }));
  const all = {
    'h264-avc': video('avc1.64000b', keyed(h264.samples), h264.description),
    'h264-annexb': video('avc1.64000b', keyed(annexbAccessUnits(new Uint8Array(fs.readFileSync(fixture('h264.annexb')))).map((data, i) => ({ data, timestamp: i * 33333 })))),
    'hevc-hvcc': video('hvc1.1.6.L60.90', keyed(h265.samples), h265.description),
    'hevc-annexb': video('hev1.1.6.L60.90', keyed(annexbAccessUnits(new Uint8Array(fs.readFileSync(fixture('h265.annexb'))), 'hevc').map((data, i) => ({ data, timestamp: i * 33333 })))),
    vp8: video('vp8', keyed(ivfSamples(fixture('vp8.webm')))),
    vp9: video('vp09.00.10.08', keyed(mp4Samples(fixture('vp9.mp4'), 'vpcC').samples)),
    av1: video('av01.0.04M.08', keyed(av1.samples), av1.description),
    'aac-adts': audio('mp4a.40.2', adts.map((p) => ({ data: p.data, timestamp: p.pts, key: true })), null),
    'aac-raw': audio('mp4a.40.2', raw.samples.map((s) => ({ ...s, key: true })), raw.description),
    opus: audio('opus', opus.slice(2).map((data, i) => ({ data, timestamp: i * 20000, key: true })), opus[0]),
    vorbis: audio('vorbis', vorbis.slice(3).map((data, i) => ({ data, timestamp: i * 20000, key: true })), xiphLace(vorbis.slice(0, 3))),
    mp3: audio('mp3', audioPackets(fixture('sfx.mp3')).map((p) => ({ data: p.data, timestamp: p.pts, key: true }))),
    flac: audio('flac', audioPackets(fixture('sfx.flac')).map((p) => ({ data: p.data, timestamp: p.pts, key: true })), new Uint8Array(fs.readFileSync(fixture('sfx.flac')).subarray(0, 42))),
  };
  for (const [name, codec] of [['pcm-u8', 'pcm-u8'], ['pcm-s16', 'pcm-s16'], ['pcm-s24', 'pcm-s24'], ['pcm-s32', 'pcm-s32'], ['pcm-f32', 'pcm-f32'], ['alaw', 'alaw'], ['ulaw', 'ulaw']]) {
    const file = fixture(`sfx-${name}.wav`);
    all[name] = audio(codec, audioPackets(file).map((p) => ({ data: p.data, timestamp: p.pts, key: true })));
  }
  return all;
}

/** One mutated session: the config and the chunks to feed. */
function mutate(rand, clean, others, count) {
  const int = (n) => Math.floor(rand() * n);
  const start = int(Math.max(1, clean.samples.length - count));
  // Sessions begin at the key chunk that opens the stream, or anywhere.
  const from = rand() < 0.7 ? 0 : start;
  let chunks = clean.samples.slice(from, from + count).map((s) => ({ ...s, data: Uint8Array.from(s.data) }));
  const config = { ...clean.config };
  for (let n = 1 + int(3); n > 0; n--) {
    const kind = int(11);
    const c = chunks[int(chunks.length)];
    if (!c) break;
    switch (kind) {
      case 0: // bit flips
        for (let k = 1 + int(8); k > 0 && c.data.length; k--) c.data[int(c.data.length)] ^= 1 << int(8);
        break;
      case 1: { // a run of random bytes
        const at = int(c.data.length);
        for (let i = at; i < Math.min(c.data.length, at + 1 + int(32)); i++) c.data[i] = int(256);
        break;
      }
      case 2: // cut short
        c.data = c.data.slice(0, int(c.data.length));
        break;
      case 3: { // the head of this chunk and the tail of one from another stream
        const other = others[int(others.length)];
        c.data = Uint8Array.from([...c.data.subarray(0, int(c.data.length + 1)), ...other.subarray(int(other.length))]);
        break;
      }
      case 4: // random bytes of a random length
        c.data = Uint8Array.from({ length: int(rand() < 0.9 ? 512 : 65536) }, () => int(256));
        break;
      case 5: // the wrong type
        c.key = !c.key;
        break;
      case 6: // an absurd timestamp
        c.timestamp = [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -1, 2 ** 40, 0][int(5)];
        break;
      case 7: // a dropped chunk
        chunks.splice(chunks.indexOf(c), 1);
        break;
      case 8: // a duplicated chunk
        chunks.splice(int(chunks.length + 1), 0, { ...c, data: Uint8Array.from(c.data) });
        break;
      case 9: { // two chunks swapped
        const a = int(chunks.length);
        const b = int(chunks.length);
        [chunks[a], chunks[b]] = [chunks[b], chunks[a]];
        break;
      }
      default: { // a mutated description, or none, or one where there was none
        if (config.description && rand() < 0.8) {
          const d = Uint8Array.from(config.description);
          if (rand() < 0.5) {
            for (let k = 1 + int(4); k > 0; k--) d[int(d.length)] ^= 1 << int(8);
            config.description = d;
          } else {
            config.description = d.slice(0, int(d.length));
          }
        } else if (config.description) {
          delete config.description;
        } else {
          config.description = Uint8Array.from({ length: int(64) }, () => int(256));
        }
      }
    }
  }
  return { config, chunks };
}

/** Feeds one session; returns its outcome, or throws on what the spec does not allow. */
async function session(kind, config, chunks) {
  const [Decoder, Chunk] = kind === 'video' ? [VideoDecoder, EncodedVideoChunk] : [AudioDecoder, EncodedAudioChunk];
  const errors = [];
  let outputs = 0;
  const decoder = new Decoder({ output: (o) => { outputs++; o.close(); }, error: (e) => errors.push(e) });
  decoder.configure(config);
  const thrown = [];
  for (const c of chunks) {
    if (decoder.state !== 'configured') break;
    try {
      decoder.decode(new Chunk({ type: c.key ? 'key' : 'delta', timestamp: c.timestamp, data: c.data }));
    } catch (e) {
      thrown.push(e.name);
      if (e.name !== 'DataError') throw new Error(`decode() threw ${e.name}: ${e.message}`);
    }
  }
  let flushed = 'closed';
  if (decoder.state === 'configured') flushed = await decoder.flush().then(() => 'resolved', (e) => e.name);
  if (decoder.state !== 'closed') decoder.close();
  for (const e of errors) {
    if (!(e instanceof DOMException) || !['EncodingError', 'NotSupportedError'].includes(e.name)) throw new Error(`the error callback got ${e.name}: ${e.message}`);
  }
  return { outputs, flushed, error: errors[0]?.name, thrown: thrown.length };
}

async function main() {
  const count = Number(option('count', scaled(10000, 20)));
  const seed = Number(option('seed', 1));
  const perSession = Number(option('chunks', 8));
  const only = option('decoder', null);
  // --shard i/n: only every n-th decoder from the i-th (run.js runs two
  // shards at once, one per core); each decoder's seed stays the same.
  const [shard, shards] = option('shard', '0/1').split('/').map(Number);
  const all = decoders();
  // Splice material: chunks of every stream.
  const others = Object.values(all).flatMap((d) => d.samples.slice(0, 4).map((s) => s.data));
  let failed = false;
  for (const [index, [name, clean]] of Object.entries(all).entries()) {
    if (only && only !== name) continue;
    if (index % shards !== shard) continue;
    const rand = random(seed * 7919 + name.length * 131 + name.charCodeAt(0));
    const tally = { resolved: 0, EncodingError: 0, NotSupportedError: 0, DataError: 0, closed: 0 };
    const started = Date.now();
    let problem = null;
    for (let i = 0; i < count && !problem; i++) {
      const { config, chunks } = mutate(rand, clean, others, perSession);
      try {
        const r = await withTimeout(session(clean.kind, config, chunks), `${name} session ${i}`);
        tally[r.error ?? r.flushed] = (tally[r.error ?? r.flushed] ?? 0) + 1;
        if (r.thrown) tally.DataError++;
      } catch (e) {
        problem = `session ${i} (seed ${seed}): ${e.message}`;
      }
    }
    // The same process still decodes the clean stream, every chunk of it.
    let clean_outputs = -1;
    if (!problem) {
      try {
        const r = await withTimeout(session(clean.kind, clean.config, clean.samples), `${name} clean decode`);
        clean_outputs = r.outputs;
        if (r.error || r.flushed !== 'resolved' || (clean.kind === 'video' && r.outputs !== clean.samples.length) || r.outputs === 0) {
          problem = `the clean stream gave ${r.outputs} outputs of ${clean.samples.length} chunks (${r.error ?? r.flushed})`;
        }
      } catch (e) {
        problem = `clean decode: ${e.message}`;
      }
    }
    failed ||= problem !== null;
    console.log(JSON.stringify({ decoder: name, sessions: count, seconds: Math.round((Date.now() - started) / 100) / 10, outcomes: tally, clean_chunks: clean.samples.length, clean_outputs, problem }));
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
