import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";

async function trainCli(args: string[]) {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "scripts", "train.ts"), ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("train CLI: bad flags exit 2 with a message naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [["--head", "projection", "--out", "x"], /--protocol is required/],
    [
      ["--protocol", "unseen-classes", "--dataset", "grocery", "--out", "x"],
      /--head must be projection or attention/,
    ],
    [
      ["--protocol", "unseen-classes", "--dataset", "grocery", "--head", "attention"],
      /--out NAME is required/,
    ],
    [["--protocol", "nope", "--head", "attention", "--out", "x"], /unknown learning protocol "nope"/],
    [
      ["--protocol", "grocery-new-photos", "--dataset", "coil100", "--head", "attention", "--out", "x"],
      /does not apply to dataset "coil100"/,
    ],
    [
      ["--protocol", "grocery-new-photos", "--head", "attention", "--out", "x", "--backend", "gpu"],
      /unknown training backend "gpu"/,
    ],
    [
      ["--protocol", "catalog-items", "--head", "attention", "--out", "x"],
      /catalog-items needs --dataset PATH/,
    ],
    [["--protocol", "grocery-new-photos", "--head", "attention", "--out", "x", "--epochs", "0"], /--epochs/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await trainCli(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
  }
});
