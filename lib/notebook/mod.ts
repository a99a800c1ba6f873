/**
 * What every notebook needs around its experiment: the configuration, a results folder of its
 * own, provenance (model, seed, configuration) recorded beside each figure and table, and the
 * fast mode that CI uses (`SETSIM_FAST=1`, set by `deno task figures --fast`; its outputs go to
 * the git-ignored `results/fast/`, see lib/config).
 *
 * Galleries of dataset photos are saved with "gallery" in their file name: `.gitignore` keeps
 * them out of the repository, because the photos are not ours to redistribute. Wall-clock
 * measurements go to `results/timings/` (`saveTimings`), also git-ignored: they change with the
 * machine and its load, and a re-run must leave every committed file byte-identical.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookContext } from "./mod.ts";
 * import { heatmapOptions, renderPlot } from "../figures/mod.ts";
 * const resultsDir = await Deno.makeTempDir();
 * const nb = notebookContext("99-example", { seed: 1, resultsDir });
 * const figure = renderPlot(heatmapOptions({ values: [[1, 0], [0, 1]] }));
 * await nb.saveFigure(figure, "identity"); // SVG, PNG and the provenance beside them
 * assert.equal(nb.outDir, `${resultsDir}/99-example`);
 * const meta = JSON.parse(await Deno.readTextFile(`${nb.outDir}/identity.json`));
 * assert.deepEqual([meta.notebook, meta.seed], ["99-example", 1]);
 * assert.ok((await Deno.readTextFile(`${nb.outDir}/identity.svg`)).includes("<metadata>"));
 * await nb.saveTimings("steps", { rows: [{ step: "embed", seconds: 1.25 }] }); // git-ignored folder
 * assert.ok((await Deno.readTextFile(`${resultsDir}/timings/99-example/steps.csv`)).includes("embed,1.25"));
 * ```
 * @module
 */

import { dirname, join, relative } from "node:path";
import { type ConfigOverrides, isFastMode, resolveConfig, type SetsimConfig } from "../config/mod.ts";
import {
  type Figure,
  markdown,
  png as pngDisplay,
  saveFigure,
  saveTable,
  table,
  writeFileAtomic,
} from "../figures/mod.ts";
import type { Displayable } from "../figures/display.ts";

/** Options for {@link notebookContext}. */
export interface NotebookOptions extends ConfigOverrides {
  /** Seed for every random choice in the notebook (default 0). */
  seed?: number;
  /** Force fast mode on or off (default: env `SETSIM_FAST=1`). */
  fast?: boolean;
}

/** A notebook's configuration, provenance and output helpers. */
export interface NotebookContext {
  /** The notebook's name (its results folder). */
  readonly name: string;
  /** The configuration in effect. */
  readonly config: SetsimConfig;
  /** The notebook's seed. */
  readonly seed: number;
  /** Small configuration for CI (documented in each notebook). */
  readonly fast: boolean;
  /** `results/<name>/`. */
  readonly outDir: string;
  /** Provenance written beside every output; add keys freely (`nb.meta.protocol = ...`). */
  readonly meta: Record<string, unknown>;
  /** Save `<outDir>/<file>.{svg,png,json}`; returns the figure, so a cell can end with it. */
  saveFigure(figure: Figure, file: string, extraMeta?: Record<string, unknown>): Promise<Figure>;
  /** Save `<outDir>/<file>.{csv,json}`. */
  saveTable(
    rows: Record<string, unknown>[],
    file: string,
    extraMeta?: Record<string, unknown>,
  ): Promise<string[]>;
  /**
   * Save a gallery PNG as `<outDir>/<file>-gallery.png` (not committed) and return it for display;
   * in headless runs (`deno task figures`) the display is a note with the path instead of the image,
   * so that committed notebooks never carry dataset photos.
   */
  saveGallery(png: Uint8Array, file: string): Promise<Displayable>;
  /**
   * Save wall-clock measurements as `<resultsDir>/timings/<name>/<file>.{csv,json}` (git-ignored)
   * and return them for display: `text` (Markdown, e.g. a cost finding) over a table of `rows`.
   * Headless runs show where they were saved instead, so that committed notebooks do not change
   * from run to run.
   */
  saveTimings(
    file: string,
    timings: { rows?: Record<string, unknown>[]; text?: string },
  ): Promise<Displayable>;
}

/** Is fast mode on (`SETSIM_FAST=1`)? Re-exported from lib/config, where it picks the results folder. */
export { isFastMode };

/** Is this notebook executed headless by `deno task figures` (`SETSIM_NOTEBOOK_HEADLESS=1`)? */
export function isHeadlessRun(): boolean {
  try {
    return Deno.env.get("SETSIM_NOTEBOOK_HEADLESS") === "1";
  } catch {
    return false;
  }
}

/** Create the context for notebook `name` (e.g. "04-recursive-matching"). */
export function notebookContext(name: string, options: NotebookOptions = {}): NotebookContext {
  const { seed = 0, fast = isFastMode(), ...overrides } = options;
  if (!/^[\w.-]+$/.test(name)) throw new RangeError(`notebook name "${name}" must be a plain file name`);
  const config = resolveConfig(overrides);
  const outDir = join(config.resultsDir, name);
  const meta: Record<string, unknown> = { notebook: name, model: config.model, seed, fast };
  return {
    name,
    config,
    seed,
    fast,
    outDir,
    meta,
    async saveFigure(figure, file, extraMeta = {}) {
      await saveFigure(figure, join(outDir, file), { meta: { ...meta, ...extraMeta } });
      return figure;
    },
    saveTable(rows, file, extraMeta = {}) {
      return saveTable(rows, join(outDir, file), { meta: { ...meta, ...extraMeta } });
    },
    async saveGallery(png, file) {
      const base = file.endsWith("gallery") ? file : `${file}-gallery`;
      const path = join(outDir, `${base}.png`);
      await writeFileAtomic(path, png);
      // Committed notebooks keep their outputs, so a headless run must not embed the photos.
      if (isHeadlessRun()) {
        return markdown(
          `*Gallery saved to \`${relative(config.resultsDir, path)}\` under results/ (dataset photos are ` +
            `not embedded in headless runs: they are not ours to redistribute).*`,
        );
      }
      return pngDisplay(png);
    },
    async saveTimings(file, { rows = [], text }) {
      if (rows.length === 0 && !text) throw new RangeError(`saveTimings("${file}"): no rows and no text`);
      const base = join(config.resultsDir, "timings", name, file);
      await Deno.mkdir(dirname(base), { recursive: true });
      const shown = [text ?? "", rows.length > 0 ? table(rows, { digits: 2 }).markdown : ""].filter(Boolean);
      const files = rows.length > 0 ? await saveTable(rows, base, { meta }) : [];
      if (text) {
        await writeFileAtomic(`${base}.md`, text + "\n");
        files.push(`${base}.md`);
      }
      if (isHeadlessRun()) {
        const where = files.map((f) => `\`${relative(config.resultsDir, f)}\``).join(", ");
        return markdown(
          `*Wall-clock timings saved to ${where} under results/ (not committed: they vary run to run).*`,
        );
      }
      return markdown(shown.join("\n\n"));
    },
  };
}
