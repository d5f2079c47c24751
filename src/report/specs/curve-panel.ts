/** A Vega-Lite encoding, as the spec builders write them. */
export type Encoding = Record<string, unknown>;

export interface CurvePanel {
  /** One row per point: `line` (the legend's label), `value`, `lo`, `hi`, `n` and the x field. */
  data: object[];
  x: Encoding;
  y: Encoding;
  colour: Encoding;
  /** Several lines per backend (configurations): they are told apart by their dash too. */
  several: boolean;
  width: number;
  height: number;
  /** The x field's row in the tooltip, e.g. `{ field: 'vcpus', title: 'vCPUs' }`. */
  xTooltip: { field: string; title: string };
  /** A dashed rule at 1 (a panel of ratios). */
  unitLine?: boolean;
}

/**
 * One panel of a curve figure (the scaling and density sections): a line per backend
 * through its points, each point's 95 % interval as a vertical rule, the points on top with
 * their figures in the tooltip.
 */
export function curvePanel(p: CurvePanel): object {
  // A line's label names its configuration (`tcg noisy neighbour`, `tcg memory (MiB)=2048`): room for it in the legend.
  const dash = p.several ? { strokeDash: { field: 'line', type: 'nominal', title: 'line', legend: { labelLimit: 360 } } } : {};
  const tooltip = [
    { field: 'line', title: 'backend' },
    p.xTooltip,
    { field: 'value', format: '.4~g' },
    { field: 'lo', title: '95 % CI low', format: '.4~g' },
    { field: 'hi', title: '95 % CI high', format: '.4~g' },
    { field: 'n' },
  ];
  const { x, y, colour } = p;
  return {
    width: p.width,
    height: p.height,
    data: { values: p.data },
    layer: [
      ...(p.unitLine
        ? [{ mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] }, encoding: { y: { datum: 1, type: 'quantitative', scale: y['scale'] } } }]
        : []),
      { mark: { type: 'rule', strokeWidth: 1.4 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: colour, detail: { field: 'line' } } },
      { mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y, color: colour, detail: { field: 'line' }, ...dash } },
      { mark: { type: 'point', filled: true, size: 45, opacity: 1 }, encoding: { x, y, color: colour, tooltip } },
    ],
  };
}
