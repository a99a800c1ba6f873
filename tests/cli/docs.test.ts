/**
 * Cheap static checks of README.md and docs/*.md against the code: every `deno task X` they name
 * exists in deno.json, every flag on such a command line exists in the command table
 * (scripts/tasks.ts), the README's task table is the table's, relative links resolve, the README
 * stays short, and the text carries no internal history.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { taskCommand, type TaskSpec } from "../../lib/cli/table.ts";
import { TASKS } from "../../scripts/tasks.ts";

/** deno.json tasks without a table entry: test and check have no script of their own. */
const NOT_IN_TABLE = new Set(["test", "check"]);

const denoJson = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json")));
const docsDir = join(PROJECT_ROOT, "docs");
const files = [
  join(PROJECT_ROOT, "README.md"),
  ...[...Deno.readDirSync(docsDir)].filter((e) => e.isFile && e.name.endsWith(".md")).map((e) =>
    join(docsDir, e.name)
  ),
];
const texts = new Map(files.map((file) => [file, Deno.readTextFileSync(file)]));
const readme = texts.get(join(PROJECT_ROOT, "README.md"))!;

/** Command-like snippets of a Markdown text: each code-block line (continuations joined) and each code span. */
function snippets(markdown: string): string[] {
  const out: string[] = [];
  const blocks = markdown.split(/^```.*$/m);
  blocks.forEach((block, k) => {
    if (k % 2 === 1) out.push(...block.replace(/\\\n\s*/g, " ").split("\n"));
    else out.push(...[...block.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]));
  });
  return out;
}

/** `[spec, rest of the command line]` for each table task run in a snippet (comments dropped). */
function commandsIn(snippet: string): { task: string; spec?: TaskSpec; args: string }[] {
  const code = snippet.replace(/\s#\s.*$/, "");
  const out: { task: string; spec?: TaskSpec; args: string }[] = [];
  for (const m of code.matchAll(/deno task ([a-z][\w-]*)([^&|;]*)/g)) {
    out.push({ task: m[1], spec: TASKS[m[1]], args: m[2] });
  }
  for (const spec of Object.values(TASKS).filter((s) => s.command)) {
    const at = code.indexOf(taskCommand(spec));
    if (at >= 0) {
      out.push({ task: spec.name, spec, args: code.slice(at + taskCommand(spec).length).split(/[&|;]/)[0] });
    }
  }
  return out;
}

Deno.test("every deno task named in README.md and docs/ exists, with the flags the command table has", () => {
  const problems: string[] = [];
  for (const [file, text] of texts) {
    const where = file.slice(PROJECT_ROOT.length + 1);
    for (const snippet of snippets(text)) {
      for (const { task, spec, args } of commandsIn(snippet)) {
        if (!(task in denoJson.tasks) && !spec?.command) {
          problems.push(`${where}: deno task ${task} is not a task in deno.json`);
          continue;
        }
        if (!spec) {
          if (!NOT_IN_TABLE.has(task)) {
            problems.push(`${where}: task ${task} has no entry in scripts/tasks.ts`);
          }
          continue;
        }
        // bench NAME FLAGS...: the flags after the name are the benchmark's own.
        const own = spec.passThrough ? args.split(/\s(?=[a-z])/)[0] : args;
        for (const [, flag] of own.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)) {
          if (!(flag in spec.flags) && flag !== "help") {
            problems.push(`${where}: ${taskCommand(spec)} has no flag --${flag} ("${snippet.trim()}")`);
          }
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("the README's task table lists every task of the command table with its purpose", () => {
  const rows = new Map(
    [...readme.matchAll(/^\| `([^`]+)`\s*\| (.+?)\s*\|$/gm)].map((m) => [m[1], m[2]]),
  );
  for (const spec of Object.values(TASKS)) {
    assert.equal(rows.get(taskCommand(spec)), spec.purpose, `README task table row for ${taskCommand(spec)}`);
  }
  for (const name of NOT_IN_TABLE) {
    assert.ok(rows.has(`deno task ${name}`), `README row for deno task ${name}`);
  }
});

Deno.test("the README is short and says how deno gets on the PATH before any deno task", () => {
  assert.ok(readme.split("\n").length <= 200, `README.md has ${readme.split("\n").length} lines (≤ 200)`);
  const firstTask = readme.search(/(?<!npx )deno task /);
  const path = readme.indexOf("node_modules/.bin");
  assert.ok(path >= 0 && path < firstTask, "node_modules/.bin is explained before the first bare deno task");
  // The two commands CI runs (.ci/run), as written.
  assert.ok(
    readme.includes("bash scripts/bootstrap.sh && SETSIM_DATA_DIR=../shared/data npx deno task test"),
  );
  assert.ok(
    readme.includes("bash scripts/bootstrap.sh && SETSIM_DATA_DIR=../shared/data npx deno task reproduce"),
  );
});

Deno.test("README.md and docs/: relative links resolve, one Results heading, no internal history", () => {
  const problems: string[] = [];
  let results = 0;
  for (const [file, text] of texts) {
    const where = file.slice(PROJECT_ROOT.length + 1);
    for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      if (!existsSync(resolve(dirname(file), target))) problems.push(`${where}: broken link ${target}`);
    }
    results += [...text.matchAll(/^#+ Results\s*$/gm)].length;
    for (const [history] of text.matchAll(/\bissue \d+\b/gi)) {
      problems.push(`${where}: internal history "${history}"`);
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(results, 1, "exactly one Results heading across README.md and docs/");
});
