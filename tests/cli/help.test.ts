/**
 * The command table (scripts/tasks.ts): every task's `--help` shows its usage, every flag with its
 * default, and an example that parses; every script prints exactly that text for `--help` and
 * `-h` (exit 0); bad values are usage errors naming the flag.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { formatHelp, parseTask, taskCommand, type TaskSpec } from "../../lib/cli/table.ts";
import { TASKS } from "../../scripts/tasks.ts";

const denoJson = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json")));

/** The script a task runs: from deno.json's task (`deno run -A scripts/X.ts`), or the entry's command. */
function scriptOf(spec: TaskSpec): string {
  const command = spec.command ?? denoJson.tasks[spec.name];
  assert.ok(command, `deno.json has a task "${spec.name}"`);
  const scripts = [...command.matchAll(/deno run -A (scripts\/[\w-]+\.ts)/g)].map((m) => m[1]);
  assert.ok(scripts.length > 0, `${spec.name}: no script in "${command}"`);
  return scripts.at(-1)!;
}

/** The arguments of a one-line example command (no quoting in examples). */
function exampleArgs(spec: TaskSpec): string[] {
  const command = taskCommand(spec);
  assert.ok(spec.example.startsWith(`${command} `), `${spec.name}: the example runs ${command}`);
  return spec.example.slice(command.length + 1).split(/\s+/).filter(Boolean);
}

Deno.test("every task's help shows its usage, every flag with its default, and an example", () => {
  for (const spec of Object.values(TASKS)) {
    const help = formatHelp(spec);
    assert.match(help, new RegExp(`^${taskCommand(spec)}: \\S`), spec.name);
    assert.ok(help.includes(`Usage:\n  ${taskCommand(spec)}`), `${spec.name}: usage`);
    for (const [name, flag] of Object.entries(spec.flags)) {
      assert.match(help, new RegExp(`^  (-\\w, )?--${name}\\b`, "m"), `${spec.name}: --${name} listed`);
      assert.ok(flag.description.length > 0, `${spec.name}: --${name} described`);
      const shown = flag.defaultText ?? (flag.default === undefined ? undefined : String(flag.default));
      if (shown !== undefined) {
        assert.ok(help.replace(/\s+/g, " ").includes(`default ${shown}`), `${spec.name}: --${name} default`);
      }
    }
    assert.match(help, /^ {2}-h, --help/m, `${spec.name}: -h`);
    assert.ok(help.includes(`Example:\n  ${spec.example}\n`), `${spec.name}: example`);
    // The example is a valid command line for the table.
    const parsed = parseTask(spec, exampleArgs(spec));
    assert.equal(parsed.help, false);
  }
});

Deno.test("every task script prints its table help for --help and -h, exit 0 (embed and bench too)", async () => {
  for (const spec of Object.values(TASKS)) {
    const script = join(PROJECT_ROOT, scriptOf(spec));
    for (const flag of spec.name === "bench" || spec.name === "embed" ? ["--help", "-h"] : ["--help"]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, flag],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, `${spec.name} ${flag}: ${new TextDecoder().decode(out.stderr)}`);
      assert.equal(stdout.trimEnd(), formatHelp(spec).trimEnd(), `${spec.name} ${flag}`);
    }
  }
});

