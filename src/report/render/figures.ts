import os from 'node:os';
import type { Chart } from '../charts.ts';
import { prepareChartFonts } from './fonts.ts';
import { MAX_PNG_PIXELS, PNG_SCALE, renderPng, svgSize } from './png.ts';
import { renderSvg } from './svg.ts';

/**
 * The figures of a report, as a pipeline over two kinds of work: vega builds each chart's
 * SVG on the main thread, one chart after the other, while resvg rasterises the SVGs
 * already built on libuv's thread pool. At most `inFlight` rasterisations wait at once
 * (one per CPU, at most 4), which bounds memory to a few pixel buffers. Text is drawn
 * with trimmed copies of the chart font when they can be made (fonts.ts), written once
 * per call to a temporary folder that is removed at the end.
 */

export interface FigureTimings {
  charts: number;
  /** Main-thread time in vega: compile, dataflow and SVG, summed over the charts. */
  svgMs: number;
  /** Time from handing an SVG to resvg to holding its PNG, summed over the charts (they overlap). */
  pngMs: number;
  /** Wall time of all figures, files written. */
  wallMs: number;
}

/** A figure whose PNG at the usual zoom would have been larger than the limit. */
export interface ScaledFigure {
  id: string;
  /** The SVG's size. */
  width: number;
  height: number;
  scale: number;
  maxPixels: number;
  pngWidth: number;
  pngHeight: number;
  zoom: number;
}

export interface FigureOptions {
  scale?: number;
  maxPixels?: number;
  inFlight?: number;
}

export type WriteFigure = (chart: Chart, svg: string, png: Buffer) => Promise<void>;

export async function renderFigures(
  charts: readonly Chart[],
  write: WriteFigure,
  options: FigureOptions = {},
): Promise<{ scaled: ScaledFigure[]; timings: FigureTimings }> {
  const started = performance.now();
  const scale = options.scale ?? PNG_SCALE;
  const maxPixels = options.maxPixels ?? MAX_PNG_PIXELS;
  const limit = Math.max(1, options.inFlight ?? Math.min(4, os.availableParallelism()));
  const scaled: ScaledFigure[] = [];
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let svgMs = 0;
  let pngMs = 0;
  const fonts = await prepareChartFonts();
  try {
    for (const chart of charts) {
      while (pending.size >= limit && failure === undefined) await Promise.race(pending);
      if (failure !== undefined) break;
      const t0 = performance.now();
      let svg: string;
      try {
        svg = await renderSvg(chart.spec, chart.id);
      } catch (e) {
        failure = e;
        break;
      }
      const t1 = performance.now();
      svgMs += t1 - t0;
      const job = renderPng(svg, chart.id, { scale, maxPixels, fonts })
        .then(async (r) => {
          pngMs += performance.now() - t1;
          if (r.scaledDown) {
            const size = svgSize(svg, chart.id);
            scaled.push({ id: chart.id, width: size.width, height: size.height, scale, maxPixels, pngWidth: r.width, pngHeight: r.height, zoom: r.zoom });
          }
          await write(chart, svg, r.png);
        })
        .catch((e: unknown) => {
          failure ??= e;
        })
        .finally(() => pending.delete(job));
      pending.add(job);
    }
    await Promise.all(pending);
  } finally {
    await fonts.dispose();
  }
  if (failure !== undefined) throw failure;
  const order = new Map(charts.map((c, i) => [c.id, i]));
  scaled.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { scaled, timings: { charts: charts.length, svgMs, pngMs, wallMs: performance.now() - started } };
}
