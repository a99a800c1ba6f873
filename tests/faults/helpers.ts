/**
 * Shared pieces of the fault-injection tests: small tmpfs mounts (full disks, read-only
 * folders), running the project's CLIs as subprocesses, and seeded kill points.
 * @module
 */

import { join } from "node:path";
import sharp from "sharp";
import { createRng } from "../../lib/random/mod.ts";

const decoder = new TextDecoder();

async function sh(cmd: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return { ok: out.success, text: (decoder.decode(out.stdout) + decoder.decode(out.stderr)).trim() };
}

/** Why tmpfs mounts are impossible here (not root, no mount), or undefined when they work. */
export const mountUnavailable: string | undefined = await (async () => {
  try {
    const dir = await Deno.makeTempDir({ prefix: "setsim-mount-probe-" });
    const r = await sh("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    if (!r.ok) return `cannot mount a tmpfs here (${r.text || "mount failed"})`;
    await sh("umount", [dir]);
    await Deno.remove(dir);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message})`;
  }
})();

if (mountUnavailable) console.error(`fault tests needing a small disk are SKIPPED: ${mountUnavailable}`);

/** A mounted tmpfs of `bytes` bytes; `readOnly()` remounts it read-only; `close()` unmounts. */
export interface SmallDisk {
  dir: string;
  readOnly(): Promise<void>;
  /** Bytes free, as the file system reports them. */
  free(): Promise<number>;
  /** Leave exactly `bytes` (a multiple of 4096) free with a filler file; returns the filler path. */
  fillLeaving(bytes: number): Promise<string>;
  close(): Promise<void>;
}

export async function mountSmallDisk(bytes: number): Promise<SmallDisk> {
  const dir = await Deno.makeTempDir({ prefix: "setsim-small-disk-" });
  const r = await sh("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]);
  if (!r.ok) throw new Error(`mount failed: ${r.text}`);
  const free = async () => {
    const out = await sh("df", ["-B1", "--output=avail", dir]);
    return Number(out.text.split("\n").pop());
  };
  return {
    dir,
    free,
    readOnly: async () => {
      const ro = await sh("mount", ["-o", "remount,ro", dir]);
      if (!ro.ok) throw new Error(`remount read-only failed: ${ro.text}`);
    },
    fillLeaving: async (leave: number) => {
      const filler = join(dir, `filler-${crypto.randomUUID().slice(0, 8)}`);
      const size = (await free()) - leave;
      if (size < 0) throw new Error(`cannot leave ${leave} bytes free: only ${await free()} are`);
      const file = await Deno.open(filler, { write: true, createNew: true });
      const chunk = new Uint8Array(64 * 1024).fill(7);
      for (let left = size; left > 0; left -= Math.min(left, chunk.length)) {
        await file.write(chunk.subarray(0, Math.min(left, chunk.length)));
      }
      file.close();
      return filler;
    },
    close: async () => {
      await sh("umount", [dir]);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Root of the repository. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** Result of a finished CLI run. */
export interface CliResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** A `deno run -A scripts/<name>.ts` command with a test environment. */
export function cli(name: string, args: string[], env: Record<string, string> = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "scripts", `${name}.ts`), ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

export async function runCli(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const out = await cli(name, args, env).output();
  return {
    code: out.code,
    signal: out.signal,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Run a CLI and SIGKILL it after `ms` milliseconds (if it is still running). */
export async function killAfter(
  name: string,
  args: string[],
  env: Record<string, string>,
  ms: number,
): Promise<CliResult> {
  const child = cli(name, args, env).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already finished
    }
  }, ms);
  const out = await child.output();
  clearTimeout(timer);
  return {
    code: out.code,
    signal: out.signal,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Seeded kill points: the project's one generator, in its own stream. */
export function seeded(seed: number): () => number {
  return createRng(seed, "fault-injection kill points");
}

/**
 * Write `count` distinct small PNG images into `dir` as `<prefix>NNN.png`; `first` shifts the
 * colours, so different calls can make different images. Returns their paths.
 */
export async function writeImages(dir: string, count: number, prefix = "img", first = 0): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = i + first;
    const background = { r: (c * 37) % 256, g: (c * 91) % 256, b: (c * 53 + 100) % 256 };
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background } }).png().toBuffer();
    const path = join(dir, `${prefix}${String(i).padStart(3, "0")}.png`);
    await Deno.writeFile(path, new Uint8Array(png));
    paths.push(path);
  }
  return paths;
}

/** Names of the files in `dir` (sorted). */
export function listDir(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}
