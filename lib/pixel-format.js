'use strict';
// VideoPixelFormat planes and the specification's layout algorithms
// ("Parse Visible Rect", "Verify Rect Offset Alignment", "Compute Layout and
// Allocation Size").
const { typeError } = require('./errors');
const webidl = require('./webidl');

const plane = (bytes, sw = 1, sh = 1) => ({ bytes, sw, sh });
const yuv = (bits, sw, sh, alpha) => {
  const b = bits > 8 ? 2 : 1;
  const planes = [plane(b), plane(b, sw, sh), plane(b, sw, sh)];
  if (alpha) planes.push(plane(b));
  return planes;
};

const FORMATS = {
  I420: yuv(8, 2, 2), I420P10: yuv(10, 2, 2), I420P12: yuv(12, 2, 2), I420A: yuv(8, 2, 2, true), I420AP10: yuv(10, 2, 2, true), I420AP12: yuv(12, 2, 2, true),
  I422: yuv(8, 2, 1), I422P10: yuv(10, 2, 1), I422P12: yuv(12, 2, 1), I422A: yuv(8, 2, 1, true), I422AP10: yuv(10, 2, 1, true), I422AP12: yuv(12, 2, 1, true),
  I444: yuv(8, 1, 1), I444P10: yuv(10, 1, 1), I444P12: yuv(12, 1, 1), I444A: yuv(8, 1, 1, true), I444AP10: yuv(10, 1, 1, true), I444AP12: yuv(12, 1, 1, true),
  NV12: [plane(1), plane(2, 2, 2)],
  RGBA: [plane(4)], RGBX: [plane(4)], BGRA: [plane(4)], BGRX: [plane(4)],
};
const NAMES = Object.keys(FORMATS);
const RGB = new Set(['RGBA', 'RGBX', 'BGRA', 'BGRX']);
/** Each format with alpha, and the same without it (alpha "discard"). */
const OPAQUE = {
  I420A: 'I420', I420AP10: 'I420P10', I420AP12: 'I420P12',
  I422A: 'I422', I422AP10: 'I422P10', I422AP12: 'I422P12',
  I444A: 'I444', I444AP10: 'I444P10', I444AP12: 'I444P12',
  RGBA: 'RGBX', BGRA: 'BGRX',
};

/** DOMRectInit → integer rect; TypeError for negative, fractional or non-finite values. */
function rectInit(value, member) {
  const dict = webidl.dictionary(value, `\`${member}\``);
  const out = {};
  for (const key of ['x', 'y', 'width', 'height']) {
    const v = dict[key] === undefined ? 0 : webidl.double(dict[key], `${member}.${key}`);
    if (v < 0 || !Number.isInteger(v)) throw typeError(`Expected a non-negative integer for \`${member}.${key}\` but received ${v}`);
    out[key] = v;
  }
  return out;
}

/** "Parse Visible Rect" with its alignment check. */
function parseVisibleRect(defaultRect, overrideRect, codedWidth, codedHeight, format, member) {
  let rect = defaultRect;
  if (overrideRect !== undefined) {
    rect = rectInit(overrideRect, member);
    if (rect.width === 0 || rect.height === 0) throw typeError(`\`${member}\` must have a non-zero width and height`);
    if (rect.x + rect.width > codedWidth) throw typeError(`\`${member}\` (x ${rect.x} + width ${rect.width}) exceeds codedWidth ${codedWidth}`);
    if (rect.y + rect.height > codedHeight) throw typeError(`\`${member}\` (y ${rect.y} + height ${rect.height}) exceeds codedHeight ${codedHeight}`);
  }
  for (const p of FORMATS[format]) {
    if (rect.x % p.sw !== 0 || rect.y % p.sh !== 0) {
      throw typeError(`\`${member}\` offset (${rect.x}, ${rect.y}) is not aligned to the ${format} chroma samples`);
    }
  }
  return rect;
}

/** PlaneLayout sequence → [{offset, stride}] */
function planeLayouts(value, member) {
  return webidl.sequence(value, member, (item, m) => {
    const d = webidl.dictionary(item, `\`${m}\``);
    return {
      offset: webidl.unsignedLong(webidl.required(d, 'offset', m), `${m}.offset`),
      stride: webidl.unsignedLong(webidl.required(d, 'stride', m), `${m}.stride`),
    };
  });
}

/**
 * "Compute Layout and Allocation Size". Returns the plane layouts (offset,
 * stride), what each plane spans in rows and bytes, and the allocation size.
 */
function computeLayout(rect, format, layout, member = 'layout') {
  const planes = FORMATS[format];
  if (layout !== undefined && layout.length !== planes.length) {
    throw typeError(`\`${member}\` has ${layout.length} planes but ${format} has ${planes.length}`);
  }
  let allocationSize = 0;
  const computed = [];
  for (let i = 0; i < planes.length; i++) {
    const p = planes[i];
    const heightRows = Math.ceil(rect.height / p.sh);
    const widthBytes = Math.ceil(rect.width / p.sw) * p.bytes;
    let offset = allocationSize;
    let stride = widthBytes;
    if (layout !== undefined) {
      ({ offset, stride } = layout[i]);
      if (stride < widthBytes) throw typeError(`\`${member}[${i}].stride\` ${stride} is less than the ${widthBytes} bytes a row needs`);
    }
    const planeSize = stride * heightRows;
    const end = offset + planeSize;
    if (planeSize > 0xffffffff || end > 0xffffffff) throw typeError(`\`${member}[${i}]\` ends past 4 GiB`);
    for (let j = 0; j < computed.length; j++) {
      const earlier = computed[j];
      if (earlier.end > offset && earlier.offset < end) throw typeError(`\`${member}[${i}]\` overlaps plane ${j}`);
    }
    computed.push({ offset, stride, end });
    allocationSize = Math.max(allocationSize, end);
  }
  return { layout: computed.map(({ offset, stride }) => ({ offset, stride })), allocationSize };
}

/** [offset, stride, offset, stride, ...] for the addon. */
const flatLayout = (layout) => layout.flatMap((p) => [p.offset, p.stride]);

module.exports = { FORMATS, NAMES, RGB, OPAQUE, parseVisibleRect, planeLayouts, computeLayout, flatLayout, rectInit };
