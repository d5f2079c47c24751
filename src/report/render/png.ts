import { Resvg } from '@resvg/resvg-js';
import { HvbError } from '../../util/errors.ts';
import { CHART_FONT } from '../specs/common.ts';

/** PNG from an SVG with resvg, at `scale` × the SVG's size (2 for sharp figures in papers and slides). */
export function renderPng(svg: string, name: string, scale = 2): Buffer {
  try {
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: scale },
      background: 'white',
      font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT.split(',')[0]!.trim(), sansSerifFamily: CHART_FONT.split(',')[0]!.trim() },
    });
    return resvg.render().asPng();
  } catch (e) {
    throw new HvbError('report-render', `chart ${name}: cannot convert its SVG to PNG: ${(e as Error).message}`, { cause: e });
  }
}
