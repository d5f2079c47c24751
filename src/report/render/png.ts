import { renderAsync } from '@resvg/resvg-js';
import { HvbError } from '../../util/errors.ts';
import { SYSTEM_FONTS, type ChartFonts } from './fonts.ts';
import { encodePng } from './png-encode.ts';

/**
 * PNG from an SVG with resvg, at `scale` × the SVG's size (2 for sharp figures in papers
 * and slides), but never wider or taller than `maxPixels`: a larger figure is scaled down
 * to fit, keeping its aspect ratio, and the result says so.
 *
 * Parsing (with the text layout) and rasterising run on libuv's thread pool (resvg's
 * `renderAsync`), and so does most of the PNG encoding (png-encode.ts), so figures are
 * rasterised while the main thread builds the next SVG. The white background makes every
 * pixel opaque.
 */

/** The zoom of a figure that fits. */
export const PNG_SCALE = 2;
/** No PNG side is longer than this many pixels. */
export const MAX_PNG_PIXELS = 4000;

export interface PngOptions {
  scale?: number;
  maxPixels?: number;
  /** The fonts to draw text with (fonts.ts); the system's by default. */
  fonts?: ChartFonts;
}

export interface RenderedPng {
  png: Buffer;
  width: number;
  height: number;
  /** The zoom applied: `scale`, or less when the figure had to be scaled down to fit. */
  zoom: number;
  /** True when the figure at `scale` would have been wider or taller than `maxPixels`. */
  scaledDown: boolean;
}

/** The size of an SVG from its root element's `width` and `height` (pixels, as vega writes them). */
export function svgSize(svg: string, name: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0];
  const attr = (a: string) => {
    const m = root === undefined ? null : new RegExp(`\\s${a}="([0-9]+(?:\\.[0-9]+)?)(?:px)?"`).exec(root);
    return m ? Number(m[1]) : NaN;
  };
  const width = attr('width');
  const height = attr('height');
  if (!(width > 0) || !(height > 0))
    throw new HvbError('report-render', `chart ${name}: its SVG has no positive width and height in pixels on its <svg> element`);
  return { width, height };
}

/** How a figure of `width` × `height` is rasterised: the zoom, the PNG size, and whether it had to be scaled down. */
export function pngPlan(width: number, height: number, scale = PNG_SCALE, maxPixels = MAX_PNG_PIXELS) {
  const fits = Math.ceil(width * scale) <= maxPixels && Math.ceil(height * scale) <= maxPixels;
  if (fits) return { fitTo: { mode: 'zoom' as const, value: scale }, zoom: scale, scaledDown: false };
  // Fit the longer side exactly (whole pixels); the other side follows the aspect ratio.
  const byWidth = width >= height;
  const fitTo = byWidth ? { mode: 'width' as const, value: maxPixels } : { mode: 'height' as const, value: maxPixels };
  return { fitTo, zoom: maxPixels / (byWidth ? width : height), scaledDown: true };
}

export async function renderPng(svg: string, name: string, options: PngOptions = {}): Promise<RenderedPng> {
  const { width, height } = svgSize(svg, name);
  const plan = pngPlan(width, height, options.scale ?? PNG_SCALE, options.maxPixels ?? MAX_PNG_PIXELS);
  try {
    const image = await renderAsync(svg, {
      fitTo: plan.fitTo,
      background: 'white',
      font: (options.fonts ?? SYSTEM_FONTS).optionsFor(svg),
    });
    const png = await encodePng(image.pixels, image.width, image.height);
    return { png, width: image.width, height: image.height, zoom: plan.zoom, scaledDown: plan.scaledDown };
  } catch (e) {
    throw new HvbError('report-render', `chart ${name}: cannot convert its SVG to PNG: ${(e as Error).message}`, { cause: e });
  }
}
