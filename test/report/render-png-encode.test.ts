import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/report/render/png-encode.ts';

describe('encodePng', () => {
  it('writes a PNG that decodes to the same pixels', async () => {
    const width = 37;
    const height = 11;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, 255], 4 * i);
    const png = PNG.sync.read(await encodePng(rgba, width, height));
    expect([png.width, png.height]).toEqual([width, height]);
    expect(Buffer.from(png.data).equals(rgba)).toBe(true);
  });

  it('gives the pixels of resvg’s own encoder for a rendered figure', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120"><rect width="300" height="120" fill="white"/><circle cx="60" cy="60" r="40" fill="#0072B2" opacity="0.5"/><path d="M120,100 L280,20" stroke="#D55E00" stroke-width="3"/><text x="130" y="110" font-family="DejaVu Sans" font-size="14px">ratio ÷ native</text></svg>`;
    const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white' }).render();
    const ours = PNG.sync.read(await encodePng(image.pixels, image.width, image.height));
    const theirs = PNG.sync.read(image.asPng());
    expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
    expect(Buffer.from(ours.data).equals(Buffer.from(theirs.data))).toBe(true);
  });

  it('refuses a buffer of the wrong size', async () => {
    await expect(encodePng(Buffer.alloc(10), 2, 2)).rejects.toThrow(/expected 2 × 2 × 4 bytes of RGBA, received 10/);
  });
});
