/** The page's style sheet: readable on screen and in print, no web fonts (nothing is fetched). */
export const PAGE_CSS = `
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem 3rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
.meta { color: #444; margin-top: 0; }
nav a { color: #0057a0; }
code { font-size: .9em; background: #f3f3f3; padding: 0 .2em; border-radius: 3px; }
.lab { background: #fff4e5; border: 2px solid #E69F00; padding: .6rem .8rem; border-radius: 4px; }
.table-wrap { overflow-x: auto; max-height: 32rem; overflow-y: auto; border: 1px solid #e5e5e5; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; vertical-align: top; }
td.label { white-space: normal; min-width: 14rem; overflow-wrap: anywhere; }
thead th { position: sticky; top: 0; background: #fafafa; border-bottom: 2px solid #ccc; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.regression td, tr.worse td { color: #a33a00; font-weight: bold; }
tr.improvement td, tr.better td { color: #005a8c; }
figure { margin: 1.5rem 0; }
figcaption { font-size: .85rem; color: #444; margin-top: .3rem; }
.chart { overflow-x: auto; }
#warnings li { margin: .3rem 0; overflow-wrap: anywhere; }
.tag { display: inline-block; min-width: 4.5rem; font-size: .75rem; text-transform: uppercase; color: #555; }
.warning-lab .tag, .warning-case .tag, .warning-run .tag, .warning-faster-than-native .tag, .warning-clock-drift .tag { color: #a33a00; font-weight: bold; }
.warning-skip .tag, .warning-note .tag { color: #777; }
details { display: inline; margin-left: .4rem; font-size: .85rem; color: #444; }
.pooled { background: #eef5fb; border: 1px solid #0072B2; padding: .4rem .8rem; border-radius: 4px; }
.overview-wrap { display: inline-block; max-width: 100%; }
table.overview { width: auto; min-width: 40rem; }
table.overview td.num { white-space: nowrap; padding-left: 1.5rem; }
table.overview .ci { color: #555; font-size: .8rem; }
table.overview .verdict { font-size: .75rem; text-transform: uppercase; letter-spacing: .03em; }
table.overview .device, table.overview .config { color: #555; font-size: .8rem; }
table.overview .workload { font-weight: bold; }
td.verdict-worse .verdict { color: #a33a00; font-weight: bold; }
td.verdict-better .verdict { color: #005a8c; font-weight: bold; }
td.verdict-similar .verdict, td.verdict-inconclusive .verdict { color: #555; }
ol.notes { font-size: .8rem; color: #444; }
dt { font-weight: bold; margin-top: .8rem; }
dd { margin: .15rem 0 .15rem 1.2rem; overflow-wrap: anywhere; }
@media print { .chart { overflow: visible; } .table-wrap { max-height: none; overflow: visible; } }
`;
