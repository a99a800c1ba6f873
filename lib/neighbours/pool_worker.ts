/**
 * The pool worker of a local neighbours run (`lib/workers`): opens its own {@link SearchSession}
 * on the index at `init` and answers chunk tasks with their rows.
 * @module
 */
/// <reference lib="deno.worker" />

import { serveTasks } from "../workers/serve.ts";
import { SearchSession } from "../search/mod.ts";
import { type NeighbourSearch, neighboursOfItems } from "./search.ts";
import type { NeighbourRow } from "./rows.ts";

let session: SearchSession | undefined;

serveTasks<{ items: string[]; search: NeighbourSearch }, NeighbourRow[]>({
  async init(payload) {
    session = await SearchSession.open((payload as { index: string }).index);
  },
  task: ({ items, search }) => neighboursOfItems(session!, items, search),
});
