/**
 * LanceDB logs warnings such as "No existing dataset at …, it will be created" on stderr for every
 * new table; setsim's progress and error lines are the user's interface, so LanceDB logs errors
 * only unless the user set `LANCEDB_LOG` themselves. Imported before `@lancedb/lancedb` (its
 * logger reads the variable once, when the native module loads).
 * @module
 */

if (!Deno.env.get("LANCEDB_LOG")) Deno.env.set("LANCEDB_LOG", "error");
