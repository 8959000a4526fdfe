'use strict';
// A minimal MP4 (ISO BMFF) writer for one H.264 track in avc format: what a
// WebCodecs user writes to get a file players open. Samples go in one mdat,
// the moov follows it.

const u8 = (n) => Buffer.from([n & 255]);
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const zeros = (n) => Buffer.alloc(n);
const str = (s) => Buffer.from(s, 'latin1');

function box(type, ...parts) {
  const payload = Buffer.concat(parts.flat());
  return Buffer.concat([u32(payload.length + 8), str(type), payload]);
}
const fullBox = (type, version, flags, ...parts) => box(type, u8(version), u8(flags >> 16), u16(flags & 0xffff), ...parts);

const MATRIX = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32);

/**
 * @param {{width:number,height:number,description:ArrayBuffer}} track
 * @param {{data:Buffer,timestamp:number,duration:number,key:boolean}[]} samples timestamps in µs
 */
function writeMp4(track, samples) {
  const timescale = 90000;
  const ticks = (us) => Math.round((us * timescale) / 1e6);
  const durations = samples.map((s) => ticks(s.duration));
  const total = durations.reduce((a, b) => a + b, 0);
  const ms = Math.round((total * 1000) / timescale);

  const ftyp = box('ftyp', str('isom'), u32(512), str('isomiso2avc1mp41'));
  const mdatHeader = u32(8 + samples.reduce((a, s) => a + s.data.length, 0));
  const firstOffset = ftyp.length + 8;

  const stts = [];
  for (const d of durations) {
    const last = stts[stts.length - 1];
    if (last && last[1] === d) last[0]++;
    else stts.push([1, d]);
  }
  const keys = samples.flatMap((s, i) => (s.key ? [i + 1] : []));
  const avc1 = box('avc1',
    zeros(6), u16(1), zeros(16), u16(track.width), u16(track.height),
    u32(0x00480000), u32(0x00480000), zeros(4), u16(1), zeros(32), u16(0x18), u16(0xffff),
    box('avcC', Buffer.from(track.description)));
  const stbl = box('stbl',
    fullBox('stsd', 0, 0, u32(1), avc1),
    fullBox('stts', 0, 0, u32(stts.length), stts.flatMap(([n, d]) => [u32(n), u32(d)])),
    fullBox('stss', 0, 0, u32(keys.length), keys.map(u32)),
    fullBox('stsz', 0, 0, u32(0), u32(samples.length), samples.map((s) => u32(s.data.length))),
    fullBox('stsc', 0, 0, u32(1), u32(1), u32(samples.length), u32(1)),
    fullBox('stco', 0, 0, u32(1), u32(firstOffset)));
  const minf = box('minf',
    fullBox('vmhd', 0, 1, zeros(8)),
    box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
    stbl);
  const mdia = box('mdia',
    fullBox('mdhd', 0, 0, zeros(8), u32(timescale), u32(total), u16(0x55c4), u16(0)),
    fullBox('hdlr', 0, 0, u32(0), str('vide'), zeros(12), str('VideoHandler\0')),
    minf);
  const tkhd = fullBox('tkhd', 0, 3, zeros(8), u32(1), zeros(4), u32(ms), zeros(8), u16(0), u16(0), u16(0), zeros(2), MATRIX, u32(track.width << 16), u32(track.height << 16));
  const mvhd = fullBox('mvhd', 0, 0, zeros(8), u32(1000), u32(ms), u32(0x10000), u16(0x100), zeros(10), MATRIX, zeros(24), u32(2));
  const moov = box('moov', mvhd, box('trak', tkhd, mdia));
  return Buffer.concat([ftyp, mdatHeader, str('mdat'), ...samples.map((s) => s.data), moov]);
}

module.exports = { writeMp4 };
