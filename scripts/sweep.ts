/**
 * `deno task sweep`: evaluate every (s, m) cell of a hyperparameter grid, resumably.
 * See `lib/sweep/cli.ts` (`--help`) for the flags and defaults.
 * @module
 */

import { runCli } from "../lib/cli/mod.ts";
import { sweepMain } from "../lib/sweep/cli.ts";

if (import.meta.main) await runCli(sweepMain);
