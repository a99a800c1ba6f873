/**
 * The notebooks' findings live in `notebooks/lib/` and import `lib/`, never the reverse: the
 * library must not depend on what the notebooks write about it.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { PROJECT_ROOT } from "../../../lib/config/mod.ts";

async function* typeScriptFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* typeScriptFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("no module under lib/ imports notebooks/", async () => {
  const offenders: string[] = [];
  for await (const file of typeScriptFiles(join(PROJECT_ROOT, "lib"))) {
    const text = await Deno.readTextFile(file);
    if (/from\s+"[^"]*notebooks\//.test(text)) offenders.push(relative(PROJECT_ROOT, file));
  }
  assert.deepEqual(offenders, []);
});
