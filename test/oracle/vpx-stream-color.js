// Issue 8 item 2: what a decoder reports for VP8/VP9 streams whose bitstream
// signals a colour space (keyframes made by our encoder, 64x48, base64), with no
// colorSpace in the config, with a whole one, and with a partial one.
const STREAMS = {
 "vp09.00.10.08.bt709": "gkmDQkAD8AL2BjgkHBhCAAAgQABrQ/5jTnX9//YD/ojAafu7M3ycHvnQJ60K7ZZhs0JJ6DDN8VbqSAf///OE///+cI6PDogA",
 "vp09.00.10.08.smpte170m": "gkmDQmAD8AL2BjgkHBhCAAAgQABrQ/5jTnX9//YD/ojAafu7M3ycHvnQJ60K7ZZhs0JJ6DDN8VbqSAf///OE///+cI6PDogA",
 "vp09.00.10.08.bt470bg": "gkmDQiAD8AL2BjgkHBhCAAAgQABrQ/5jTnX9//YD/ojAafu7M3ycHvnQJ60K7ZZhs0JJ6DDN8VbqSAf///OE///+cI6PDogA",
 "vp09.00.10.08.bt2020": "gkmDQqAD8AL2BjgkHBhCAAAgQABrQ/5jTnX9//YD/ojAafu7M3ycHvnQJ60K7ZZhs0JJ6DDN8VbqSAf///OE///+cI6PDogA",
 "vp09.00.10.08.full709": "gkmDQlAD8AL2BjgkHBhCAAAgQABrQ/5jTnX9//YD/ojAafu7M3ycHvnQJ60K7ZZhs0JJ6DDN8VbqSAf///OE///+cI6PDogA",
 "vp8.bt709": "EAMAnQEqQAAwAABHCIWFiJmEiAICAnWqAgbmPMIKY2eFgP7rjl+hRsomKf4rfUDNIA==",
 "vp8.smpte170m": "EAMAnQEqQAAwAABHCIWFiJmEiAICAnWqAgbmPMIKY2eFgP7rjl+hRsomKf4rfUDNIA==",
 "vp8.bt470bg": "EAMAnQEqQAAwAABHCIWFiJmEiAICAnWqAgbmPMIKY2eFgP7rjl+hRsomKf4rfUDNIA==",
 "vp8.bt2020": "EAMAnQEqQAAwAABHCIWFiJmEiAICAnWqAgbmPMIKY2eFgP7rjl+hRsomKf4rfUDNIA==",
 "vp8.full709": "EAMAnQEqQAAwAABHCIWFiJmEiAICAnWqAgbmPMIKY2eFgP7rjl+hRsomKf4rfUDNIA=="
};
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
async function decode(config, data) {
  const out = []; const errs = [];
  const dec = new VideoDecoder({ output: (f) => { out.push(f.colorSpace.toJSON()); f.close(); }, error: (e) => errs.push(e.name) });
  dec.configure(config);
  dec.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data }));
  await dec.flush().catch(() => {});
  if (dec.state !== 'closed') dec.close();
  return { colorSpace: out[0] ?? null, errs };
}
const res = {};
for (const [key, s] of Object.entries(STREAMS)) {
  const codec = key.startsWith('vp8') ? 'vp8' : 'vp09.00.10.08';
  res[key] = {
    plain: await decode({ codec }, b64(s)),
    whole: await decode({ codec, colorSpace: { primaries: 'bt470bg', transfer: 'smpte170m', matrix: 'bt470bg', fullRange: true } }, b64(s)),
    partial: await decode({ codec, colorSpace: { primaries: 'bt470bg' } }, b64(s)),
    rangeOnly: await decode({ codec, colorSpace: { fullRange: true } }, b64(s)),
  };
}
return res;
