import type { Spec } from './common.ts';

/**
 * Figure-size presets for the SVG and PNG files (the page always draws its charts for the
 * screen). Paper presets size a chart for the width a LaTeX document gives a figure, in
 * points (1 px of the SVG = 1 pt): the plot about half of it, fonts of a paper's size, no
 * subtitle (it belongs in the caption), and the PNG at 300 dpi. Axis labels and legends
 * take what they need, so the figure's width is close to the preset, not exact; include it
 * with `width=\columnwidth`.
 * - `column`: one column of a two-column paper (IEEEtran, ACM: \columnwidth ≈ 241 pt);
 * - `page`: the full text width of a two-column paper (\textwidth ≈ 506 pt);
 * - `screen` (default): the charts as the page shows them, PNG at 2×.
 * Charts made of several panels (concat) keep their layout and are scaled as a whole.
 */

export type FigureSize = 'screen' | 'column' | 'page';
export const FIGURE_SIZES: readonly FigureSize[] = ['screen', 'column', 'page'];

interface Preset {
  widthPt: number;
  fontPt: number;
}

const PRESETS: Readonly<Record<Exclude<FigureSize, 'screen'>, Preset>> = {
  column: { widthPt: 241, fontPt: 7 },
  page: { widthPt: 506, fontPt: 8 },
};

/** PNG zoom for a preset: 300 dpi for paper (300 / 72 pt per inch), 2× for the screen. */
export function pngScaleFor(size: FigureSize): number {
  return size === 'screen' ? 2 : 300 / 72;
}

/** The spec resized for a preset; the screen preset returns it unchanged. */
export function sizeSpec(spec: Spec, size: FigureSize): Spec {
  if (size === 'screen') return spec;
  const p = PRESETS[size];
  const s = structuredClone(spec) as unknown as Record<string, unknown>;
  const config = (s.config ?? {}) as Record<string, Record<string, unknown> | unknown>;
  const font = { labelFontSize: p.fontPt, titleFontSize: p.fontPt + 1 };
  s.config = {
    ...config,
    axis: { ...(config.axis as object), ...font, labelLimit: Math.round(p.widthPt * 0.45) },
    legend: { ...(config.legend as object), ...font, symbolSize: 40 },
    header: { ...(config.header as object), ...font },
    title: { ...(config.title as object), fontSize: p.fontPt + 2, subtitleFontSize: p.fontPt },
    padding: 2,
  };
  const single = !('concat' in s) && !('hconcat' in s) && !('vconcat' in s) && !('facet' in s) && !('repeat' in s);
  if (single) {
    // The plot takes about half the width; axis labels and the legend the rest. (Vega-Lite's
    // `fit` cannot size charts with discrete axes, so the widths are set, not fitted.)
    if (typeof s.width === 'number') s.width = Math.round(p.widthPt * 0.5);
    else if (s.width && typeof s.width === 'object' && 'step' in s.width)
      s.width = { step: Math.max(6, Math.round(Number((s.width as { step: number }).step) * 0.6)) };
    if (s.height && typeof s.height === 'object' && 'step' in s.height)
      s.height = { step: Math.max(8, Math.round(Number((s.height as { step: number }).step) * 0.7)) };
    else if (typeof s.height === 'number') s.height = Math.round(Math.min(s.height, p.widthPt * 0.6));
    // A long subtitle would widen the figure beyond the column: in a paper it belongs in the caption.
    if (s.title && typeof s.title === 'object') s.title = { ...(s.title as object), subtitle: undefined };
  }
  return s as unknown as Spec;
}
