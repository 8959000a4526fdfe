// Issue 9 item 4: which VP9, AV1, HEVC and H.264 profile / bit depth /
// chroma strings Chrome's VideoEncoder takes (isConfigSupported), in the
// short and the full codec-string forms, and what a configured encoder's
// first decoderConfig says.
const W = 128, H = 96;
const strings = [
  'vp09.00.10.08', 'vp09.01.10.08', 'vp09.01.10.08.01', 'vp09.01.10.08.02', 'vp09.01.10.08.03',
  'vp09.01.10.08.02.01.01.01.00', 'vp09.01.10.08.03.01.01.01.00', 'vp09.02.10.10', 'vp09.02.10.12',
  'vp09.02.10.10.01.01.01.01.00', 'vp09.03.10.10', 'vp09.03.10.10.03.01.01.01.00', 'vp09.03.10.12.03.01.01.01.00',
  'vp09.03.10.10.02.01.01.01.00',
  'av01.0.04M.08', 'av01.0.04M.10', 'av01.1.04M.08', 'av01.1.04M.10', 'av01.2.04M.08', 'av01.2.04M.10', 'av01.2.04M.12',
  'av01.1.04M.08.0.000.01.01.01.0', 'av01.2.04M.08.0.100.01.01.01.0',
  'hvc1.1.6.L93.B0', 'hvc1.2.4.L93.B0', 'hvc1.4.10.L93.B0',
  'avc1.42001f', 'avc1.64001f', 'avc1.6e001f', 'avc1.7a001f', 'avc1.f4001f',
];
const res = {};
for (const codec of strings) {
  const r = await attempt(() => VideoEncoder.isConfigSupported({ codec, width: W, height: H, bitrate: 500000, framerate: 30 }));
  res[codec] = r.ok ? r.value.supported : r.error.name;
}
return res;
