import assert from "node:assert/strict";
import { join } from "node:path";
import { matchSets } from "../../lib/matching/mod.ts";
import {
  decodeRows,
  encodeRows,
  ENTER_MARGIN,
  type NeighbourRow,
  partialDir,
  planIncremental,
  readSidecar,
  resolveItems,
  runNeighbours,
  sidecarPath,
} from "../../lib/neighbours/mod.ts";
import { neighboursJobHandler } from "../../lib/neighbours/queue.ts";
import { readParquetFile } from "../../lib/index/export.ts";
import { SearchSession } from "../../lib/search/mod.ts";
import { indexShop } from "../index/shop.ts";
import { runScript, withTempDir } from "../index/helpers.ts";
import { buildSyntheticIndex, chunkFiles, spawnScript, waitFor } from "./helpers.ts";

const quiet = { progress: false, log: () => {} };

Deno.test("neighbours on the example shop: hand-checked lists, the same rows in every format, --where, --items, usage errors", async () => {
  await withTempDir("setsim-neighbours-", async (tmp) => {
    const { index } = await indexShop(tmp);

    const out = join(tmp, "similar.csv");
    const cli = await runScript("scripts/neighbours.ts", [
      "--index",
      index,
      "--k",
      "2",
      "--out",
      out,
      "--exact",
      "--quiet",
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /5 items, 10 rows \(csv\)/);
    const rows = decodeRows(await Deno.readFile(out), "csv");
    // Every item once, two neighbours each, never itself, by item id then rank.
    assert.deepEqual(
      [...new Set(rows.map((r) => r.item_id))],
      ["blue-sandal", "green-shoe", "red-boot", "red-boot-2", "yellow-sneaker"],
    );
    assert.ok(rows.every((r) => r.item_id !== r.neighbour_id && r.method === "chamfer"));
    assert.deepEqual(rows.map((r) => r.rank), [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
    const first = (id: string) => rows.find((r) => r.item_id === id && r.rank === 1)!;
    assert.equal(first("red-boot").neighbour_id, "red-boot-2", "the re-shoot is the nearest item");
    assert.equal(first("red-boot-2").neighbour_id, "red-boot");
    // Scores by hand: chamfer of the stored vectors; pairs = the query's images (chamfer pairs each one).
    const session = await SearchSession.open(index);
    try {
      const vectors = await session.itemVectors(
        rows.map((r) => r.item_id).concat(rows.map((r) => r.neighbour_id)),
      );
      for (const r of rows) {
        const a = vectors.get(r.item_id)!.vectors, b = vectors.get(r.neighbour_id)!.vectors;
        assert.ok(
          Math.abs(r.score! - matchSets(a, b, { method: "chamfer" }).score!) < 1e-12,
          `${r.item_id}→${r.neighbour_id}`,
        );
        assert.equal(r.pairs, a.count);
      }
      for (const id of ["red-boot", "blue-sandal"]) {
        const list = rows.filter((r) => r.item_id === id);
        assert.ok(list[0].score! >= list[1].score!, "best first");
      }
    } finally {
      await session.close();
    }

    // The same rows as JSON lines and as Parquet (read back with parquet-wasm, columns typed).
    for (const format of ["jsonl", "parquet"]) {
      const other = join(tmp, `similar.${format}`);
      await runNeighbours({
        index,
        out: other,
        search: { k: 2, method: "chamfer", exact: true },
        workers: 0,
        ...quiet,
      });
      assert.deepEqual(decodeRows(await Deno.readFile(other), format as "jsonl" | "parquet"), rows, format);
    }
    const table = await readParquetFile(join(tmp, "similar.parquet"));
    assert.deepEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`), [
      "item_id:Utf8",
      "rank:Int32",
      "neighbour_id:Utf8",
      "score:Float64",
      "pairs:Int32",
      "method:Utf8",
    ]);
    assert.equal(table.numRows, 10);
    assert.ok(!(await Deno.stat(partialDir(out)).then(() => true, () => false)), "the journal is removed");
    const sidecar = await readSidecar(sidecarPath(out));
    assert.equal(sidecar.items.length, 5);

    // --where restricts the candidates, --items the lists.
    const boots = join(tmp, "boots.jsonl");
    await runNeighbours({
      index,
      out: boots,
      search: { k: 3, method: "chamfer", where: "category = 'Boots'" },
      items: ["green-shoe", "red-boot"],
      workers: 0,
      ...quiet,
    });
    const bootRows = decodeRows(await Deno.readFile(boots), "jsonl");
    assert.deepEqual(bootRows.map((r) => `${r.item_id}>${r.neighbour_id}`), [
      "green-shoe>red-boot",
      "green-shoe>red-boot-2",
      "red-boot>red-boot-2",
    ]);

    const bad = async (args: string[], pattern: RegExp) => {
      const r = await runScript("scripts/neighbours.ts", ["--index", index, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
    };
    await bad(["--out", join(tmp, "x.txt")], /must end in \.parquet, \.jsonl, \.csv/);
    await bad(["--out", join(tmp, "x.csv"), "--items", "red-boot,nope"], /not in the index: "nope"/);
    await bad(["--out", join(tmp, "x.csv"), "--k", "0"], /--k must be an integer ≥ 1/);
    await bad(["--out", join(tmp, "x.csv"), "--method", "magic"], /--method must be one of/);
    await bad(["--out", join(tmp, "x.csv"), "--queue", "http://x"], /redis:\/\/HOST:PORT\/N/);
    const help = await runScript("scripts/neighbours.ts", ["--help"]);
    assert.match(help.stdout, /--incremental/);
  });
});

Deno.test("neighbours: a run killed mid-way resumes from its journal and writes the same bytes", async () => {
  await withTempDir("setsim-neighbours-resume-", async (tmp) => {
    const index = join(tmp, "synthetic.index");
    await buildSyntheticIndex(index, { images: 1500 });
    const args = (
      out: string,
    ) => ["--index", index, "--k", "5", "--out", out, "--chunk", "4", "--workers", "1", "--quiet"];
    const reference = join(tmp, "reference.parquet");
    const clean = await runScript("scripts/neighbours.ts", args(reference));
    assert.equal(clean.code, 0, clean.stderr);

    const out = join(tmp, "similar.parquet");
    const child = spawnScript("scripts/neighbours.ts", args(out));
    try {
      await waitFor("three finished chunks", () => chunkFiles(partialDir(out)) >= 3);
      child.kill("SIGKILL");
    } finally {
      await child.status;
      await child.stdout.cancel();
      await child.stderr.cancel();
    }
    const done = chunkFiles(partialDir(out));
    const total = Math.ceil(decodeRows(await Deno.readFile(reference), "parquet").length / 5 / 4);
    assert.ok(done >= 3 && done < total, `killed mid-run (${done} of ${total} chunks done)`);
    assert.ok(!(await Deno.stat(out).then(() => true, () => false)), "no output from the killed run");
    const resumed = await runScript("scripts/neighbours.ts", [...args(out), "--json"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout);
    assert.ok(report.resumed_chunks >= done, `resumed ${report.resumed_chunks} chunks`);
    assert.deepEqual(await Deno.readFile(out), await Deno.readFile(reference), "byte-identical");
  });
});

Deno.test("neighbours --incremental: recomputes the changed, added and touched lists and equals a full run", async () => {
  await withTempDir("setsim-neighbours-incremental-", async (tmp) => {
    const index = join(tmp, "synthetic.index");
    // Item 7 is added by the update; item 3 is removed; items 10 and 11 get new photos.
    await buildSyntheticIndex(index, { images: 400, drop: new Set([7]) });
    const search = { k: 5, method: "chamfer" as const, exact: true };
    const out = join(tmp, "similar.jsonl");
    const before = await runNeighbours({ index, out, search, workers: 0, ...quiet });
    const oldRows = decodeRows(await Deno.readFile(out), "jsonl");

    await buildSyntheticIndex(index, {
      images: 400,
      drop: new Set([3]),
      versions: new Map([[10, 1], [11, 1]]),
    });
    const full = join(tmp, "full.jsonl");
    await runNeighbours({ index, out: full, search, workers: 0, ...quiet });
    const lines: string[] = [];
    const report = await runNeighbours({
      index,
      out,
      search,
      incremental: true,
      workers: 0,
      ...quiet,
      log: (l) => lines.push(l),
    });
    assert.deepEqual(
      await Deno.readFile(out),
      await Deno.readFile(full),
      "the incremental output equals a full run",
    );
    const counts = report.incremental!;
    assert.match(lines.join("\n"), new RegExp(`recomputing ${counts.recomputed} of ${counts.items} lists`));
    assert.equal(counts.items, before.items, "one added, one removed");
    assert.equal(counts.dropped, 1);
    assert.equal(counts.changed_candidates, 3, "the added item and the two changed ones");
    assert.equal(counts.removed_candidates, 1);
    assert.ok(
      counts.recomputed < counts.items / 2,
      `only some lists recomputed (${counts.recomputed} of ${counts.items})`,
    );
    assert.equal(report.computed, counts.recomputed);

    // The right items: every list that differs from before was recomputed, as were the changed items.
    const newRows = decodeRows(await Deno.readFile(full), "jsonl");
    const key = (rows: NeighbourRow[], id: string) =>
      JSON.stringify(rows.filter((r) => r.item_id === id).map((r) => [r.neighbour_id, r.score]));
    const ids = [...new Set(newRows.map((r) => r.item_id))];
    const differing = ids.filter((id) => key(oldRows, id) !== key(newRows, id));
    assert.ok(differing.length >= 3, "the update changed some lists");
    assert.ok(counts.because_item_changed >= 3, "the added and the two changed items");
    assert.ok(counts.recomputed >= differing.length);
    // Nothing changed since: an incremental run recomputes nothing and keeps the bytes.
    const again = await runNeighbours({ index, out, search, incremental: true, workers: 0, ...quiet });
    assert.equal(again.computed, 0);
    assert.deepEqual(await Deno.readFile(out), await Deno.readFile(full));
    // Other options than the previous output's: a clear error.
    await assert.rejects(
      runNeighbours({ index, out, search: { ...search, k: 3 }, incremental: true, workers: 0, ...quiet }),
      /computed with other options/,
    );
    // The rows survive encoding in every format unchanged.
    for (const format of ["csv", "parquet"] as const) {
      assert.deepEqual(decodeRows(encodeRows(newRows, format), format), newRows);
    }
  });
});

Deno.test("planIncremental: recomputes exactly the items the rule names (checked by brute force), a superset of the lists that changed", async () => {
  await withTempDir("setsim-neighbours-rule-", async (tmp) => {
    const index = join(tmp, "synthetic.index");
    await buildSyntheticIndex(index, { images: 300, drop: new Set([5]) });
    const search = { k: 4, method: "chamfer" as const, exact: true };
    const out = join(tmp, "before.jsonl");
    await runNeighbours({ index, out, search, workers: 0, ...quiet });
    const sidecar = await readSidecar(sidecarPath(out));
    const oldRows = decodeRows(await Deno.readFile(out), "jsonl");
    await buildSyntheticIndex(index, { images: 300, drop: new Set([2]), versions: new Map([[9, 1]]) });
    const after = join(tmp, "after.jsonl");
    await runNeighbours({ index, out: after, search, workers: 0, ...quiet });
    const newRows = decodeRows(await Deno.readFile(after), "jsonl");

    const session = await SearchSession.open(index);
    try {
      const resolved = await resolveItems(session, search);
      const plan = await planIncremental(session, search, resolved, { sidecar, rows: oldRows });
      // Brute force: the rule of lib/neighbours/incremental.ts, from the old lists and all pair scores.
      const old = new Map(sidecar.items.map(([id, digest]) => [id, digest]));
      const changed = [...resolved.candidates].filter((id) => old.get(id) !== resolved.digests.get(id));
      const removed = [...old.keys()].filter((id) => !resolved.candidates.has(id));
      assert.deepEqual(
        [changed.length, removed.length],
        [2, 1],
        "item 5 added, item 9 changed; item 2 removed",
      );
      const vectors = await session.itemVectors(resolved.queries);
      const expected = resolved.queries.filter((q) => {
        if (old.get(q) !== resolved.digests.get(q)) return true;
        const list = oldRows.filter((r) => r.item_id === q);
        if (list.some((r) => changed.includes(r.neighbour_id) || removed.includes(r.neighbour_id))) {
          return true;
        }
        const t = list.length < search.k ? -Infinity : list[search.k - 1].score!;
        return changed.some((c) =>
          c !== q &&
          matchSets(vectors.get(q)!.vectors, vectors.get(c)!.vectors, { method: "chamfer" }).score! >=
            t - ENTER_MARGIN
        );
      });
      assert.deepEqual(plan.recompute, expected);
      const list = (rows: NeighbourRow[], id: string) => JSON.stringify(rows.filter((r) => r.item_id === id));
      const differing = resolved.queries.filter((id) => list(oldRows, id) !== list(newRows, id));
      assert.ok(
        differing.length > 0 && differing.every((id) => plan.recompute.includes(id)),
        "every changed list",
      );
      assert.ok(plan.recompute.length < resolved.queries.length / 2);
    } finally {
      await session.close();
    }
  });
});

Deno.test("a queue worker answers only from the index version the job was planned on", async () => {
  await withTempDir("setsim-neighbours-version-", async (tmp) => {
    const a = join(tmp, "a.index"), b = join(tmp, "b.index");
    await buildSyntheticIndex(a, { images: 60 });
    await buildSyntheticIndex(b, { images: 60, versions: new Map([[1, 1]]) });
    const manifestOf = async (dir: string) => {
      const session = await SearchSession.open(dir);
      const { versions, fingerprint, committedAt } = session.manifest;
      const ids = await session.itemIds();
      await session.close();
      return { index: { versions, fingerprint, committedAt }, ids };
    };
    const [ja, jb] = [await manifestOf(a), await manifestOf(b)];
    const handler = neighboursJobHandler(a);
    try {
      const job = { search: { k: 2, method: "chamfer" }, chunk: 0, items: ja.ids.slice(0, 2) };
      const rows = await handler.handle({ ...job, index: ja.index });
      assert.equal(rows.length, 4);
      await assert.rejects(
        handler.handle({ ...job, index: jb.index }),
        /holds version .* the job was planned on/,
      );
    } finally {
      await handler.close();
    }
  });
});
