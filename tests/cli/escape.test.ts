/**
 * Human-readable output escapes control characters everywhere (ESC colour codes, OSC title
 * sequences in ids and titles): the search results table, dedup's CSV on a terminal, index
 * messages. Machine output stays exact: `--json`, and a CSV written to a file or a pipe.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { formatDedupCsv, formatSearchTable } from "../../lib/search/format.ts";
import type { DedupResult } from "../../lib/search/dedup.ts";
import type { SearchResult } from "../../lib/search/search.ts";
import { runScript, withTempDir } from "../index/helpers.ts";
import { indexShop } from "../index/shop.ts";

const ESC = "\x1b[31mred\x1b[0m";
const OSC = "\x1b]0;pwned\x07";
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

Deno.test("the search table shows ESC and OSC in ids, titles and the query text escaped", () => {
  const result: SearchResult = {
    query: { item_id: `q${OSC}`, images: [], text: `boots${ESC}` },
    method: "chamfer",
    k: 1,
    results: [{
      rank: 1,
      item_id: `boot${OSC}`,
      score: 0.9,
      pairs: [],
      unmatched_query: [],
      unmatched_item: [],
      image_score: 0.9,
      images: [],
      title: `Red ${ESC} boot`,
    }],
    shortlist: { strategy: "images", candidates: 1, exact: false },
    elapsed_ms: 1,
  };
  const table = formatSearchTable(result);
  assert.doesNotMatch(table, RAW_CONTROL);
  assert.ok(table.includes(String.raw`boot\x1b]0;pwned\x07`), table);
  assert.ok(table.includes(String.raw`Red \x1b[31mred\x1b[0m boot`), table);
  assert.ok(table.includes(String.raw`query q\x1b]0;pwned\x07 + "boots\x1b[31mred\x1b[0m"`), table);
});

Deno.test("the dedup CSV is escaped for a terminal and exact for files", () => {
  const result: DedupResult = {
    threshold: 0.9,
    method: "chamfer",
    items: 2,
    groups: [{ group: 1, size: 2, items: [`a${OSC}`, "b"], pairs: [{ a: `a${OSC}`, b: "b", score: 0.95 }] }],
  };
  const shown = formatDedupCsv(result, { display: true });
  assert.doesNotMatch(shown, RAW_CONTROL);
  assert.ok(shown.includes(String.raw`a\x1b]0;pwned\x07`));
  assert.ok(formatDedupCsv(result, { display: false }).includes(`a${OSC}`));
});

Deno.test({
  name: "search and dedup on an index with hostile ids and titles: tables escaped, --json and files exact",
  sanitizeResources: false,
  async fn() {
    await withTempDir("setsim-escape-", async (dir) => {
      const { index, env } = await indexShop(dir, {
        // red-boot-2 (the near-duplicate of red-boot) gets an OSC id and an ESC title.
        edit: async ({ manifest }) => {
          const csv = (await Deno.readTextFile(manifest))
            .replaceAll("red-boot-2,", `red-boot-2${OSC},`)
            .replaceAll("Red leather boot (new photos)", `Red ${ESC} boot`);
          await Deno.writeTextFile(manifest, csv);
        },
      });

      const table = await runScript("scripts/search.ts", [
        "--index",
        index,
        "--query",
        "red-boot",
        "--k",
        "2",
      ], env);
      assert.equal(table.code, 0, table.stderr);
      assert.doesNotMatch(table.stdout, RAW_CONTROL);
      assert.ok(table.stdout.includes(String.raw`red-boot-2\x1b]0;pwned\x07`), table.stdout);
      assert.ok(table.stdout.includes(String.raw`Red \x1b[31mred\x1b[0m boot`), table.stdout);

      const json = await runScript(
        "scripts/search.ts",
        ["--index", index, "--query", "red-boot", "--k", "2", "--json"],
        env,
      );
      assert.equal(JSON.parse(json.stdout).results[0].item_id, `red-boot-2${OSC}`);

      const file = join(dir, "dups.csv");
      const dedup = await runScript("scripts/dedup.ts", [
        "--index",
        index,
        "--threshold",
        "0.95",
        "--csv",
        file,
      ], env);
      assert.equal(dedup.code, 0, dedup.stderr);
      assert.ok((await Deno.readTextFile(file)).includes(`red-boot-2${OSC}`), "the file is exact");
      assert.ok(dedup.stdout.includes(`red-boot-2${OSC}`), "a pipe is not a terminal: exact");

      // On a terminal (a pseudo-terminal from util-linux `script`), the printed CSV is escaped.
      const hasScript = await new Deno.Command("script", {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .output().then((r) => r.success, () => false);
      if (!hasScript) return console.warn("skipping the terminal case: util-linux `script` is missing");
      const command = [
        Deno.execPath(),
        "run",
        "-A",
        "scripts/dedup.ts",
        "--index",
        index,
        "--threshold",
        "0.95",
      ]
        .map((arg) => `'${arg}'`).join(" ");
      const tty = await new Deno.Command("script", {
        args: ["-qec", command, "/dev/null"],
        cwd: new URL("../..", import.meta.url).pathname,
        env: { NO_COLOR: "1", ...env },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const shown = new TextDecoder().decode(tty.stdout);
      assert.equal(tty.code, 0, shown);
      assert.ok(shown.includes(String.raw`red-boot-2\x1b]0;pwned\x07`), shown);
      assert.ok(!shown.includes(OSC), "no raw OSC reaches the terminal");
    });
  },
});
