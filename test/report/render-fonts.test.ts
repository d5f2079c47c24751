import { access, readFile, stat } from 'node:fs/promises';
import { renderAsync } from '@resvg/resvg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trimFont } from '../../src/report/render/font-trim.ts';
import {
  CHART_FAMILY,
  chartFontFiles,
  drawableWith,
  prepareChartFonts,
  SYSTEM_FONTS,
  TRIMMED_CHARACTERS,
  type ChartFonts,
} from '../../src/report/render/fonts.ts';
import { renderSvg } from '../../src/report/render/svg.ts';
import { VEGA_LITE_SCHEMA, CHART_CONFIG } from '../../src/report/specs/common.ts';

const FAMILY = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';
const LINES = [
  'Comparison: every backend against native — first, office, affluent, waffle',
  'µs per operation ÷ native; ↑ higher is better, ↓ lower; ≥ 5 % · ≤ 2 × 10…',
  'Café naïve façade Ærøskøbing Łódź Straße ñandú — “quoted” ‘text’ • 95 % CI',
  'threads=1,io=paravirtual disk_model=virtio-blk [0.05, 0.26] −3.5e-7 #&<>',
];

/** An SVG with the kinds of text vega writes: sizes, bold titles, anchors, a rotated axis title. */
function textSvg(): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = LINES.flatMap((t, i) => [
    `<text text-anchor="start" transform="translate(10,${20 + 40 * i})" font-family="${FAMILY}" font-size="11px" fill="#000">${esc(t)}</text>`,
    `<text text-anchor="end" transform="translate(690,${38 + 40 * i})" font-family="${FAMILY}" font-size="14px" font-weight="bold" fill="#333">${esc(t.slice(0, 40))}</text>`,
  ]);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="700" height="200"><rect width="700" height="200" fill="white"/>${rows.join('')}<text text-anchor="middle" transform="translate(350,195) rotate(-2)" font-family="${FAMILY}" font-size="12px">rotated title (events/s ÷ events/s)</text></svg>`;
}

async function pixels(svg: string, fonts: ChartFonts): Promise<Buffer> {
  return (await renderAsync(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: fonts.optionsFor(svg) })).pixels;
}

describe('chart fonts', () => {
  let fonts: ChartFonts;
  beforeAll(async () => {
    fonts = await prepareChartFonts();
  });
  afterAll(async () => {
    await fonts?.dispose();
  });

  it(`finds ${CHART_FAMILY} regular and bold (Debian's fonts-dejavu-core) and uses trimmed copies of them`, async () => {
    const files = await chartFontFiles();
    expect(files, 'DejaVu Sans not found: install fonts-dejavu-core').toBeDefined();
    expect(fonts.trimmed).toBe(true);
    const opts = fonts.optionsFor(textSvg());
    expect(opts.loadSystemFonts).toBe(false);
    expect(opts.fontFiles).toHaveLength(2);
    for (const f of opts.fontFiles!) expect((await stat(f)).size).toBeLessThan(0.4 * (await stat(files!.regular)).size);
  });

  it('draws text pixel for pixel as the whole system fonts do: kerning, ligatures, accents, symbols, bold, anchors', async () => {
    const svg = textSvg();
    const [whole, trimmed] = [await pixels(svg, SYSTEM_FONTS), await pixels(svg, fonts)];
    expect(trimmed.length).toBe(whole.length);
    expect(trimmed.equals(whole)).toBe(true);
    // And the text is really drawn: a good share of the pixels are not white.
    let ink = 0;
    for (let i = 0; i < whole.length; i += 4) if (whole[i]! < 128) ink++;
    expect(ink).toBeGreaterThan(5000);
  });

  it('draws a vega chart (title, subtitle, axes, legend) pixel for pixel as with the system fonts', async () => {
    const svg = await renderSvg(
      {
        $schema: VEGA_LITE_SCHEMA,
        title: { text: 'Boot: time to agent ready', subtitle: ['↓ lower is better; bars: mean ÷ native mean; 95 % CI', 'showing 60 of 250 repetitions'] },
        config: CHART_CONFIG,
        data: { values: ['native', 'kvm', 'xen pvh', 'tcg'].map((v, i) => ({ variant: v, value: 1 + i / 3 })) },
        mark: 'bar',
        encoding: {
          x: { field: 'variant', type: 'nominal', title: 'configuration' },
          y: { field: 'value', type: 'quantitative', title: '÷ native (ratio of means, µs ÷ µs)' },
          color: { field: 'variant', type: 'nominal' },
        },
      } as never,
      'fonts-test',
    );
    expect(fonts.optionsFor(svg).loadSystemFonts).toBe(false);
    expect((await pixels(svg, fonts)).equals(await pixels(svg, SYSTEM_FONTS))).toBe(true);
  });

  it('leaves figures with other characters, families or styles to the system fonts', () => {
    const covered = TRIMMED_CHARACTERS;
    const svg = (text: string, attrs = '') =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text font-family="${FAMILY}" font-size="11px"${attrs}>${text}</text></svg>`;
    expect(drawableWith(svg('plain text ÷ µs'), covered)).toBe(true);
    expect(drawableWith(svg('漢字'), covered)).toBe(false);
    expect(drawableWith(svg('&#x6f22;'), covered)).toBe(false);
    expect(drawableWith(svg('x', ' font-style="italic"'), covered)).toBe(false);
    expect(drawableWith(svg('x', ' font-weight="300"'), covered)).toBe(false);
    expect(drawableWith(svg('x').replace('DejaVu Sans, ', ''), covered)).toBe(false);
    expect(fonts.optionsFor(svg('漢字'))).toMatchObject({ loadSystemFonts: true });
  });

  it('removes its temporary folder', async () => {
    const other = await prepareChartFonts();
    const dir = other.optionsFor(textSvg()).fontFiles![0]!;
    await other.dispose();
    await expect(access(dir)).rejects.toThrow();
  });
});

describe('trimFont', () => {
  it('keeps the glyphs asked for and empties the others, and refuses what is not a TrueType font', async () => {
    const files = await chartFontFiles();
    const font = await readFile(files!.regular);
    const small = trimFont(font, [0x41, 0x42, 0x4e00]);
    expect([...small.covered]).toEqual([0x41, 0x42]);
    expect(small.data.length).toBeLessThan(font.length / 3);
    expect(() => trimFont(Buffer.from('not a font at all, just some bytes here....'), [0x41])).toThrow();
  });
});

describe('the trimmed fonts of a process that exits without disposing of them', () => {
  it('are removed when the process exits', async () => {
    const { execa } = await import('execa');
    const script = `import { prepareChartFonts } from ${JSON.stringify(new URL('../../src/report/render/fonts.ts', import.meta.url).pathname)};
const fonts = await prepareChartFonts();
console.log(fonts.optionsFor('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>').fontFiles[0]);
process.exit(130);`;
    const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
    expect(r.exitCode, r.stderr).toBe(130);
    const file = r.stdout.trim();
    expect(file).toMatch(/hvb-fonts-.*regular\.ttf$/);
    await expect(access(file)).rejects.toThrow();
  });
});
