import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { MAX_PNG_PIXELS, pngPlan, renderPng, svgSize } from '../../src/report/render/png.ts';

/** An SVG of `w` × `h` px: white, a blue block at the left edge and a red one at the right edge, and a label. */
function svg(w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="marks" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="${w}" height="${h}" fill="white"/><rect x="0" y="0" width="40" height="${h}" fill="#0000ff"/><rect x="${w - 40}" y="0" width="40" height="${h}" fill="#ff0000"/><text x="60" y="20" font-family="DejaVu Sans, sans-serif" font-size="12px">label</text></svg>`;
}

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

describe('svgSize', () => {
  it('reads the pixel size of the root element as vega writes it', () => {
    expect(svgSize(svg(888, 407), 'x')).toEqual({ width: 888, height: 407 });
    expect(svgSize('<svg xmlns="http://www.w3.org/2000/svg" height="10.5px" width="20"><g width="999"/></svg>', 'x')).toEqual({ width: 20, height: 10.5 });
  });

  it('names the chart when the SVG has no size in pixels', () => {
    expect(() => svgSize('<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="10"></svg>', 'metric-cpu')).toThrow(
      /chart metric-cpu: .*no positive width and height/,
    );
    expect(() => svgSize('<html></html>', 'boot')).toThrow(/chart boot/);
  });
});

describe('pngPlan', () => {
  it('keeps the 2× zoom when both sides fit', () => {
    expect(pngPlan(888, 407)).toEqual({ fitTo: { mode: 'zoom', value: 2 }, zoom: 2, scaledDown: false });
    expect(pngPlan(2000, 2000)).toMatchObject({ zoom: 2, scaledDown: false });
  });

  it('fits the longer side to the limit when either would exceed it', () => {
    expect(pngPlan(1274, 5482)).toEqual({ fitTo: { mode: 'height', value: MAX_PNG_PIXELS }, zoom: MAX_PNG_PIXELS / 5482, scaledDown: true });
    expect(pngPlan(10593, 300)).toEqual({ fitTo: { mode: 'width', value: MAX_PNG_PIXELS }, zoom: MAX_PNG_PIXELS / 10593, scaledDown: true });
    expect(pngPlan(2001, 100)).toMatchObject({ fitTo: { mode: 'width', value: 4000 }, scaledDown: true });
    expect(pngPlan(100, 300, 2, 500)).toMatchObject({ fitTo: { mode: 'height', value: 500 }, scaledDown: true });
  });
});

describe('renderPng', () => {
  it('renders a figure that fits at twice its size', async () => {
    const r = await renderPng(svg(300, 200), 'small');
    const png = PNG.sync.read(r.png);
    expect([png.width, png.height, r.width, r.height, r.zoom, r.scaledDown]).toEqual([600, 400, 600, 400, 2, false]);
    expect(pixel(png, 10, 200)).toEqual([0, 0, 255]);
    expect(pixel(png, 590, 200)).toEqual([255, 0, 0]);
    expect(pixel(png, 300, 390)).toEqual([255, 255, 255]);
  });

  it('scales a figure too wide for the limit down to fit, whole (not cropped), keeping its aspect ratio', async () => {
    const r = await renderPng(svg(2500, 300), 'wide');
    const png = PNG.sync.read(r.png);
    expect([png.width, png.height, r.scaledDown]).toEqual([4000, 480, true]);
    expect(r.zoom).toBeCloseTo(1.6, 10);
    // Both edge blocks are there: the left one blue, the right one red, 40 × 1.6 = 64 px wide.
    expect(pixel(png, 5, 240)).toEqual([0, 0, 255]);
    expect(pixel(png, 3995, 240)).toEqual([255, 0, 0]);
    expect(pixel(png, 3930, 240)).toEqual([255, 255, 255]);
  });

  it('scales a figure too tall for the limit down to fit', async () => {
    const r = await renderPng(svg(400, 5000), 'tall', { maxPixels: 4000 });
    const png = PNG.sync.read(r.png);
    expect([png.width, png.height, r.scaledDown]).toEqual([320, 4000, true]);
    expect(Math.max(png.width, png.height)).toBeLessThanOrEqual(MAX_PNG_PIXELS);
  });

  it('names the chart when resvg cannot read the SVG', async () => {
    await expect(renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g></svg>', 'broken')).rejects.toThrow(
      /chart broken: cannot convert its SVG to PNG/,
    );
  });
});
