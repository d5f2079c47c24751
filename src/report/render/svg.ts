import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { HvbError } from '../../util/errors.ts';
import type { Spec } from '../specs/common.ts';

/** Vega-Lite's advice on specs goes nowhere: the specs are fixed by hvbench, and its console output would interleave with the command's. */
const quiet = { level: () => quiet, error: () => quiet, warn: () => quiet, info: () => quiet, debug: () => quiet } as unknown as Parameters<
  typeof compile
>[1] extends infer O
  ? O extends { logger?: infer L }
    ? NonNullable<L>
    : never
  : never;

/**
 * Renders a Vega-Lite spec to SVG headless (no browser, no canvas: vega's own SVG string
 * renderer). The static figure leaves out vega's ARIA labels: one per mark (every
 * repetition's point) that a figure file has no use for, and about a third of vega's
 * time and of the file. The drawing is the same pixel for pixel; the page's interactive
 * charts keep their labels and tooltips.
 */
export async function renderSvg(spec: Spec, name: string): Promise<string> {
  let view: View | undefined;
  try {
    const vega = compile(staticSpec(spec), { logger: quiet }).spec;
    view = new View(parse(vega), { renderer: 'none', logLevel: 1 /* warnings */ });
    return await view.toSVG();
  } catch (e) {
    throw new HvbError('report-render', `chart ${name}: cannot render to SVG: ${(e as Error).message}`, { cause: e });
  } finally {
    view?.finalize();
  }
}

/** The spec as a static figure draws it: the same, without ARIA labels. */
export function staticSpec(spec: Spec): Spec {
  const config = (spec as { config?: object }).config;
  return { ...spec, config: { ...config, aria: false } } as Spec;
}