Deno.test("bad values are usage errors that name the flag and what is wrong", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "search",
      ["--index", "i", "--query", "q", "--model", "nope"],
      /--model "nope": unknown image model; known: mobilenet-v2, /,
    ],
    [
      "dedup",
      ["--index", "i", "--threshold", "2"],
      /--threshold must be a finite number in \(0, 1\], got "2"/,
    ],
    [
      "dedup",
      ["--index", "i", "--threshold", "-1"],
      /--threshold must be a finite number in \(0, 1\], got "-1"/,
    ],
    [
      "dedup",
      ["--index", "i", "--threshold", "0"],
      /--threshold must be a finite number in \(0, 1\], got "0"/,
    ],
    ["dedup", ["--index", "i"], /--threshold T is required/],
    ["search", ["--index", "i", "--k", "0"], /--k must be an integer ≥ 1, got "0"/],
    ["search", ["--index", "i", "--k", "2.5"], /--k must be an integer ≥ 1, got "2.5"/],
    ["search", ["--index", "i", "--s", "1.5"], /--s must be a finite number in \[-1, 1\], got "1.5"/],
    ["search", ["--index", "i", "--text-weight", "nan"], /--text-weight must be a finite number in \[0, 1\]/],
    [
      "search",
      ["--index", "i", "--method", "fastest"],
      /--method must be one of ordered, greedy, .*; got "fastest"/,
    ],
    ["search", ["--index", "i", "--shortlist", "magic"], /--shortlist must be one of images, /],
    ["search", ["--index", "i", "--jsn"], /unknown flag --jsn \(deno task search --help lists the flags\)/],
    ["search", ["--index"], /--index needs a value \(--index DIR\)/],
    ["compare", ["a"], /expected exactly 2 A B argument\(s\), got 1/],
    ["compare", ["a", "b", "--method", "greedy,nope"], /--method must be one of .*all; got "nope"/],
    [
      "embed",
      ["x", "--augment", "rot45"],
      /--augment must be one of rot90, rot180, rot270, flip, flop; got "rot45"/,
    ],
    ["sweep", ["--workers", "0"], /--workers must be an integer ≥ 1, got "0"/],
    ["figures", ["--timeout", "-5"], /--timeout must be a finite number > 0, got "-5"/],
    ["reproduce", ["--fast", "yes"], /unexpected argument "yes"/],
    [
      "index",
      ["cat", "--index", "i", "--vector-index-min", "-1"],
      /--vector-index-min must be an integer ≥ 0/,
    ],
    ["data", [], /expected exactly 1 DATASET argument\(s\), got 0/],
    ["serve", ["--index", "i", "--port", "70000"], /--port must be an integer in \[0, 65535\], got "70000"/],
    ["serve", ["--index", "i", "--max-photos", "0"], /--max-photos must be an integer ≥ 1, got "0"/],
    ["serve", [], /--index DIR is required/],
    ["neighbours", ["--index", "i", "--k", "3"], /--out FILE is required/],
    [
      "neighbours",
      ["--index", "i", "--out", "x.txt"],
      /--out "x.txt": the file name must end in \.parquet, \.jsonl, \.csv/,
    ],
    ["neighbours", ["--index", "i", "--out", "x.csv", "--workers", "-1"], /--workers must be an integer ≥ 0/],
    ["neighbours", ["--index", "i", "--out", "x.csv", "--items", ","], /--items needs at least one item/],
    ["neighbours", ["--index", "i", "--out", "x.csv", "--queue", "http://x"], /redis:\/\/HOST:PORT\/N/],
    ["worker", ["--index", "i"], /--queue redis:\/\/HOST:PORT\/N is required/],
    ["worker", ["--queue", "redis://h/0", "--lock-ms", "5"], /--lock-ms must be an integer ≥ 100, got "5"/],
  ];
  for (const [task, argv, message] of cases) {
    assert.throws(() => parseTask(TASKS[task], argv), message, `${task} ${argv.join(" ")}`);
    assert.throws(() => parseTask(TASKS[task], argv), { name: "UsageError" });
  }
});

Deno.test("a queue address's password is never echoed by a usage error, whatever is wrong with it", () => {
  const cases: [string, string[]][] = [
    ["neighbours", ["--index", "i", "--out", "x.csv", "--queue", "redis://:hunter22@cache.lan:99999/0"]],
    ["worker", ["--index", "i", "--queue", "redis://:hunter22@cache.lan/x"]],
    ["worker", ["--index", "i", "--queue", "redis://:hunter22@with@at@cache.lan/0"]],
    ["index", ["c", "--index", "i", "--queue", "rediss://admin:hunter22@cache.lan:0/1"]],
  ];
  for (const [task, argv] of cases) {
    assert.throws(() => parseTask(TASKS[task], argv), (error: Error) => {
      assert.match(error.message, /^--queue "rediss?:\/\/(admin)?:\*\*\*@/, `${task} ${argv.join(" ")}`);
      assert.ok(!error.message.includes("hunter22"), error.message);
      return true;
    });
  }
  // A good address with a password parses as given (lib/queue/url.ts keeps it out of messages).
  const parsed = parseTask(TASKS.worker, ["--queue", "redis://:hunter22@cache.lan:6380/2", "--index", "i"]);
  assert.equal(parsed.values.queue, "redis://:hunter22@cache.lan:6380/2");
});

Deno.test("negative numbers are values, defaults are typed, lists are arrays", () => {
  const parsed = parseTask(TASKS.search, ["--index", "i", "--s", "-0.5", "--query", "a", "--query", "b"]);
  assert.equal(parsed.values.s, -0.5);
  assert.equal(parsed.values.k, 10);
  assert.equal(parsed.values.method, "chamfer");
  assert.deepEqual(parsed.values.query, ["a", "b"]);
  assert.equal(parsed.values.exact, false);
  assert.deepEqual(parseTask(TASKS.eval, ["--method", "greedy, chamfer,"]).values.method, [
    "greedy",
    "chamfer",
  ]);
  const compare = parseTask(TASKS.compare, ["a", "b"]);
  assert.deepEqual(compare.values.method, ["all"]);
  const bench = parseTask(TASKS.bench, ["matching", "--quick", "--json"]);
  assert.deepEqual([bench.positionals, bench.rest], [["matching"], ["--quick", "--json"]]);
});

Deno.test("dedup --threshold 2 exits 2 before opening anything", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(PROJECT_ROOT, "scripts", "dedup.ts"),
      "--index",
      "/nonexistent",
      "--threshold",
      "2",
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /^error: --threshold must be a finite number in \(0, 1\]/,
  );
});
