/**
 * Vega for the server-side SVG renderer only: its parser, its View and the transforms a Vega-Lite
 * chart compiles to (vega-transforms, vega-view-transforms, vega-encode), from vega's own modular
 * packages. `vega` itself registers every transform it has at import (geo, force, hierarchy, label,
 * voronoi, wordcloud, crossfilter, regression: ~0.13 MB of the Report Lambda) and cannot be
 * tree-shaken; these packages are the ones it is assembled from, at the versions it pins, so the SVG
 * is the same (report.test.ts renders through both and compares).
 */
import type * as vega from 'vega';
// @ts-expect-error vega's modular packages ship no types of their own: vega's (below) describe them.
import { transforms } from 'vega-dataflow';
// @ts-expect-error as above
import * as encode from 'vega-encode';
// @ts-expect-error as above
import { parse as parseSpec } from 'vega-parser';
// @ts-expect-error as above
import * as tx from 'vega-transforms';
import { extend } from 'vega-util';
// @ts-expect-error as above
import { View as ViewClass } from 'vega-view';
// @ts-expect-error as above
import * as vtx from 'vega-view-transforms';

extend(transforms, tx, vtx, encode);

export const parse = parseSpec as typeof vega.parse;
export const View = ViewClass as typeof vega.View;
