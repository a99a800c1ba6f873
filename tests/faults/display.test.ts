/** One escaping rule for human-readable output (issue 10 case 10): the helper, errors, progress. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { displayText } from "../../lib/io/mod.ts";
import { createProgress } from "../../lib/progress/mod.ts";
import { runCli } from "./helpers.ts";

Deno.test("displayText escapes control, bidi and separator characters and the backslash; leaves the rest", () => {
  assert.equal(displayText("plain/path ünïcode 猫.jpg"), "plain/path ünïcode 猫.jpg");
  assert.equal(displayText("a\nb\rc\td"), "a\\nb\\rc\\td");
  assert.equal(displayText("\u001b[31mred\u001b[0m"), "\\x1b[31mred\\x1b[0m");
  assert.equal(displayText("\u0000\u007f\u009b"), "\\x00\\x7f\\x9b");
  assert.equal(displayText("x\u202ey\u2028z\u2066"), "x\\u{202e}y\\u{2028}z\\u{2066}");
  assert.equal(displayText("C:\\dir"), "C:\\\\dir"); // unambiguous: every escape maps back to one text
});

Deno.test("a CLI error quoting a hostile path shows it escaped, keeping the message's own lines", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-faults-display-" });
  const hostile = join(dir, "m\u001b]0;pwned\u0007\rerror: all good.csv");
  const r = await runCli("match", ["--matrix", hostile]);
  assert.notEqual(r.code, 0);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f]/, "only newlines remain raw");
  assert.ok(r.stderr.includes("m\\x1b]0;pwned\\x07\\rerror: all good.csv"), r.stderr);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("progress lines escape labels and notes", () => {
  const out: string[] = [];
  const progress = createProgress({
    label: "embed \u001b[2J",
    total: 2,
    tty: false,
    write: (t) => out.push(t),
  });
  progress.tick(1, "photo\n.jpg");
  progress.done();
  const text = out.join("");
  assert.ok(text.includes("embed \\x1b[2J: "), text);
  assert.ok(!text.includes("\u001b") && !text.includes("photo\n"), text);
});
