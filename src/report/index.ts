/** Reports: Vega-Lite specs from samples, a self-contained HTML page, SVG/PNG figures, Markdown and LaTeX tables. */
export { buildReport, type ReportModel } from './build.ts';
export type { ImagePackages, ReportInput, ReportRun } from './input.ts';
export { writeReport, PAGE_FILE, type WrittenReport } from './write.ts';
