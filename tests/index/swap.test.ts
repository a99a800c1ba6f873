/**
 * Readers during `index --rebuild`: the rebuild swaps its fresh files into the index folder (the
 * old manifest out first, the new one in last). A reader that arrives during the swap waits for the
 * new manifest; one that read the old manifest just before starts again on the new one; neither is
 * told that the tables are damaged. Fake files and a fake embedder: no model, no images.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildIndex,
  type BuildPhase,
  type ImageEmbedder,
  type ImageFiles,
  type IndexCatalog,
  IndexError,
  type IndexReader,
  openIndex,
  readColumn,
} from "../../lib/index/mod.ts";
import { fakeEmbedder, withTempDir } from "./helpers.ts";

const files: ImageFiles = {
  stat: () => Promise.resolve({ size: 10, mtimeMs: 5 }),
  hash: (path) => Promise.resolve(`hash:${path}`),
};

const embedder: ImageEmbedder = fakeEmbedder((p) =>
  p.includes("b") ? Float32Array.of(0, 1, 0) : Float32Array.of(1, 0, 0)
);

function catalogOf(ids: string[]): IndexCatalog {
  return { name: "tiny", root: "/shop", items: ids.map((id) => ({ id, images: [`/shop/${id}/1.png`] })) };
}

async function itemIdsOf(reader: IndexReader): Promise<string[]> {
  return readColumn<string>(await reader.items.query().select(["item_id"]).toArrow(), "item_id").sort();
}

/** Rebuild `dir` from `ids`, running `during` while the swap has the manifest out. */
async function rebuildWith(dir: string, ids: string[], during: () => Promise<void>): Promise<void> {
  await buildIndex(catalogOf(ids), dir, {
    embedder,
    files,
    progress: false,
    rebuild: true,
    onPhase: async (phase: BuildPhase) => {
      if (phase === "swapping") await during();
    },
  });
}

Deno.test("rebuild swap: a reader arriving while the manifest is out waits for the new one; past the wait it is told a rebuild is replacing the index, not that the tables are damaged", async () => {
  await withTempDir("setsim-swap-", async (tmp) => {
    const dir = join(tmp, "shop.index");
    await buildIndex(catalogOf(["a", "b"]), dir, { embedder, files, progress: false });

    let waiting: Promise<IndexReader> | undefined;
    let failure: unknown;
    await rebuildWith(dir, ["a", "b", "c"], async () => {
      // The swap holds here until the impatient reader has given up.
      failure = await openIndex(dir, { swapWaitMs: 0 }).then(() => undefined, (error) => error);
      // This one is still waiting when the swap goes on.
      waiting = openIndex(dir);
    });
    assert.ok(failure instanceof IndexError, String(failure));
    assert.match(failure.message, /an index --rebuild is replacing this index .*retry when it has finished/);
    assert.doesNotMatch(failure.message, /damaged|not a setsim index/);

    const reader = await waiting!;
    try {
      assert.equal(reader.manifest.counts.items, 3, "the waiting reader opened the new index");
      assert.deepEqual(await itemIdsOf(reader), ["a", "b", "c"]);
    } finally {
      reader.close();
    }
  });
});

Deno.test("rebuild swap: a reader that read the old manifest just before the swap starts again on the new one (never old manifest with new tables)", async () => {
  await withTempDir("setsim-swap-", async (tmp) => {
    const dir = join(tmp, "shop.index");
    await buildIndex(catalogOf(["a", "b"]), dir, { embedder, files, progress: false });
    const before = await openIndex(dir);
    before.close();

    let reads = 0;
    const reader = await openIndex(dir, {
      onManifestRead: async () => {
        // The whole rebuild (more writes per table than the old index had versions) commits
        // between the reader's manifest read and its table opening.
        if (++reads === 1) {
          await buildIndex(catalogOf(["a", "b", "c", "d"]), dir, {
            embedder,
            files,
            progress: false,
            rebuild: true,
            writeChunkRows: 1,
          });
        }
      },
    });
    try {
      assert.equal(reads, 2, "the manifest was read again after it changed");
      assert.notEqual(reader.manifest.committedAt, before.manifest.committedAt);
      assert.equal(reader.manifest.counts.items, 4);
      assert.deepEqual(await itemIdsOf(reader), ["a", "b", "c", "d"]);
    } finally {
      reader.close();
    }
  });
});
