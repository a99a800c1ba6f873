import assert from "node:assert/strict";
import { join } from "node:path";
import { CellJournal, type CellRecord } from "../../lib/sweep/journal.ts";

const record = (hash: string, map: number): CellRecord => ({
  hash,
  cell: { dataset: "d", s: null, m: 2 },
  metrics: { map },
  ci95: { map: [map - 0.1, map + 0.1] },
});

Deno.test("journal round-trips records and the later line wins", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "cells.jsonl");
  const journal = CellJournal.open(path);
  journal.append(record("a", 0.5));
  journal.append(record("b", 0.25));
  journal.append(record("a", 0.75));
  assert.equal(journal.size, 2);
  journal.close();
  assert.throws(() => journal.append(record("c", 0)), /closed/);
  const reopened = CellJournal.open(path);
  assert.equal(reopened.dropped, 0);
  assert.equal(reopened.get("a")?.metrics.map, 0.75);
  assert.deepEqual(reopened.get("b"), record("b", 0.25));
  reopened.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a torn last line (kill during a write) is dropped and appends start on a fresh line", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "cells.jsonl");
  const good = JSON.stringify(record("a", 0.5)) + "\n";
  await Deno.writeTextFile(path, good + JSON.stringify(record("b", 0.1)).slice(0, 25));
  const journal = CellJournal.open(path);
  assert.equal(journal.dropped, 1);
  assert.equal(journal.size, 1);
  assert.equal(journal.get("b"), undefined);
  journal.append(record("c", 0.9));
  journal.close();
  const text = await Deno.readTextFile(path);
  assert.equal(text, good + JSON.stringify(record("c", 0.9)) + "\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("unreadable complete lines are dropped and the file rewritten without them", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "cells.jsonl");
  const a = JSON.stringify(record("a", 0.5)) + "\n";
  await Deno.writeTextFile(path, a + "not json\n" + '{"hash":"x"}\n');
  const journal = CellJournal.open(path);
  assert.equal(journal.dropped, 2);
  journal.append(record("b", 0.2));
  journal.close();
  assert.equal(await Deno.readTextFile(path), a + JSON.stringify(record("b", 0.2)) + "\n");
  await Deno.remove(dir, { recursive: true });
});
